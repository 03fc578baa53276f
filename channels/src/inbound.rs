//! The provider-independent model of what webhooks tell us.
//!
//! The parsers live in [`crate::whatsapp`], [`crate::messenger`] and [`crate::twilio`]; they
//! all produce [`InboundEvent`]s. A shape a parser cannot understand becomes
//! [`InboundEvent::Unhandled`] rather than disappearing.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::Provider;
use crate::phone::ChannelAddress;

/// One thing a webhook told us; a single webhook body can carry several.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundEvent {
    /// A contact sent us a message.
    Message(InboundMessage),
    /// A message the Page sent (from Page Inbox, another app, or us), echoed by Messenger.
    Echo(OutboundEcho),
    /// Progress of a message we sent.
    Status(StatusUpdate),
    /// WhatsApp reviewed or changed the state of a message template.
    TemplateStatus(TemplateStatusUpdate),
    /// A problem the provider reports for the whole channel rather than for one message
    /// (WhatsApp `value.errors`).
    ChannelError {
        /// Which of our channels it concerns.
        routing: RoutingKey,
        /// What went wrong.
        error: ProviderError,
    },
    /// A shape this crate does not understand; kept so nothing is silently dropped.
    Unhandled {
        /// Readable explanation for logs.
        reason: String,
        /// The provider's name for the thing, e.g. a webhook field or status value.
        raw_kind: String,
    },
}

impl InboundEvent {
    pub(crate) fn unhandled(reason: impl Into<String>, raw_kind: impl Into<String>) -> Self {
        Self::Unhandled {
            reason: reason.into(),
            raw_kind: raw_kind.into(),
        }
    }
}

/// Which of our configured channels an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoutingKey {
    /// WhatsApp Cloud API: `metadata.phone_number_id`.
    WhatsApp {
        /// The business phone number's id.
        phone_number_id: String,
    },
    /// Messenger: the Facebook Page id (`entry[].id`).
    Messenger {
        /// The Page id.
        page_id: String,
    },
    /// Twilio: the account plus our number (inbound `To`, status callback `From`) and the
    /// Messaging Service when one is used.
    Twilio {
        /// `AccountSid` (AC…).
        account_sid: String,
        /// Our number or short code, without any `whatsapp:` prefix.
        number: String,
        /// `MessagingServiceSid` (MG…), when the number belongs to a Messaging Service.
        messaging_service_sid: Option<String>,
        /// Whether this is SMS/MMS or WhatsApp through Twilio.
        channel: TwilioChannel,
    },
}

impl RoutingKey {
    /// The provider the event came from.
    pub fn provider(&self) -> Provider {
        match self {
            Self::WhatsApp { .. } => Provider::WhatsApp,
            Self::Messenger { .. } => Provider::Messenger,
            Self::Twilio { .. } => Provider::Twilio,
        }
    }
}

/// The network a Twilio message travelled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwilioChannel {
    /// SMS or MMS.
    Sms,
    /// WhatsApp, addressed as `whatsapp:+E164`.
    WhatsApp,
}

/// A message a contact sent us.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Which of our channels received it.
    pub routing: RoutingKey,
    /// The provider's id (`wamid.…`, Messenger `mid`, Twilio `SM…`/`MM…`); use it to dedupe.
    pub provider_message_id: String,
    /// Who sent it.
    pub from: ChannelAddress,
    /// The sender's display name, when the provider shares it.
    pub profile_name: Option<String>,
    /// When the provider says it was sent. Twilio webhooks carry no timestamp, so `None` there.
    pub timestamp: Option<OffsetDateTime>,
    /// The provider id of the message this one replies or reacts to.
    pub reply_to: Option<String>,
    /// WhatsApp marks forwarded messages.
    pub forwarded: bool,
    /// Set when the conversation started from an ad (click-to-WhatsApp), which changes the
    /// free-entry window.
    pub referral: Option<Referral>,
    /// The parts in the order the provider gave them: one for WhatsApp, and for Twilio MMS
    /// and Messenger possibly text followed by several attachments. Never empty.
    pub content: Vec<MessageContent>,
}

impl InboundMessage {
    /// One line for the inbox list: the parts' summaries joined.
    pub fn summary(&self) -> String {
        join_summaries(&self.content)
    }
}

