//! Volunteer wellbeing: pictures and videos from contacts blurred for volunteers until they
//! choose to look, and the time each person spends answering, with limits past which they are
//! asked to take a break and their coordinators are told.

use serde::{Deserialize, Serialize};

/// What admins set. Omitted fields take their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WellbeingSettings {
    /// Pictures and videos from contacts are blurred for volunteers until clicked.
    pub blur_media: bool,
    /// Minutes answering in any 24 hours past which a person is asked to take a break.
    pub daily_limit_minutes: i64,
    /// Minutes answering in any 7 days past which a person is asked to take a break.
    pub weekly_limit_minutes: i64,
}

impl Default for WellbeingSettings {
    fn default() -> Self {
        Self {
            blur_media: true,
            daily_limit_minutes: 4 * 60,
            weekly_limit_minutes: 16 * 60,
        }
    }
}

/// The signed-in person's own time answering, and the gentle warning once they passed a limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyWellbeing {
    /// Minutes with a conversation open in the last 24 hours.
    pub minutes_last_24h: i64,
    /// Minutes with a conversation open in the last 7 days.
    pub minutes_last_7d: i64,
    pub daily_limit_minutes: i64,
    pub weekly_limit_minutes: i64,
    /// "You have been answering for over 4 hours today. Please take a break.", once over a limit.
    pub warning: Option<String>,
}

/// Someone over a limit, as coordinators and admins see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOverLimit {
    pub person_id: i64,
    pub name: String,
    pub minutes_last_24h: i64,
    pub minutes_last_7d: i64,
    pub over_daily_limit: bool,
    pub over_weekly_limit: bool,
}

/// The people over their limits now, most minutes in the last 24 hours first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WellbeingOverview {
    pub daily_limit_minutes: i64,
    pub weekly_limit_minutes: i64,
    pub people: Vec<PersonOverLimit>,
}
