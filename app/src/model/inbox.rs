//! Conversations as the inbox shows them.

use serde::{Deserialize, Serialize};

use super::ChannelKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    Open,
    Pending,
    Snoozed,
    Resolved,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Pending => "pending",
            ConversationStatus::Snoozed => "snoozed",
            ConversationStatus::Resolved => "resolved",
        }
    }

    pub fn parse(value: &str) -> Option<ConversationStatus> {
        [Self::Open, Self::Pending, Self::Snoozed, Self::Resolved]
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// Which conversations a list shows. Volunteers have Mine and Unassigned; coordinators and
/// admins also All.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxView {
    Mine,
    Unassigned,
    All,
}

/// One row of the conversation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    pub contact_name: String,
    /// The contact's number or id on the channel.
    pub contact_address: String,
    pub status: ConversationStatus,
    pub assignee_name: Option<String>,
    /// The newest message, one line.
    pub preview: String,
    /// RFC 3339.
    pub last_message_at: String,
    pub unread_count: i64,
}

/// A file a contact sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: i64,
    /// image, audio, voice, video, document or sticker.
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    /// pending (still downloading), stored, or failed.
    pub state: String,
    /// Where a signed-in person can load it, once stored.
    pub url: Option<String>,
}

/// One message of a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub id: i64,
    /// inbound (from the contact) or outbound (to them).
    pub direction: String,
    /// text, image, location, reaction, unsupported, …
    pub kind: String,
    /// The text, or a readable summary of what was sent.
    pub body: String,
    /// received, pending (waiting to be sent), queued, sent, delivered, read, failed, or unknown
    /// (the provider may or may not have it: a person decides whether to send it again).
    pub status: String,
    /// The person who wrote an outbound message, when it was sent from Switchboard.
    pub author_name: Option<String>,
    pub error_code: Option<String>,
    /// What the provider's error means, in plain words.
    pub error_explanation: Option<String>,
    /// RFC 3339, as the provider dates it.
    pub sent_at: String,
    pub attachments: Vec<AttachmentView>,
    /// Emoji reactions on this message.
    pub reactions: Vec<String>,
}

/// A conversation with its thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub messages: Vec<ThreadMessage>,
    /// RFC 3339: when free-form replies stop being possible (WhatsApp and Messenger 24-hour
    /// window); `None` for SMS or before any inbound message.
    pub window_closes_at: Option<String>,
    /// Why a free-text reply is not possible now (window closed, contact opted out), if so.
    pub reply_blocked: Option<String>,
}
