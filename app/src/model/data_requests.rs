//! Erasure requests by message, and how long volunteers keep access to resolved
//! conversations: set by admins, shared by the API, the Settings page and the server.

use serde::{Deserialize, Serialize};

use super::ErasureReport;

/// What a contact writes, alone in a message, to ask that their data be erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureKeyword {
    pub keyword: String,
}

impl Default for ErasureKeyword {
    fn default() -> Self {
        Self {
            keyword: "DELETE MY DATA".to_owned(),
        }
    }
}

/// A contact's request, by message, that their data be erased, as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedErasure {
    pub id: i64,
    pub contact_id: i64,
    /// Empty once the contact was erased.
    pub contact_name: String,
    /// The conversation the request came in; gone once the contact was erased.
    pub conversation_id: i64,
    /// RFC 3339.
    pub requested_at: String,
    /// `pending`, `confirmed` or `declined`.
    pub status: String,
    pub decided_by_id: Option<i64>,
    pub decided_by_name: Option<String>,
    /// RFC 3339.
    pub decided_at: Option<String>,
    /// Why it was declined, as the contact was told.
    pub reason: Option<String>,
}

/// Declines a request; the reason is sent to the contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureDecline {
    pub reason: String,
}

/// What deciding a request did: whether the contact was answered, and for a confirmed
/// request what the erasure removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureDecision {
    pub request: RequestedErasure,
    /// False when the channel's rules allowed no answer any more (WhatsApp's 24-hour window
    /// closed, the contact opted out) or the conversation is gone.
    pub answered: bool,
    pub erasure: Option<ErasureReport>,
}

/// How long volunteers may still open a conversation after it was resolved; `None` (the
/// default) keeps their access. Coordinators and admins always keep it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VolunteerAccess {
    pub days_after_resolution: Option<i64>,
}
