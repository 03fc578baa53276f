//! Volunteers' access to resolved conversations ending some days after resolution, as admins
//! set it. Enforced wherever a volunteer reaches a conversation: lists, the thread, contacts,
//! search, media and live updates (see `may_see` and the store's list and search scopes).

use app::error::AppError;
use app::model::{Permission, VolunteerAccess};
use app::ports::Actor;

use super::Services;
use crate::domain::data_requests;
use crate::store::now_ms;

const VOLUNTEER_ACCESS: &str = "volunteer_access";

impl Services {
    pub async fn volunteer_access(&self) -> Result<VolunteerAccess, AppError> {
        Ok(match self.store.setting(VOLUNTEER_ACCESS).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "volunteer access setting unreadable; access does not end");
                VolunteerAccess::default()
            }),
            None => VolunteerAccess::default(),
        })
    }

    pub async fn volunteer_access_for(&self, actor: &Actor) -> Result<VolunteerAccess, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.volunteer_access().await
    }

    pub async fn update_volunteer_access(
        &self,
        actor: &Actor,
        setting: VolunteerAccess,
    ) -> Result<VolunteerAccess, AppError> {
        actor.require(Permission::ManageSettings)?;
        let setting = VolunteerAccess {
            days_after_resolution: data_requests::valid_access_days(setting.days_after_resolution)
                .map_err(|error| AppError::unprocessable(error.to_string()))?,
        };
        let json = serde_json::to_value(&setting).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(VOLUNTEER_ACCESS, &json.to_string())
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "settings.volunteer_access",
                "settings",
                json,
            )
            .await?;
        Ok(setting)
    }

    /// Conversations resolved before this moment are closed to this person: `None` for
    /// coordinators and admins, and while the organisation keeps volunteers' access.
    pub(crate) async fn access_cutoff(&self, actor: &Actor) -> Result<Option<i64>, AppError> {
        if actor.role.can(Permission::SeeAllConversations) {
            return Ok(None);
        }
        let days = self.volunteer_access().await?.days_after_resolution;
        Ok(data_requests::access_cutoff(days, now_ms()))
    }
}
