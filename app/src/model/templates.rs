//! Message templates: WhatsApp templates reviewed by Meta, and Twilio Content templates
//! registered by their ContentSid. Both fill numbered variables `{{1}}`, `{{2}}`… with values
//! given when sending; the preview here is the same in the browser and on the server.

use serde::{Deserialize, Serialize};

use super::ChannelKind;

/// What Meta reviews a WhatsApp template as (see DOMAIN.md: an appointment reminder is
/// utility, not marketing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateCategory {
    Marketing,
    Utility,
    Authentication,
}

impl TemplateCategory {
    pub const ALL: [TemplateCategory; 3] = [
        TemplateCategory::Utility,
        TemplateCategory::Marketing,
        TemplateCategory::Authentication,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateCategory::Marketing => "marketing",
            TemplateCategory::Utility => "utility",
            TemplateCategory::Authentication => "authentication",
        }
    }

    pub fn parse(value: &str) -> Option<TemplateCategory> {
        TemplateCategory::ALL
            .into_iter()
            .find(|category| category.as_str().eq_ignore_ascii_case(value))
    }
}

/// A button under a WhatsApp template. A link's address may end with one variable, `{{1}}`,
/// filled in when sending; Meta then reviews `example`, the whole address with a sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateButton {
    QuickReply {
        text: String,
    },
    Url {
        text: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<String>,
    },
    PhoneNumber {
        text: String,
        phone_number: String,
    },
}

impl TemplateButton {
    /// Whether this is a link whose address ends with a variable, `{{1}}`.
    pub fn has_url_variable(&self) -> bool {
        matches!(self, TemplateButton::Url { url, .. } if !variables(url).is_empty())
    }

    pub fn text(&self) -> &str {
        match self {
            TemplateButton::QuickReply { text }
            | TemplateButton::Url { text, .. }
            | TemplateButton::PhoneNumber { text, .. } => text,
        }
    }
}

/// What a media header shows; the file itself is given when sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderMedia {
    Image,
    Video,
    Document,
}

impl HeaderMedia {
    pub const ALL: [HeaderMedia; 3] = [
        HeaderMedia::Image,
        HeaderMedia::Video,
        HeaderMedia::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HeaderMedia::Image => "image",
            HeaderMedia::Video => "video",
            HeaderMedia::Document => "document",
        }
    }

    pub fn parse(value: &str) -> Option<HeaderMedia> {
        HeaderMedia::ALL
            .into_iter()
            .find(|media| media.as_str().eq_ignore_ascii_case(value))
    }

    pub fn label(self) -> &'static str {
        match self {
            HeaderMedia::Image => "a picture (JPEG or PNG)",
            HeaderMedia::Video => "a video (MP4)",
            HeaderMedia::Document => "a PDF document",
        }
    }

    /// The file types WhatsApp shows in a header of this kind, for a file input's `accept`.
    pub fn accepted_types(self) -> &'static [&'static str] {
        match self {
            HeaderMedia::Image => &["image/jpeg", "image/png"],
            HeaderMedia::Video => &["video/mp4", "video/3gpp"],
            HeaderMedia::Document => &["application/pdf"],
        }
    }

    pub fn accepts(self, mime_type: &str) -> bool {
        self.accepted_types().contains(&mime_type)
    }
}

/// The sample file of a media header, kept by Switchboard (by its hash) and uploaded to Meta
/// whenever the template is submitted. Set by the server from an upload, never from input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaSample {
    pub sha256: String,
    pub mime_type: String,
    #[serde(default)]
    pub filename: Option<String>,
}

/// What a template says. A text header may hold one variable `{{1}}`; a media header
/// (`header_media`) shows a file given when sending, and Meta reviews it with
/// `header_media_sample`. The body holds `{{1}}`, `{{2}}`… Meta reviews the samples, one per
/// variable. `unsupported` describes parts of a template imported from Meta that
/// Switchboard cannot fill in (a location header, a one-time-password button…): such a
/// template is shown, not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContent {
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub header_sample: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_media: Option<HeaderMedia>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_media_sample: Option<MediaSample>,
    pub body: String,
    #[serde(default)]
    pub body_samples: Vec<String>,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
}