fn join_summaries(content: &[MessageContent]) -> String {
    content
        .iter()
        .map(MessageContent::summary)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The ad or post a conversation started from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referral {
    /// `ad` or `post`.
    pub source_type: Option<String>,
    /// The ad or post id.
    pub source_id: Option<String>,
    /// Link to the ad or post.
    pub source_url: Option<String>,
    /// The ad's headline.
    pub headline: Option<String>,
    /// The ad's text.
    pub body: Option<String>,
    /// Click id for conversion tracking.
    pub ctwa_clid: Option<String>,
}

/// A message the Page sent, echoed back by Messenger (`is_echo`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundEcho {
    /// The Page.
    pub routing: RoutingKey,
    /// Messenger `mid`.
    pub provider_message_id: String,
    /// The person it was sent to.
    pub to: ChannelAddress,
    /// The app that sent it; compare with ours to skip our own sends.
    pub app_id: Option<String>,
    /// When Messenger says it was sent.
    pub timestamp: Option<OffsetDateTime>,
    /// What was sent.
    pub content: Vec<MessageContent>,
}

impl OutboundEcho {
    /// One line for the inbox list.
    pub fn summary(&self) -> String {
        join_summaries(&self.content)
    }
}

/// What a status update refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusTarget {
    /// One message, by provider id.
    Message(String),
    /// Messenger watermarks: every message sent at or before `watermark`. `message_ids`
    /// lists those the provider named explicitly, which may be none.
    SentBefore {
        /// The cut-off time.
        watermark: OffsetDateTime,
        /// Ids the provider listed.
        message_ids: Vec<String>,
    },
}

/// How far a message we sent has got, ordered by progress with `Failed` last because it is
/// final. Providers do not guarantee delivery order, so never move a message back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    /// Accepted by the provider, not yet sent.
    Queued,
    /// Handed to the network.
    Sent,
    /// Arrived on the device.
    Delivered,
    /// Seen by the person.
    Read,
    /// Will not arrive; see the error.
    Failed,
}

/// Progress of a message we sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// Which of our channels sent it.
    pub routing: RoutingKey,
    /// Which message(s).
    pub target: StatusTarget,
    /// Who the message was for, when the provider says.
    pub recipient: Option<ChannelAddress>,
    /// The new state.
    pub status: DeliveryStatus,
    /// The provider's own word for it (e.g. Twilio `undelivered`), for logs.
    pub provider_status: String,
    /// When the provider says it happened; Twilio sends none.
    pub timestamp: Option<OffsetDateTime>,
    /// Why it failed, when it did.
    pub error: Option<ProviderError>,
    /// What the provider says it charged for the message, when this update says so: WhatsApp's
    /// `pricing` object, Twilio's `Price`; Messenger is free and never sets it. One message can
    /// be priced on several of its updates (the conversation-based WhatsApp fixtures carry the
    /// same `pricing` on `sent`, `delivered` and `read`), so count it once per message.
    pub pricing: Option<ProviderPricing>,
}

/// A provider's own account of what a message cost, as it wrote it. Nothing here is turned
/// into money: the words and amounts are kept verbatim for the cost meter to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderPricing {
    /// The `pricing` object of a WhatsApp Cloud API status.
    WhatsApp(WhatsAppPricing),
    /// `Price` and `PriceUnit` of a Twilio status callback.
    Twilio(TwilioPrice),
}

/// The `pricing` object of a WhatsApp status (REFERENCE §1.3, `../shared/costs/README.md`).
/// Every value is Meta's own text, unchanged, so that a word Meta adds later arrives as it is
/// instead of failing the webhook; fields Meta left out, or sent as another JSON type, are
/// `None`. There is always at least one field set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsAppPricing {
    /// `pricing.type`: `regular` (charged), `free_customer_service` or `free_entry_point`.
    /// Older (conversation-based) payloads have none.
    pub pricing_type: Option<String>,
    /// `pricing.category`: `marketing`, `utility`, `authentication`,
    /// `authentication-international`, `marketing_lite`, `referral_conversion` or `service`.
    pub category: Option<String>,
    /// `pricing.pricing_model`: `CBP` (conversation-based) or `PMP` (per message).
    pub pricing_model: Option<String>,
    /// `pricing.billable`, which Meta has deprecated in favour of `type`.
    pub billable: Option<bool>,
}

