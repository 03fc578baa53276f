//! WhatsApp message template management: submitting a template for Meta's review, and
//! listing a WhatsApp Business Account's templates with their review state.
//!
//! Nothing here does I/O, as in [`crate::outbound`]: builders return a [`SendRequest`] or a
//! path, and the caller hands the HTTP status and raw body of the answer back to the matching
//! reader. Later changes of review state arrive by webhook (`message_template_status_update`,
//! read by [`crate::whatsapp`]). Wire format: `channels/REFERENCE.md` §1.7.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::inbound::ProviderError;
use crate::outbound::{SendRequest, graph_error, http_error, non_empty_str, snippet};
use crate::phone::E164;

/// What a template is for; Meta prices and reviews each category differently, and may move a
/// template to another category during review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateCategory {
    /// Promotions, offers, news and anything else that is not a utility or a code.
    Marketing,
    /// Updates about something the person asked for or takes part in.
    Utility,
    /// One-time passcodes.
    Authentication,
}

impl TemplateCategory {
    /// The name Meta uses, e.g. `MARKETING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "MARKETING",
            Self::Utility => "UTILITY",
            Self::Authentication => "AUTHENTICATION",
        }
    }

    /// Reads Meta's name for a category, in any letter case; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Marketing, Self::Utility, Self::Authentication]
            .into_iter()
            .find(|category| category.as_str().eq_ignore_ascii_case(value))
    }
}

/// A button shown under a template message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateButton {
    /// Sends `text` back as the person's reply.
    QuickReply {
        /// The label, which is also the reply.
        text: String,
    },
    /// Opens a web page.
    Url {
        /// The label.
        text: String,
        /// The page to open.
        url: String,
    },
    /// Starts a phone call.
    PhoneNumber {
        /// The label.
        text: String,
        /// The number to call.
        phone_number: E164,
    },
}

/// A template to submit for review. Only text headers are supported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDefinition {
    /// Lowercase letters, digits and underscores, unique per language in the account.
    pub name: String,
    /// Meta's language code, e.g. `en_US`.
    pub language: String,
    /// The category to ask for.
    pub category: TemplateCategory,
    /// A text header; may hold one variable, `{{1}}`.
    pub header: Option<String>,
    /// A sample value for the header's variable, when it has one.
    pub header_sample: Option<String>,
    /// The message text, with variables `{{1}}`, `{{2}}`…
    pub body: String,
    /// A sample value for each body variable, in order.
    pub body_samples: Vec<String>,
    /// Small grey text under the body.
    pub footer: Option<String>,
    /// Buttons under the message.
    pub buttons: Vec<TemplateButton>,
}

/// Submits a template for review: `POST /{waba_id}/message_templates` with the WhatsApp
/// Business Account id.
///
/// Components without content are left out. Meta requires a sample for every variable, so
/// the header's sample is sent when the header has a variable, and the body's samples when
/// there are any. Authentication templates are not written freely (Meta supplies their
/// text and wants a one-time-password button), so Meta rejects them in this shape.
pub fn whatsapp_create_template(waba_id: &str, template: &TemplateDefinition) -> SendRequest {
    let mut components = Vec::new();
    if let Some(header) = &template.header {
        let mut component = json!({ "type": "HEADER", "format": "TEXT", "text": header });
        if let Some(sample) = template
            .header_sample
            .as_ref()
            .filter(|_| has_variable(header))
        {
            component["example"] = json!({ "header_text": [sample] });
        }
        components.push(component);
    }
    let mut body = json!({ "type": "BODY", "text": template.body });
    if !template.body_samples.is_empty() {
        body["example"] = json!({ "body_text": [template.body_samples] });
    }
    components.push(body);
    if let Some(footer) = &template.footer {
        components.push(json!({ "type": "FOOTER", "text": footer }));
    }
    if !template.buttons.is_empty() {
        let buttons: Vec<Value> = template.buttons.iter().map(button_json).collect();
        components.push(json!({ "type": "BUTTONS", "buttons": buttons }));
    }
    SendRequest::Json {
        path: format!("/{waba_id}/message_templates"),
        body: json!({
            "name": template.name,
            "language": template.language,
            "category": template.category.as_str(),
            "components": components,
        }),
    }
}

/// Whether `text` holds a variable such as `{{1}}`.
fn has_variable(text: &str) -> bool {
    text.split("{{").skip(1).any(|rest| {
        rest.split_once("}}").is_some_and(|(number, _)| {
            !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
        })
    })
}

fn button_json(button: &TemplateButton) -> Value {
    match button {
        TemplateButton::QuickReply { text } => json!({ "type": "QUICK_REPLY", "text": text }),
        TemplateButton::Url { text, url } => json!({ "type": "URL", "text": text, "url": url }),
        TemplateButton::PhoneNumber { text, phone_number } => json!({
            "type": "PHONE_NUMBER",
            "text": text,
            "phone_number": phone_number.digits(),
        }),
    }
}

/// A template Meta has accepted for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTemplate {
    /// Meta's template id.
    pub id: String,
    /// The review state as Meta sends it, usually `PENDING`.
    pub status: String,
}

/// Reads Meta's answer to [`whatsapp_create_template`]: success is `{id, status, category}`.
///
/// Errors keep Meta's explanation for the person who wrote the template
/// (`error_user_title`, `error_user_msg`) in [`ProviderError::detail`], ahead of
/// `error_data.details` and the subcode; an unreadable answer becomes an error with the
/// HTTP status as its code.
pub fn whatsapp_created_template(
    status: u16,
    body: &[u8],
) -> Result<CreatedTemplate, ProviderError> {
    #[derive(Deserialize)]
    struct Answer {
        id: String,
        status: String,
    }
    read_answer(status, body, |json| {
        let answer = Answer::deserialize(json).ok()?;
        (!answer.id.is_empty()).then_some(CreatedTemplate {
            id: answer.id,
            status: answer.status,
        })
    })
}

