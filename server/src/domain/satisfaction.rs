//! Satisfaction surveys (CSAT): when a conversation is resolved, the contact may be asked to
//! rate it from 1 to 5, and may add a comment after answering. This module decides what to
//! send on each network, reads answers, tells which inbound messages belong to a survey (so the
//! caller keeps them out of a new conversation) and computes the figures Reports show. Pure:
//! the caller supplies the settings, the window, the messages and the times (milliseconds since
//! the Unix epoch, as in `replies`).
//!
//! What each network gets (REFERENCE.md §1.4, §2.4, §3.2; limits in `reply_buttons`):
//! - WhatsApp inside the 24-hour window: an interactive list of five rows, since reply buttons
//!   stop at three;
//! - WhatsApp outside it: the admin's approved utility template, or nothing: free-form messages
//!   fail there (131047);
//! - Messenger inside the 24-hour window: five quick replies. Outside it nothing is sent:
//!   HUMAN_AGENT covers a person's replies, not an automatic survey;
//! - SMS: the question followed by "Reply with a number from 1 (poor) to 5 (very good).".
//!
//! The caller checks consent before anything here: nobody who opted out is asked, and an
//! opt-out keyword (STOP…) is handled as consent, never read as an answer or a comment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::costs::{SmsEncoding, sms_segments};
use crate::domain::templates::{TemplateRefused, check_language, check_name};

const HOUR_MS: i64 = 60 * 60 * 1000;
/// How long a survey waits for its answer. Three days, since a contact who was helped on a
/// Friday may answer on Monday; after that a lone "4" is far likelier to belong to something new.
pub const ANSWER_WAIT_MS: i64 = 72 * HOUR_MS;
/// How long after an answer the contact's next message is taken as its comment.
pub const COMMENT_WINDOW_MS: i64 = 24 * HOUR_MS;
/// The longest comment: anything longer is most likely a new matter, which a person should
/// read in a conversation of its own rather than find in a report.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// The longest question or thank-you on WhatsApp and Messenger: the body of a WhatsApp
/// interactive message. Messenger takes longer texts, but one limit lets a wording move between
/// channels.
pub const MAX_TEXT_CHARS: usize = 1024;
/// One SMS segment in GSM-7 (see `costs::sms_segments`).
const SMS_SINGLE_SEGMENT: u32 = 160;

/// Ends every survey sent as plain text (SMS, WhatsApp through Twilio).
pub const REPLY_HINT: &str = "Reply with a number from 1 (poor) to 5 (very good).";
/// The label of the button that opens the WhatsApp list (Meta allows 20 characters).
pub const LIST_BUTTON: &str = "Choose a rating";
/// Meta's limit for the title of a row in a WhatsApp list message.
pub const MAX_LIST_ROW_TITLE_CHARS: usize = 24;
/// Meta's limit for the title of a Messenger quick reply (and of a WhatsApp reply button).
pub const MAX_QUICK_REPLY_TITLE_CHARS: usize = 20;

pub const DEFAULT_QUESTION: &str =
    "Thank you for getting in touch. How would you rate the help you received?";
pub const DEFAULT_THANKS: &str =
    "Thank you for your answer. If you would like to tell us more, just write it here.";

/// What the contact may pick: the payload the inbound side sees and the title shown, best
/// first. Titles fit both a list row (24) and a quick reply (20).
const SCALE: [SurveyOption; 5] = [
    SurveyOption::new(5, "csat:5", "5 – Very good"),
    SurveyOption::new(4, "csat:4", "4 – Good"),
    SurveyOption::new(3, "csat:3", "3 – Fair"),
    SurveyOption::new(2, "csat:2", "2 – Poor"),
    SurveyOption::new(1, "csat:1", "1 – Very poor"),
];

// ---------------------------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------------------------

/// A rating from 1 (very poor) to 5 (very good); no other value can be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a rating: ratings go from 1 to 5.")]
pub struct NotARating(pub u8);

impl Rating {
    pub const fn new(value: u8) -> Option<Rating> {
        if matches!(value, 1..=5) {
            Some(Rating(value))
        } else {
            None
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// A 4 or a 5: what the CSAT score counts.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }

    /// The option the contact picked, with its payload and title ("4 – Good"), as the thread
    /// shows it.
    pub fn option(self) -> SurveyOption {
        SCALE[usize::from(5 - self.0)]
    }
}

impl Rating {
    /// A rating as a database column holds it; `None` for anything outside 1 to 5.
    pub fn from_stored(value: i64) -> Option<Rating> {
        u8::try_from(value).ok().and_then(Rating::new)
    }
}

impl TryFrom<u8> for Rating {
    type Error = NotARating;

    fn try_from(value: u8) -> Result<Rating, NotARating> {
        Rating::new(value).ok_or(NotARating(value))
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> u8 {
        rating.0
    }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// The network a survey goes out on: `replies::Network`, restated so this module stands alone
/// (the three variants map one to one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SurveyNetwork {
    /// WhatsApp through Meta's Cloud API. A WhatsApp contact on a Twilio channel is asked with
    /// [`survey_for_twilio_whatsapp`] instead: Twilio sends lists only as Content templates.
    WhatsApp,
    Messenger,
    Sms,
}

/// An organisation's survey settings, stored as JSON: per channel (by its id), whether the
/// contact is asked and in which words. A channel not listed is not surveyed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveySettings {
    #[serde(default)]
    pub channels: BTreeMap<i64, ChannelSurvey>,
}

/// One channel's survey. Missing fields read as their defaults, so settings saved before a
/// field existed still load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelSurvey {
    pub enabled: bool,
    /// The question, before the options (or before [`REPLY_HINT`] on SMS).
    pub question: String,
    /// Sent after an answer, inviting a comment; empty sends none.
    pub thanks: String,
    /// For WhatsApp outside the 24-hour window: an approved utility template that asks for the
    /// rating. Without one, no survey is sent there.
    pub template: Option<SurveyTemplate>,
}

impl Default for ChannelSurvey {
    fn default() -> ChannelSurvey {
        ChannelSurvey {
            enabled: false,
            question: DEFAULT_QUESTION.to_owned(),
            thanks: DEFAULT_THANKS.to_owned(),
            template: None,
        }
    }
}

/// A WhatsApp template by Meta's name and language code. It is sent without parameters, so its
/// wording is its own: it should ask for a number from 1 to 5, which is read as any free-text
/// answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyTemplate {
    pub name: String,
    pub language: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SurveyRefused {
    #[error("Write the question the contact is asked.")]
    EmptyQuestion,
    #[error(
        "The question has {chars} characters; WhatsApp and Messenger take at most {MAX_TEXT_CHARS}."
    )]
    QuestionTooLong { chars: usize },
    #[error(
        "The thank-you has {chars} characters; WhatsApp and Messenger take at most {MAX_TEXT_CHARS}."
    )]
    ThanksTooLong { chars: usize },
    #[error(
        "On SMS the question and “{REPLY_HINT}” must fit in one text of {SMS_SINGLE_SEGMENT} \
         characters, so that they arrive together and are billed once; shorten the question by \
         {over} characters."
    )]
    SmsQuestionTooLong { over: u32 },
    #[error(
        "On SMS the thank-you must fit in one text of {SMS_SINGLE_SEGMENT} characters, so that \
         it is billed once; shorten it by {over} characters."
    )]
    SmsThanksTooLong { over: u32 },
    #[error(
        "On SMS “{character}” would send the {what} in another encoding, which fits only 70 \
         characters in a text and bills the rest as extra texts; leave it out or replace it \
         (for example curly quotes with straight ones)."
    )]
    SmsCharacter { what: &'static str, character: char },
    #[error(
        "Only a WhatsApp channel sends a template outside the 24-hour window; remove the template from this channel's survey."
    )]
    TemplateNotWhatsApp,
    #[error("The survey template: {0}")]
    Template(#[from] TemplateRefused),
}

