//! What people do to conversations: take, assign, change status, tag, write notes; and the
//! workers that act on their own (auto-assignment, snoozes ending). Every change is told in the
//! thread and to every open browser.

use app::error::AppError;
use app::model::{
    ConversationStatus, EventFacts, LiveEvent, Mention, Note, Permission, StatusChange, Tag,
    TagInput,
};
use app::ports::Actor;

use super::{Services, rfc3339};
use crate::domain::conversations::mentioned_people;
use crate::store::{AssignWhen, EventRow, NoteRow, NoteSubject, PersonRow, TagRow, now_ms};

const MAX_NOTE_CHARS: usize = 4000;
/// Mentions older than the latest this many are in their conversations still.
const MENTIONS_LISTED: i64 = 100;
const MAX_TAG_NAME_CHARS: usize = 40;

pub(crate) fn tag_of(row: TagRow) -> Tag {
    Tag {
        id: row.id,
        name: row.name,
        colour: row.colour,
    }
}

pub(crate) fn note_of(row: NoteRow) -> Note {
    Note {
        id: row.id,
        author_name: row.author_name,
        body: row.body,
        at: rfc3339(row.created_at),
        at_ms: row.created_at,
    }
}

/// What an event tells, for the page to word in its reader's language; `None` for what it has
/// no words for (the thread then shows [`describe_event`]'s sentence).
pub(crate) fn event_facts(event: &EventRow) -> Option<EventFacts> {
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
    let text = |key: &str| detail[key].as_str().unwrap_or_default().to_owned();
    let who = event
        .actor_name
        .clone()
        .unwrap_or_else(|| "Switchboard".to_owned());
    Some(match event.kind.as_str() {
        "assigned"
            if event.actor_id.is_some() && event.actor_id == detail["assignee_id"].as_i64() =>
        {
            EventFacts::Took { who }
        }
        "assigned" => EventFacts::Assigned {
            who,
            assignee: text("assignee_name"),
        },
        "unassigned" => EventFacts::Unassigned { who },
        "tagged" => EventFacts::Tagged {
            who,
            tag: text("tag"),
        },
        "untagged" => EventFacts::Untagged {
            who,
            tag: text("tag"),
        },
        "status" if detail["snooze_ended"] == true => EventFacts::SnoozeEnded,
        "status" => match text("status").as_str() {
            "resolved" => EventFacts::Resolved { who },
            "open" => EventFacts::Reopened { who },
            "pending" => EventFacts::MarkedPending { who },
            "snoozed" => EventFacts::Snoozed {
                who,
                until: detail["snoozed_until"].as_i64().map(rfc3339),
            },
            _ => return None,
        },
        "urgent" if !text("word").is_empty() => EventFacts::RiskWord { word: text("word") },
        "urgent" => EventFacts::MarkedUrgent {
            who,
            reason: Some(text("reason")).filter(|reason| !reason.is_empty()),
        },
        "urgent_cleared" => EventFacts::UrgentCleared {
            who,
            reason: text("reason"),
        },
        _ => return None,
    })
}

/// An event as a sentence for the thread, in English: "Ana assigned this to Ben".
pub(crate) fn describe_event(event: &EventRow) -> String {
    let who = event.actor_name.as_deref().unwrap_or("Switchboard");
    match event_facts(event) {
        Some(EventFacts::Took { who }) => format!("{who} took this"),
        Some(EventFacts::Assigned { who, assignee }) => {
            format!("{who} assigned this to {assignee}")
        }
        Some(EventFacts::Unassigned { who }) => format!("{who} unassigned this"),
        Some(EventFacts::Tagged { who, tag }) => format!("{who} added the tag {tag}"),
        Some(EventFacts::Untagged { who, tag }) => format!("{who} removed the tag {tag}"),
        Some(EventFacts::SnoozeEnded) => "The snooze ended: open again".to_owned(),
        Some(EventFacts::Resolved { who }) => format!("{who} resolved this"),
        Some(EventFacts::Reopened { who }) => format!("{who} reopened this"),
        Some(EventFacts::MarkedPending { who }) => format!("{who} marked this pending"),
        Some(EventFacts::Snoozed { who, until }) => match until {
            Some(until) => format!("{who} snoozed this until {until}"),
            None => format!("{who} snoozed this"),
        },
        Some(EventFacts::RiskWord { word }) => {
            format!("Marked urgent: a message holds the risk word “{word}”")
        }
        Some(EventFacts::MarkedUrgent {
            who,
            reason: Some(reason),
        }) => format!("{who} marked this urgent: {reason}"),
        Some(EventFacts::MarkedUrgent { who, reason: None }) => format!("{who} marked this urgent"),
        Some(EventFacts::UrgentCleared { who, reason }) => {
            format!("{who} cleared the urgent flag: {reason}")
        }
        _ if event.kind == "status" => {
            let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
            let status = detail["status"].as_str().unwrap_or_default();
            format!("{who} set the status to {status}")
        }
        _ => format!("{who}: {}", event.kind),
    }
}

pub(crate) fn valid_note(body: &str) -> Result<&str, AppError> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::unprocessable(format!(
            "Write a note of 1 to {MAX_NOTE_CHARS} characters."
        )));
    }
    Ok(body)
}