/// The path, with query, of one page of an account's templates (100 at a time). Pass the
/// previous page's [`TemplatePage::next_after`] to get the next one.
pub fn whatsapp_list_templates_path(waba_id: &str, after: Option<&str>) -> String {
    let mut path = format!(
        "/{waba_id}/message_templates?fields=id,name,language,status,category,rejected_reason&limit=100"
    );
    if let Some(cursor) = after {
        path.push_str("&after=");
        path.extend(form_urlencoded::byte_serialize(cursor.as_bytes()));
    }
    path
}

/// One template as listed by Meta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTemplate {
    /// Meta's template id.
    pub id: String,
    /// The template's name, shared by its translations.
    pub name: String,
    /// Meta's language code, e.g. `en_US`.
    pub language: String,
    /// The review state as Meta sends it, e.g. `APPROVED`; only approved templates can be sent.
    pub status: String,
    /// The category as Meta sends it (see [`TemplateCategory::parse`]).
    pub category: Option<String>,
    /// Why review failed, when it did.
    pub rejected_reason: Option<String>,
}

/// One page of [`whatsapp_list_templates_path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePage {
    /// The templates on this page.
    pub templates: Vec<ListedTemplate>,
    /// The cursor for the next page; `None` on the last one.
    pub next_after: Option<String>,
}

/// Reads Meta's answer to a [`whatsapp_list_templates_path`] request:
/// `{data: [{id, name, language, status, category, rejected_reason}], paging: {cursors:
/// {before, after}, next?}}`. Meta sends an `after` cursor on the last page too, so it is
/// only used when `paging.next` is there. A `rejected_reason` of `NONE` is read as none.
///
/// Errors are read as in [`whatsapp_created_template`]. One unreadable template fails the
/// whole page, so that a partial list is never taken for the complete one.
pub fn whatsapp_template_list(status: u16, body: &[u8]) -> Result<TemplatePage, ProviderError> {
    #[derive(Deserialize)]
    struct Answer {
        data: Vec<Listed>,
        paging: Option<Paging>,
    }
    #[derive(Deserialize)]
    struct Listed {
        id: String,
        name: String,
        language: String,
        status: String,
        category: Option<String>,
        rejected_reason: Option<String>,
    }
    #[derive(Deserialize)]
    struct Paging {
        next: Option<String>,
        cursors: Option<Cursors>,
    }
    #[derive(Deserialize)]
    struct Cursors {
        after: Option<String>,
    }
    read_answer(status, body, |json| {
        let answer = Answer::deserialize(json).ok()?;
        let templates = answer
            .data
            .into_iter()
            .map(|listed| ListedTemplate {
                id: listed.id,
                name: listed.name,
                language: listed.language,
                status: listed.status,
                category: listed.category.filter(|category| !category.is_empty()),
                rejected_reason: listed
                    .rejected_reason
                    .filter(|reason| !reason.is_empty() && reason != "NONE"),
            })
            .collect();
        let next_after = answer
            .paging
            .filter(|paging| paging.next.is_some())
            .and_then(|paging| paging.cursors?.after)
            .filter(|cursor| !cursor.is_empty());
        Some(TemplatePage {
            templates,
            next_after,
        })
    })
}

/// A Graph API answer: `read` on a 2xx body, otherwise the error it carries.
fn read_answer<T>(
    status: u16,
    body: &[u8],
    read: impl FnOnce(&Value) -> Option<T>,
) -> Result<T, ProviderError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        return json.as_ref().and_then(read).ok_or_else(|| ProviderError {
            code: status.into(),
            title: Some(format!(
                "HTTP {status} with an answer that could not be read"
            )),
            detail: snippet(body),
        });
    }
    Err(json
        .as_ref()
        .and_then(|json| template_error(json, status))
        .unwrap_or_else(|| http_error(status, body)))
}

/// A Graph error, with Meta's explanation for the template's author put first in the
/// detail: template review errors carry the useful part there, e.g. code 100 "Invalid
/// parameter" with `error_user_msg` saying which rule the template breaks.
fn template_error(json: &Value, status: u16) -> Option<ProviderError> {
    let mut error = graph_error(json, status)?.error;
    let user_title = non_empty_str(json.pointer("/error/error_user_title"));
    let user_message = non_empty_str(json.pointer("/error/error_user_msg"));
    let explanation = match (user_title, user_message) {
        (Some(title), Some(message)) => Some(format!("{title}: {message}")),
        (title, message) => message.or(title),
    };
    if let Some(explanation) = explanation {
        error.detail = Some(match error.detail {
            Some(detail) => format!("{explanation}; {detail}"),
            None => explanation,
        });
    }
    Some(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_round_trip() {
        for category in [
            TemplateCategory::Marketing,
            TemplateCategory::Utility,
            TemplateCategory::Authentication,
        ] {
            assert_eq!(TemplateCategory::parse(category.as_str()), Some(category));
        }
        assert_eq!(
            TemplateCategory::parse("utility"),
            Some(TemplateCategory::Utility)
        );
        assert_eq!(TemplateCategory::parse("ACCOUNT_UPDATE"), None);
        assert_eq!(TemplateCategory::parse(""), None);
    }

    #[test]
    fn variables_are_numbers_in_double_braces() {
        assert!(has_variable("Hello {{1}}"));
        assert!(has_variable("{{12}}!"));
        assert!(!has_variable("Hello"));
        assert!(!has_variable("Hello {{name}}"));
        assert!(!has_variable("Hello {{}}"));
        assert!(!has_variable("Hello {{1"));
    }
}