/// A channel's survey refused, and which channel: the caller names the channel to the admin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ChannelSurveyRefused {
    pub channel_id: i64,
    pub reason: SurveyRefused,
}

impl SurveySettings {
    /// The survey of channel `channel_id`, if it is switched on.
    pub fn enabled_for(&self, channel_id: i64) -> Option<&ChannelSurvey> {
        self.channels
            .get(&channel_id)
            .filter(|survey| survey.enabled)
    }

    /// Checks every channel's survey against the networks it carries: `networks_of` gives them
    /// for a channel id (WhatsApp channel: `[WhatsApp]`, Messenger: `[Messenger]`, Twilio:
    /// `[Sms]`, which also covers its WhatsApp contacts since they get the same text).
    pub fn validate(
        &self,
        networks_of: impl Fn(i64) -> Vec<SurveyNetwork>,
    ) -> Result<(), ChannelSurveyRefused> {
        self.channels.iter().try_for_each(|(&channel_id, survey)| {
            survey
                .validate(&networks_of(channel_id))
                .map_err(|reason| ChannelSurveyRefused { channel_id, reason })
        })
    }
}

impl ChannelSurvey {
    /// The thank-you to send after an answer, if any.
    pub fn thanks_message(&self) -> Option<&str> {
        Some(self.thanks.trim()).filter(|thanks| !thanks.is_empty())
    }

    /// Checks the wording against what each of `networks` carries. A switched-off survey is
    /// checked too, so it is ready when switched on.
    pub fn validate(&self, networks: &[SurveyNetwork]) -> Result<(), SurveyRefused> {
        let question = self.question.trim();
        let thanks = self.thanks.trim();
        if question.is_empty() {
            return Err(SurveyRefused::EmptyQuestion);
        }
        for network in networks {
            match network {
                SurveyNetwork::WhatsApp | SurveyNetwork::Messenger => {
                    let chars = question.chars().count();
                    if chars > MAX_TEXT_CHARS {
                        return Err(SurveyRefused::QuestionTooLong { chars });
                    }
                    let chars = thanks.chars().count();
                    if chars > MAX_TEXT_CHARS {
                        return Err(SurveyRefused::ThanksTooLong { chars });
                    }
                }
                SurveyNetwork::Sms => {
                    fits_one_sms(&text_survey_body(question), "question", |over| {
                        SurveyRefused::SmsQuestionTooLong { over }
                    })?;
                    fits_one_sms(thanks, "thank-you", |over| {
                        SurveyRefused::SmsThanksTooLong { over }
                    })?;
                }
            }
        }
        if let Some(template) = &self.template {
            if !networks.contains(&SurveyNetwork::WhatsApp) {
                return Err(SurveyRefused::TemplateNotWhatsApp);
            }
            check_name(&template.name)?;
            check_language(&template.language)?;
        }
        Ok(())
    }
}

/// Refuses `text` unless it travels as one GSM-7 segment: two segments cost twice, and some
/// phones show the parts apart, separating the question from how to answer it. A character
/// outside GSM-7 switches the whole text to UCS-2, 70 characters a segment, so it is named.
fn fits_one_sms(
    text: &str,
    what: &'static str,
    too_long: impl Fn(u32) -> SurveyRefused,
) -> Result<(), SurveyRefused> {
    let segments = sms_segments(text);
    if segments.encoding == SmsEncoding::Ucs2 {
        let outside_gsm7 =
            |c: &char| sms_segments(c.encode_utf8(&mut [0; 4])).encoding == SmsEncoding::Ucs2;
        let character = text.chars().find(outside_gsm7).unwrap_or('?');
        return Err(SurveyRefused::SmsCharacter { what, character });
    }
    if segments.units > SMS_SINGLE_SEGMENT {
        return Err(too_long(segments.units - SMS_SINGLE_SEGMENT));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------------------------

/// One choice offered: `payload` is the WhatsApp list row's `id` or the Messenger quick reply's
/// `payload`, what the inbound side reads back (`interactive.list_reply.id`,
/// `message.quick_reply.payload`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SurveyOption {
    pub rating: Rating,
    pub payload: &'static str,
    pub title: &'static str,
}

impl SurveyOption {
    const fn new(value: u8, payload: &'static str, title: &'static str) -> SurveyOption {
        SurveyOption {
            rating: Rating(value),
            payload,
            title,
        }
    }
}

/// The survey to send, in the shape of the network's payload (REFERENCE.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Survey {
    /// `interactive{type:"list", body{text: body}, action{button, sections[{rows[{id, title}]}]}}`:
    /// one section, no title needed. Rows best first.
    WhatsAppList {
        body: String,
        button: &'static str,
        rows: [SurveyOption; 5],
    },
    /// `template{name, language{code: language}}`, no components. Answers come back as text.
    WhatsAppTemplate { name: String, language: String },
    /// `message{text, quick_replies[{content_type:"text", title, payload}]}`, sent as a
    /// `RESPONSE` inside the 24-hour window. Ordered 1 to 5, as read left to right.
    MessengerQuickReplies {
        text: String,
        quick_replies: [SurveyOption; 5],
    },
    /// A plain text (SMS `Body`, or WhatsApp through Twilio) ending with [`REPLY_HINT`];
    /// answers come back as text.
    Text { text: String },
}

