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

/// A label coordinators define and anyone answering puts on conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// What a coordinator gives to create or change a tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInput {
    pub name: String,
    pub colour: String,
}

/// Which conversations to list: a view, narrowed by status, channel and tag, and where the
/// previous page ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationQuery {
    pub view: InboxView,
    #[serde(default = "open")]
    pub status: ConversationStatus,
    #[serde(default)]
    pub channel_id: Option<i64>,
    #[serde(default)]
    pub tag_id: Option<i64>,
    /// The `next` of the previous page.
    #[serde(default)]
    pub after: Option<String>,
}

fn open() -> ConversationStatus {
    ConversationStatus::Open
}

impl ConversationQuery {
    pub fn view(view: InboxView) -> ConversationQuery {
        ConversationQuery {
            view,
            status: ConversationStatus::Open,
            channel_id: None,
            tag_id: None,
            after: None,
        }
    }
}

/// A channel as the inbox's filter offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelOption {
    pub id: i64,
    pub kind: ChannelKind,
    pub name: String,
}

/// What the conversation list can be narrowed by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFilters {
    pub channels: Vec<ChannelOption>,
    pub tags: Vec<Tag>,
}

/// One page of the conversation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
    /// Conversations assigned to the person with messages they have not read.
    pub unread_mine: i64,
}

/// One row of the conversation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub channel_id: i64,
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    pub contact_id: i64,
    pub contact_name: String,
    /// The contact's number or id on the channel (masked for volunteers when the
    /// organisation chose so).
    pub contact_address: String,
    pub status: ConversationStatus,
    /// RFC 3339, while snoozed.
    pub snoozed_until: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub tags: Vec<Tag>,
    /// The newest message, one line.
    pub preview: String,
    /// RFC 3339.
    pub last_message_at: String,
    pub unread_count: i64,
    /// A risk word matched a message, or a coordinator flagged it: listed above everything else
    /// until a coordinator clears it.
    #[serde(default)]
    pub urgent: bool,
    /// The risk word or phrase that made it urgent.
    #[serde(default)]
    pub urgent_word: Option<String>,
    /// The person who flagged it urgent by hand.
    #[serde(default)]
    pub urgent_flagged_by: Option<String>,
    /// The contact's language (ISO 639-1), as the translation service last detected it in
    /// one of their messages.
    #[serde(default)]
    pub language: Option<String>,
}

/// A file a contact sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: i64,
    /// image, audio, voice, video, document or sticker.
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    /// pending (still downloading), stored, failed, or expired (removed under the retention
    /// policy).
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
    /// Why a pending reply is not sent yet and when it is tried again, while delivery retries.
    pub delivery_retry: Option<DeliveryRetry>,
    /// RFC 3339, as the provider dates it.
    pub sent_at: String,
    pub attachments: Vec<AttachmentView>,
    /// Emoji reactions on this message.
    pub reactions: Vec<String>,
    /// The reply buttons an outbound message offered the contact.
    pub buttons: Vec<String>,
    /// Epoch milliseconds of `sent_at`, to place notes and events among the messages.
    pub at_ms: i64,
    /// What an outbound message cost, once priced.
    #[serde(default)]
    pub cost: Option<super::MessageCostView>,
    /// Its part in a satisfaction survey, in words ("Satisfaction survey", "Rating", …).
    #[serde(default)]
    pub survey: Option<String>,
    /// A reply sent translated: the language `body` was translated into (ISO 639-1), which
    /// is what the contact received.
    #[serde(default)]
    pub translated_to: Option<String>,
    /// A reply sent translated: what its author wrote before translation.
    #[serde(default)]
    pub original_text: Option<String>,
}

/// A reply whose delivery failed for now and will be tried again by itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRetry {
    /// Why the last attempt did not go through, in plain words.
    pub reason: String,
    /// RFC 3339: when it is tried again.
    pub next_attempt_at: String,
    /// The number of that next attempt (the first send is attempt 1).
    pub attempt: i64,
    /// After this attempt it is shown as failed.
    pub last_attempt: i64,
}

/// A private note: seen by the team only, never sent to the contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    /// RFC 3339.
    pub at: String,
    pub at_ms: i64,
}

/// A note that mentioned the signed-in person, for their list of mentions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub conversation_id: i64,
    pub contact_name: String,
    pub author_name: String,
    pub body: String,
    /// RFC 3339.
    pub at: String,
    /// The person has opened the conversation since.
    pub read: bool,
}

