//! WhatsApp Cloud API webhooks (`object: whatsapp_business_account`).

use serde::Deserialize;
use serde_json::Value;

use crate::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, InteractiveKind, Media, MediaKind, MediaSource,
    MessageContent, OrderItem, ParseError, ProviderError, ProviderPricing, Referral, RoutingKey,
    SharedContact, StatusTarget, StatusUpdate, TemplateStatus, TemplateStatusUpdate,
    WhatsAppPricing, lenient_opt_string, lenient_string, unix_seconds,
};
use crate::phone::ChannelAddress;

/// Parses a webhook body into events, one per message, status, error or template change.
///
/// Only an unreadable body or a foreign `object` is an error. Items inside a readable body
/// that cannot be understood become [`InboundEvent::Unhandled`] so the others still arrive.
pub fn parse_webhook(raw: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    let envelope: Envelope = serde_json::from_slice(raw)?;
    if envelope.object != "whatsapp_business_account" {
        return Err(ParseError::UnexpectedObject {
            expected: "whatsapp_business_account",
            found: envelope.object,
        });
    }
    let mut events = Vec::new();
    for entry in envelope.entry {
        for change in entry.changes {
            match change.field.as_str() {
                "messages" => read_messages_value(change.value, &mut events),
                "message_template_status_update" => {
                    events.push(template_update(&entry.id, entry.time, change.value));
                }
                other => events.push(InboundEvent::unhandled(
                    format!("WhatsApp webhook field \"{other}\" is not handled"),
                    other,
                )),
            }
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
    #[serde(default, deserialize_with = "lenient_string")]
    id: String,
    time: Option<i64>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct MessagesValue {
    metadata: Metadata,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
    #[serde(default)]
    errors: Vec<WaError>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(deserialize_with = "lenient_string")]
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Contact {
    profile: Option<Profile>,
    wa_id: Option<String>,
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct WaError {
    code: u32,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

impl From<WaError> for ProviderError {
    fn from(e: WaError) -> Self {
        ProviderError {
            code: e.code,
            title: e.title.or(e.message),
            detail: e.error_data.and_then(|d| d.details),
        }
    }
}

fn read_messages_value(value: Value, events: &mut Vec<InboundEvent>) {
    let value: MessagesValue = match serde_json::from_value(value) {
        Ok(value) => value,
        Err(e) => {
            events.push(InboundEvent::unhandled(
                format!("unreadable WhatsApp messages change: {e}"),
                "messages",
            ));
            return;
        }
    };
    let routing = RoutingKey::WhatsApp {
        phone_number_id: value.metadata.phone_number_id,
    };
    for raw in value.messages {
        let event = serde_json::from_value::<WaMessage>(raw)
            .map_err(|e| e.to_string())
            .and_then(|message| message.into_event(&routing, &value.contacts));
        events.push(event.unwrap_or_else(|reason| {
            InboundEvent::unhandled(format!("unreadable WhatsApp message: {reason}"), "message")
        }));
    }
    for raw in value.statuses {
        let event = serde_json::from_value::<WaStatus>(raw)
            .map_err(|e| e.to_string())
            .and_then(|status| status.into_event(&routing));
        events.push(event.unwrap_or_else(|reason| {
            InboundEvent::unhandled(format!("unreadable WhatsApp status: {reason}"), "status")
        }));
    }
    for error in value.errors {
        events.push(InboundEvent::ChannelError {
            routing: routing.clone(),
            error: error.into(),
        });
    }
}

#[derive(Deserialize)]
struct WaMessage {
    from: Option<String>,
    id: String,
    #[serde(deserialize_with = "lenient_string")]
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    context: Option<WaContext>,
    referral: Option<WaReferral>,
    #[serde(default)]
    errors: Vec<WaError>,
    #[serde(flatten)]
    payload: Payload,
}

/// The per-type objects; the one named by `type` is expected to be present.
#[derive(Deserialize)]
struct Payload {
    text: Option<WaText>,
    image: Option<WaMedia>,
    video: Option<WaMedia>,
    audio: Option<WaMedia>,
    voice: Option<WaMedia>,
    document: Option<WaMedia>,
    sticker: Option<WaMedia>,
    location: Option<WaLocation>,
    contacts: Option<Vec<WaSharedContact>>,
    interactive: Option<WaInteractive>,
    button: Option<WaButton>,
    reaction: Option<WaReaction>,
    order: Option<WaOrder>,
    system: Option<WaSystem>,
}

#[derive(Deserialize)]
struct WaContext {
    id: Option<String>,
    #[serde(default)]
    forwarded: bool,
    #[serde(default)]
    frequently_forwarded: bool,
}

#[derive(Deserialize)]
struct WaReferral {
    source_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    source_id: Option<String>,
    source_type: Option<String>,
    headline: Option<String>,
    body: Option<String>,
    ctwa_clid: Option<String>,
}

#[derive(Deserialize)]
struct WaText {
    body: String,
}

#[derive(Deserialize)]
struct WaMedia {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    id: Option<String>,
    url: Option<String>,
    mime_type: Option<String>,
    sha256: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
    #[serde(default)]
    voice: bool,
}

#[derive(Deserialize)]
struct WaLocation {
    latitude: f64,
    longitude: f64,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
struct WaSharedContact {
    name: Option<WaContactName>,
    #[serde(default)]
    phones: Vec<WaContactPhone>,
}

#[derive(Deserialize)]
struct WaContactName {
    formatted_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Deserialize)]
struct WaContactPhone {
    phone: Option<String>,
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct WaInteractive {
    #[serde(rename = "type")]
    kind: String,
    button_reply: Option<WaChoice>,
    list_reply: Option<WaChoice>,
}

#[derive(Deserialize)]
struct WaChoice {
    id: String,
    title: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct WaButton {
    payload: Option<String>,
    text: String,
}

#[derive(Deserialize)]
struct WaReaction {
    message_id: String,
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct WaOrder {
    #[serde(deserialize_with = "lenient_string")]
    catalog_id: String,
    text: Option<String>,
    #[serde(default)]
    product_items: Vec<WaProductItem>,
}

#[derive(Deserialize)]
struct WaProductItem {
    #[serde(deserialize_with = "lenient_string")]
    product_retailer_id: String,
    quantity: u32,
    item_price: f64,
    currency: String,
}

#[derive(Deserialize)]
struct WaSystem {
    body: String,
    wa_id: Option<String>,
}

impl WaMessage {
    fn into_event(
        self,
        routing: &RoutingKey,
        contacts: &[Contact],
    ) -> Result<InboundEvent, String> {
        let contact = sender_contact(contacts, self.from.as_deref());
        let from = match (&self.from, contact.and_then(|c| c.user_id.as_deref())) {
            (Some(from), _) => ChannelAddress::from_provider(from),
            (None, Some(user_id)) => ChannelAddress::ScopedId(user_id.to_owned()),
            (None, None) => return Err(format!("message {} has no sender", self.id)),
        };
        let timestamp = self
            .timestamp
            .parse()
            .map_err(|_| format!("timestamp {:?} is not unix seconds", self.timestamp))
            .and_then(unix_seconds)?;
        let error_title = self.errors.into_iter().next().and_then(|e| e.title);
        let content = content(&self.kind, self.payload, error_title)?;
        Ok(InboundEvent::Message(InboundMessage {
            routing: routing.clone(),
            provider_message_id: self.id,
            from,
            profile_name: contact.and_then(|c| c.profile.as_ref()?.name.clone()),
            timestamp: Some(timestamp),
            reply_to: self.context.as_ref().and_then(|c| c.id.clone()),
            forwarded: self
                .context
                .is_some_and(|c| c.forwarded || c.frequently_forwarded),
            referral: self.referral.map(|r| Referral {
                source_type: r.source_type,
                source_id: r.source_id,
                source_url: r.source_url,
                headline: r.headline,
                body: r.body,
                ctwa_clid: r.ctwa_clid,
            }),
            content: vec![content],
        }))
    }
}

fn content(kind: &str, p: Payload, error_title: Option<String>) -> Result<MessageContent, String> {
    fn part<T>(part: Option<T>, name: &str) -> Result<T, String> {
        part.ok_or_else(|| format!("{name} message without its {name} object"))
    }
    let content = match kind {
        "text" => MessageContent::Text(part(p.text, kind)?.body),
        "image" => media(MediaKind::Image, part(p.image, kind)?)?,
        "video" => media(MediaKind::Video, part(p.video, kind)?)?,
        "audio" => {
            let audio = part(p.audio, kind)?;
            let media_kind = if audio.voice {
                MediaKind::Voice
            } else {
                MediaKind::Audio
            };
            media(media_kind, audio)?
        }
        // Old on-premises payloads use a separate `voice` type.
        "voice" => media(MediaKind::Voice, part(p.voice, kind)?)?,
        "document" => media(MediaKind::Document, part(p.document, kind)?)?,
        "sticker" => media(MediaKind::Sticker, part(p.sticker, kind)?)?,
        "location" => {
            let l = part(p.location, kind)?;
            MessageContent::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                name: l.name,
                address: l.address,
            }
        }
        "contacts" => MessageContent::Contacts(
            part(p.contacts, kind)?
                .into_iter()
                .map(shared_contact)
                .collect(),
        ),
        "interactive" => {
            let i = part(p.interactive, kind)?;
            let (interactive_kind, choice) = match i.kind.as_str() {
                "button_reply" => (InteractiveKind::Button, i.button_reply),
                "list_reply" => (InteractiveKind::List, i.list_reply),
                other => {
                    return Ok(MessageContent::Unsupported {
                        provider_type: format!("interactive/{other}"),
                        error: error_title,
                    });
                }
            };
            let choice = part(choice, &i.kind)?;
            MessageContent::InteractiveReply {
                kind: interactive_kind,
                id: choice.id,
                title: choice.title,
                description: choice.description,
            }
        }
        "button" => {
            let b = part(p.button, kind)?;
            MessageContent::ButtonReply {
                payload: b.payload.unwrap_or_else(|| b.text.clone()),
                text: b.text,
            }
        }
        "reaction" => {
            let r = part(p.reaction, kind)?;
            MessageContent::Reaction {
                target_message_id: r.message_id,
                emoji: r.emoji.filter(|e| !e.is_empty()),
            }
        }
        "order" => {
            let o = part(p.order, kind)?;
            MessageContent::Order {
                catalog_id: o.catalog_id,
                text: o.text,
                items: o
                    .product_items
                    .into_iter()
                    .map(|item| OrderItem {
                        product_id: item.product_retailer_id,
                        quantity: item.quantity,
                        item_price: item.item_price,
                        currency: item.currency,
                    })
                    .collect(),
            }
        }
        "system" => {
            let s = part(p.system, kind)?;
            MessageContent::System {
                body: s.body,
                new_wa_id: s.wa_id,
            }
        }
        other => MessageContent::Unsupported {
            provider_type: other.to_owned(),
            error: error_title,
        },
    };
    Ok(content)
}

/// The `contacts[]` entry describing the sender: the one matching `from`, or the only one.
fn sender_contact<'a>(contacts: &'a [Contact], from: Option<&str>) -> Option<&'a Contact> {
    contacts
        .iter()
        .find(|c| from.is_some() && c.wa_id.as_deref() == from)
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        })
}

fn media(kind: MediaKind, m: WaMedia) -> Result<MessageContent, String> {
    let source = match (m.id, m.url) {
        (Some(id), _) => MediaSource::WhatsAppMediaId(id),
        (None, Some(url)) => MediaSource::Url(url),
        (None, None) => return Err("media without id or url".to_owned()),
    };
    Ok(MessageContent::Media(Media {
        kind,
        source,
        mime_type: m.mime_type,
        sha256: m.sha256,
        caption: m.caption,
        filename: m.filename,
    }))
}

fn shared_contact(c: WaSharedContact) -> SharedContact {
    let name = c.name.and_then(|n| {
        n.formatted_name.or_else(|| {
            let parts: Vec<String> = n.first_name.into_iter().chain(n.last_name).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    });
    SharedContact {
        name: name.unwrap_or_else(|| "Unnamed contact".to_owned()),
        phones: c
            .phones
            .into_iter()
            .filter_map(|p| p.phone.or(p.wa_id))
            .collect(),
    }
}

#[derive(Deserialize)]
struct WaStatus {
    id: String,
    status: String,
    #[serde(deserialize_with = "lenient_string")]
    timestamp: String,
    recipient_id: Option<String>,
    #[serde(default)]
    errors: Vec<WaError>,
    /// Read by hand ([`pricing`]) so that an odd `pricing` never costs us the status itself.
    pricing: Option<Value>,
}

/// The `pricing` object of a status, keeping Meta's words as text. Anything that is not an
/// object, and fields of an unexpected JSON type, are left out; `None` when nothing is left.
fn pricing(value: &Value) -> Option<WhatsAppPricing> {
    let text = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let pricing = WhatsAppPricing {
        pricing_type: text("type"),
        category: text("category"),
        pricing_model: text("pricing_model"),
        billable: value.get("billable").and_then(Value::as_bool),
    };
    let empty = pricing.pricing_type.is_none()
        && pricing.category.is_none()
        && pricing.pricing_model.is_none()
        && pricing.billable.is_none();
    (!empty).then_some(pricing)
}

impl WaStatus {
    fn into_event(self, routing: &RoutingKey) -> Result<InboundEvent, String> {
        let status = match self.status.as_str() {
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            // A played voice note has necessarily been read.
            "read" | "played" => DeliveryStatus::Read,
            "failed" => DeliveryStatus::Failed,
            other => {
                return Ok(InboundEvent::unhandled(
                    format!("WhatsApp status \"{other}\" for {} is not tracked", self.id),
                    format!("status:{other}"),
                ));
            }
        };
        let timestamp = self
            .timestamp
            .parse()
            .map_err(|_| format!("timestamp {:?} is not unix seconds", self.timestamp))
            .and_then(unix_seconds)?;
        Ok(InboundEvent::Status(StatusUpdate {
            routing: routing.clone(),
            target: StatusTarget::Message(self.id),
            recipient: self
                .recipient_id
                .as_deref()
                .map(ChannelAddress::from_provider),
            status,
            provider_status: self.status,
            timestamp: Some(timestamp),
            error: self.errors.into_iter().next().map(ProviderError::from),
            pricing: self
                .pricing
                .as_ref()
                .and_then(pricing)
                .map(ProviderPricing::WhatsApp),
        }))
    }
}

#[derive(Deserialize)]
struct TemplateValue {
    event: String,
    #[serde(deserialize_with = "lenient_string")]
    message_template_id: String,
    message_template_name: String,
    message_template_language: String,
    reason: Option<String>,
    message_template_category: Option<String>,
    rejection_info: Option<RejectionInfo>,
}

#[derive(Deserialize)]
struct RejectionInfo {
    reason: Option<String>,
    recommendation: Option<String>,
}

fn template_update(waba_id: &str, time: Option<i64>, value: Value) -> InboundEvent {
    let value: TemplateValue = match serde_json::from_value(value) {
        Ok(value) => value,
        Err(e) => {
            return InboundEvent::unhandled(
                format!("unreadable WhatsApp template status update: {e}"),
                "message_template_status_update",
            );
        }
    };
    let (rejection_detail, recommendation) = value
        .rejection_info
        .map_or((None, None), |r| (r.reason, r.recommendation));
    InboundEvent::TemplateStatus(TemplateStatusUpdate {
        waba_id: waba_id.to_owned(),
        template_id: value.message_template_id,
        name: value.message_template_name,
        language: value.message_template_language,
        status: TemplateStatus::from_event(&value.event),
        category: value.message_template_category,
        reason: value.reason.filter(|r| r != "NONE"),
        rejection_detail,
        recommendation,
        timestamp: time.and_then(|t| unix_seconds(t).ok()),
    })
}