/// What to send when a conversation on `network` is resolved, or `None` when nothing is:
/// the survey is off or its settings fail [`ChannelSurvey::validate`], or the network's window
/// is closed and nothing may be sent outside it. `window_open` is whether a free-form message
/// may be sent now without a tag (`replies::reply_rule` gives `FreeForm` for WhatsApp, or the
/// last inbound is within 24 hours for Messenger); SMS has no window. The caller has checked
/// consent.
pub fn survey_for(
    network: SurveyNetwork,
    window_open: bool,
    settings: &ChannelSurvey,
) -> Option<Survey> {
    if !settings.enabled || settings.validate(&[network]).is_err() {
        return None;
    }
    let question = settings.question.trim().to_owned();
    match network {
        SurveyNetwork::WhatsApp if window_open => Some(Survey::WhatsAppList {
            body: question,
            button: LIST_BUTTON,
            rows: SCALE,
        }),
        SurveyNetwork::WhatsApp => {
            settings
                .template
                .as_ref()
                .map(|template| Survey::WhatsAppTemplate {
                    name: template.name.clone(),
                    language: template.language.clone(),
                })
        }
        SurveyNetwork::Messenger if window_open => {
            let mut quick_replies = SCALE;
            quick_replies.reverse();
            Some(Survey::MessengerQuickReplies {
                text: question,
                quick_replies,
            })
        }
        SurveyNetwork::Messenger => None,
        SurveyNetwork::Sms => Some(Survey::Text {
            text: text_survey_body(&question),
        }),
    }
}

/// The survey for a WhatsApp contact on a Twilio channel: Twilio sends lists and templates
/// only as Content templates (`ContentSid`), which survey settings do not name, so the contact
/// is asked in text inside the window, as on SMS, and not at all outside it. `settings` are the
/// Twilio channel's, validated for SMS.
pub fn survey_for_twilio_whatsapp(window_open: bool, settings: &ChannelSurvey) -> Option<Survey> {
    survey_for(SurveyNetwork::Sms, true, settings).filter(|_| window_open)
}

fn text_survey_body(question: &str) -> String {
    format!("{question}\n{REPLY_HINT}")
}

// ---------------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------------

/// An inbound message as far as surveys care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerInput<'a> {
    /// A tap: a WhatsApp list row or reply button id, a Messenger quick reply payload.
    Payload(&'a str),
    /// Typed text. A message without text (a picture, a location) is `Text("")`. A tap on a
    /// template's quick-reply button is passed as its text (`button.text`): the survey template
    /// is sent without payloads, so its buttons carry no `csat:` ids.
    Text(&'a str),
}

/// The rating `input` gives, if it is one. A payload must be exactly `csat:1` … `csat:5`.
///
/// Free text counts only when it is nothing but a rating, since a looser reading would swallow
/// the first line of a new request ("2 questions about my visa"):
/// - one digit 1–5, with spaces and punctuation around it ("4", " 4! ", "(4)", "4.");
///   Arabic-Indic, Persian, Devanagari, Bengali and full-width digits count as digits;
/// - out of five: "4/5", "4 / 5";
/// - stars: "5 stars", "1 star"; "★★★★" or "⭐⭐⭐⭐" counts 4, "★★★☆☆" counts 3;
/// - an emoji keycap: "4️⃣".
///
/// Not answers: 0, 6, "10", "-3", "4.5", "4 and 5", "45", and number words ("five"): words
/// depend on the language and a lone word is rarely a rating.
pub fn read_answer(input: AnswerInput<'_>) -> Option<Rating> {
    match input {
        AnswerInput::Payload(payload) => SCALE
            .iter()
            .find(|option| option.payload == payload)
            .map(|option| option.rating),
        AnswerInput::Text(text) => read_text(text),
    }
}

fn read_text(text: &str) -> Option<Rating> {
    // Variation selectors and the keycap mark go: "4️⃣" is '4', U+FE0F, U+20E3.
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{20E3}'))
        .collect();
    let core = plain
        .trim_start_matches(|c: char| {
            c.is_whitespace() || ENCLOSING.contains(c) || "¡¿".contains(c)
        })
        .trim_end_matches(|c: char| {
            c.is_whitespace() || ENCLOSING.contains(c) || ".!?,;:…".contains(c)
        });
    if let Some(rating) = read_stars(core) {
        return Some(rating);
    }
    let mut chars = core.chars();
    let value = chars.next().and_then(digit_value)?;
    let rest = chars.as_str().trim_start();
    let alone = rest.is_empty()
        || rest.eq_ignore_ascii_case("star")
        || rest.eq_ignore_ascii_case("stars")
        || rest
            .strip_prefix('/')
            .is_some_and(|of| of.trim_start().chars().map(digit_value).eq([Some(5)]));
    alone.then(|| Rating::new(value)).flatten()
}

/// Marks that may enclose a rating: quotes, brackets, Markdown-style emphasis. Signs and the
/// decimal point are left out on purpose: "-3" and ".5" are not ratings.
const ENCLOSING: &str = "\"'“”‘’«»„()[]{}*_";

/// Filled stars counted, with hollow ones allowed only to make up five ("★★★☆☆").
fn read_stars(text: &str) -> Option<Rating> {
    let (mut filled, mut hollow) = (0u8, 0u8);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        match c {
            '★' | '⭐' | '🌟' => filled = filled.saturating_add(1),
            '☆' => hollow = hollow.saturating_add(1),
            _ => return None,
        }
    }
    if hollow > 0 && filled.saturating_add(hollow) != 5 {
        return None;
    }
    Rating::new(filled)
}

/// The value of a decimal digit in the scripts contacts commonly type them in.
fn digit_value(c: char) -> Option<u8> {
    const ZEROS: [char; 6] = [
        '0', '\u{0660}', '\u{06F0}', '\u{0966}', '\u{09E6}', '\u{FF10}',
    ];
    ZEROS.iter().find_map(|&zero| {
        let offset = u32::from(c).checked_sub(u32::from(zero))?;
        u8::try_from(offset).ok().filter(|&digit| digit < 10)
    })
}

// ---------------------------------------------------------------------------------------------
// A survey waiting for its answer and comment
// ---------------------------------------------------------------------------------------------

/// A survey sent to a contact and what came of it, stored with the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyState {
    pub asked_at: i64,
    /// The rating and when it came.
    #[serde(default)]
    pub answered: Option<(Rating, i64)>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The contact wrote something that was neither answer nor comment: they have moved on, so
    /// later text belongs to that; only a tap on the survey still answers it.
    #[serde(default)]
    pub set_aside: bool,
}

