//! Facebook Messenger webhooks (`object: page`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, Media, MediaKind, MediaSource, MessageContent,
    OutboundEcho, ParseError, RoutingKey, StatusTarget, StatusUpdate, lenient_opt_string,
    lenient_string, unix_millis,
};
use crate::phone::ChannelAddress;

/// Parses a webhook body into events: messages, echoes, postbacks, deliveries and reads.
///
/// Events under `standby` (another app owns the thread) are read like `messaging` ones, so
/// the inbox still sees them. Only an unreadable body or a foreign `object` (including
/// `instagram`) is an error; events that cannot be understood become
/// [`InboundEvent::Unhandled`].
pub fn parse_webhook(raw: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    let envelope: Envelope = serde_json::from_slice(raw)?;
    if envelope.object != "page" {
        return Err(ParseError::UnexpectedObject {
            expected: "page",
            found: envelope.object,
        });
    }
    let mut events = Vec::new();
    for entry in envelope.entry {
        let routing = RoutingKey::Messenger { page_id: entry.id };
        for raw in entry.messaging.into_iter().chain(entry.standby) {
            let event = serde_json::from_value::<Event>(raw)
                .map_err(|e| e.to_string())
                .and_then(|event| event.into_event(&routing));
            events.push(event.unwrap_or_else(|reason| {
                InboundEvent::unhandled(format!("unreadable Messenger event: {reason}"), "event")
            }));
        }
    }
    Ok(events)
}

#[derive(Deserialize)]
struct Envelope {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(deserialize_with = "lenient_string")]
    id: String,
    #[serde(default)]
    messaging: Vec<Value>,
    #[serde(default)]
    standby: Vec<Value>,
}

#[derive(Deserialize)]
struct Event {
    sender: Party,
    recipient: Party,
    timestamp: Option<i64>,
    message: Option<Message>,
    postback: Option<Postback>,
    delivery: Option<Watermark>,
    read: Option<Watermark>,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct Party {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    id: Option<String>,
    user_ref: Option<String>,
}

impl Party {
    fn address(&self, role: &str) -> Result<ChannelAddress, String> {
        self.id
            .clone()
            .or_else(|| self.user_ref.clone())
            .map(ChannelAddress::ScopedId)
            .ok_or_else(|| format!("{role} has neither id nor user_ref"))
    }
}

#[derive(Deserialize)]
struct Message {
    mid: String,
    text: Option<String>,
    quick_reply: Option<QuickReply>,
    reply_to: Option<ReplyTo>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    app_id: Option<String>,
}

#[derive(Deserialize)]
struct QuickReply {
    payload: String,
}

#[derive(Deserialize)]
struct ReplyTo {
    mid: Option<String>,
}

#[derive(Deserialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: String,
    title: Option<String>,
    payload: Option<AttachmentPayload>,
}

#[derive(Deserialize)]
struct AttachmentPayload {
    url: Option<String>,
    title: Option<String>,
    coordinates: Option<Coordinates>,
    sticker_id: Option<Value>,
}

#[derive(Deserialize)]
struct Coordinates {
    lat: f64,
    long: f64,
}

#[derive(Deserialize)]
struct Postback {
    mid: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    payload: String,
}

#[derive(Deserialize)]
struct Watermark {
    watermark: i64,
    #[serde(default)]
    mids: Vec<String>,
}