/// What a Twilio status callback says the message cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioPrice {
    /// `Price` exactly as Twilio sent it: a decimal string, negative for a charge
    /// (e.g. `-0.00830`). Never empty; not checked to be a number.
    pub price: String,
    /// `PriceUnit`, the ISO 4217 currency (e.g. `USD`); `None` when absent or empty.
    pub price_unit: Option<String>,
}

/// An error as the provider reports it. Look up [`crate::errors::explain`] for wording
/// fit for volunteers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The provider's numeric code, e.g. 131047 or 21610.
    pub code: u32,
    /// Short title from the provider.
    pub title: Option<String>,
    /// Longer explanation from the provider.
    pub detail: Option<String>,
}

/// A change in a WhatsApp message template's review or quality state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateStatusUpdate {
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: String,
    /// `message_template_id`.
    pub template_id: String,
    /// `message_template_name`.
    pub name: String,
    /// `message_template_language`, e.g. `en_US`.
    pub language: String,
    /// The new state.
    pub status: TemplateStatus,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: Option<String>,
    /// Meta's reason code, e.g. `INVALID_FORMAT`; absent when Meta says `NONE`.
    pub reason: Option<String>,
    /// Meta's explanation of a rejection.
    pub rejection_detail: Option<String>,
    /// Meta's advice for fixing a rejection.
    pub recommendation: Option<String>,
    /// When the change happened (`entry[].time`).
    pub timestamp: Option<OffsetDateTime>,
}

/// A template's state as Meta reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateStatus {
    /// Usable.
    Approved,
    /// Under review.
    Pending,
    /// Review failed; see the reason.
    Rejected,
    /// Paused for low quality.
    Paused,
    /// Disabled for low quality.
    Disabled,
    /// Any other state Meta sends (e.g. `FLAGGED`, `IN_APPEAL`), verbatim.
    Other(String),
}