impl TemplateContent {
    pub fn header_variables(&self) -> usize {
        self.header.as_deref().map_or(0, variable_count)
    }

    /// The link buttons whose address ends with a variable, each needing a value to send.
    pub fn url_variables(&self) -> usize {
        self.buttons
            .iter()
            .filter(|button| button.has_url_variable())
            .count()
    }

    pub fn body_variables(&self) -> usize {
        variable_count(&self.body)
    }

    /// The message as the contact will read it, with `{{n}}` left where a value is missing.
    pub fn preview(&self, values: &TemplateValues) -> String {
        let mut parts = Vec::new();
        if let Some(header) = &self.header {
            parts.push(fill_variables(header, &values.header));
        }
        parts.push(fill_variables(&self.body, &values.body));
        if let Some(footer) = &self.footer {
            parts.push(footer.clone());
        }
        parts.join("\n\n")
    }
}

/// The highest `{{n}}` in a text: how many values it needs.
pub fn variable_count(text: &str) -> usize {
    variables(text).into_iter().max().unwrap_or(0)
}

/// The numbers of the `{{n}}` placeholders in a text, in order of appearance.
pub fn variables(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                if let Ok(number) = after[..end].trim().parse() {
                    found.push(number);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    found
}

/// Replaces `{{n}}` by the n-th value (counting from 1) where there is a non-empty one.
pub fn fill_variables(text: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let value = after[..end]
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|index| values.get(index))
            .filter(|value| !value.trim().is_empty());
        match value {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The values a template is sent with: the header's variable (if it has one), the body's,
/// and one for each link button whose address ends with a variable, in the buttons' order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateValues {
    #[serde(default)]
    pub header: Vec<String>,
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub buttons: Vec<String>,
}

/// A template as Switchboard keeps it. `status` is Meta's review state in lower case
/// (`draft` before it was submitted, then `pending`, `approved`, `rejected`, `paused`,
/// `disabled`…); only `approved` templates can be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub channel_kind: ChannelKind,
    pub name: String,
    pub language: String,
    pub category: Option<TemplateCategory>,
    pub status: String,
    /// Why Meta rejected it, or why submitting it failed.
    pub rejection_reason: Option<String>,
    pub content: TemplateContent,
    /// Twilio Content templates only.
    pub content_sid: Option<String>,
    /// The name of its first version; later versions are `<family>_v2`, `_v3`…
    pub family: String,
    pub version: i64,
    pub updated_at: String,
}

impl Template {
    pub fn sendable(&self) -> bool {
        self.status == "approved" && self.content.unsupported.is_empty()
    }

    /// What saving it did, for the admin who wrote it.
    pub fn outcome(&self) -> SubmissionOutcome {
        match self.status.as_str() {
            "draft" => SubmissionOutcome::KeptAsDraft {
                name: self.name.clone(),
                reason: self.rejection_reason.clone().unwrap_or_default(),
            },
            _ => SubmissionOutcome::Submitted {
                name: self.name.clone(),
            },
        }
    }

    /// What saving it did, as the English sentence the posted template form comes back with.
    pub fn submission_outcome(&self) -> String {
        self.outcome().sentence()
    }
}

/// What saving a template did: submitted to Meta, or kept as a draft because submitting it
/// failed (with why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmissionOutcome {
    Submitted { name: String },
    KeptAsDraft { name: String, reason: String },
}

const SUBMITTED: (&str, &str) = ("Submitted ", " to Meta for review.");
const KEPT_AS_DRAFT: (&str, &str) = ("Saved ", " as a draft, but it was not submitted: ");

