//! Organisation-wide settings an admin changes.

use serde::{Deserialize, Serialize};

/// How the inbox works for everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboxSettings {
    /// Only the person a conversation is assigned to may reply in it.
    pub only_assignee_replies: bool,
    /// Volunteers see contacts' phone numbers masked (`+1 ••• ••• 12 34`).
    pub mask_numbers_for_volunteers: bool,
    /// New conversations go round-robin to volunteers marked available.
    pub auto_assign: bool,
    /// The most open conversations auto-assignment gives one person.
    pub auto_assign_cap: i64,
}