impl TemplateStatus {
    pub(crate) fn from_event(event: &str) -> Self {
        match event {
            "APPROVED" => Self::Approved,
            "PENDING" => Self::Pending,
            "REJECTED" => Self::Rejected,
            "PAUSED" => Self::Paused,
            "DISABLED" => Self::Disabled,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Only approved templates can be sent; unknown states are treated as not sendable.
    pub fn is_sendable(&self) -> bool {
        matches!(self, Self::Approved)
    }
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// A photo, recording, video, file or sticker.
    Media(Media),
    /// A shared location.
    Location {
        /// Degrees north.
        latitude: f64,
        /// Degrees east.
        longitude: f64,
        /// Place name.
        name: Option<String>,
        /// Street address.
        address: Option<String>,
    },
    /// Shared contact cards.
    Contacts(Vec<SharedContact>),
    /// A choice from a WhatsApp reply-button or list message we sent.
    InteractiveReply {
        /// Button or list row.
        kind: InteractiveKind,
        /// The id we gave the button or row.
        id: String,
        /// Its visible title.
        title: String,
        /// List rows can have a description.
        description: Option<String>,
    },
    /// A tap on a template's quick-reply button.
    ButtonReply {
        /// The payload we set on the button.
        payload: String,
        /// The button's visible text.
        text: String,
    },
    /// A reaction to one of the conversation's messages.
    Reaction {
        /// Provider id of the message reacted to.
        target_message_id: String,
        /// `None` when the reaction was removed.
        emoji: Option<String>,
    },
    /// A WhatsApp catalog order.
    Order {
        /// The catalog the products come from.
        catalog_id: String,
        /// The note sent with the order.
        text: Option<String>,
        /// What was ordered.
        items: Vec<OrderItem>,
    },
    /// A notice from the provider, e.g. the contact changed their number.
    System {
        /// The provider's readable text.
        body: String,
        /// The contact's new WhatsApp id, for number changes.
        new_wa_id: Option<String>,
    },
    /// A tap on a Messenger button that posts back to us.
    Postback {
        /// The button's title.
        title: String,
        /// The payload we set on the button.
        payload: String,
    },
    /// A tap on a Messenger quick reply.
    QuickReply {
        /// The payload we set on the quick reply.
        payload: String,
        /// The visible text that was sent.
        text: String,
    },
    /// A message type this crate does not render.
    Unsupported {
        /// The provider's type name.
        provider_type: String,
        /// The provider's error title, when it sent one.
        error: Option<String>,
    },
}

impl MessageContent {
    /// A readable one-line text for the inbox list.
    pub fn summary(&self) -> String {
        match self {
            Self::Text(body) => one_line(body),
            Self::Media(media) => media.summary(),
            Self::Location {
                name,
                address,
                latitude,
                longitude,
            } => match name.as_deref().or(address.as_deref()) {
                Some(place) => format!("📍 Location: {}", one_line(place)),
                None => format!("📍 Location: {latitude:.5}, {longitude:.5}"),
            },
            Self::Contacts(contacts) => {
                let names: Vec<&str> = contacts.iter().map(|c| c.name.as_str()).collect();
                match names.len() {
                    1 => format!("👤 Contact: {}", names[0]),
                    n => format!("👤 {n} contacts: {}", names.join(", ")),
                }
            }
            Self::InteractiveReply { title, .. } => format!("Chose “{}”", one_line(title)),
            Self::ButtonReply { text, .. } => format!("Tapped “{}”", one_line(text)),
            Self::Reaction {
                emoji: Some(emoji), ..
            } => format!("Reacted {emoji} to a message"),
            Self::Reaction { emoji: None, .. } => "Removed a reaction".to_owned(),
            Self::Order { items, .. } => match items.len() {
                1 => "🛒 Order: 1 item".to_owned(),
                n => format!("🛒 Order: {n} items"),
            },
            Self::System { body, .. } => one_line(body),
            Self::Postback { title, .. } => format!("Tapped “{}”", one_line(title)),
            Self::QuickReply { text, .. } => one_line(text),
            Self::Unsupported {
                provider_type,
                error,
            } => match error {
                Some(error) => format!("Unsupported message type: {provider_type} ({error})"),
                None => format!("Unsupported message type: {provider_type}"),
            },
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A media attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Media {
    /// What sort of media.
    pub kind: MediaKind,
    /// Where to fetch it.
    pub source: MediaSource,
    /// MIME type, when given.
    pub mime_type: Option<String>,
    /// Base64 SHA-256 WhatsApp gives for checking the download.
    pub sha256: Option<String>,
    /// Text sent with the media.
    pub caption: Option<String>,
    /// Original file name (documents).
    pub filename: Option<String>,
}

impl Media {
    fn summary(&self) -> String {
        let label = match self.kind {
            MediaKind::Image => "📷 Photo",
            MediaKind::Audio => "🎵 Audio",
            MediaKind::Voice => "🎤 Voice message",
            MediaKind::Video => "🎬 Video",
            MediaKind::Document => "📄 Document",
            MediaKind::Sticker => "Sticker",
        };
        match self.caption.as_deref().or(self.filename.as_deref()) {
            Some(text) => format!("{label}: {}", one_line(text)),
            None => label.to_owned(),
        }
    }
}

/// The sort of a media attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A picture.
    Image,
    /// An audio file.
    Audio,
    /// A recorded voice note.
    Voice,
    /// A video.
    Video,
    /// Any other file.
    Document,
    /// A sticker.
    Sticker,
}

impl MediaKind {
    /// Classifies by MIME type, for providers that only send one (Twilio).
    pub(crate) fn from_mime(mime: &str) -> Self {
        match mime.split('/').next().unwrap_or_default() {
            "image" => Self::Image,
            "audio" => Self::Audio,
            "video" => Self::Video,
            _ => Self::Document,
        }
    }
}

/// Where a media attachment can be downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum MediaSource {
    /// A WhatsApp media id: resolve it with the Graph API, then download with the same token.
    WhatsAppMediaId(String),
    /// A direct URL (Twilio needs HTTP Basic auth; Messenger URLs are pre-signed and expire).
    Url(String),
}

/// A shared contact card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedContact {
    /// The formatted name.
    pub name: String,
    /// Phone numbers as written on the card.
    pub phones: Vec<String>,
}

/// Which kind of interactive message was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractiveKind {
    /// A reply button.
    Button,
    /// A list row.
    List,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderItem {
    /// The product's retailer id.
    pub product_id: String,
    /// How many.
    pub quantity: u32,
    /// Price of one item, in `currency`.
    pub item_price: f64,
    /// ISO 4217 code.
    pub currency: String,
}

/// Why a webhook body could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON, is truncated, or lacks the envelope fields.
    #[error("webhook body is not a readable payload: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is for another product (e.g. Instagram posted to the Messenger endpoint).
    #[error("webhook is for object \"{found}\", expected \"{expected}\"")]
    UnexpectedObject {
        /// What this parser reads.
        expected: &'static str,
        /// What the body said.
        found: String,
    },
    /// A required form parameter is absent.
    #[error("required parameter {0} is missing")]
    MissingField(String),
    /// A form parameter has a value that cannot be used.
    #[error("parameter {field} has an unusable value {value:?}")]
    InvalidField {
        /// The parameter's name.
        field: String,
        /// Its value.
        value: String,
    },
}

/// Unix seconds to a timestamp; out-of-range values are reported as unreadable.
pub(crate) fn unix_seconds(seconds: i64) -> Result<OffsetDateTime, String> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| format!("bad timestamp {seconds}: {e}"))
}

