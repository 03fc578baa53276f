//! Sending: the provider API calls for a reply (text, WhatsApp template or reply buttons,
//! Twilio Content template), and how to read their answers.
//!
//! Nothing here does I/O. A builder returns a [`SendRequest`] (a path and a body); the caller
//! joins the path to the channel's API base URL, adds the credentials, makes the call, and
//! hands the HTTP status, the `Retry-After` header and the raw response body to the
//! provider's `*_outcome` function, which says whether the message was accepted, is worth
//! retrying, was rejected, or ended in a way we cannot tell.
//!
//! Wire formats follow `channels/REFERENCE.md` §1.4/§1.6 (WhatsApp), §2.4/§2.6 (Twilio) and
//! §3.2/§3.3 (Messenger).

use std::time::Duration;

use serde_json::{Value, json};

use crate::inbound::ProviderError;
use crate::phone::E164;

/// A provider API call, relative to the channel's API base URL. For Meta (WhatsApp and
/// Messenger) the base URL already includes the Graph version, e.g.
/// `https://graph.facebook.com/v23.0`; for Twilio it is `https://api.twilio.com`.
///
/// Ids passed to the builders are inserted into the path as given.
#[derive(Debug, Clone, PartialEq)]
pub enum SendRequest {
    /// A JSON `POST`, authenticated with `Authorization: Bearer <token>`: the access token for
    /// WhatsApp, the Page access token for Messenger (see [`messenger_text`]).
    Json {
        /// Path below the base URL, starting with `/`.
        path: String,
        /// The request body.
        body: Value,
    },
    /// An `application/x-www-form-urlencoded` `POST` with HTTP Basic auth
    /// `AccountSid:AuthToken` (Twilio).
    Form {
        /// Path below the base URL, starting with `/`.
        path: String,
        /// Form fields in order, not yet encoded.
        params: Vec<(String, String)>,
    },
}

/// A free-form WhatsApp text message (allowed within 24 hours of the person's last message;
/// after that the call fails with 131047).
///
/// `to` goes out as digits without `+`, and link previews are off.
pub fn whatsapp_text(phone_number_id: &str, to: &E164, body: &str) -> SendRequest {
    whatsapp_message(
        phone_number_id,
        to,
        "text",
        json!({ "body": body, "preview_url": false }),
    )
}

/// A template's header value when sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateHeaderValue<'a> {
    /// Values for a text header's variable (none for a header without one, or no header).
    Text(&'a [String]),
    /// The picture, video or document of a media header, uploaded first; a document keeps
    /// its `filename`.
    Media {
        kind: OutboundMedia,
        media_id: &'a str,
        filename: Option<&'a str>,
    },
}

/// A value for one of a template's buttons, at its position (`index`, from 0) among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateButtonValue {
    /// What comes back as the inbound `button.payload` when the person taps a quick reply.
    QuickReply { index: usize, payload: String },
    /// The text that replaces the `{{1}}` at the end of a link button's address.
    Url { index: usize, suffix: String },
}

/// The values a template is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateValuesOut<'a> {
    pub header: TemplateHeaderValue<'a>,
    /// Values for the body's `{{1}}`, `{{2}}`…, in order.
    pub body: &'a [String],
    pub buttons: &'a [TemplateButtonValue],
}

/// A WhatsApp template message: the only kind that goes through more than 24 hours after the
/// person's last message. The template must be approved in `language` (e.g. `en_US`).
///
/// Text values go out as `text` parameters, a media header as an `image`, `video` or
/// `document` parameter by media id, buttons as `button` components with their `sub_type`
/// and `index` (REFERENCE.md §1.4). Components with no values are left out, so a template
/// without variables is sent by name alone. Meta answers 132000 when the number of values
/// does not match the template.
pub fn whatsapp_template(
    phone_number_id: &str,
    to: &E164,
    name: &str,
    language: &str,
    values: &TemplateValuesOut<'_>,
) -> SendRequest {
    let texts = |values: &[String]| -> Vec<Value> {
        values
            .iter()
            .map(|value| json!({ "type": "text", "text": value }))
            .collect()
    };
    let mut components = Vec::new();
    let header = match &values.header {
        TemplateHeaderValue::Text(values) => texts(values),
        TemplateHeaderValue::Media {
            kind,
            media_id,
            filename,
        } => {
            let mut media = json!({ "id": media_id });
            if let (OutboundMedia::Document, Some(filename)) = (kind, filename) {
                media["filename"] = json!(filename);
            }
            let mut parameter = json!({ "type": kind.as_str() });
            parameter[kind.as_str()] = media;
            vec![parameter]
        }
    };
    for (component, parameters) in [("header", header), ("body", texts(values.body))] {
        if !parameters.is_empty() {
            components.push(json!({ "type": component, "parameters": parameters }));
        }
    }
    for button in values.buttons {
        let (sub_type, index, parameter) = match button {
            TemplateButtonValue::QuickReply { index, payload } => (
                "quick_reply",
                index,
                json!({ "type": "payload", "payload": payload }),
            ),
            TemplateButtonValue::Url { index, suffix } => {
                ("url", index, json!({ "type": "text", "text": suffix }))
            }
        };
        components.push(json!({
            "type": "button",
            "sub_type": sub_type,
            "index": index.to_string(),
            "parameters": [parameter],
        }));
    }
    let mut template = json!({ "name": name, "language": { "code": language } });
    if !components.is_empty() {
        template["components"] = Value::Array(components);
    }
    whatsapp_message(phone_number_id, to, "template", template)
}

/// One reply button: WhatsApp shows `title` (at most 20 characters) and reports `id` (at most
/// 256 characters) back in the inbound `button_reply` when the person taps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyButton {
    /// Our identifier for the choice, returned when the button is tapped.
    pub id: String,
    /// The label the person sees.
    pub title: String,
}

/// A free-form WhatsApp message with up to three reply buttons under `body` (so, like text,
/// only within 24 hours of the person's last message).
///
/// Buttons are sent as given; Meta rejects more than three, or duplicate ids or titles.
pub fn whatsapp_reply_buttons(
    phone_number_id: &str,
    to: &E164,
    body: &str,
    buttons: &[ReplyButton],
) -> SendRequest {
    let buttons: Vec<Value> = buttons
        .iter()
        .map(|button| {
            json!({ "type": "reply", "reply": { "id": button.id, "title": button.title } })
        })
        .collect();
    whatsapp_message(
        phone_number_id,
        to,
        "interactive",
        json!({
            "type": "button",
            "body": { "text": body },
            "action": { "buttons": buttons },
        }),
    )
}