/// Something that happened to a conversation, told in a sentence ("Ana assigned this to Ben").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEvent {
    pub id: i64,
    /// The sentence in English, for API users; the page words [`facts`](Self::facts) in its
    /// own language.
    pub text: String,
    /// What happened, for the page to tell in the reader's language; `None` for what it has no
    /// words for, when `text` is shown.
    #[serde(default)]
    pub facts: Option<EventFacts>,
    /// RFC 3339.
    pub at: String,
    pub at_ms: i64,
}

/// What happened in a conversation, with the names and words its sentence holds. `who` is the
/// person who did it: "Switchboard" when the conversation's own workers did it (auto-assignment,
/// a snooze ending), `None` in supervision's events when that person is no longer known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventFacts {
    /// "Ana took this".
    Took {
        who: String,
    },
    /// "Cora assigned this to Ben".
    Assigned {
        who: String,
        assignee: String,
    },
    Unassigned {
        who: String,
    },
    Tagged {
        who: String,
        tag: String,
    },
    Untagged {
        who: String,
        tag: String,
    },
    Resolved {
        who: String,
    },
    Reopened {
        who: String,
    },
    MarkedPending {
        who: String,
    },
    /// `until` in RFC 3339, when known.
    Snoozed {
        who: String,
        until: Option<String>,
    },
    /// A snooze ran out and the conversation is open again.
    SnoozeEnded,
    /// A contact's message holds a risk word.
    RiskWord {
        word: String,
    },
    /// A person marked the conversation urgent, with why when they said.
    MarkedUrgent {
        who: String,
        reason: Option<String>,
    },
    UrgentCleared {
        who: String,
        reason: String,
    },
    /// A coordinator joined to read along.
    Joined {
        who: Option<String>,
    },
    /// `from`: who had it before, when someone did.
    TookOver {
        who: Option<String>,
        from: Option<String>,
    },
    /// A trainee's reply approved; `author` `None` when its author is no longer known.
    Approved {
        who: Option<String>,
        author: Option<String>,
    },
    Rejected {
        who: Option<String>,
        author: Option<String>,
        note: String,
    },
    /// Something a newer server tells that this page has no words for: `text` says it.
    #[serde(other)]
    Other,
}

/// A person a conversation can be assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignee {
    pub id: i64,
    pub name: String,
}

/// A status a person sets: `snoozed_until` (RFC 3339) goes with `Snoozed` only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ConversationStatus,
    #[serde(default)]
    pub snoozed_until: Option<String>,
}

/// Where a contact can be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactAddress {
    pub channel_kind: ChannelKind,
    pub channel_name: String,
    pub address: String,
}

/// A contact with their addresses, notes and the conversations the person may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: i64,
    pub name: String,
    pub addresses: Vec<ContactAddress>,
    /// RFC 3339, when they asked not to be messaged.
    pub opted_out_at: Option<String>,
    pub notes: Vec<Note>,
    pub conversations: Vec<ConversationSummary>,
}

/// A conversation with its thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub messages: Vec<ThreadMessage>,
    /// RFC 3339: when free-form replies stop being possible (WhatsApp and Messenger 24-hour
    /// window); `None` for SMS or before any inbound message.
    pub window_closes_at: Option<String>,
    /// Why a free-text reply is not possible now (window closed, contact opted out, assigned to
    /// someone else when only assignees reply), if so.
    pub reply_blocked: Option<String>,
    pub notes: Vec<Note>,
    pub events: Vec<ConversationEvent>,
    /// Who it may be assigned to, for people who assign; empty for others.
    pub assignees: Vec<Assignee>,
    /// Every tag, to add to this conversation.
    pub all_tags: Vec<Tag>,
    /// The templates of the conversation's channel that can be sent now, for the composer.
    pub templates: Vec<super::Template>,
    /// Whether contacts' pictures and videos are shown blurred until clicked: for volunteers,
    /// while the organisation has it on. Decided by the server, so the page is blurred from its
    /// first paint.
    #[serde(default)]
    pub blur_media: bool,
    /// What its messages have cost so far ("$0.12 for 3 messages"), once any was priced.
    #[serde(default)]
    pub cost: Option<String>,
    /// What each of `templates` would cost if sent now, where a price applies (WhatsApp).
    #[serde(default)]
    pub template_estimates: Vec<super::TemplateEstimate>,
    /// Whether an admin set up a translation service, so messages and replies can be
    /// translated.
    #[serde(default)]
    pub translation_enabled: bool,
}
