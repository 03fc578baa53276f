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

    pub fn label(self) -> &'static str {
        match self {
            TemplateCategory::Marketing => "Marketing",
            TemplateCategory::Utility => "Utility",
            TemplateCategory::Authentication => "Authentication",
        }
    }
}

/// A button under a WhatsApp template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateButton {
    QuickReply { text: String },
    Url { text: String, url: String },
    PhoneNumber { text: String, phone_number: String },
}

impl TemplateButton {
    pub fn text(&self) -> &str {
        match self {
            TemplateButton::QuickReply { text }
            | TemplateButton::Url { text, .. }
            | TemplateButton::PhoneNumber { text, .. } => text,
        }
    }
}

/// What a template says. A text header may hold one variable `{{1}}`; the body holds
/// `{{1}}`, `{{2}}`… Meta reviews the samples, one per variable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateContent {
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub header_sample: Option<String>,
    pub body: String,
    #[serde(default)]
    pub body_samples: Vec<String>,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
}

impl TemplateContent {
    pub fn header_variables(&self) -> usize {
        self.header.as_deref().map_or(0, variable_count)
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

/// The values a template is sent with: the header's variable (if it has one) and the body's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateValues {
    #[serde(default)]
    pub header: Vec<String>,
    #[serde(default)]
    pub body: Vec<String>,
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
        self.status == "approved"
    }
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
        };
        assert_eq!(
            content.preview(&values),
            "Hello Ana\n\nYour parcel A-17 is ready.\n\nReply STOP to opt out"
        );
    }
}