/// What an inbound message is to a survey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Store the rating with the resolved conversation and send the thank-you (the answer has
    /// opened the window); a later tap replaces it.
    Answer(Rating),
    /// Store the comment with the resolved conversation.
    Comment(String),
    /// An ordinary message: it goes where it would without a survey.
    NotForSurvey,
}

impl SurveyState {
    pub fn new(asked_at: i64) -> SurveyState {
        SurveyState {
            asked_at,
            answered: None,
            comment: None,
            set_aside: false,
        }
    }

    /// The last moment a message can still be an answer or a comment; after it the caller may
    /// stop consulting this survey.
    pub fn open_until(&self) -> i64 {
        let taps = self.asked_at + ANSWER_WAIT_MS;
        match self.answered {
            Some((_, at)) if self.comment.is_none() && !self.set_aside => {
                taps.max(at + COMMENT_WINDOW_MS)
            }
            _ => taps,
        }
    }
}

/// Decides what the contact's message `input`, received at `at`, is to the survey in `state`,
/// and records it there. Only `Answer` and `Comment` stay out of a new conversation.
///
/// - An answer is accepted until [`ANSWER_WAIT_MS`] after the survey was sent (that instant
///   included). Free text answers only while the contact has not written anything else first;
///   a tap answers regardless, and a later tap replaces the rating (the contact changed their
///   mind), as does a typed rating while the comment window is open.
/// - A comment is the first text message within [`COMMENT_WINDOW_MS`] after the answer
///   (included), trimmed, of 1 to [`MAX_COMMENT_CHARS`] characters. One comment only: the
///   window closes with it, or with any message that is not one.
/// - An opt-out, opt-in or help keyword (`channels::consent`) is never an answer or a comment,
///   on any network: the caller handles consent before calling this, so "STOP" typed after an
///   answer cannot end up as a comment in a report.
/// - A message older than the survey (a late delivery) leaves it untouched.
pub fn on_inbound(state: &mut SurveyState, input: AnswerInput<'_>, at: i64) -> InboundOutcome {
    if at < state.asked_at
        || state
            .answered
            .is_some_and(|(_, answered_at)| at < answered_at)
    {
        return InboundOutcome::NotForSurvey;
    }
    let keyword =
        matches!(input, AnswerInput::Text(text) if channels::consent::classify(text).is_some());
    let answering = at - state.asked_at <= ANSWER_WAIT_MS;
    let commenting = state.answered.is_some_and(|(_, answered_at)| {
        at - answered_at <= COMMENT_WINDOW_MS && state.comment.is_none() && !state.set_aside
    });
    let awaiting_text = state.answered.is_none() && !state.set_aside;
    let outcome = match (input, read_answer(input)) {
        (AnswerInput::Payload(_), Some(rating)) if answering => InboundOutcome::Answer(rating),
        (AnswerInput::Text(_), Some(rating)) if answering && (awaiting_text || commenting) => {
            InboundOutcome::Answer(rating)
        }
        (AnswerInput::Text(text), _) if commenting && !keyword => {
            let comment = text.trim();
            if (1..=MAX_COMMENT_CHARS).contains(&comment.chars().count()) {
                InboundOutcome::Comment(comment.to_owned())
            } else {
                InboundOutcome::NotForSurvey
            }
        }
        _ => InboundOutcome::NotForSurvey,
    };
    match &outcome {
        InboundOutcome::Answer(rating) => state.answered = Some((*rating, at)),
        InboundOutcome::Comment(comment) => state.comment = Some(comment.clone()),
        InboundOutcome::NotForSurvey => state.set_aside = true,
    }
    outcome
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

/// What Reports show for a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsatFigures {
    pub responses: usize,
    /// The share of responses that are 4 or 5, in whole percent rounded half up; `None` without
    /// responses (no score is not a score of 0).
    pub score_percent: Option<u32>,
    /// Responses per survey sent, in whole percent rounded half up, at most 100; `None` when no
    /// survey was sent.
    pub response_rate_percent: Option<u32>,
    /// How many gave each rating: `distribution[0]` counts 1s, `distribution[4]` 5s.
    pub distribution: [u32; 5],
}

/// The figures for `ratings` given to `surveys_sent` surveys. Count both by when the survey was
/// sent: a survey sent on the 31st and answered on the 1st then counts in one period, and the
/// response rate cannot pass 100 % (it is capped there if the counts disagree anyway).
pub fn csat(ratings: &[Rating], surveys_sent: usize) -> CsatFigures {
    let mut distribution = [0u32; 5];
    for rating in ratings {
        let count = &mut distribution[usize::from(rating.value() - 1)];
        *count = count.saturating_add(1);
    }
    let responses = ratings.len();
    let satisfied = ratings
        .iter()
        .filter(|rating| rating.is_satisfied())
        .count();
    CsatFigures {
        responses,
        score_percent: percent_half_up(satisfied, responses),
        response_rate_percent: percent_half_up(responses.min(surveys_sent), surveys_sent),
        distribution,
    }
}