/// A free-form WhatsApp list message: `body`, and a button labelled `button` (at most 20
/// characters) that opens one untitled section of `rows` (at most 10; row titles up to 24
/// characters). A tapped row comes back as the inbound `list_reply` with the row's `id`. Like
/// text, only within 24 hours of the person's last message.
pub fn whatsapp_list(
    phone_number_id: &str,
    to: &E164,
    body: &str,
    button: &str,
    rows: &[ReplyButton],
) -> SendRequest {
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| json!({ "id": row.id, "title": row.title }))
        .collect();
    whatsapp_message(
        phone_number_id,
        to,
        "interactive",
        json!({
            "type": "list",
            "body": { "text": body },
            "action": { "button": button, "sections": [{ "rows": rows }] },
        }),
    )
}

/// What kind of file a media message carries, as WhatsApp names it (`image`, `audio`,
/// `video`, `document`); Messenger calls a document a `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundMedia {
    Image,
    Audio,
    Video,
    Document,
}

impl OutboundMedia {
    /// The kind for a MIME type: pictures, sound and film by their family, anything else a
    /// document.
    pub fn for_mime_type(mime_type: &str) -> OutboundMedia {
        match mime_type.split('/').next().unwrap_or_default() {
            "image" => OutboundMedia::Image,
            "audio" => OutboundMedia::Audio,
            "video" => OutboundMedia::Video,
            _ => OutboundMedia::Document,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OutboundMedia::Image => "image",
            OutboundMedia::Audio => "audio",
            OutboundMedia::Video => "video",
            OutboundMedia::Document => "document",
        }
    }
}

/// A multipart `POST` that uploads a file: the text `fields` and then the file itself as the
/// part named `file`, with its MIME type. Authenticated like [`SendRequest::Json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUpload {
    /// Path below the base URL, starting with `/`.
    pub path: String,
    /// Text parts, in order.
    pub fields: Vec<(String, String)>,
}

/// Uploads a file to WhatsApp (REFERENCE §1.5): `POST /{phone_number_id}/media` with
/// `messaging_product` and `type`; Meta answers `{id}`, the media id a message then refers to.
pub fn whatsapp_media_upload(phone_number_id: &str, mime_type: &str) -> MediaUpload {
    MediaUpload {
        path: format!("/{phone_number_id}/media"),
        fields: vec![
            ("messaging_product".into(), "whatsapp".into()),
            ("type".into(), mime_type.into()),
        ],
    }
}

/// Reads Meta's answer to a media upload like a send: [`SendOutcome::Accepted`] carries the
/// media id (`{id}`) a message then refers to; errors are retried or not as for a send.
pub fn whatsapp_upload_outcome(status: u16, retry_after: Option<&str>, body: &[u8]) -> SendOutcome {
    read_outcome(
        status,
        retry_after,
        body,
        |v| v.get("id"),
        graph_error,
        whatsapp_retryable,
    )
}

/// A WhatsApp media message referring to an uploaded file by its media id. Images, videos and
/// documents carry the `caption`; audio cannot. A document keeps its `filename`.
pub fn whatsapp_media(
    phone_number_id: &str,
    to: &E164,
    kind: OutboundMedia,
    media_id: &str,
    caption: Option<&str>,
    filename: Option<&str>,
) -> SendRequest {
    let mut media = json!({ "id": media_id });
    if let Some(caption) = caption.filter(|c| !c.is_empty() && kind != OutboundMedia::Audio) {
        media["caption"] = json!(caption);
    }
    if let (OutboundMedia::Document, Some(filename)) = (kind, filename) {
        media["filename"] = json!(filename);
    }
    whatsapp_message(phone_number_id, to, kind.as_str(), media)
}

/// A message to one person: `content` goes under the key named by its `kind`, e.g.
/// `"type": "text", "text": {…}`. `to` goes out as digits without `+`.
fn whatsapp_message(phone_number_id: &str, to: &E164, kind: &str, content: Value) -> SendRequest {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.digits(),
        "type": kind,
    });
    body[kind] = content;
    SendRequest::Json {
        path: whatsapp_messages_path(phone_number_id),
        body,
    }
}

/// Marks an inbound WhatsApp message (and every earlier one in the chat) as read, and shows
/// the person a typing indicator, which WhatsApp clears when our next message arrives or
/// after about 25 seconds.
///
/// Meta answers success with `{"success": true}`, which carries no message id, so
/// [`whatsapp_outcome`] reads it as [`SendOutcome::Unknown`]: for this call any 2xx status
/// means it worked, and the outcome function is only useful for its error cases.
pub fn whatsapp_mark_read(phone_number_id: &str, message_id: &str) -> SendRequest {
    SendRequest::Json {
        path: whatsapp_messages_path(phone_number_id),
        body: json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
            "typing_indicator": { "type": "text" },
        }),
    }
}

fn whatsapp_messages_path(phone_number_id: &str) -> String {
    format!("/{phone_number_id}/messages")
}

/// What a Twilio message is sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioSender {
    /// One of our numbers (`From`). For WhatsApp recipients it is sent as `whatsapp:+…`.
    Number(E164),
    /// A Messaging Service (`MessagingServiceSid`, `MG…`), which picks the sender from its pool.
    MessagingService(String),
}

/// A Twilio message (SMS, or WhatsApp when `to` is `whatsapp:+E164`).
///
/// `to` is passed through as given, e.g. `+15551234567` or `whatsapp:+15551234567`. With a
/// [`TwilioSender::Number`] and a `whatsapp:` recipient, `From` gets the `whatsapp:` prefix
/// too. `status_callback` is the URL Twilio posts delivery updates to.
pub fn twilio_message(
    account_sid: &str,
    sender: &TwilioSender,
    to: &str,
    body: &str,
    status_callback: &str,
) -> SendRequest {
    twilio_create_message(
        account_sid,
        sender,
        to,
        [("Body", body.to_owned())],
        status_callback,
    )
}

/// A Twilio MMS (or WhatsApp media message): `media_url` must be reachable by Twilio without
/// credentials; `body` may be empty.
pub fn twilio_media(
    account_sid: &str,
    sender: &TwilioSender,
    to: &str,
    body: &str,
    media_url: &str,
    status_callback: &str,
) -> SendRequest {
    let mut content = vec![("MediaUrl", media_url.to_owned())];
    if !body.is_empty() {
        content.insert(0, ("Body", body.to_owned()));
    }
    twilio_create_message(account_sid, sender, to, content, status_callback)
}