fn valid_tag(input: &TagInput) -> Result<(String, String), AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TAG_NAME_CHARS {
        return Err(AppError::unprocessable(format!(
            "A tag's name has 1 to {MAX_TAG_NAME_CHARS} characters."
        )));
    }
    let colour = input.colour.trim().to_ascii_lowercase();
    let is_hex_colour = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !is_hex_colour {
        return Err(AppError::unprocessable(
            "A tag's colour is written #rrggbb, for example #2a7ae2.",
        ));
    }
    Ok((name.to_owned(), colour))
}

fn parse_time(value: &str) -> Option<i64> {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|at| (at.unix_timestamp_nanos() / 1_000_000) as i64)
}

impl Services {
    pub(super) async fn changed(&self, conversation_id: i64) {
        self.live
            .publish(
                &self.store,
                LiveEvent::Conversation {
                    id: conversation_id,
                },
            )
            .await;
    }

    /// A volunteer takes an unassigned conversation. Taking one a colleague took a moment
    /// earlier is refused, so two people never answer the same person.
    pub async fn take_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let conversation = self.visible_conversation(actor, id).await?;
        if conversation.assignee_id == Some(actor.id) {
            return Ok(());
        }
        let me = PersonRow {
            id: actor.id,
            name: actor.name.clone(),
        };
        let taken = self
            .store
            .assign_conversation(id, Some(&me), AssignWhen::Unassigned, Some(actor.id))
            .await?;
        if !taken {
            return Err(AppError::conflict(
                "Someone else has just taken this conversation.",
            ));
        }
        self.store
            .audit(
                Some(actor.id),
                "conversation.take",
                &format!("conversation:{id}"),
                serde_json::json!({ "assignee_id": actor.id }),
            )
            .await?;
        self.changed(id).await;
        Ok(())
    }

    /// A coordinator assigns a conversation to anyone active, or unassigns it (`None`).
    pub async fn assign_conversation(
        &self,
        actor: &Actor,
        id: i64,
        assignee_id: Option<i64>,
    ) -> Result<(), AppError> {
        actor.require(Permission::AssignConversations)?;
        self.visible_conversation(actor, id).await?;
        let assignee = match assignee_id {
            Some(person) => Some(
                self.store
                    .active_people()
                    .await?
                    .into_iter()
                    .find(|candidate| candidate.id == person)
                    .ok_or_else(|| {
                        AppError::unprocessable("Assign to an active person of the organisation.")
                    })?,
            ),
            None => None,
        };
        let changed = self
            .store
            .assign_conversation(id, assignee.as_ref(), AssignWhen::Always, Some(actor.id))
            .await?;
        if changed {
            self.store
                .audit(
                    Some(actor.id),
                    "conversation.assign",
                    &format!("conversation:{id}"),
                    serde_json::json!({ "assignee_id": assignee_id }),
                )
                .await?;
            self.changed(id).await;
        }
        Ok(())
    }

    /// Resolve, reopen, mark pending or snooze until a time.
    pub async fn set_conversation_status(
        &self,
        actor: &Actor,
        id: i64,
        change: StatusChange,
    ) -> Result<(), AppError> {
        self.visible_conversation(actor, id).await?;
        let snoozed_until = match (change.status, change.snoozed_until.as_deref()) {
            (ConversationStatus::Snoozed, Some(until)) => {
                let until = parse_time(until).ok_or_else(|| {
                    AppError::unprocessable("Give the end of the snooze as a date and time.")
                })?;
                if until <= now_ms() {
                    return Err(AppError::unprocessable("A snooze must end in the future."));
                }
                Some(until)
            }
            (ConversationStatus::Snoozed, None) => {
                return Err(AppError::unprocessable("Say until when to snooze."));
            }
            (_, Some(_)) => {
                return Err(AppError::unprocessable("Only a snooze has an end time."));
            }
            (_, None) => None,
        };
        let changed = self
            .store
            .set_conversation_status(id, change.status.as_str(), snoozed_until, Some(actor.id))
            .await?;
        if changed {
            self.changed(id).await;
        }
        if changed && change.status == ConversationStatus::Resolved {
            self.ask_for_rating(id, actor.id).await?;
        }
        Ok(())
    }

    pub async fn list_tags(&self, actor: &Actor) -> Result<Vec<Tag>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        Ok(self
            .store
            .list_tags()
            .await?
            .into_iter()
            .map(tag_of)
            .collect())
    }

    pub async fn create_tag(&self, actor: &Actor, input: TagInput) -> Result<Tag, AppError> {
        actor.require(Permission::ManageTags)?;
        let (name, colour) = valid_tag(&input)?;
        Ok(tag_of(self.store.create_tag(&name, &colour).await?))
    }

    pub async fn update_tag(
        &self,
        actor: &Actor,
        id: i64,
        input: TagInput,
    ) -> Result<Tag, AppError> {
        actor.require(Permission::ManageTags)?;
        let (name, colour) = valid_tag(&input)?;
        self.store
            .update_tag(id, &name, &colour)
            .await?
            .map(tag_of)
            .ok_or_else(|| AppError::not_found("Tag"))
    }

    pub async fn delete_tag(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManageTags)?;
        if self.store.delete_tag(id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("Tag"))
        }
    }

    /// Puts a tag on a conversation (`tagged`) or takes it off.
    pub async fn tag_conversation(
        &self,
        actor: &Actor,
        id: i64,
        tag_id: i64,
        tagged: bool,
    ) -> Result<(), AppError> {
        self.visible_conversation(actor, id).await?;
        let tag = self
            .store
            .tag(tag_id)
            .await?
            .ok_or_else(|| AppError::not_found("Tag"))?;
        if self
            .store
            .set_conversation_tag(id, &tag, tagged, actor.id)
            .await?
        {
            self.changed(id).await;
        }
        Ok(())
    }

    /// A private note in the thread; the people it `@mentions` are notified.
    /// The notes that mentioned this person, in conversations they may still see.
    pub async fn mentions(&self, actor: &Actor) -> Result<Vec<Mention>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let visible_to = (!actor.role.can(Permission::SeeAllConversations)).then_some(actor.id);
        Ok(self
            .store
            .mentions_of(
                actor.id,
                visible_to,
                self.access_cutoff(actor).await?,
                MENTIONS_LISTED,
            )
            .await?
            .into_iter()
            .map(|row| Mention {
                conversation_id: row.conversation_id,
                contact_name: row.contact_name,
                author_name: row.author_name,
                body: row.body,
                at: rfc3339(row.created_at),
                read: row.read_at.is_some(),
            })
            .collect())
    }

    pub async fn add_conversation_note(
        &self,
        actor: &Actor,
        id: i64,
        body: &str,
    ) -> Result<Note, AppError> {
        self.visible_conversation(actor, id).await?;
        let body = valid_note(body)?;
        let people = self.store.active_people().await?;
        let named: Vec<(i64, &str)> = people
            .iter()
            .map(|person| (person.id, person.name.as_str()))
            .collect();
        let mentioned: Vec<i64> = mentioned_people(body, &named)
            .into_iter()
            .filter(|person| *person != actor.id)
            .collect();
        let note_id = self
            .store
            .add_note(NoteSubject::Conversation(id), actor.id, body, &mentioned)
            .await?;
        self.changed(id).await;
        for person_id in mentioned {
            self.live
                .publish(
                    &self.store,
                    LiveEvent::Mention {
                        person_id,
                        conversation_id: id,
                        author_name: actor.name.clone(),
                    },
                )
                .await;
        }
        Ok(Note {
            id: note_id,
            author_name: actor.name.clone(),
            body: body.to_owned(),
            at: rfc3339(now_ms()),
            at_ms: now_ms(),
        })
    }

    /// Tells others that this person has the conversation open, or is typing in it.
    pub async fn announce_presence(
        &self,
        actor: &Actor,
        conversation_id: i64,
        typing: bool,
    ) -> Result<(), AppError> {
        self.visible_conversation(actor, conversation_id).await?;
        self.note_presence(actor.id, Some(conversation_id)).await;
        self.live
            .publish(
                &self.store,
                LiveEvent::Presence {
                    conversation_id,
                    person_id: actor.id,
                    person_name: actor.name.clone(),
                    typing,
                },
            )
            .await;
        Ok(())
    }

    /// Whether auto-assignment may give this person conversations.
    pub async fn set_available(&self, actor: &Actor, available: bool) -> Result<(), AppError> {
        actor.require(Permission::AnswerConversations)?;
        self.store.set_available(actor.id, available).await?;
        Ok(())
    }

    pub async fn is_available(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(self.store.is_available(actor.id).await?)
    }

    /// Gives the longest-waiting unassigned open conversation to the next available volunteer
    /// under the cap, when the organisation turned auto-assignment on. Returns whether it did.
    pub async fn auto_assign_next(&self) -> Result<bool, AppError> {
        let settings = self.inbox_settings().await?;
        if !settings.auto_assign {
            return Ok(false);
        }
        let cap = if settings.auto_assign_cap > 0 {
            settings.auto_assign_cap
        } else {
            i64::MAX
        };
        let Some(conversation_id) = self.store.oldest_unassigned_open().await? else {
            return Ok(false);
        };
        let Some(person) = self.store.next_auto_assignee(cap).await? else {
            return Ok(false);
        };
        let assigned = self
            .store
            .assign_conversation(conversation_id, Some(&person), AssignWhen::Unassigned, None)
            .await?;
        if assigned {
            self.store.mark_auto_assigned(person.id).await?;
            self.store
                .audit(
                    None,
                    "conversation.auto_assign",
                    &format!("conversation:{conversation_id}"),
                    serde_json::json!({ "assignee_id": person.id }),
                )
                .await?;
            self.changed(conversation_id).await;
        }
        Ok(assigned)
    }

    /// Reopens conversations whose snooze has ended; returns how many.
    pub async fn wake_snoozed(&self) -> Result<usize, AppError> {
        let woken = self.store.wake_snoozed().await?;
        for &id in &woken {
            self.changed(id).await;
        }
        Ok(woken.len())
    }
}
