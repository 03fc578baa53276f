//! Data protection: how long each kind of data is kept (set by admins), and erasing or
//! exporting what is held about a contact on their request.

use serde::{Deserialize, Serialize};

/// Days each kind of data is kept; `None` keeps it. Every kind has a finite default, so an
/// organisation that never opens the setting still keeps nothing for ever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// Messages, notes and media of a conversation, counted from when it was resolved (and
    /// nothing happened in it since).
    pub resolved_conversations_days: Option<i64>,
    /// Downloaded and sent files, counted from when they arrived.
    pub media_days: Option<i64>,
    /// Contacts with no conversation left, counted from their last change.
    pub orphan_contacts_days: Option<i64>,
    /// Raw webhook deliveries as the providers sent them, counted from when they arrived.
    pub raw_deliveries_days: Option<i64>,
    /// The audit log, counted from each entry.
    pub audit_log_days: Option<i64>,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            resolved_conversations_days: Some(730),
            media_days: Some(365),
            orphan_contacts_days: Some(30),
            raw_deliveries_days: Some(30),
            audit_log_days: Some(730),
        }
    }
}

/// What a retention run deletes (or, before it runs, would delete).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCounts {
    pub conversations: i64,
    pub messages: i64,
    pub notes: i64,
    /// Files of expired conversations, and files past the media period.
    pub media_files: i64,
    pub contacts: i64,
    pub raw_deliveries: i64,
    pub audit_entries: i64,
}

/// Asks to erase a contact: `confirm` is their name or number, typed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRequest {
    pub confirm: String,
}

/// What erasing a contact removed. Their contact record stays as a tombstone with nothing
/// personal in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReport {
    pub conversations: i64,
    pub messages: i64,
    /// Notes on their conversations and on the contact.
    pub notes: i64,
    pub media_files: i64,
    /// Numbers and Messenger ids.
    pub identities: i64,
    pub raw_deliveries: i64,
}

/// A contact's consent as they gave it: `opt_out`, `opt_in` or `help`, by keyword or otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub kind: String,
    pub source: String,
    pub channel_name: String,
    /// RFC 3339.
    pub at: String,
}