/// A Twilio message from an approved Content template (`HX…`): the way to reach a WhatsApp
/// recipient more than 24 hours after their last message, since a template's text sent as
/// `Body` fails with 63016.
///
/// `variables` fill `{{1}}`, `{{2}}`… in order and go out as `ContentVariables`, a JSON string
/// such as `{"1":"Maria","2":"Tuesday"}`; with no variables the field is left out. There is no
/// `Body`. `sender`, `to` and `status_callback` work as in [`twilio_message`].
pub fn twilio_content(
    account_sid: &str,
    sender: &TwilioSender,
    to: &str,
    content_sid: &str,
    variables: &[String],
    status_callback: &str,
) -> SendRequest {
    let mut content = vec![("ContentSid", content_sid.to_owned())];
    if !variables.is_empty() {
        let numbered: serde_json::Map<String, Value> = (1..)
            .zip(variables)
            .map(|(number, value)| (number.to_string(), json!(value)))
            .collect();
        content.push(("ContentVariables", Value::Object(numbered).to_string()));
    }
    twilio_create_message(account_sid, sender, to, content, status_callback)
}

/// The create-message call shared by plain and template messages: `To`, the sender, the
/// `content` fields, then `StatusCallback`.
fn twilio_create_message(
    account_sid: &str,
    sender: &TwilioSender,
    to: &str,
    content: impl IntoIterator<Item = (&'static str, String)>,
    status_callback: &str,
) -> SendRequest {
    let whatsapp = to
        .get(..WHATSAPP_PREFIX.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(WHATSAPP_PREFIX));
    let sender = match sender {
        TwilioSender::Number(number) if whatsapp => ("From", format!("{WHATSAPP_PREFIX}{number}")),
        TwilioSender::Number(number) => ("From", number.to_string()),
        TwilioSender::MessagingService(sid) => ("MessagingServiceSid", sid.clone()),
    };
    let params = [("To", to.to_owned()), sender]
        .into_iter()
        .chain(content)
        .chain([("StatusCallback", status_callback.to_owned())]);
    SendRequest::Form {
        path: format!("/2010-04-01/Accounts/{account_sid}/Messages.json"),
        params: params
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    }
}

const WHATSAPP_PREFIX: &str = "whatsapp:";

/// Which Messenger sending rule a message relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessengerType {
    /// `RESPONSE`: a reply within 24 hours of the person's last message.
    Response,
    /// `MESSAGE_TAG` with tag `HUMAN_AGENT`: a reply written by a person, up to 7 days after
    /// the person's last message (the Page needs Meta's approval for the tag).
    HumanAgent,
}

/// A Messenger text message to a page-scoped id (PSID).
///
/// The Page access token is not part of the request: the caller sends it as
/// `Authorization: Bearer <Page token>`, which the Graph API accepts in place of the
/// `access_token` query parameter. Never in the URL: a URL ends up in error messages and logs.
pub fn messenger_text(
    page_id: &str,
    recipient_psid: &str,
    text: &str,
    kind: MessengerType,
) -> SendRequest {
    messenger_message(page_id, recipient_psid, json!({ "text": text }), kind)
}

/// A Send API call with `message` to one person, under the sending rule `kind`.
fn messenger_message(
    page_id: &str,
    recipient_psid: &str,
    message: Value,
    kind: MessengerType,
) -> SendRequest {
    let mut body = json!({
        "recipient": { "id": recipient_psid },
        "message": message,
    });
    match kind {
        MessengerType::Response => body["messaging_type"] = json!("RESPONSE"),
        MessengerType::HumanAgent => {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!("HUMAN_AGENT");
        }
    }
    SendRequest::Json {
        path: format!("/{page_id}/messages"),
        body,
    }
}

/// A Messenger text with quick-reply buttons (at most 13, titles up to 20 characters); the
/// tapped one comes back as an inbound message with its `payload`, here the button's `id`.
pub fn messenger_quick_replies(
    page_id: &str,
    recipient_psid: &str,
    text: &str,
    buttons: &[ReplyButton],
    kind: MessengerType,
) -> SendRequest {
    let quick_replies: Vec<Value> = buttons
        .iter()
        .map(
            |button| json!({ "content_type": "text", "title": button.title, "payload": button.id }),
        )
        .collect();
    messenger_message(
        page_id,
        recipient_psid,
        json!({ "text": text, "quick_replies": quick_replies }),
        kind,
    )
}

/// A Messenger attachment fetched by Meta from `url` (which must be publicly reachable):
/// `image`, `audio`, `video`, or `file` for a document.
pub fn messenger_attachment(
    page_id: &str,
    recipient_psid: &str,
    kind: OutboundMedia,
    url: &str,
    messaging: MessengerType,
) -> SendRequest {
    let attachment_type = match kind {
        OutboundMedia::Document => "file",
        other => other.as_str(),
    };
    messenger_message(
        page_id,
        recipient_psid,
        json!({ "attachment": { "type": attachment_type, "payload": { "url": url, "is_reusable": false } } }),
        messaging,
    )
}

/// How a send call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The provider took the message; delivery updates will refer to this id.
    Accepted {
        /// WhatsApp `wamid.…`, Twilio `SM…`/`MM…`, Messenger `m_…`.
        provider_message_id: String,
    },
    /// Not sent this time, but worth trying again later: HTTP 408, 429 and 5xx, and the
    /// providers' rate-limit and temporary-failure codes.
    Retry {
        /// What the provider said.
        error: ProviderError,
        /// The `Retry-After` header, when the provider sent one (in seconds).
        retry_after: Option<Duration>,
    },
    /// Will not succeed as sent; show the volunteer the code and its explanation
    /// ([`crate::errors::explain`]).
    Rejected {
        /// What the provider said.
        error: ProviderError,
    },
    /// A success status without a message id we can read. The message may or may not have
    /// gone out, and resending could deliver it twice, so do not retry blindly.
    Unknown {
        /// What was wrong with the answer, for logs.
        reason: String,
    },
}

