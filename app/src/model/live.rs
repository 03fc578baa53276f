//! What the server pushes to open browsers, so they show changes without a reload. Events carry
//! ids only: a browser fetches what changed through the same scoped calls as any page.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Messages arrived from a provider, or their delivery status changed.
    Activity,
    /// A person changed a conversation: a reply, assignment, status, tags or a note.
    Conversation { id: i64 },
    /// Someone has a conversation open, or is typing in it.
    Presence {
        conversation_id: i64,
        person_id: i64,
        person_name: String,
        typing: bool,
    },
    /// A coordinator took over a conversation this person had; told to them alone, as they may
    /// no longer open it.
    TakenOver {
        person_id: i64,
        conversation_id: i64,
        by_name: String,
    },
    /// A note mentioned this person.
    Mention {
        person_id: i64,
        conversation_id: i64,
        author_name: String,
    },
    /// A conversation became urgent: a risk word matched (`word`), or someone flagged it.
    /// Coordinators and admins are alerted.
    Urgent {
        conversation_id: i64,
        word: Option<String>,
    },
    /// A person just passed a wellbeing limit (time answering): told to them and to
    /// coordinators and admins.
    OverLimit { person_id: i64, person_name: String },
}