/// `part / whole` in whole percent, halves rounded up (1 of 8 is 12.5 %, shown as 13 %).
fn percent_half_up(part: usize, whole: usize) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (part as u128, whole as u128);
    u32::try_from((200 * part + whole) / (2 * whole)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;

    fn rating(value: u8) -> Rating {
        Rating::new(value).unwrap()
    }

    fn ratings(values: &[u8]) -> Vec<Rating> {
        values.iter().map(|&v| rating(v)).collect()
    }

    fn on() -> ChannelSurvey {
        ChannelSurvey {
            enabled: true,
            ..ChannelSurvey::default()
        }
    }

    fn with_template() -> ChannelSurvey {
        ChannelSurvey {
            template: Some(SurveyTemplate {
                name: "csat_after_help".into(),
                language: "en_US".into(),
            }),
            ..on()
        }
    }

    fn text(text: &str) -> Option<Rating> {
        read_answer(AnswerInput::Text(text))
    }

    // --- Ratings -----------------------------------------------------------------------------

    #[test]
    fn ratings_go_from_one_to_five_and_four_and_five_satisfy() {
        assert_eq!(Rating::new(0), None);
        assert_eq!(Rating::new(6), None);
        assert_eq!(Rating::try_from(9), Err(NotARating(9)));
        assert_eq!(
            NotARating(9).to_string(),
            "9 is not a rating: ratings go from 1 to 5."
        );
        let satisfied: Vec<bool> = (1..=5).map(|v| rating(v).is_satisfied()).collect();
        assert_eq!(satisfied, [false, false, false, true, true]);
        for value in 1..=5 {
            let option = rating(value).option();
            assert_eq!(option.rating.value(), value);
            assert_eq!(option.payload, format!("csat:{value}"));
            assert!(option.title.starts_with(&format!("{value} – ")));
        }
    }

    #[test]
    fn ratings_are_stored_as_numbers_and_refused_out_of_range() {
        assert_eq!(serde_json::to_string(&rating(4)).unwrap(), "4");
        assert_eq!(serde_json::from_str::<Rating>("5").unwrap(), rating(5));
        assert!(serde_json::from_str::<Rating>("0").is_err());
        assert!(serde_json::from_str::<Rating>("6").is_err());
    }

    // --- Settings ----------------------------------------------------------------------------

    #[test]
    fn settings_load_from_json_with_defaults_for_missing_fields() {
        let settings: SurveySettings =
            serde_json::from_str(r#"{"channels": {"7": {"enabled": true}}}"#).unwrap();
        let survey = settings.enabled_for(7).unwrap();
        assert_eq!(survey.question, DEFAULT_QUESTION);
        assert_eq!(survey.thanks, DEFAULT_THANKS);
        assert_eq!(survey.template, None);
        assert_eq!(settings.enabled_for(8), None);

        let empty: SurveySettings = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, SurveySettings::default());

        let mut settings = SurveySettings::default();
        settings.channels.insert(3, with_template());
        settings.channels.insert(4, ChannelSurvey::default());
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(
            serde_json::from_str::<SurveySettings>(&json).unwrap(),
            settings
        );
        assert_eq!(settings.enabled_for(4), None, "stored but switched off");
    }

    #[test]
    fn the_defaults_fit_every_network() {
        let all = [
            SurveyNetwork::WhatsApp,
            SurveyNetwork::Messenger,
            SurveyNetwork::Sms,
        ];
        assert_eq!(ChannelSurvey::default().validate(&all), Ok(()));
        // 73 + 1 + 51 septets.
        assert_eq!(sms_segments(&text_survey_body(DEFAULT_QUESTION)).units, 125);
    }

    #[test]
    fn a_question_is_required() {
        for question in ["", "  \n "] {
            let survey = ChannelSurvey {
                question: question.into(),
                ..on()
            };
            assert_eq!(
                survey.validate(&[SurveyNetwork::Messenger]),
                Err(SurveyRefused::EmptyQuestion)
            );
        }
    }

    #[test]
    fn whatsapp_and_messenger_take_1024_characters() {
        let at_limit = ChannelSurvey {
            question: "é".repeat(1024),
            ..on()
        };
        assert_eq!(at_limit.validate(&[SurveyNetwork::WhatsApp]), Ok(()));
        let over = ChannelSurvey {
            question: "é".repeat(1025),
            ..on()
        };
        assert_eq!(
            over.validate(&[SurveyNetwork::Messenger]),
            Err(SurveyRefused::QuestionTooLong { chars: 1025 })
        );
        let long_thanks = ChannelSurvey {
            thanks: "x".repeat(1025),
            ..on()
        };
        assert_eq!(
            long_thanks.validate(&[SurveyNetwork::WhatsApp]),
            Err(SurveyRefused::ThanksTooLong { chars: 1025 })
        );
        assert_eq!(
            over.validate(&[SurveyNetwork::WhatsApp])
                .unwrap_err()
                .to_string(),
            "The question has 1025 characters; WhatsApp and Messenger take at most 1024."
        );
    }

    #[test]
    fn an_sms_survey_fits_one_segment_with_its_hint() {
        // 108 + 1 (line break) + 51 = 160 septets.
        let fits = ChannelSurvey {
            question: "a".repeat(108),
            ..on()
        };
        assert_eq!(fits.validate(&[SurveyNetwork::Sms]), Ok(()));
        let over = ChannelSurvey {
            question: "a".repeat(109),
            ..on()
        };
        let refused = over.validate(&[SurveyNetwork::Sms]).unwrap_err();
        assert_eq!(refused, SurveyRefused::SmsQuestionTooLong { over: 1 });
        assert!(refused.to_string().contains("billed once"), "{refused}");
        // "€" takes two septets in GSM-7.
        let euro = ChannelSurvey {
            question: format!("{}€", "a".repeat(107)),
            ..on()
        };
        assert_eq!(
            euro.validate(&[SurveyNetwork::Sms]),
            Err(SurveyRefused::SmsQuestionTooLong { over: 1 })
        );
        // Fine on WhatsApp, where the hint is not sent.
        assert_eq!(over.validate(&[SurveyNetwork::WhatsApp]), Ok(()));
    }

    #[test]
    fn an_sms_survey_keeps_to_gsm_7() {
        let curly = ChannelSurvey {
            question: "How did we do? We’d love to know.".into(),
            ..on()
        };
        assert_eq!(
            curly.validate(&[SurveyNetwork::Sms]),
            Err(SurveyRefused::SmsCharacter {
                what: "question",
                character: '’'
            })
        );
        let emoji_thanks = ChannelSurvey {
            thanks: "Thank you 🙏".into(),
            ..on()
        };
        assert_eq!(
            emoji_thanks.validate(&[SurveyNetwork::Sms]),
            Err(SurveyRefused::SmsCharacter {
                what: "thank-you",
                character: '🙏'
            })
        );
        let long_thanks = ChannelSurvey {
            thanks: "a".repeat(161),
            ..on()
        };
        assert_eq!(
            long_thanks.validate(&[SurveyNetwork::Sms]),
            Err(SurveyRefused::SmsThanksTooLong { over: 1 })
        );
        let no_thanks = ChannelSurvey {
            thanks: String::new(),
            ..on()
        };
        assert_eq!(no_thanks.validate(&[SurveyNetwork::Sms]), Ok(()));
        assert_eq!(no_thanks.thanks_message(), None);
        assert_eq!(on().thanks_message(), Some(DEFAULT_THANKS));
    }

    #[test]
    fn templates_belong_to_whatsapp_and_follow_meta_names() {
        assert_eq!(with_template().validate(&[SurveyNetwork::WhatsApp]), Ok(()));
        assert_eq!(
            with_template().validate(&[SurveyNetwork::Sms]),
            Err(SurveyRefused::TemplateNotWhatsApp)
        );
        let bad_name = ChannelSurvey {
            template: Some(SurveyTemplate {
                name: "CSAT survey".into(),
                language: "en".into(),
            }),
            ..on()
        };
        assert_eq!(
            bad_name.validate(&[SurveyNetwork::WhatsApp]),
            Err(SurveyRefused::Template(TemplateRefused::Name))
        );
        let bad_language = ChannelSurvey {
            template: Some(SurveyTemplate {
                name: "csat".into(),
                language: "English".into(),
            }),
            ..on()
        };
        let refused = bad_language
            .validate(&[SurveyNetwork::WhatsApp])
            .unwrap_err();
        assert_eq!(refused, SurveyRefused::Template(TemplateRefused::Language));
        assert!(
            refused
                .to_string()
                .starts_with("The survey template: Give the language")
        );
    }

    #[test]
    fn settings_name_the_channel_refused() {
        let mut settings = SurveySettings::default();
        settings.channels.insert(1, on());
        settings.channels.insert(
            2,
            ChannelSurvey {
                question: "a".repeat(200),
                ..on()
            },
        );
        let networks_of = |id| match id {
            1 => vec![SurveyNetwork::WhatsApp],
            _ => vec![SurveyNetwork::Sms],
        };
        assert_eq!(
            settings.validate(networks_of),
            Err(ChannelSurveyRefused {
                channel_id: 2,
                reason: SurveyRefused::SmsQuestionTooLong { over: 92 }
            })
        );
        settings.channels.remove(&2);
        assert_eq!(settings.validate(networks_of), Ok(()));
    }

    // --- What is sent ------------------------------------------------------------------------

    #[test]
    fn whatsapp_inside_the_window_gets_a_list_of_five_best_first() {
        let Some(Survey::WhatsAppList { body, button, rows }) =
            survey_for(SurveyNetwork::WhatsApp, true, &on())
        else {
            panic!("expected a list");
        };
        assert_eq!(body, DEFAULT_QUESTION);
        assert_eq!(button, "Choose a rating");
        assert!(button.chars().count() <= 20);
        let ids: Vec<&str> = rows.iter().map(|row| row.payload).collect();
        assert_eq!(ids, ["csat:5", "csat:4", "csat:3", "csat:2", "csat:1"]);
        let titles: Vec<&str> = rows.iter().map(|row| row.title).collect();
        assert_eq!(
            titles,
            [
                "5 – Very good",
                "4 – Good",
                "3 – Fair",
                "2 – Poor",
                "1 – Very poor"
            ]
        );
        for row in rows {
            assert!(row.title.chars().count() <= MAX_LIST_ROW_TITLE_CHARS);
            assert_eq!(
                read_answer(AnswerInput::Payload(row.payload)),
                Some(row.rating)
            );
        }
    }

    #[test]
    fn whatsapp_outside_the_window_gets_the_template_or_nothing() {
        assert_eq!(
            survey_for(SurveyNetwork::WhatsApp, false, &with_template()),
            Some(Survey::WhatsAppTemplate {
                name: "csat_after_help".into(),
                language: "en_US".into()
            })
        );
        assert_eq!(survey_for(SurveyNetwork::WhatsApp, false, &on()), None);
    }

    #[test]
    fn messenger_gets_quick_replies_one_to_five_inside_the_window_only() {
        let Some(Survey::MessengerQuickReplies {
            text,
            quick_replies,
        }) = survey_for(SurveyNetwork::Messenger, true, &on())
        else {
            panic!("expected quick replies");
        };
        assert_eq!(text, DEFAULT_QUESTION);
        let payloads: Vec<&str> = quick_replies.iter().map(|q| q.payload).collect();
        assert_eq!(payloads, ["csat:1", "csat:2", "csat:3", "csat:4", "csat:5"]);
        assert!(quick_replies.len() <= 13);
        for (index, reply) in quick_replies.iter().enumerate() {
            let length = reply.title.chars().count();
            assert!((1..=MAX_QUICK_REPLY_TITLE_CHARS).contains(&length));
            assert!(
                !quick_replies[..index]
                    .iter()
                    .any(|r| r.title == reply.title)
            );
        }
        assert_eq!(survey_for(SurveyNetwork::Messenger, false, &on()), None);
    }

    #[test]
    fn sms_gets_the_question_and_the_hint_at_any_time() {
        let settings = ChannelSurvey {
            question: "  How did we do?  ".into(),
            ..on()
        };
        let expected = Some(Survey::Text {
            text: "How did we do?\nReply with a number from 1 (poor) to 5 (very good).".into(),
        });
        assert_eq!(survey_for(SurveyNetwork::Sms, false, &settings), expected);
        assert_eq!(survey_for(SurveyNetwork::Sms, true, &settings), expected);
        assert_eq!(survey_for_twilio_whatsapp(true, &settings), expected);
        assert_eq!(survey_for_twilio_whatsapp(false, &settings), None);
    }

    #[test]
    fn nothing_is_sent_when_off_or_invalid() {
        let off = ChannelSurvey::default();
        for network in [
            SurveyNetwork::WhatsApp,
            SurveyNetwork::Messenger,
            SurveyNetwork::Sms,
        ] {
            assert_eq!(survey_for(network, true, &off), None);
        }
        let too_long_for_sms = ChannelSurvey {
            question: "a".repeat(150),
            ..on()
        };
        assert_eq!(
            survey_for(SurveyNetwork::Sms, true, &too_long_for_sms),
            None
        );
        assert!(survey_for(SurveyNetwork::WhatsApp, true, &too_long_for_sms).is_some());
    }

    // --- Reading answers ---------------------------------------------------------------------

    #[test]
    fn payloads_are_read_exactly() {
        for value in 1..=5 {
            assert_eq!(
                read_answer(AnswerInput::Payload(&format!("csat:{value}"))),
                Some(rating(value))
            );
        }
        for payload in [
            "csat:0",
            "csat:6",
            "csat:10",
            "csat:-1",
            "CSAT:4",
            " csat:4",
            "csat:4 ",
            "csat:",
            "4",
            "Unsubscribe",
            "",
        ] {
            assert_eq!(
                read_answer(AnswerInput::Payload(payload)),
                None,
                "{payload:?}"
            );
        }
    }

    #[test]
    fn free_text_ratings_that_are_read() {
        let cases = [
            ("4", 4),
            ("1", 1),
            ("5", 5),
            (" 3 ", 3),
            ("\n2\n", 2),
            ("4!", 4),
            ("5!!!", 5),
            ("4.", 4),
            ("(4)", 4),
            ("\"5\"", 5),
            ("*5*", 5),
            ("¡5!", 5),
            ("4/5", 4),
            ("4 / 5", 4),
            ("5/5.", 5),
            ("5 stars", 5),
            ("1 star", 1),
            ("3 Stars!", 3),
            ("4stars", 4),
            ("4️⃣", 4),
            ("4\u{20E3}", 4),
            (" 2️⃣ ", 2),
            ("★★★★", 4),
            ("⭐⭐⭐⭐⭐", 5),
            ("⭐️⭐️⭐️", 3),
            ("★ ★", 2),
            ("★★★☆☆", 3),
            ("٤", 4),
            ("۵", 5),
            ("३", 3),
            ("４", 4),
        ];
        for (input, expected) in cases {
            assert_eq!(text(input), Some(rating(expected)), "{input:?}");
        }
    }

    #[test]
    fn free_text_that_is_not_a_rating() {
        for input in [
            "",
            " ",
            "0",
            "6",
            "9",
            "10",
            "45",
            "-3",
            "−3",
            "+4",
            "4.5",
            ".5",
            "3,5",
            "4 and 5",
            "4 or 5",
            "4-5",
            "5/10",
            "4/",
            "6/5",
            "0/5",
            "five",
            "Five stars",
            "four",
            "5 star!s",
            "I'd say 4",
            "4 because",
            "2 questions about my visa",
            "★★★★★★",
            "★★☆",
            "☆☆☆☆☆",
            "🔟",
            "#️⃣",
            "4 🙂",
            "👍",
            "STOP",
            "stop",
            "Help",
            "yes",
            "x",
        ] {
            assert_eq!(text(input), None, "{input:?}");
        }
    }

    #[test]
    fn reading_never_panics_on_generated_text() {
        const PIECES: [&str; 24] = [
            "",
            "0",
            "4",
            "5",
            "9",
            " ",
            "/",
            "★",
            "☆",
            "⭐",
            "\u{FE0F}",
            "\u{20E3}",
            "stars",
            "-",
            ".",
            "!",
            "(",
            "é",
            "🙂",
            "٤",
            "\u{0}",
            "csat:",
            "\u{10FFFF}",
            "\u{FF15}",
        ];
        // A fixed linear congruential generator: the same inputs every run.
        let mut seed: u64 = 0x5EED;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % bound
        };
        let mut read = 0;
        for _ in 0..20_000 {
            let length = next(8);
            let input: String = (0..length).map(|_| PIECES[next(PIECES.len())]).collect();
            let typed = read_answer(AnswerInput::Text(&input));
            if let Some(rating) = typed {
                assert!((1..=5).contains(&rating.value()), "{input:?}");
                read += 1;
            }
            let padded = format!(" \n{input}\t ");
            assert_eq!(read_answer(AnswerInput::Text(&padded)), typed, "{input:?}");
            if let Some(rating) = read_answer(AnswerInput::Payload(&input)) {
                assert_eq!(input, format!("csat:{}", rating.value()));
            }
            let mut state = SurveyState::new(T0);
            on_inbound(&mut state, AnswerInput::Text(&input), T0 + 1);
            on_inbound(&mut state, AnswerInput::Text(&input), T0 + 2);
        }
        assert!(read > 0, "the generator should hit some answers");
        // Arbitrary code points, including surrogate-adjacent and unassigned ones.
        for code in (0..0x11_0000u32).step_by(97) {
            if let Some(c) = char::from_u32(code) {
                let input = format!("{c}{c}");
                let _ = read_answer(AnswerInput::Text(&input));
                let _ = read_answer(AnswerInput::Text(&c.to_string()));
            }
        }
    }

    // --- A survey waiting for its answer and comment -----------------------------------------

    #[test]
    fn an_answer_then_a_comment_then_ordinary_messages() {
        let mut state = SurveyState::new(T0);
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Payload("csat:4"), T0 + HOUR_MS),
            InboundOutcome::Answer(rating(4))
        );
        assert_eq!(
            on_inbound(
                &mut state,
                AnswerInput::Text("  Very kind, thank you.\n"),
                T0 + 2 * HOUR_MS
            ),
            InboundOutcome::Comment("Very kind, thank you.".into())
        );
        assert_eq!(
            on_inbound(
                &mut state,
                AnswerInput::Text("One more thing"),
                T0 + 3 * HOUR_MS
            ),
            InboundOutcome::NotForSurvey,
            "one comment only"
        );
        assert_eq!(state.answered, Some((rating(4), T0 + HOUR_MS)));
        assert_eq!(state.comment.as_deref(), Some("Very kind, thank you."));
    }

    #[test]
    fn a_survey_waits_72_hours_for_its_answer() {
        let mut state = SurveyState::new(T0);
        assert_eq!(state.open_until(), T0 + ANSWER_WAIT_MS);
        assert_eq!(
            on_inbound(
                &mut state.clone(),
                AnswerInput::Text("5"),
                T0 + ANSWER_WAIT_MS
            ),
            InboundOutcome::Answer(rating(5)),
            "the last instant counts"
        );
        assert_eq!(
            on_inbound(
                &mut state,
                AnswerInput::Payload("csat:5"),
                T0 + ANSWER_WAIT_MS + 1
            ),
            InboundOutcome::NotForSurvey
        );
        assert_eq!(state.answered, None);
    }

    #[test]
    fn the_comment_window_closes_24_hours_after_the_answer() {
        let answered_at = T0 + 60 * HOUR_MS;
        let mut state = SurveyState::new(T0);
        on_inbound(&mut state, AnswerInput::Text("2"), answered_at);
        assert_eq!(state.open_until(), answered_at + COMMENT_WINDOW_MS);
        assert_eq!(
            on_inbound(
                &mut state.clone(),
                AnswerInput::Text("Slow"),
                answered_at + COMMENT_WINDOW_MS
            ),
            InboundOutcome::Comment("Slow".into())
        );
        assert_eq!(
            on_inbound(
                &mut state,
                AnswerInput::Text("Slow"),
                answered_at + COMMENT_WINDOW_MS + 1
            ),
            InboundOutcome::NotForSurvey
        );
    }

    #[test]
    fn comments_are_one_to_a_thousand_characters() {
        let answered = || {
            let mut state = SurveyState::new(T0);
            on_inbound(&mut state, AnswerInput::Payload("csat:3"), T0);
            state
        };
        let thousand = format!("  {}  ", "é".repeat(1000));
        assert_eq!(
            on_inbound(&mut answered(), AnswerInput::Text(&thousand), T0 + 1),
            InboundOutcome::Comment("é".repeat(1000))
        );
        let mut state = answered();
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text(&"é".repeat(1001)), T0 + 1),
            InboundOutcome::NotForSurvey,
            "a long message is read in a conversation, not cut"
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("Short now"), T0 + 2),
            InboundOutcome::NotForSurvey,
            "the contact has moved on"
        );
        assert_eq!(
            on_inbound(&mut answered(), AnswerInput::Text("   "), T0 + 1),
            InboundOutcome::NotForSurvey,
            "a picture without caption is no comment"
        );
    }

    #[test]
    fn stop_is_never_an_answer_or_a_comment() {
        let mut waiting = SurveyState::new(T0);
        assert_eq!(
            on_inbound(&mut waiting, AnswerInput::Text("STOP"), T0 + 1),
            InboundOutcome::NotForSurvey
        );
        let mut answered = SurveyState::new(T0);
        on_inbound(&mut answered, AnswerInput::Text("5"), T0 + 1);
        for keyword in ["STOP", " stop ", "Unsubscribe", "HELP", "yes"] {
            assert_eq!(
                on_inbound(&mut answered.clone(), AnswerInput::Text(keyword), T0 + 2),
                InboundOutcome::NotForSurvey,
                "{keyword}"
            );
        }
        assert_eq!(
            on_inbound(&mut answered, AnswerInput::Text("Please stop by"), T0 + 2),
            InboundOutcome::Comment("Please stop by".into()),
            "only whole-message keywords count"
        );
    }

    #[test]
    fn after_an_unrelated_message_only_a_tap_answers() {
        let mut state = SurveyState::new(T0);
        assert_eq!(
            on_inbound(
                &mut state,
                AnswerInput::Text("I have another question"),
                T0 + 1
            ),
            InboundOutcome::NotForSurvey
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("2"), T0 + 2),
            InboundOutcome::NotForSurvey,
            "likely an answer in the new conversation"
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Payload("csat:2"), T0 + 3),
            InboundOutcome::Answer(rating(2))
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("Thanks"), T0 + 4),
            InboundOutcome::NotForSurvey,
            "no comment once set aside"
        );
        assert_eq!(state.open_until(), T0 + ANSWER_WAIT_MS);
    }

    #[test]
    fn a_later_tap_or_typed_rating_replaces_the_answer() {
        let mut state = SurveyState::new(T0);
        on_inbound(&mut state, AnswerInput::Payload("csat:2"), T0 + 1);
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Payload("csat:4"), T0 + 2),
            InboundOutcome::Answer(rating(4))
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("5"), T0 + 3),
            InboundOutcome::Answer(rating(5))
        );
        assert_eq!(state.answered, Some((rating(5), T0 + 3)));
        on_inbound(&mut state, AnswerInput::Text("Great"), T0 + 4);
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("4"), T0 + 5),
            InboundOutcome::NotForSurvey,
            "after the comment, typed text is ordinary"
        );
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Payload("csat:1"), T0 + 6),
            InboundOutcome::Answer(rating(1)),
            "a tap still counts while the survey waits"
        );
    }

    #[test]
    fn messages_older_than_the_survey_leave_it_alone() {
        let mut state = SurveyState::new(T0);
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("4"), T0 - 1),
            InboundOutcome::NotForSurvey
        );
        assert_eq!(state, SurveyState::new(T0));
        on_inbound(&mut state, AnswerInput::Text("4"), T0 + 10);
        let before = state.clone();
        assert_eq!(
            on_inbound(&mut state, AnswerInput::Text("late"), T0 + 5),
            InboundOutcome::NotForSurvey
        );
        assert_eq!(state, before);
    }

    #[test]
    fn survey_state_round_trips_through_json() {
        let mut state = SurveyState::new(T0);
        on_inbound(&mut state, AnswerInput::Text("4"), T0 + 1);
        on_inbound(&mut state, AnswerInput::Text("Kind people"), T0 + 2);
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<SurveyState>(&json).unwrap(), state);
        let minimal: SurveyState = serde_json::from_str(r#"{"asked_at": 5}"#).unwrap();
        assert_eq!(minimal, SurveyState::new(5));
    }

    // --- Figures -----------------------------------------------------------------------------

    #[test]
    fn csat_counts_the_share_of_fours_and_fives() {
        // 5, 4, 3, 1 from 9 surveys: 2 of 4 satisfied is 50 %, 4 of 9 answered is 44.4 %.
        assert_eq!(
            csat(&ratings(&[5, 4, 3, 1]), 9),
            CsatFigures {
                responses: 4,
                score_percent: Some(50),
                response_rate_percent: Some(44),
                distribution: [1, 0, 1, 1, 1],
            }
        );
        // 2 of 3 satisfied is 66.67 %: 67; 3 answers to 3 surveys: 100 %; 1 of 3: 33.
        let figures = csat(&ratings(&[5, 5, 2]), 3);
        assert_eq!(figures.score_percent, Some(67));
        assert_eq!(figures.response_rate_percent, Some(100));
        assert_eq!(figures.distribution, [0, 1, 0, 0, 2]);
        assert_eq!(csat(&ratings(&[4, 1, 1]), 3).score_percent, Some(33));
    }

    #[test]
    fn halves_round_up() {
        // 1 of 8 is 12.5 %, 5 of 8 is 62.5 %.
        let one_of_eight = ratings(&[5, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(csat(&one_of_eight, 8).score_percent, Some(13));
        let five_of_eight = ratings(&[5, 5, 4, 4, 4, 3, 2, 1]);
        assert_eq!(csat(&five_of_eight, 8).score_percent, Some(63));
        assert_eq!(csat(&ratings(&[3]), 8).response_rate_percent, Some(13));
        // 1 of 200 is 0.5 %: rounds to 1; 1 of 201 is 0.4975 %: rounds to 0.
        assert_eq!(csat(&ratings(&[3]), 200).response_rate_percent, Some(1));
        assert_eq!(csat(&ratings(&[3]), 201).response_rate_percent, Some(0));
    }

    #[test]
    fn no_responses_is_no_score() {
        assert_eq!(
            csat(&[], 0),
            CsatFigures {
                responses: 0,
                score_percent: None,
                response_rate_percent: None,
                distribution: [0; 5],
            }
        );
        let unanswered = csat(&[], 12);
        assert_eq!(unanswered.score_percent, None);
        assert_eq!(unanswered.response_rate_percent, Some(0));
        let all_poor = csat(&ratings(&[1, 2, 3]), 3);
        assert_eq!(all_poor.score_percent, Some(0), "zero, not none");
        let more_answers_than_sent = csat(&ratings(&[5, 5]), 1);
        assert_eq!(more_answers_than_sent.response_rate_percent, Some(100));
        assert_eq!(more_answers_than_sent.score_percent, Some(100));
    }
}