/// Unix milliseconds (Messenger) to a timestamp.
pub(crate) fn unix_millis(millis: i64) -> Result<OffsetDateTime, String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|e| format!("bad timestamp {millis}: {e}"))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Loose {
    Text(String),
    Number(serde_json::Number),
}

impl From<Loose> for String {
    fn from(value: Loose) -> Self {
        match value {
            Loose::Text(s) => s,
            Loose::Number(n) => n.to_string(),
        }
    }
}

/// Meta sends some ids and timestamps as strings and others as numbers; accept both.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Loose::deserialize(d).map(String::from)
}

/// [`lenient_string`] for optional fields; use with `#[serde(default)]`.
pub(crate) fn lenient_opt_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Option::<Loose>::deserialize(d).map(|v| v.map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(kind: MediaKind, caption: Option<&str>, filename: Option<&str>) -> MessageContent {
        MessageContent::Media(Media {
            kind,
            source: MediaSource::Url("https://example.com/x".into()),
            mime_type: None,
            sha256: None,
            caption: caption.map(Into::into),
            filename: filename.map(Into::into),
        })
    }

    #[test]
    fn summaries_are_one_readable_line() {
        let cases = [
            (
                MessageContent::Text("Hello\nthere  friend".into()),
                "Hello there friend",
            ),
            (
                media(MediaKind::Image, Some("Taj Mahal"), None),
                "📷 Photo: Taj Mahal",
            ),
            (media(MediaKind::Voice, None, None), "🎤 Voice message"),
            (
                media(MediaKind::Document, None, Some("report.pdf")),
                "📄 Document: report.pdf",
            ),
            (
                MessageContent::Location {
                    latitude: 37.44,
                    longitude: -122.16,
                    name: Some("Philz Coffee".into()),
                    address: None,
                },
                "📍 Location: Philz Coffee",
            ),
            (
                MessageContent::Location {
                    latitude: 1.5,
                    longitude: 2.25,
                    name: None,
                    address: None,
                },
                "📍 Location: 1.50000, 2.25000",
            ),
            (
                MessageContent::Reaction {
                    target_message_id: "wamid.1".into(),
                    emoji: Some("👍".into()),
                },
                "Reacted 👍 to a message",
            ),
            (
                MessageContent::Reaction {
                    target_message_id: "wamid.1".into(),
                    emoji: None,
                },
                "Removed a reaction",
            ),
            (
                MessageContent::Contacts(vec![
                    SharedContact {
                        name: "Ana".into(),
                        phones: vec![],
                    },
                    SharedContact {
                        name: "Ben".into(),
                        phones: vec![],
                    },
                ]),
                "👤 2 contacts: Ana, Ben",
            ),
            (
                MessageContent::Unsupported {
                    provider_type: "unsupported".into(),
                    error: Some("Message type unknown".into()),
                },
                "Unsupported message type: unsupported (Message type unknown)",
            ),
        ];
        for (content, expected) in cases {
            assert_eq!(content.summary(), expected);
        }
    }

    #[test]
    fn only_approved_templates_are_sendable() {
        assert!(TemplateStatus::from_event("APPROVED").is_sendable());
        assert!(!TemplateStatus::from_event("PAUSED").is_sendable());
        assert_eq!(
            TemplateStatus::from_event("FLAGGED"),
            TemplateStatus::Other("FLAGGED".into())
        );
        assert!(!TemplateStatus::from_event("FLAGGED").is_sendable());
    }

    #[test]
    fn delivery_states_are_ordered() {
        assert!(DeliveryStatus::Queued < DeliveryStatus::Sent);
        assert!(DeliveryStatus::Delivered < DeliveryStatus::Read);
    }
}
