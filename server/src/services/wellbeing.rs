//! Volunteer wellbeing: whether contacts' pictures and videos are blurred for a person, the
//! minutes each person spends with a conversation open (told by their browsers' heartbeats),
//! and who is over the limits admins set.

use app::error::AppError;
use app::model::{
    LiveEvent, MyWellbeing, Permission, PersonOverLimit, WellbeingOverview, WellbeingSettings,
};
use app::ports::Actor;

use super::Services;
use crate::domain::wellbeing::{self, TimeOnShift};
use crate::store::now_ms;

const WELLBEING_SETTINGS: &str = "wellbeing";

impl Services {
    pub async fn wellbeing_settings(&self) -> Result<WellbeingSettings, AppError> {
        Ok(match self.store.setting(WELLBEING_SETTINGS).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "wellbeing settings unreadable; using the defaults");
                WellbeingSettings::default()
            }),
            None => WellbeingSettings::default(),
        })
    }

    /// The settings, for the admins who change them.
    pub async fn wellbeing_settings_for(
        &self,
        actor: &Actor,
    ) -> Result<WellbeingSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.wellbeing_settings().await
    }

    pub async fn update_wellbeing_settings(
        &self,
        actor: &Actor,
        settings: WellbeingSettings,
    ) -> Result<WellbeingSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        wellbeing::validate(&settings)
            .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(WELLBEING_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.wellbeing", "settings", json)
            .await?;
        Ok(settings)
    }

    /// Whether this person sees contacts' pictures and videos blurred until clicked: volunteers,
    /// while the organisation has it on. Coordinators and admins review what volunteers are
    /// shielded from, so they see them as sent.
    pub(crate) async fn blurs_media_for(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(!actor.role.can(Permission::SeeAllConversations)
            && self.wellbeing_settings().await?.blur_media)
    }

    /// Counts this minute as time answering for the person (a browser with a conversation open
    /// and in view tells it every half minute); returns their figures.
    pub async fn record_activity(&self, actor: &Actor) -> Result<MyWellbeing, AppError> {
        self.record_activity_at(actor, now_ms()).await
    }

    /// [`Services::record_activity`] at `at_ms` (epoch milliseconds): the clock is the
    /// caller's, so tests can place minutes in the past. A minute told by several tabs counts
    /// once. Passing a limit with this minute tells the person and coordinators, live.
    pub async fn record_activity_at(
        &self,
        actor: &Actor,
        at_ms: i64,
    ) -> Result<MyWellbeing, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let minute = wellbeing::minute_of(at_ms);
        let windows = wellbeing::windows(minute);
        let added = self
            .store
            .record_active_minute(actor.id, minute, windows.keep_from)
            .await?;
        let settings = self.wellbeing_settings().await?;
        let time = self.time_on_shift(actor.id, at_ms).await?;
        if added && wellbeing::newly_passed(time.before_new_minute(), time, &settings) {
            self.live
                .publish(
                    &self.store,
                    LiveEvent::OverLimit {
                        person_id: actor.id,
                        person_name: actor.name.clone(),
                    },
                )
                .await;
        }
        Ok(my_wellbeing(time, &settings))
    }

    /// The person's own time answering, and the warning once over a limit.
    pub async fn my_wellbeing(&self, actor: &Actor) -> Result<MyWellbeing, AppError> {
        let settings = self.wellbeing_settings().await?;
        let time = self.time_on_shift(actor.id, now_ms()).await?;
        Ok(my_wellbeing(time, &settings))
    }

    /// The people over a limit now, for coordinators and admins.
    pub async fn wellbeing_overview(&self, actor: &Actor) -> Result<WellbeingOverview, AppError> {
        actor.require(Permission::SeeAllConversations)?;
        let settings = self.wellbeing_settings().await?;
        let now_minute = wellbeing::minute_of(now_ms());
        let people = self
            .store
            .active_minutes_of_everyone(wellbeing::windows(now_minute), now_minute)
            .await?
            .into_iter()
            .filter_map(|row| {
                let time = TimeOnShift {
                    last_day: row.last_day,
                    last_week: row.last_week,
                };
                let over = wellbeing::over(time, &settings);
                over.any().then_some(PersonOverLimit {
                    person_id: row.user_id,
                    name: row.name,
                    minutes_last_24h: row.last_day,
                    minutes_last_7d: row.last_week,
                    over_daily_limit: over.daily,
                    over_weekly_limit: over.weekly,
                })
            })
            .collect();
        Ok(WellbeingOverview {
            daily_limit_minutes: settings.daily_limit_minutes,
            weekly_limit_minutes: settings.weekly_limit_minutes,
            people,
        })
    }

    async fn time_on_shift(&self, person_id: i64, at_ms: i64) -> Result<TimeOnShift, AppError> {
        let minute = wellbeing::minute_of(at_ms);
        let (last_day, last_week) = self
            .store
            .active_minutes_of(person_id, wellbeing::windows(minute), minute)
            .await?;
        Ok(TimeOnShift {
            last_day,
            last_week,
        })
    }
}

fn my_wellbeing(time: TimeOnShift, settings: &WellbeingSettings) -> MyWellbeing {
    MyWellbeing {
        minutes_last_24h: time.last_day,
        minutes_last_7d: time.last_week,
        daily_limit_minutes: settings.daily_limit_minutes,
        weekly_limit_minutes: settings.weekly_limit_minutes,
        warning: wellbeing::warning(time, settings),
    }
}
