//! Organisation-wide settings, and who sees contacts' phone numbers because of them.

use app::error::AppError;
use app::model::{InboxSettings, Permission};
use app::ports::Actor;
use channels::phone::{E164, mask_unparsed};

use super::Services;

const INBOX_SETTINGS: &str = "inbox";

/// How a person sees contacts' phone numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberView {
    Shown,
    /// Shown to a coordinator or admin while numbers are masked for volunteers: a reveal, which
    /// is recorded.
    Revealed,
    /// Country code and at most the last four digits, so a volunteer can tell contacts apart
    /// without being able to reach them outside Switchboard.
    Masked,
}

impl NumberView {
    /// An address as this person may see it. Masked, an address that is not a valid number
    /// still has its digits hidden: it may be a number in a form the parser refuses.
    pub(crate) fn show(self, address: &str) -> String {
        match (self, E164::parse(address)) {
            (NumberView::Masked, Ok(number)) => number.mask(),
            (NumberView::Masked, Err(_)) => mask_unparsed(address),
            _ => address.to_owned(),
        }
    }
}

impl Services {
    pub async fn inbox_settings(&self) -> Result<InboxSettings, AppError> {
        Ok(match self.store.setting(INBOX_SETTINGS).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "inbox settings unreadable; using the defaults");
                InboxSettings::default()
            }),
            None => InboxSettings::default(),
        })
    }

    /// The settings, for the admins who change them.
    pub async fn inbox_settings_for(&self, actor: &Actor) -> Result<InboxSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.inbox_settings().await
    }

    pub async fn update_inbox_settings(
        &self,
        actor: &Actor,
        settings: InboxSettings,
    ) -> Result<InboxSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        if settings.auto_assign_cap < 0 {
            return Err(AppError::unprocessable(
                "The cap on open conversations per person cannot be negative.",
            ));
        }
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(INBOX_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.inbox", "settings", json)
            .await?;
        Ok(settings)
    }

    /// How this person sees these contacts' numbers. While numbers are masked for volunteers,
    /// showing them to a coordinator or admin is a reveal, and recorded in the audit log: one
    /// entry per contact whose number an answer showed, at most once an hour.
    pub(crate) async fn reveal_numbers_of(
        &self,
        actor: &Actor,
        contact_ids: &[i64],
    ) -> Result<NumberView, AppError> {
        let numbers = self.number_view(actor).await?;
        self.record_reveal(actor, numbers, contact_ids).await?;
        Ok(numbers)
    }

    /// Records what [`NumberView::Revealed`] showed, once the answer is known.
    pub(crate) async fn record_reveal(
        &self,
        actor: &Actor,
        numbers: NumberView,
        contact_ids: &[i64],
    ) -> Result<(), AppError> {
        if numbers != NumberView::Revealed {
            return Ok(());
        }
        let mut contact_ids = contact_ids.to_vec();
        contact_ids.sort_unstable();
        contact_ids.dedup();
        let subjects: Vec<String> = contact_ids
            .iter()
            .map(|id| format!("contact:{id}"))
            .collect();
        // Once an hour per contact: one look at a thread page shows the number in the list,
        // the thread, the contact panel and perhaps a search, and each would be an entry.
        self.store
            .audit_once_an_hour(actor.id, "contact.number_revealed", &subjects)
            .await?;
        Ok(())
    }

    /// Records that a coordinator or admin opened a conversation or a contact (volunteers see
    /// only what is theirs to answer, so their reads are not recorded): once an hour per
    /// person and `subject`.
    pub(crate) async fn record_read(
        &self,
        actor: &Actor,
        action: &str,
        subject: String,
    ) -> Result<(), AppError> {
        if !actor.role.can(Permission::SeeAllConversations) {
            return Ok(());
        }
        self.store
            .audit_once_an_hour(actor.id, action, &[subject])
            .await?;
        Ok(())
    }

    pub(crate) async fn number_view(&self, actor: &Actor) -> Result<NumberView, AppError> {
        if !self.inbox_settings().await?.mask_numbers_for_volunteers {
            return Ok(NumberView::Shown);
        }
        Ok(if actor.role.can(Permission::SeeAllConversations) {
            NumberView::Revealed
        } else {
            NumberView::Masked
        })
    }
}
