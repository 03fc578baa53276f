//! WhatsApp message template management: submitting a template for Meta's review, and
//! listing a WhatsApp Business Account's templates with their review state.
//!
//! Nothing here does I/O, as in [`crate::outbound`]: builders return a [`SendRequest`] or a
//! path, and the caller hands the HTTP status and raw body of the answer back to the matching
//! reader. Later changes of review state arrive by webhook (`message_template_status_update`,
//! read by [`crate::whatsapp`]). Wire format: `channels/REFERENCE.md` §1.7.
//!
//! A picture, video or document header is reviewed with a sample that was uploaded through
//! Meta's Resumable Upload API first (https://developers.facebook.com/docs/graph-api/resumable-upload-api,
//! not covered by REFERENCE.md): [`whatsapp_upload_session`] opens an upload session under the
//! Meta app, [`whatsapp_upload_file`] sends the bytes, and the handle Meta answers with is the
//! header's `example.header_handle`.

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
        /// The page to open; may end with one variable, `{{1}}`, filled in when sending.
        url: String,
        /// The whole address with a sample in place of the variable, which Meta reviews.
        example: Option<String>,
    },
    /// Starts a phone call.
    PhoneNumber {
        /// The label.
        text: String,
        /// The number to call.
        phone_number: E164,
    },
}

/// What kind of file a media header shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderFormat {
    Image,
    Video,
    Document,
}

impl HeaderFormat {
    /// The name Meta uses, e.g. `IMAGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "IMAGE",
            Self::Video => "VIDEO",
            Self::Document => "DOCUMENT",
        }
    }

    /// Reads Meta's name for a media format, in any letter case; `None` for `TEXT`,
    /// `LOCATION` and anything else.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Image, Self::Video, Self::Document]
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(value))
    }
}

/// A template's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateHeader {
    /// Text that may hold one variable, `{{1}}`, with a sample for it when it does.
    Text {
        text: String,
        sample: Option<String>,
    },
    /// A picture, video or document given when sending; `handle` is the uploaded sample
    /// ([`whatsapp_upload_handle`]).
    Media {
        format: HeaderFormat,
        handle: String,
    },
}

/// A template to submit for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDefinition {
    /// Lowercase letters, digits and underscores, unique per language in the account.
    pub name: String,
    /// Meta's language code, e.g. `en_US`.
    pub language: String,
    /// The category to ask for.
    pub category: TemplateCategory,
    /// The header, if any.
    pub header: Option<TemplateHeader>,
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
    match &template.header {
        Some(TemplateHeader::Text { text, sample }) => {
            let mut component = json!({ "type": "HEADER", "format": "TEXT", "text": text });
            if let Some(sample) = sample.as_ref().filter(|_| has_variable(text)) {
                component["example"] = json!({ "header_text": [sample] });
            }
            components.push(component);
        }
        Some(TemplateHeader::Media { format, handle }) => components.push(json!({
            "type": "HEADER",
            "format": format.as_str(),
            "example": { "header_handle": [handle] },
        })),
        None => {}
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
        TemplateButton::Url { text, url, example } => {
            let mut button = json!({ "type": "URL", "text": text, "url": url });
            if let Some(example) = example.as_ref().filter(|_| has_variable(url)) {
                button["example"] = json!([example]);
            }
            button
        }
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

/// Opens an upload session for a template's sample file under the Meta app `app_id`:
/// `POST /{app_id}/uploads?file_name=&file_length=&file_type=`, authenticated like the other
/// calls. Meta answers `{id: "upload:…"}`, read by [`whatsapp_upload_session_id`].
pub fn whatsapp_upload_session(
    app_id: &str,
    file_name: &str,
    file_length: usize,
    file_type: &str,
) -> SendRequest {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("file_name", file_name)
        .append_pair("file_length", &file_length.to_string())
        .append_pair("file_type", file_type)
        .finish();
    SendRequest::Json {
        path: format!("/{app_id}/uploads?{query}"),
        body: json!({}),
    }
}

/// Reads Meta's answer to [`whatsapp_upload_session`]: the session id, `upload:…`.
pub fn whatsapp_upload_session_id(status: u16, body: &[u8]) -> Result<String, ProviderError> {
    read_answer(status, body, |json| {
        non_empty_str(json.get("id")).filter(|id| id.starts_with("upload:"))
    })
}

/// Sending a whole file into an upload session: a `POST` of the raw bytes to `path`, with the
/// headers `Authorization: OAuth <access token>` (not `Bearer`) and `file_offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// Path below the base URL, starting with `/`.
    pub path: String,
    /// Where in the file the bytes start: 0, as the whole file is sent at once.
    pub file_offset: u64,
}

/// Sends the sample's bytes into the session `session_id` from [`whatsapp_upload_session_id`].
/// Meta answers `{h: "<handle>"}`, read by [`whatsapp_upload_handle`].
pub fn whatsapp_upload_file(session_id: &str) -> FileUpload {
    FileUpload {
        path: format!("/{session_id}"),
        file_offset: 0,
    }
}