impl Event {
    fn into_event(self, routing: &RoutingKey) -> Result<InboundEvent, String> {
        let timestamp = self.timestamp.map(unix_millis).transpose()?;
        let routing = routing.clone();
        if let Some(message) = self.message {
            let provider_message_id = message.mid.clone();
            let reply_to = message.reply_to.as_ref().and_then(|r| r.mid.clone());
            if message.is_echo {
                return Ok(InboundEvent::Echo(OutboundEcho {
                    routing,
                    provider_message_id,
                    to: self.recipient.address("recipient")?,
                    app_id: message.app_id.clone(),
                    timestamp,
                    content: contents(message),
                }));
            }
            return Ok(InboundEvent::Message(InboundMessage {
                routing,
                provider_message_id,
                from: self.sender.address("sender")?,
                profile_name: None,
                timestamp,
                reply_to,
                forwarded: false,
                referral: None,
                content: contents(message),
            }));
        }
        if let Some(postback) = self.postback {
            let from = self.sender.address("sender")?;
            // Older postbacks carry no mid; sender and time identify a tap well enough to dedupe.
            let provider_message_id = postback.mid.unwrap_or_else(|| {
                format!("postback:{from}:{}", self.timestamp.unwrap_or_default())
            });
            return Ok(InboundEvent::Message(InboundMessage {
                routing,
                provider_message_id,
                from,
                profile_name: None,
                timestamp,
                reply_to: None,
                forwarded: false,
                referral: None,
                content: vec![MessageContent::Postback {
                    title: postback.title,
                    payload: postback.payload,
                }],
            }));
        }
        let (status, provider_status, mark) = match (self.delivery, self.read) {
            (Some(mark), _) => (DeliveryStatus::Delivered, "delivery", mark),
            (None, Some(mark)) => (DeliveryStatus::Read, "read", mark),
            (None, None) => {
                let kind = self.other.keys().next().map_or("unknown", String::as_str);
                return Ok(InboundEvent::unhandled(
                    format!("Messenger \"{kind}\" events are not handled"),
                    kind,
                ));
            }
        };
        Ok(InboundEvent::Status(StatusUpdate {
            routing,
            target: StatusTarget::SentBefore {
                watermark: unix_millis(mark.watermark)?,
                message_ids: mark.mids,
            },
            recipient: Some(self.sender.address("sender")?),
            status,
            provider_status: provider_status.to_owned(),
            timestamp,
            error: None,
            pricing: None,
        }))
    }
}

fn contents(message: Message) -> Vec<MessageContent> {
    let mut out = Vec::new();
    match (message.quick_reply, message.text) {
        (Some(quick), text) => out.push(MessageContent::QuickReply {
            payload: quick.payload,
            text: text.unwrap_or_default(),
        }),
        (None, Some(text)) => out.push(MessageContent::Text(text)),
        (None, None) => {}
    }
    // Until Meta retires it, a sticker also arrives as an image carrying `sticker_id`.
    let has_sticker = message.attachments.iter().any(|a| a.kind == "sticker");
    out.extend(
        message
            .attachments
            .into_iter()
            .filter(|a| !(has_sticker && a.kind == "image" && is_sticker_image(a)))
            .map(attachment),
    );
    if out.is_empty() {
        out.push(MessageContent::Unsupported {
            provider_type: "message".to_owned(),
            error: Some("no text or attachments".to_owned()),
        });
    }
    out
}

fn is_sticker_image(a: &Attachment) -> bool {
    a.payload.as_ref().is_some_and(|p| p.sticker_id.is_some())
}

fn attachment(a: Attachment) -> MessageContent {
    let sticker_image = is_sticker_image(&a);
    let unsupported = |kind: &str| MessageContent::Unsupported {
        provider_type: kind.to_owned(),
        error: None,
    };
    let Some(payload) = a.payload else {
        return unsupported(&a.kind);
    };
    let kind = match a.kind.as_str() {
        "image" if sticker_image => MediaKind::Sticker,
        "image" => MediaKind::Image,
        "sticker" => MediaKind::Sticker,
        "audio" => MediaKind::Audio,
        "video" => MediaKind::Video,
        "file" => MediaKind::Document,
        "location" => {
            return match payload.coordinates {
                Some(c) => MessageContent::Location {
                    latitude: c.lat,
                    longitude: c.long,
                    name: a.title.or(payload.title),
                    address: None,
                },
                None => unsupported("location"),
            };
        }
        // A shared link Messenger could not expand; its title and URL are the message.
        "fallback" => {
            let parts: Vec<String> = a
                .title
                .or(payload.title)
                .into_iter()
                .chain(payload.url)
                .collect();
            return if parts.is_empty() {
                unsupported("fallback")
            } else {
                MessageContent::Text(parts.join(" "))
            };
        }
        other => return unsupported(other),
    };
    match payload.url {
        Some(url) => MessageContent::Media(Media {
            kind,
            source: MediaSource::Url(url),
            mime_type: None,
            sha256: None,
            caption: None,
            filename: None,
        }),
        None => unsupported(&a.kind),
    }
}
