//! How the service is doing: volumes, response and resolution times, per day and per person.

use serde::{Deserialize, Serialize};

/// A report's range and filters. Days are YYYY-MM-DD in `tz` (an IANA time zone, such as
/// Europe/Paris; default: the organisation's business-hours zone, else UTC), both included;
/// without `from` and `to` the last 30 days up to today.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub tz: Option<String>,
    pub channel_id: Option<i64>,
    pub tag_id: Option<i64>,
    /// Conversations assigned to this person now.
    pub user_id: Option<i64>,
    /// Count waits in the organisation's business hours only.
    pub business_hours: Option<bool>,
    /// The figure whose conversations to list.
    pub show: Option<ReportFigure>,
}

/// A figure of the summary whose conversations can be listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFigure {
    Opened,
    Resolved,
    StillOpen,
    Unanswered,
    FirstResponse,
    Reply,
    Resolution,
}

impl ReportFigure {
    pub const ALL: [ReportFigure; 7] = [
        ReportFigure::Opened,
        ReportFigure::Resolved,
        ReportFigure::StillOpen,
        ReportFigure::Unanswered,
        ReportFigure::FirstResponse,
        ReportFigure::Reply,
        ReportFigure::Resolution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportFigure::Opened => "opened",
            ReportFigure::Resolved => "resolved",
            ReportFigure::StillOpen => "still_open",
            ReportFigure::Unanswered => "unanswered",
            ReportFigure::FirstResponse => "first_response",
            ReportFigure::Reply => "reply",
            ReportFigure::Resolution => "resolution",
        }
    }

    pub fn parse(text: &str) -> Option<ReportFigure> {
        ReportFigure::ALL
            .into_iter()
            .find(|figure| figure.as_str() == text)
    }
}

/// The median and 90th percentile of a kind of wait.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeFigure {
    /// How many waits were measured.
    pub count: i64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    /// In words: "12 min", "3 h 5 min"; "—" when nothing was measured.
    pub median: String,
    pub p90: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub from: String,
    pub to: String,
    pub tz: String,
    pub business_hours: bool,
    /// Conversations that began in the range.
    pub conversations_opened: i64,
    /// Resolutions of open periods that began in the range.
    pub conversations_resolved: i64,
    /// Of the conversations that began in the range, those not resolved now.
    pub still_open: i64,
    /// Open periods that began in the range and have had no human reply.
    pub unanswered: i64,
    pub messages_in: i64,
    pub messages_out: i64,
    pub first_response: TimeFigure,
    pub reply: TimeFigure,
    pub resolution: TimeFigure,
}

/// One local day of the range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    /// YYYY-MM-DD.
    pub date: String,
    /// Messages from contacts, one count per channel of [`DailyReport::channels`].
    pub messages_in: Vec<i64>,
    pub messages_out: i64,
    /// Median first response of the waits that began this day.
    pub first_response_median_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyReport {
    pub from: String,
    pub to: String,
    pub tz: String,
    /// The channels' names, in the order of [`DayFigures::messages_in`].
    pub channels: Vec<String>,
    pub days: Vec<DayFigures>,
    /// Messages from contacts by local hour of the week: seven rows, Monday first, of 24
    /// hours.
    pub load_by_hour: Vec<Vec<i64>>,
}

/// What one person did in the range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFigures {
    pub user_id: i64,
    pub name: String,
    /// First responses and later replies that ended a contact's wait.
    pub first_responses: i64,
    pub replies: i64,
    pub first_response: TimeFigure,
    pub resolutions: i64,
}

/// A conversation behind a figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportConversation {
    pub id: i64,
    pub contact_name: String,
    pub channel_name: String,
    pub status: String,
    pub assignee_name: Option<String>,
    /// What it contributed, e.g. "First response 12 min".
    pub detail: String,
    /// The wait or the time to resolve it contributed, for the figures that are times.
    #[serde(default)]
    pub seconds: Option<i64>,
}

/// A length of time as people say it: its largest unit, and the next one down when it is not
/// zero ("3 h 5 min", "2 d"); under a minute, seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationParts {
    Seconds(i64),
    Minutes(i64),
    Hours(i64),
    HoursMinutes(i64, i64),
    Days(i64),
    DaysHours(i64, i64),
}

impl DurationParts {
    pub fn of(seconds: i64) -> DurationParts {
        let minutes = seconds / 60;
        let hours = minutes / 60;
        let days = hours / 24;
        match (days, hours, minutes) {
            (0, 0, 0) => DurationParts::Seconds(seconds),
            (0, 0, minutes) => DurationParts::Minutes(minutes),
            (0, hours, _) if minutes % 60 == 0 => DurationParts::Hours(hours),
            (0, hours, _) => DurationParts::HoursMinutes(hours, minutes % 60),
            (days, _, _) if hours % 24 == 0 => DurationParts::Days(days),
            (days, _, _) => DurationParts::DaysHours(days, hours % 24),
        }
    }
}

/// Everything the Reports page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub summary: ReportSummary,
    pub daily: DailyReport,
    pub people: Vec<PersonFigures>,
    /// The conversations behind [`ReportQuery::show`], at most 200.
    pub shown: Option<Vec<ReportConversation>>,
    /// The filters' choices: channels, tags and people, as (id, name).
    pub channels: Vec<(i64, String)>,
    pub tags: Vec<(i64, String)>,
    pub people_choices: Vec<(i64, String)>,
    /// Whether the organisation has set its business hours.
    pub business_hours_set: bool,
}

/// The organisation's business hours as the settings form shows them: an IANA time zone, one
/// opening interval per line ("Monday 09:00-17:00") and one holiday per line (YYYY-MM-DD).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHoursForm {
    pub time_zone: String,
    pub opening_hours: String,
    pub holidays: String,
}
