//! Channels (a WhatsApp number, a Twilio sender, a Messenger page) and the raw webhook events
//! they receive.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    #[serde(rename = "whatsapp")]
    WhatsApp,
    Twilio,
    Messenger,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [
        ChannelKind::WhatsApp,
        ChannelKind::Twilio,
        ChannelKind::Messenger,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::WhatsApp => "whatsapp",
            ChannelKind::Twilio => "twilio",
            ChannelKind::Messenger => "messenger",
        }
    }

    pub fn parse(value: &str) -> Option<ChannelKind> {
        ChannelKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::WhatsApp => "WhatsApp (Cloud API)",
            ChannelKind::Twilio => "Twilio (SMS / WhatsApp)",
            ChannelKind::Messenger => "Facebook Messenger",
        }
    }
}

/// What an admin gives to connect a channel, or to change one (`PATCH`: absent fields stay as
/// they are). Which fields a kind needs:
/// - `whatsapp`: `phone_number_id`, `waba_id`, `display_number`, `access_token`, `app_secret`,
///   `verify_token`, and optionally `app_id`: the Meta app's id, which sample files of
///   templates with a picture, video or document header are uploaded under
/// - `twilio`: `account_sid`, `auth_token`, and `phone_number` or `messaging_service_sid`
/// - `messenger`: `page_id`, `page_access_token`, `app_secret`, `verify_token`
///
/// Secrets (`access_token`, `app_secret`, `auth_token`, `page_access_token`) are write-only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelInput {
    pub kind: Option<ChannelKind>,
    pub name: Option<String>,
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    pub display_number: Option<String>,
    #[serde(default)]
    pub app_id: Option<String>,
    pub account_sid: Option<String>,
    pub phone_number: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub page_id: Option<String>,
    pub verify_token: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub auth_token: Option<String>,
    pub page_access_token: Option<String>,
    /// Where the provider's API is; defaults to the provider's own.
    pub api_base_url: Option<String>,
    pub send_rate_per_second: Option<u32>,
}

/// A connected channel as the UI and the API show it: never with its secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: i64,
    pub kind: ChannelKind,
    pub name: String,
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    pub display_number: Option<String>,
    /// WhatsApp: the Meta app that template sample files are uploaded under.
    #[serde(default)]
    pub app_id: Option<String>,
    pub account_sid: Option<String>,
    pub phone_number: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub page_id: Option<String>,
    /// Not a secret: the admin pastes it at the provider.
    pub verify_token: Option<String>,
    pub api_base_url: String,
    pub send_rate_per_second: u32,
    /// The URL to paste at the provider for inbound messages.
    pub webhook_url: String,
    /// Twilio only: where delivery statuses are sent.
    pub status_callback_url: Option<String>,
    /// Names of the secrets that are set, e.g. `["access_token", "app_secret"]`.
    pub secrets_set: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A webhook delivery as received, for admins to see what arrived and what could not be
/// understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub id: i64,
    pub provider: String,
    pub channel_name: Option<String>,
    /// RFC 3339.
    pub received_at: String,
    pub processed: bool,
    /// Why the event could not be (fully) understood, if so.
    pub error: Option<String>,
    pub body: String,
    /// How often it was processed again after it arrived.
    pub attempts: i64,
    /// RFC 3339: when it is tried again by itself, if what it waits for may still come.
    pub next_attempt_at: Option<String>,
}

/// A message sent as a contact through the real, signed webhook path (demo mode only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedInbound {
    pub channel_id: i64,
    /// A phone number (WhatsApp, Twilio) or a Messenger user id.
    pub from: String,
    pub name: String,
    pub text: String,
}