/// Reads the answer to a WhatsApp Cloud API call.
///
/// Success is `{messages: [{id}]}`; errors use the Graph format
/// `{error: {message, type, code, error_subcode?, error_data?: {details}}}`. Retried codes:
/// 2 (temporary), 4 and 80007 (API-call rate limits), 130429 (number throughput), 131000
/// (unknown failure, "try again"), 131048 (spam rate limit) and 131056 (pair rate limit);
/// back off before retrying, more so for 131048 and 131056.
pub fn whatsapp_outcome(status: u16, retry_after: Option<&str>, body: &[u8]) -> SendOutcome {
    read_outcome(
        status,
        retry_after,
        body,
        |v| v.pointer("/messages/0/id"),
        graph_error,
        whatsapp_retryable,
    )
}

fn whatsapp_retryable(code: u32) -> bool {
    matches!(code, 2 | 4 | 80007 | 130429 | 131000 | 131048 | 131056)
}

/// Reads the answer to a Twilio create-message call.
///
/// Success is `201` with the Message resource (`sid`); errors are
/// `{code, message, more_info, status, details?}`. Retried codes: 20429 (too many requests),
/// 20500 (internal error) and 20503 (service unavailable).
pub fn twilio_outcome(status: u16, retry_after: Option<&str>, body: &[u8]) -> SendOutcome {
    read_outcome(
        status,
        retry_after,
        body,
        |v| v.get("sid"),
        twilio_error,
        |code| matches!(code, 20429 | 20500 | 20503),
    )
}

/// Reads the answer to a Messenger Send API call.
///
/// Success is `{recipient_id, message_id}`; errors use the Graph format
/// `{error: {message, type, code, error_subcode}}`, and [`ProviderError::code`] is the main
/// `code` (e.g. 10 for "sent outside of allowed window", with subcode 2018278 in the detail).
/// Retried codes: 2 (temporary), 4 (application rate limit), 613 (send rate limit) and 1200
/// (temporary send failure).
pub fn messenger_outcome(status: u16, retry_after: Option<&str>, body: &[u8]) -> SendOutcome {
    read_outcome(
        status,
        retry_after,
        body,
        |v| v.get("message_id"),
        graph_error,
        |code| matches!(code, 2 | 4 | 613 | 1200),
    )
}

/// An error read from a response body, and whether its code came from the provider (rather
/// than standing in for a missing one with the HTTP status).
pub(crate) struct BodyError {
    pub(crate) error: ProviderError,
    pub(crate) provider_code: bool,
}

fn read_outcome(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    message_id: fn(&Value) -> Option<&Value>,
    read_error: fn(&Value, u16) -> Option<BodyError>,
    retryable_code: fn(u32) -> bool,
) -> SendOutcome {
    let json: Option<Value> = serde_json::from_slice(body).ok();

    if (200..300).contains(&status) {
        let id = json
            .as_ref()
            .and_then(message_id)
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty());
        return match id {
            Some(id) => SendOutcome::Accepted {
                provider_message_id: id.to_owned(),
            },
            None => SendOutcome::Unknown {
                reason: format!(
                    "HTTP {status} without a message id in the response: {}",
                    snippet(body).unwrap_or_else(|| "empty body".to_owned())
                ),
            },
        };
    }

    let BodyError {
        error,
        provider_code,
    } = json
        .as_ref()
        .and_then(|json| read_error(json, status))
        .unwrap_or_else(|| BodyError {
            error: http_error(status, body),
            provider_code: false,
        });

    let retryable_status = matches!(status, 408 | 429 | 500..=599);
    if retryable_status || (provider_code && retryable_code(error.code)) {
        SendOutcome::Retry {
            error,
            retry_after: retry_after.and_then(parse_retry_after),
        }
    } else {
        SendOutcome::Rejected { error }
    }
}

/// A failed answer without an error the provider's format describes (e.g. a proxy's HTML
/// page): the HTTP status stands in for the code.
pub(crate) fn http_error(status: u16, body: &[u8]) -> ProviderError {
    ProviderError {
        code: status.into(),
        title: Some(format!("HTTP {status}")),
        detail: snippet(body),
    }
}

/// `Retry-After` in its delay-seconds form; the HTTP-date form is not read.
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse().ok().map(Duration::from_secs)
}

/// Graph API errors (WhatsApp and Messenger): `{error: {message, code, error_subcode?,
/// error_data?: {details}}}`.
pub(crate) fn graph_error(json: &Value, status: u16) -> Option<BodyError> {
    let error = json.get("error")?;
    let code = error.get("code").and_then(as_code);
    let details = error
        .pointer("/error_data/details")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    let subcode = error
        .get("error_subcode")
        .and_then(as_code)
        .map(|subcode| format!("error_subcode {subcode}"));
    let detail = match (details, subcode) {
        (Some(details), Some(subcode)) => Some(format!("{details} ({subcode})")),
        (details, subcode) => details.or(subcode),
    };
    Some(BodyError {
        error: ProviderError {
            code: code.unwrap_or(status.into()),
            title: non_empty_str(error.get("message")),
            detail,
        },
        provider_code: code.is_some(),
    })
}

/// Twilio REST errors: `{code, message, more_info, status, details?}`. The detail is
/// `details` when given (as text, or compact JSON), otherwise the `more_info` link.
fn twilio_error(json: &Value, status: u16) -> Option<BodyError> {
    let code = json.get("code").and_then(as_code);
    let title = non_empty_str(json.get("message"));
    if code.is_none() && title.is_none() {
        return None;
    }
    let detail = match json.get("details") {
        None | Some(Value::Null) => non_empty_str(json.get("more_info")),
        Some(Value::String(details)) => Some(details.clone()),
        Some(details) => Some(details.to_string()),
    };
    Some(BodyError {
        error: ProviderError {
            code: code.unwrap_or(status.into()),
            title,
            detail,
        },
        provider_code: code.is_some(),
    })
}