/// Reads Meta's answer to [`whatsapp_upload_file`]: the handle a template's media header
/// gives as its sample.
pub fn whatsapp_upload_handle(status: u16, body: &[u8]) -> Result<String, ProviderError> {
    read_answer(status, body, |json| non_empty_str(json.get("h")))
}

/// The path, with query, of one page of an account's templates (100 at a time). Pass the
/// previous page's [`TemplatePage::next_after`] to get the next one.
pub fn whatsapp_list_templates_path(waba_id: &str, after: Option<&str>) -> String {
    let mut path = format!(
        "/{waba_id}/message_templates?fields=id,name,language,status,category,rejected_reason,components&limit=100"
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
    /// What the template says, read back into the parts Switchboard writes.
    pub content: ListedContent,
}

/// A listed template's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListedHeader {
    /// Text, with the sample of its variable when Meta lists one.
    Text {
        text: String,
        sample: Option<String>,
    },
    /// A picture, video or document, given when sending.
    Media(HeaderFormat),
}

/// A listed template's components, read leniently: a part Switchboard does not write (a
/// location header, a carousel, a one-time-password or Flow button…) is described in
/// `unsupported` instead of failing the list, so the template is still shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedContent {
    pub header: Option<ListedHeader>,
    /// The body text, empty when Meta listed none.
    pub body: String,
    /// The body's samples, in order, when Meta lists them.
    pub body_samples: Vec<String>,
    pub footer: Option<String>,
    pub buttons: Vec<TemplateButton>,
    /// A readable description of each part that was not read, e.g. `LOCATION header`.
    pub unsupported: Vec<String>,
}

/// Reads Meta's `components` (`[{type: HEADER|BODY|FOOTER|BUTTONS, …}]`, REFERENCE.md §1.7).
fn listed_content(components: Option<&Value>) -> ListedContent {
    let mut content = ListedContent::default();
    let Some(components) = components.and_then(Value::as_array) else {
        if components.is_some_and(|c| !c.is_null()) {
            content
                .unsupported
                .push("components in an unknown shape".into());
        }
        return content;
    };
    let text = |component: &Value, key: &str| non_empty_str(component.get(key));
    for component in components {
        let kind = component
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        match kind.as_str() {
            "HEADER" => {
                let format = component
                    .get("format")
                    .and_then(Value::as_str)
                    .unwrap_or("TEXT");
                if let Some(media) = HeaderFormat::parse(format) {
                    content.header = Some(ListedHeader::Media(media));
                } else if let (true, Some(header)) =
                    (format.eq_ignore_ascii_case("TEXT"), text(component, "text"))
                {
                    let sample = non_empty_str(component.pointer("/example/header_text/0"));
                    content.header = Some(ListedHeader::Text {
                        text: header,
                        sample,
                    });
                } else {
                    content.unsupported.push(format!("{format} header"));
                }
            }
            "BODY" => {
                content.body = text(component, "text").unwrap_or_default();
                content.body_samples = component
                    .pointer("/example/body_text/0")
                    .and_then(Value::as_array)
                    .map(|samples| {
                        samples
                            .iter()
                            .filter_map(|s| s.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "FOOTER" => content.footer = text(component, "text"),
            "BUTTONS" => {
                let buttons = component.get("buttons").and_then(Value::as_array);
                for button in buttons.into_iter().flatten() {
                    match listed_button(button) {
                        Ok(button) => content.buttons.push(button),
                        Err(described) => content.unsupported.push(described),
                    }
                }
            }
            other => content.unsupported.push(format!(
                "{} component",
                if other.is_empty() {
                    "an untyped"
                } else {
                    other
                }
            )),
        }
    }
    content
}

/// One listed button, or a description of it when Switchboard does not send its kind.
fn listed_button(button: &Value) -> Result<TemplateButton, String> {
    let field = |key: &str| non_empty_str(button.get(key));
    let kind = field("type").unwrap_or_default().to_ascii_uppercase();
    let text = field("text").unwrap_or_default();
    let button = match kind.as_str() {
        "QUICK_REPLY" => Some(TemplateButton::QuickReply { text: text.clone() }),
        "URL" => field("url").map(|url| TemplateButton::Url {
            text: text.clone(),
            url,
            example: non_empty_str(button.pointer("/example/0")),
        }),
        "PHONE_NUMBER" => field("phone_number")
            .and_then(|number| E164::parse(&number).ok())
            .map(|phone_number| TemplateButton::PhoneNumber {
                text: text.clone(),
                phone_number,
            }),
        _ => None,
    };
    button
        .filter(|_| !text.is_empty())
        .ok_or_else(|| match text.is_empty() {
            true => format!("{kind} button"),
            false => format!("{kind} button “{text}”"),
        })
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
/// `{data: [{id, name, language, status, category, rejected_reason, components}], paging: {cursors:
/// {before, after}, next?}}`. Meta sends an `after` cursor on the last page too, so it is
/// only used when `paging.next` is there. A `rejected_reason` of `NONE` is read as none.
///
/// Errors are read as in [`whatsapp_created_template`]. A template without its id, name,
/// language or status fails the whole page, so that a partial list is never taken for the
/// complete one; components are read as far as they can be (see [`ListedContent`]).
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
        components: Option<Value>,
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
                content: listed_content(listed.components.as_ref()),
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
