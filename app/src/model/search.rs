//! Search results as the browser and the API receive them.

use serde::{Deserialize, Serialize};

use super::ChannelKind;

/// A conversation found by its contact's name or number, or a message found by its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub conversation_id: i64,
    /// The message that matched, to jump to in the thread; none when the contact matched.
    pub message_id: Option<i64>,
    pub contact_name: String,
    /// The contact's number or id on the channel, masked where the person sees numbers masked.
    pub contact_address: String,
    pub channel_kind: ChannelKind,
    /// Plain text around the match (not HTML): the page escapes it like any other text.
    pub snippet: String,
    /// RFC 3339: when the message was sent, or the conversation's latest message.
    pub at: String,
}