/// A numeric code, also when sent as a string.
fn as_code(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn non_empty_str(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The start of an unreadable body, for logs and error details.
pub(crate) fn snippet(body: &[u8]) -> Option<String> {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut out: String = text.chars().take(MAX_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::errors::explain;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn fixture_json(name: &str) -> Value {
        serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn phone(number: &str) -> E164 {
        E164::parse(number).unwrap()
    }

    fn json_request(request: SendRequest) -> (String, Value) {
        match request {
            SendRequest::Json { path, body } => (path, body),
            other => panic!("expected a JSON request, got {other:?}"),
        }
    }

    fn form_request(request: SendRequest) -> (String, Vec<(String, String)>) {
        match request {
            SendRequest::Form { path, params } => (path, params),
            other => panic!("expected a form request, got {other:?}"),
        }
    }

    fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
        params
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// The fixture's values for `names`, in that order: twilio-oai renders form fields as a
    /// JSON object.
    fn twilio_fixture_params(name: &str, names: &[&str]) -> Vec<(String, String)> {
        let fixture = fixture_json(name);
        names
            .iter()
            .map(|&field| {
                let value = fixture[field]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name} has no {field}"));
                (field.to_owned(), value.to_owned())
            })
            .collect()
    }

    fn graph_error_body(code: u32, subcode: Option<u32>, message: &str) -> Vec<u8> {
        let mut error = json!({
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEfGhIjK",
        });
        if let Some(subcode) = subcode {
            error["error_subcode"] = json!(subcode);
        }
        json!({ "error": error }).to_string().into_bytes()
    }

    fn rejected(outcome: SendOutcome) -> ProviderError {
        match outcome {
            SendOutcome::Rejected { error } => error,
            other => panic!("expected Rejected, got {other:?}"),
        }
    }

    fn retry(outcome: SendOutcome) -> (ProviderError, Option<Duration>) {
        match outcome {
            SendOutcome::Retry { error, retry_after } => (error, retry_after),
            other => panic!("expected Retry, got {other:?}"),
        }
    }

    #[test]
    fn whatsapp_text_matches_fixture() {
        let (path, body) = json_request(whatsapp_text(
            "106540352242922",
            &phone("+1 650 555 1234"),
            "text-message-content",
        ));
        assert_eq!(path, "/106540352242922/messages");

        let mut expected = fixture_json("whatsapp/outbound/send_text.request.json");
        assert_eq!(expected["to"], "{{Recipient-Phone-Number}}");
        expected["to"] = json!("16505551234");
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_mark_read_matches_fixture() {
        let expected =
            fixture_json("whatsapp/outbound/mark_read_with_typing_indicator.request.json");
        let message_id = expected["message_id"].as_str().unwrap();
        let (path, body) = json_request(whatsapp_mark_read("106540352242922", message_id));
        assert_eq!(path, "/106540352242922/messages");
        assert_eq!(body, expected);
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|&value| value.to_owned()).collect()
    }

    fn text_values<'a>(header: &'a [String], body: &'a [String]) -> TemplateValuesOut<'a> {
        TemplateValuesOut {
            header: TemplateHeaderValue::Text(header),
            body,
            buttons: &[],
        }
    }

    #[test]
    fn whatsapp_template_matches_fixture() {
        let (header, body_values) = (strings(&["Maria"]), strings(&["text-string", "Tuesday"]));
        let (path, body) = json_request(whatsapp_template(
            "106540352242922",
            &phone("+1 650 555 1234"),
            "template-name",
            "language-and-locale-code",
            &text_values(&header, &body_values),
        ));
        assert_eq!(path, "/106540352242922/messages");

        // The fixture's header is an image and its body mixes in currency and date_time
        // parameters; we send text parameters only, in the fixture's text-parameter shape.
        let mut expected = fixture_json(
            "whatsapp/outbound/send_template_header_body_quick_reply_buttons.request.json",
        );
        expected["to"] = json!("16505551234");
        let components = expected["template"]["components"].as_array_mut().unwrap();
        components.retain(|component| component["type"] != "button");
        assert_eq!(components[1]["type"], "body");
        let text_parameter = components[1]["parameters"][0].clone();
        assert_eq!(
            text_parameter,
            json!({ "type": "text", "text": "text-string" })
        );
        let mut header_parameter = text_parameter.clone();
        header_parameter["text"] = json!("Maria");
        let mut second_parameter = text_parameter.clone();
        second_parameter["text"] = json!("Tuesday");
        components[0]["parameters"] = json!([header_parameter]);
        components[1]["parameters"] = json!([text_parameter, second_parameter]);
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_template_media_header_and_buttons_match_fixture() {
        let body_values = strings(&["text-string"]);
        let buttons = [
            TemplateButtonValue::QuickReply {
                index: 0,
                payload: "aGlzIHRoaXMgaXMgY29v".into(),
            },
            TemplateButtonValue::QuickReply {
                index: 1,
                payload: "9rwnB8RbYmPF5t2Mn09x4h".into(),
            },
        ];
        let (_, body) = json_request(whatsapp_template(
            "106540352242922",
            &phone("+16505551234"),
            "template-name",
            "language-and-locale-code",
            &TemplateValuesOut {
                header: TemplateHeaderValue::Media {
                    kind: OutboundMedia::Image,
                    media_id: "<IMAGE_OBJECT_ID>",
                    filename: None,
                },
                body: &body_values,
                buttons: &buttons,
            },
        ));
        // The fixture sends its image by link; an uploaded one goes by id, in the media
        // object shape of the image-by-id fixture. Its body's currency and date_time
        // parameters are not sent.
        let mut expected = fixture_json(
            "whatsapp/outbound/send_template_header_body_quick_reply_buttons.request.json",
        );
        expected["to"] = json!("16505551234");
        let by_id = fixture_json("whatsapp/outbound/send_image_by_id.request.json");
        expected["template"]["components"][0]["parameters"][0]["image"] = by_id["image"].clone();
        expected["template"]["components"][1]["parameters"]
            .as_array_mut()
            .unwrap()
            .truncate(1);
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_template_url_button_and_document_header() {
        let buttons = [TemplateButtonValue::Url {
            index: 1,
            suffix: "A-17".into(),
        }];
        let (_, body) = json_request(whatsapp_template(
            "106540352242922",
            &phone("+16505551234"),
            "receipt",
            "en_US",
            &TemplateValuesOut {
                header: TemplateHeaderValue::Media {
                    kind: OutboundMedia::Document,
                    media_id: "4490709327384033",
                    filename: Some("receipt.pdf"),
                },
                body: &[],
                buttons: &buttons,
            },
        ));
        assert_eq!(
            body["template"]["components"],
            json!([
                { "type": "header", "parameters": [{ "type": "document",
                    "document": { "id": "4490709327384033", "filename": "receipt.pdf" } }] },
                { "type": "button", "sub_type": "url", "index": "1",
                    "parameters": [{ "type": "text", "text": "A-17" }] },
            ])
        );
    }

    #[test]
    fn whatsapp_template_leaves_out_components_without_values() {
        let (_, body) = json_request(whatsapp_template(
            "106540352242922",
            &phone("+16505551234"),
            "hello_world",
            "en_US",
            &text_values(&[], &[]),
        ));
        assert_eq!(
            body["template"],
            json!({ "name": "hello_world", "language": { "code": "en_US" } })
        );

        let body_values = strings(&["Maria"]);
        let (_, body) = json_request(whatsapp_template(
            "106540352242922",
            &phone("+16505551234"),
            "order_update",
            "en_US",
            &text_values(&[], &body_values),
        ));
        assert_eq!(
            body["template"]["components"],
            json!([{ "type": "body", "parameters": [{ "type": "text", "text": "Maria" }] }])
        );
    }

    #[test]
    fn whatsapp_media_by_id_matches_fixture() {
        let mut expected = fixture_json("whatsapp/outbound/send_image_by_id.request.json");
        let (path, body) = json_request(whatsapp_media(
            "106540352242922",
            &phone("+16505551234"),
            OutboundMedia::Image,
            "<IMAGE_OBJECT_ID>",
            None,
            None,
        ));
        assert_eq!(path, "/106540352242922/messages");
        expected["to"] = json!("16505551234");
        assert_eq!(body, expected);

        let (_, document) = json_request(whatsapp_media(
            "1",
            &phone("+16505551234"),
            OutboundMedia::for_mime_type("application/pdf"),
            "77",
            Some("Your form"),
            Some("form.pdf"),
        ));
        assert_eq!(
            document["document"],
            json!({ "id": "77", "caption": "Your form", "filename": "form.pdf" })
        );
        let (_, audio) = json_request(whatsapp_media(
            "1",
            &phone("+16505551234"),
            OutboundMedia::for_mime_type("audio/ogg"),
            "78",
            Some("ignored"),
            None,
        ));
        assert_eq!(
            audio["audio"],
            json!({ "id": "78" }),
            "audio has no caption"
        );
    }

    #[test]
    fn media_uploads_answer_with_an_id_or_an_error() {
        let upload = whatsapp_media_upload("1000", "image/png");
        assert_eq!(upload.path, "/1000/media");
        assert_eq!(
            upload.fields,
            [
                ("messaging_product".to_string(), "whatsapp".to_string()),
                ("type".to_string(), "image/png".to_string())
            ]
        );
        assert_eq!(
            whatsapp_upload_outcome(200, None, br#"{"id":"1037543291543636"}"#),
            SendOutcome::Accepted {
                provider_message_id: "1037543291543636".into()
            }
        );
        let SendOutcome::Rejected { error } = whatsapp_upload_outcome(
            400,
            None,
            br#"{"error":{"message":"Media upload error","code":131053,"type":"OAuthException"}}"#,
        ) else {
            panic!("a refused upload");
        };
        assert_eq!(error.code, 131053);
    }

    #[test]
    fn twilio_and_messenger_media_point_at_a_url() {
        let SendRequest::Form { params, .. } = twilio_media(
            "AC1",
            &TwilioSender::Number(phone("+15550001111")),
            "+15552223333",
            "",
            "https://example.org/media/shared/abc",
            "https://example.org/webhooks/twilio/status",
        ) else {
            panic!("a form post");
        };
        let names: Vec<&str> = params.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            ["To", "From", "MediaUrl", "StatusCallback"],
            "no empty Body"
        );
        let (path, body) = json_request(messenger_attachment(
            "3000",
            "psid-1",
            OutboundMedia::Document,
            "https://example.org/media/shared/abc",
            MessengerType::Response,
        ));
        assert_eq!(path, "/3000/messages");
        assert_eq!(
            body,
            json!({
                "recipient": { "id": "psid-1" },
                "messaging_type": "RESPONSE",
                "message": { "attachment": { "type": "file",
                    "payload": { "url": "https://example.org/media/shared/abc", "is_reusable": false } } }
            })
        );
    }

    #[test]
    fn messenger_quick_replies_match_fixture() {
        let mut expected = fixture_json("messenger/outbound/send_quick_replies.request.json");
        let buttons: Vec<ReplyButton> = expected["message"]["quick_replies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|reply| ReplyButton {
                id: reply["payload"].as_str().unwrap().to_owned(),
                title: reply["title"].as_str().unwrap().to_owned(),
            })
            .collect();
        let (path, body) = json_request(messenger_quick_replies(
            "3000",
            "psid-1",
            expected["message"]["text"].as_str().unwrap(),
            &buttons,
            MessengerType::Response,
        ));
        assert_eq!(path, "/3000/messages");
        // No images on our buttons; everything else as in the fixture.
        for reply in expected["message"]["quick_replies"].as_array_mut().unwrap() {
            reply.as_object_mut().unwrap().remove("image_url");
        }
        expected["recipient"]["id"] = json!("psid-1");
        expected["messaging_type"] = json!("RESPONSE");
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_reply_buttons_match_fixture() {
        let mut expected =
            fixture_json("whatsapp/outbound/send_interactive_reply_buttons.request.json");
        let buttons: Vec<ReplyButton> = expected["interactive"]["action"]["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|button| ReplyButton {
                id: button["reply"]["id"].as_str().unwrap().to_owned(),
                title: button["reply"]["title"].as_str().unwrap().to_owned(),
            })
            .collect();
        assert_eq!(buttons.len(), 2);
        let (path, body) = json_request(whatsapp_reply_buttons(
            "106540352242922",
            &phone("+16505551234"),
            expected["interactive"]["body"]["text"].as_str().unwrap(),
            &buttons,
        ));
        assert_eq!(path, "/106540352242922/messages");
        expected["to"] = json!("16505551234");
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_list_matches_fixture_in_one_untitled_section() {
        let mut expected = fixture_json("whatsapp/outbound/send_interactive_list.request.json");
        let rows: Vec<ReplyButton> = expected["interactive"]["action"]["sections"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| ReplyButton {
                id: row["id"].as_str().unwrap().to_owned(),
                title: row["title"].as_str().unwrap().to_owned(),
            })
            .collect();
        let (path, body) = json_request(whatsapp_list(
            "106540352242922",
            &phone("+16505551234"),
            expected["interactive"]["body"]["text"].as_str().unwrap(),
            expected["interactive"]["action"]["button"]
                .as_str()
                .unwrap(),
            &rows,
        ));
        assert_eq!(path, "/106540352242922/messages");
        // The fixture shows every optional part; a survey sends none of them.
        let interactive = expected["interactive"].as_object_mut().unwrap();
        interactive.remove("header");
        interactive.remove("footer");
        let sections = &mut expected["interactive"]["action"]["sections"];
        sections.as_array_mut().unwrap().truncate(1);
        let first = sections[0].as_object_mut().unwrap();
        first.remove("title");
        for row in first["rows"].as_array_mut().unwrap() {
            row.as_object_mut().unwrap().remove("description");
        }
        expected["to"] = json!("16505551234");
        assert_eq!(body, expected);
    }

    #[test]
    fn twilio_content_matches_fixture() {
        let fixture = "twilio/outbound/create_message_messaging_service_content_sid.request.json";
        let mut expected = twilio_fixture_params(
            fixture,
            &["To", "MessagingServiceSid", "ContentSid", "StatusCallback"],
        );
        let (path, params) = form_request(twilio_content(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &TwilioSender::MessagingService(expected[1].1.clone()),
            &expected[0].1,
            &expected[2].1,
            &strings(&["Maria", "Tuesday \"10:00\""]),
            &expected[3].1,
        ));
        assert_eq!(
            path,
            "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json"
        );
        expected.insert(
            3,
            (
                "ContentVariables".to_owned(),
                r#"{"1":"Maria","2":"Tuesday \"10:00\""}"#.to_owned(),
            ),
        );
        assert_eq!(params, expected);
        assert!(params.iter().all(|(name, _)| name != "Body"));
    }

    #[test]
    fn twilio_content_without_variables_sends_only_the_sid() {
        let (_, params) = form_request(twilio_content(
            "AC123",
            &TwilioSender::Number(phone("+14155552345")),
            "whatsapp:+15551234567",
            "HX123",
            &[],
            "https://example.org/twilio/status",
        ));
        assert_eq!(
            params,
            pairs(&[
                ("To", "whatsapp:+15551234567"),
                ("From", "whatsapp:+14155552345"),
                ("ContentSid", "HX123"),
                ("StatusCallback", "https://example.org/twilio/status"),
            ])
        );
    }

    #[test]
    fn twilio_sms_from_number_matches_fixture() {
        let fixture = "twilio/outbound/create_message.request.json";
        let expected = twilio_fixture_params(fixture, &["To", "From", "Body", "StatusCallback"]);
        let (path, params) = form_request(twilio_message(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &TwilioSender::Number(phone(&expected[1].1)),
            &expected[0].1,
            &expected[2].1,
            &expected[3].1,
        ));
        assert_eq!(
            path,
            "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json"
        );
        assert_eq!(params, expected);
    }

    #[test]
    fn twilio_messaging_service_replaces_from() {
        let fixture = "twilio/outbound/create_message_messaging_service_content_sid.request.json";
        let expected = twilio_fixture_params(
            fixture,
            &["To", "MessagingServiceSid", "Body", "StatusCallback"],
        );
        let (_, params) = form_request(twilio_message(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &TwilioSender::MessagingService(expected[1].1.clone()),
            &expected[0].1,
            &expected[2].1,
            &expected[3].1,
        ));
        assert_eq!(params, expected);
        assert!(params.iter().all(|(name, _)| name != "From"));
    }

    #[test]
    fn twilio_whatsapp_recipient_gets_whatsapp_from() {
        let (_, params) = form_request(twilio_message(
            "AC123",
            &TwilioSender::Number(phone("+14155552345")),
            "whatsapp:+15551234567",
            "Hello",
            "https://example.org/twilio/status",
        ));
        assert_eq!(
            params,
            pairs(&[
                ("To", "whatsapp:+15551234567"),
                ("From", "whatsapp:+14155552345"),
                ("Body", "Hello"),
                ("StatusCallback", "https://example.org/twilio/status"),
            ])
        );

        let (_, params) = form_request(twilio_message(
            "AC123",
            &TwilioSender::MessagingService("MG123".into()),
            "whatsapp:+15551234567",
            "Hello",
            "https://example.org/twilio/status",
        ));
        assert_eq!(
            params,
            pairs(&[
                ("To", "whatsapp:+15551234567"),
                ("MessagingServiceSid", "MG123"),
                ("Body", "Hello"),
                ("StatusCallback", "https://example.org/twilio/status"),
            ])
        );
    }

    #[test]
    fn messenger_requests_carry_no_credentials() {
        // The caller adds the Page token as a header; a token in the path would travel in the
        // URL, which error texts and logs repeat.
        let requests = [
            messenger_text("3000", "psid-1", "hi", MessengerType::Response),
            messenger_attachment(
                "3000",
                "psid-1",
                OutboundMedia::Image,
                "https://example.org/f.jpg",
                MessengerType::Response,
            ),
        ];
        for request in requests {
            let SendRequest::Json { path, body } = request else {
                panic!("Messenger sends are JSON");
            };
            assert_eq!(path, "/3000/messages");
            assert!(!body.to_string().contains("access_token"));
        }
    }

    #[test]
    fn messenger_response_matches_fixture() {
        let (path, body) = json_request(messenger_text(
            "1234567890",
            "{{page-scoped-id}}",
            "Hello!",
            MessengerType::Response,
        ));
        assert_eq!(path, "/1234567890/messages");

        let mut expected = fixture_json("messenger/outbound/send_text.request.json");
        expected["messaging_type"] = json!("RESPONSE");
        assert_eq!(body, expected);
        assert!(body.get("tag").is_none());
    }

    #[test]
    fn messenger_human_agent_uses_message_tag() {
        let (_, body) = json_request(messenger_text(
            "1234567890",
            "{{page-scoped-id}}",
            "Hello!",
            MessengerType::HumanAgent,
        ));
        let mut expected = fixture_json("messenger/outbound/send_text.request.json");
        expected["messaging_type"] = json!("MESSAGE_TAG");
        expected["tag"] = json!("HUMAN_AGENT");
        assert_eq!(body, expected);
    }

    #[test]
    fn whatsapp_accepted_with_message_id() {
        let body = fixture("whatsapp/outbound/send_message.response.json");
        assert_eq!(
            whatsapp_outcome(200, None, &body),
            SendOutcome::Accepted {
                provider_message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"
                    .into()
            }
        );
    }

    #[test]
    fn twilio_accepted_with_sid() {
        let body = fixture("twilio/outbound/create_message.response.json");
        assert_eq!(
            twilio_outcome(201, None, &body),
            SendOutcome::Accepted {
                provider_message_id: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()
            }
        );
    }

    #[test]
    fn messenger_accepted_with_message_id() {
        let body = br#"{"recipient_id":"1254477777772919","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"}"#;
        assert_eq!(
            messenger_outcome(200, None, body),
            SendOutcome::Accepted {
                provider_message_id:
                    "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
                        .into()
            }
        );
    }

    #[test]
    fn twilio_rest_error_is_rejected() {
        let body = fixture("twilio/errors/rest_error_20001.json");
        let error = rejected(twilio_outcome(400, None, &body));
        assert_eq!(
            error,
            ProviderError {
                code: 20001,
                title: Some("Bad request".into()),
                detail: Some(r#"{"foo":"bar"}"#.into()),
            }
        );
    }

    #[test]
    fn twilio_error_without_details_links_more_info() {
        let body = br#"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}"#;
        let error = rejected(twilio_outcome(400, None, body));
        assert_eq!(error.code, 21610);
        assert_eq!(
            error.detail.as_deref(),
            Some("https://www.twilio.com/docs/errors/21610")
        );
        assert!(explain(Provider::Twilio, error.code).is_some());
    }

    #[test]
    fn whatsapp_reengagement_is_rejected() {
        let object = fixture_json("whatsapp/errors/error_object_131047_reengagement.json");
        let body = json!({
            "error": {
                "message": object["message"],
                "type": "OAuthException",
                "code": object["code"],
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": object["error_data"]["details"],
                },
                "fbtrace_id": "AbCdEfGhIjK",
            }
        });
        let error = rejected(whatsapp_outcome(400, None, body.to_string().as_bytes()));
        assert_eq!(
            error,
            ProviderError {
                code: 131047,
                title: Some("Re-engagement message".into()),
                detail: Some(
                    "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                        .into()
                ),
            }
        );
        assert!(explain(Provider::WhatsApp, error.code).is_some());
    }

    #[test]
    fn whatsapp_throughput_limit_is_retried() {
        let body = graph_error_body(130429, None, "(#130429) Rate limit hit");
        let (error, retry_after) = retry(whatsapp_outcome(400, None, &body));
        assert_eq!(error.code, 130429);
        assert_eq!(error.title.as_deref(), Some("(#130429) Rate limit hit"));
        assert_eq!(retry_after, None);
    }

    #[test]
    fn whatsapp_rate_limit_codes_are_retried() {
        for code in [4, 80007, 131048, 131056] {
            let body = graph_error_body(code, None, "rate limit");
            let (error, _) = retry(whatsapp_outcome(400, None, &body));
            assert_eq!(error.code, code);
        }
        for code in [131026, 131051, 132000, 100, 190] {
            let body = graph_error_body(code, None, "not retried");
            assert_eq!(rejected(whatsapp_outcome(400, None, &body)).code, code);
        }
    }

    #[test]
    fn http_429_uses_retry_after_seconds() {
        let whatsapp = graph_error_body(80007, None, "(#80007) Rate limit issues");
        let twilio = br#"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
        let messenger =
            graph_error_body(613, None, "Calls to this api have exceeded the rate limit.");
        for outcome in [
            whatsapp_outcome(429, Some("7"), &whatsapp),
            twilio_outcome(429, Some(" 7 "), twilio),
            messenger_outcome(429, Some("7"), &messenger),
            twilio_outcome(429, Some("7"), b""),
        ] {
            let (_, retry_after) = retry(outcome);
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
        }
    }

    #[test]
    fn retry_after_http_date_is_not_read() {
        let (error, retry_after) = retry(twilio_outcome(
            429,
            Some("Wed, 21 Oct 2015 07:28:00 GMT"),
            b"",
        ));
        assert_eq!(error.code, 429);
        assert_eq!(retry_after, None);
    }

    #[test]
    fn server_errors_are_retried() {
        let html = b"<html><body><h1>503 Service Unavailable</h1></body></html>";
        for outcome in [
            whatsapp_outcome(503, None, html),
            twilio_outcome(503, None, html),
            messenger_outcome(503, None, html),
        ] {
            let (error, retry_after) = retry(outcome);
            assert_eq!(error.code, 503);
            assert_eq!(error.title.as_deref(), Some("HTTP 503"));
            assert_eq!(
                error.detail.as_deref(),
                Some("<html><body><h1>503 Service Unavailable</h1></body></html>")
            );
            assert_eq!(retry_after, None);
        }
        let twilio = br#"{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}"#;
        assert_eq!(retry(twilio_outcome(500, None, twilio)).0.code, 20500);
    }

    #[test]
    fn messenger_rate_limit_is_retried() {
        let body = graph_error_body(613, None, "Calls to this api have exceeded the rate limit.");
        let (error, _) = retry(messenger_outcome(400, None, &body));
        assert_eq!(error.code, 613);

        let body = graph_error_body(
            2,
            None,
            "An unexpected error has occurred. Please retry your request later.",
        );
        assert_eq!(retry(messenger_outcome(500, None, &body)).0.code, 2);
    }

    #[test]
    fn messenger_outside_window_is_rejected() {
        let body = graph_error_body(
            10,
            Some(2018278),
            "(#10) This message is sent outside of allowed window.",
        );
        let error = rejected(messenger_outcome(400, None, &body));
        assert_eq!(
            error,
            ProviderError {
                code: 10,
                title: Some("(#10) This message is sent outside of allowed window.".into()),
                detail: Some("error_subcode 2018278".into()),
            }
        );
        assert!(explain(Provider::Messenger, error.code).is_some());
    }

    #[test]
    fn success_status_without_id_is_unknown() {
        for outcome in [
            whatsapp_outcome(200, None, b"<html>garbage"),
            whatsapp_outcome(200, None, br#"{"messages": []}"#),
            twilio_outcome(201, None, b"not json"),
            twilio_outcome(201, None, br#"{"sid": ""}"#),
            messenger_outcome(200, None, b""),
            messenger_outcome(200, None, br#"{"recipient_id": "123"}"#),
        ] {
            assert!(
                matches!(&outcome, SendOutcome::Unknown { reason } if reason.starts_with("HTTP 20")),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn unreadable_client_error_is_rejected_with_http_status() {
        let error = rejected(whatsapp_outcome(401, None, b""));
        assert_eq!(
            error,
            ProviderError {
                code: 401,
                title: Some("HTTP 401".into()),
                detail: None,
            }
        );
    }

    #[test]
    fn long_bodies_are_shortened() {
        let body = "x".repeat(1000);
        let error = rejected(twilio_outcome(400, None, body.as_bytes()));
        let detail = error.detail.unwrap();
        assert_eq!(detail.chars().count(), 201);
        assert!(detail.ends_with('…'));
    }
}
