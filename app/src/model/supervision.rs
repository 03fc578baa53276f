//! The Supervision board and the review of trainees' replies, as they travel between server and
//! browser (and as the API's JSON).

use serde::{Deserialize, Serialize};

use super::Role;

/// Who is online, what each has open, and the replies waiting for approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionBoard {
    pub online: Vec<OnlinePerson>,
    pub awaiting_approval: Vec<HeldReply>,
}

/// Someone with Switchboard open now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePerson {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub trainee: bool,
    /// RFC 3339: when they were last seen.
    pub last_seen_at: String,
    /// The conversations they have open, longest waiting first.
    pub open: Vec<OpenConversation>,
}

/// A conversation someone has open, and how long its contact has waited for an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenConversation {
    pub conversation_id: i64,
    /// The contact's name; never their number.
    pub contact_name: Option<String>,
    pub assignee_name: Option<String>,
    /// RFC 3339: when the contact's oldest unanswered message arrived; none when answered.
    pub waiting_since: Option<String>,
    /// Seconds since then; none when answered.
    pub waiting_seconds: Option<i64>,
}

/// A trainee's reply waiting for a coordinator's approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldReply {
    pub message_id: i64,
    pub conversation_id: i64,
    pub contact_name: Option<String>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// `text`, `interactive`, `template` or a file.
    pub kind: String,
    pub body: String,
    /// RFC 3339.
    pub written_at: String,
}

/// Approving a held reply, with the text to send instead when edited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    #[serde(default)]
    pub body: Option<String>,
}

/// Rejecting a held reply: the note tells the trainee why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub note: String,
}
