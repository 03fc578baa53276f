//! The audit log as admins read it: who did what to whom, and when.

use serde::{Deserialize, Serialize};

/// Which entries to show. Every field narrows the list; none shows everything, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// The person who acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<i64>,
    /// An action name exactly as the log writes it, e.g. `token_created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// What was acted on, e.g. `contact:12` or `user:3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The first day (`YYYY-MM-DD`, UTC) or instant (RFC 3339) to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The last day (`YYYY-MM-DD`, UTC, included whole) or instant (RFC 3339) to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Only entries older than this entry id: the `next_after` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// None for what Switchboard did by itself (auto-assignment, a provider's webhook).
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: String,
    /// What changed, as a JSON object; never a secret.
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next, older page; None on the last page.
    pub next_after: Option<i64>,
}