impl SubmissionOutcome {
    /// In English: the address the posted template form returns to carries it (the page
    /// reads it back with [`SubmissionOutcome::from_sentence`] to say it in its language).
    pub fn sentence(&self) -> String {
        match self {
            SubmissionOutcome::Submitted { name } => {
                format!("{}{name}{}", SUBMITTED.0, SUBMITTED.1)
            }
            SubmissionOutcome::KeptAsDraft { name, reason } => {
                format!("{}{name}{}{reason}", KEPT_AS_DRAFT.0, KEPT_AS_DRAFT.1)
            }
        }
    }

    /// The outcome a [`SubmissionOutcome::sentence`] tells; template names hold only
    /// `a-z`, `0-9` and `_`, so the sentence reads back unambiguously.
    pub fn from_sentence(sentence: &str) -> Option<SubmissionOutcome> {
        if let Some(name) = sentence
            .strip_prefix(SUBMITTED.0)
            .and_then(|rest| rest.strip_suffix(SUBMITTED.1))
        {
            return Some(SubmissionOutcome::Submitted {
                name: name.to_owned(),
            });
        }
        let (name, reason) = sentence
            .strip_prefix(KEPT_AS_DRAFT.0)?
            .split_once(KEPT_AS_DRAFT.1)?;
        Some(SubmissionOutcome::KeptAsDraft {
            name: name.to_owned(),
            reason: reason.to_owned(),
        })
    }
}

/// What a sync with Meta did: templates whose review state changed, and templates found only
/// at Meta (made in WhatsApp Manager) that were added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSync {
    pub changed: u64,
    pub imported: u64,
}

/// What an admin writes to create a WhatsApp template, or a new version of one (then
/// `channel_id`, `name` and `language` come from the template it replaces).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInput {
    pub channel_id: i64,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub content: TemplateContent,
}

/// A Twilio Content template an admin registers: it was created and approved in Twilio's
/// Content Template Builder; Switchboard needs its ContentSid and its text for the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwilioTemplateInput {
    pub channel_id: i64,
    pub name: String,
    pub language: String,
    pub content_sid: String,
    pub body: String,
}

/// Sending a template in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSend {
    pub template_id: i64,
    #[serde(default)]
    pub values: TemplateValues,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_fills_numbered_variables() {
        let text = "Hi {{1}}, your visit is on {{2}} at {{ 3 }}.";
        assert_eq!(variables(text), vec![1, 2, 3]);
        assert_eq!(variable_count(text), 3);
        assert_eq!(
            fill_variables(text, &["Ana".into(), "Monday".into()]),
            "Hi Ana, your visit is on Monday at {{ 3 }}."
        );
        assert_eq!(variable_count("No variables"), 0);
        assert_eq!(fill_variables("Broken {{1", &["x".into()]), "Broken {{1");
    }

    #[test]
    fn an_outcome_reads_back_from_its_sentence() {
        let outcomes = [
            SubmissionOutcome::Submitted {
                name: "donation_receipt".into(),
            },
            SubmissionOutcome::KeptAsDraft {
                name: "visit_v2".into(),
                reason: "Meta said: Invalid parameter: as a draft".into(),
            },
        ];
        for outcome in outcomes {
            assert_eq!(
                SubmissionOutcome::from_sentence(&outcome.sentence()),
                Some(outcome)
            );
        }
        assert_eq!(
            SubmissionOutcome::Submitted {
                name: "donation_receipt".into()
            }
            .sentence(),
            "Submitted donation_receipt to Meta for review."
        );
        assert_eq!(SubmissionOutcome::from_sentence("Something else."), None);
    }

    #[test]
    fn the_preview_joins_header_body_and_footer() {
        let content = TemplateContent {
            header: Some("Hello {{1}}".into()),
            body: "Your parcel {{1}} is ready.".into(),
            footer: Some("Reply STOP to opt out".into()),
            ..TemplateContent::default()
        };
        let values = TemplateValues {
            header: vec!["Ana".into()],
            body: vec!["A-17".into()],
            buttons: Vec::new(),
        };
        assert_eq!(
            content.preview(&values),
            "Hello Ana\n\nYour parcel A-17 is ready.\n\nReply STOP to opt out"
        );
    }
}
