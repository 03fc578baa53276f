//! Satisfaction surveys (CSAT): the admin's settings per channel and what Reports show.

use serde::{Deserialize, Serialize};

/// The survey of every channel, as the settings card edits it and
/// `GET|PUT /api/v1/settings/satisfaction` carry it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatisfactionSettings {
    pub channels: Vec<ChannelSurveySettings>,
}

/// Whether a channel's contacts are asked to rate the help when their conversation is
/// resolved, and in which words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSurveySettings {
    pub channel_id: i64,
    /// Shown only; ignored when saved.
    #[serde(default)]
    pub channel_name: String,
    /// `whatsapp`, `messenger` or `twilio`; shown only, ignored when saved.
    #[serde(default)]
    pub channel_kind: String,
    #[serde(default)]
    pub enabled: bool,
    /// Asked before the ratings (or before "Reply with a number from 1 (poor) to 5 (very
    /// good)." on SMS).
    #[serde(default)]
    pub question: String,
    /// Sent once after the first answer, inviting a comment; empty sends none.
    #[serde(default)]
    pub thanks: String,
    /// WhatsApp outside the 24-hour window: an approved utility template without variables
    /// that asks for a number from 1 to 5; empty sends no survey there.
    #[serde(default)]
    pub template_name: String,
    #[serde(default)]
    pub template_language: String,
}

/// Satisfaction in a report's range: surveys counted by when they were sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsatReport {
    pub from: String,
    pub to: String,
    pub tz: String,
    pub surveys_sent: i64,
    pub responses: i64,
    /// Share of responses rating 4 or 5, in whole percent; `None` without responses.
    pub score_percent: Option<u32>,
    /// Responses per survey sent, in whole percent; `None` when none was sent.
    pub response_rate_percent: Option<u32>,
    /// How many rated 1, 2, 3, 4 and 5, in that order.
    pub distribution: Vec<u32>,
    /// The comments, newest first (at most 100).
    pub comments: Vec<CsatComment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsatComment {
    pub conversation_id: i64,
    pub contact_name: String,
    pub rating: Option<u8>,
    pub comment: String,
    /// YYYY-MM-DD in the report's time zone: when the survey was answered.
    pub date: String,
}
