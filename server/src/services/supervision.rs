//! Supervision: coordinators (and admins) see who is online and what they have open, join a
//! conversation to read along or take it over, and approve or reject the replies trainees wrote
//! before they reach the contact.

use app::error::AppError;
use app::model::{
    Approval, ConversationEvent, EventFacts, HeldReply, LiveEvent, OnlinePerson, OpenConversation,
    Permission, Rejection, Role, SupervisionBoard,
};
use app::ports::Actor;
use serde_json::json;

use super::inbox::channel_refusal;
use super::{Services, rfc3339};
use crate::domain::supervision::{ONLINE_FOR_MS, edited_reply, rejection_note, waited_seconds};
use crate::store::{ConversationRow, Review, ReviewRow, SupervisionEventRow, now_ms};

/// What supervision did, for the page to word in its reader's language; `None` for what it
/// has no words for.
fn supervision_facts(event: &SupervisionEventRow) -> Option<EventFacts> {
    let who = event.actor_name.clone();
    let subject = event.subject_name.clone();
    Some(match event.kind.as_str() {
        "joined" => EventFacts::Joined { who },
        "took_over" => EventFacts::TookOver { who, from: subject },
        "approved" => EventFacts::Approved {
            who,
            author: subject,
        },
        "rejected" => EventFacts::Rejected {
            who,
            author: subject,
            note: event.note.clone().unwrap_or_default(),
        },
        _ => return None,
    })
}

/// What supervision did, as a sentence for the thread, in English.
fn describe(event: &SupervisionEventRow) -> String {
    let who = event.actor_name.as_deref().unwrap_or("Someone");
    let whose = event.subject_name.as_deref().unwrap_or("the team");
    match (event.kind.as_str(), event.subject_name.as_deref()) {
        ("joined", _) => format!("Coordinator {who} joined"),
        ("took_over", Some(from)) => format!("{who} took this over from {from}"),
        ("took_over", None) => format!("{who} took this over"),
        ("approved", _) => format!("{who} approved the reply by {whose}"),
        ("rejected", _) => format!(
            "{who} rejected the reply by {whose}: {}",
            event.note.as_deref().unwrap_or_default()
        ),
        (other, _) => format!("{who}: {other}"),
    }
}

impl Services {
    async fn supervised(&self, conversation_id: i64) {
        self.live
            .publish(
                &self.store,
                LiveEvent::Conversation {
                    id: conversation_id,
                },
            )
            .await;
    }

    /// Who is online now, what each has open with how long its contact has waited, and the
    /// replies waiting for approval.
    pub async fn supervision_board(&self, actor: &Actor) -> Result<SupervisionBoard, AppError> {
        actor.require(Permission::Supervise)?;
        let now = now_ms();
        let since = now - ONLINE_FOR_MS;
        let open = self.store.open_conversations(since).await?;
        let online = self
            .store
            .online_people(since)
            .await?
            .into_iter()
            .map(|person| OnlinePerson {
                open: open
                    .iter()
                    .filter(|row| row.person_id == person.id)
                    .map(|row| OpenConversation {
                        conversation_id: row.conversation_id,
                        contact_name: row.contact_name.clone(),
                        assignee_name: row.assignee_name.clone(),
                        waiting_since: row.waiting_since.map(rfc3339),
                        waiting_seconds: row.waiting_since.map(|at| waited_seconds(at, now)),
                    })
                    .collect(),
                role: Role::parse(&person.role).unwrap_or(Role::Volunteer),
                trainee: person.trainee != 0,
                last_seen_at: rfc3339(person.seen_at),
                id: person.id,
                name: person.name,
            })
            .collect();
        let awaiting_approval = self
            .store
            .held_replies()
            .await?
            .into_iter()
            .map(|row| HeldReply {
                message_id: row.message_id,
                conversation_id: row.conversation_id,
                contact_name: row.contact_name,
                author_id: row.author_id,
                author_name: row.author_name,
                kind: row.kind,
                body: row.body,
                written_at: rfc3339(row.created_at),
            })
            .collect();
        Ok(SupervisionBoard {
            online,
            awaiting_approval,
        })
    }

    /// A held reply this coordinator may decide, with its conversation: 404 for an unknown one,
    /// 409 for one not held.
    async fn held_for_review(
        &self,
        actor: &Actor,
        message_id: i64,
    ) -> Result<(ReviewRow, ConversationRow), AppError> {
        actor.require(Permission::Supervise)?;
        let message = self
            .store
            .message_for_review(message_id)
            .await?
            .ok_or_else(|| AppError::not_found("Message"))?;
        let conversation = self
            .visible_conversation(actor, message.conversation_id)
            .await?;
        if message.status != "awaiting_approval" {
            return Err(AppError::conflict(
                "This reply is not waiting for approval: it was approved or rejected already.",
            ));
        }
        Ok((message, conversation))
    }

    /// Approves a trainee's reply, with the coordinator's text instead when edited: it goes on
    /// the outbox like any reply, so it is sent once. The audit log keeps the original.
    pub async fn approve_message(
        &self,
        actor: &Actor,
        message_id: i64,
        approval: Approval,
    ) -> Result<(), AppError> {
        let (message, conversation) = self.held_for_review(actor, message_id).await?;
        // The reply waited: the window may have closed or the contact opted out meanwhile.
        if let Some(refusal) = channel_refusal(&conversation, &message.kind) {
            return Err(AppError::unprocessable(format!(
                "{refusal} Reject this reply and tell the trainee what to send instead."
            )));
        }
        let edited = approval
            .body
            .as_deref()
            .map(|body| edited_reply(&message.kind, body))
            .transpose()
            .map_err(|refused| AppError::unprocessable(refused.to_string()))?
            .filter(|body| *body != message.body);
        let approved = self
            .store
            .review_held_reply(
                message_id,
                actor.id,
                Review::Approved {
                    body: edited.as_deref(),
                },
            )
            .await?;
        if !approved {
            return Err(AppError::conflict(
                "This reply is not waiting for approval: it was approved or rejected already.",
            ));
        }
        self.store
            .audit(
                Some(actor.id),
                "message.approved",
                &format!("message:{message_id}"),
                json!({
                    "conversation_id": message.conversation_id,
                    "edited": edited.is_some(),
                    "original_body": message.body,
                    "sent_body": edited.as_deref().unwrap_or(&message.body),
                }),
            )
            .await?;
        self.deliveries.notify_one();
        self.supervised(message.conversation_id).await;
        Ok(())
    }

    /// Rejects a trainee's reply: it is not sent, and the thread shows the note.
    pub async fn reject_message(
        &self,
        actor: &Actor,
        message_id: i64,
        rejection: Rejection,
    ) -> Result<(), AppError> {
        let (message, _) = self.held_for_review(actor, message_id).await?;
        let note = rejection_note(&rejection.note)
            .map_err(|refused| AppError::unprocessable(refused.to_string()))?;
        let rejected = self
            .store
            .review_held_reply(message_id, actor.id, Review::Rejected { note: &note })
            .await?;
        if !rejected {
            return Err(AppError::conflict(
                "This reply is not waiting for approval: it was approved or rejected already.",
            ));
        }
        self.store
            .audit(
                Some(actor.id),
                "message.rejected",
                &format!("message:{message_id}"),
                json!({ "conversation_id": message.conversation_id, "note": note }),
            )
            .await?;
        self.supervised(message.conversation_id).await;
        Ok(())
    }

    /// A coordinator joins a conversation to read along; the thread tells the volunteer.
    pub async fn join_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        actor.require(Permission::Supervise)?;
        self.visible_conversation(actor, id).await?;
        if self.store.join_conversation(id, actor.id).await? {
            self.store
                .audit(
                    Some(actor.id),
                    "conversation.joined",
                    &format!("conversation:{id}"),
                    json!({}),
                )
                .await?;
            self.supervised(id).await;
        }
        Ok(())
    }

    /// A coordinator takes a conversation over: it is assigned to them (as any assignment, told
    /// live and in the thread), and the thread says whom they took it from.
    pub async fn take_over_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        actor.require(Permission::Supervise)?;
        let conversation = self.visible_conversation(actor, id).await?;
        if conversation.assignee_id == Some(actor.id) {
            return Ok(());
        }
        self.assign_conversation(actor, id, Some(actor.id)).await?;
        self.store
            .record_take_over(id, actor.id, conversation.assignee_name.as_deref())
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "conversation.take_over",
                &format!("conversation:{id}"),
                json!({ "previous_assignee_id": conversation.assignee_id }),
            )
            .await?;
        self.supervised(id).await;
        if let Some(person_id) = conversation.assignee_id {
            self.live
                .publish(
                    &self.store,
                    LiveEvent::TakenOver {
                        person_id,
                        conversation_id: id,
                        by_name: actor.name.clone(),
                    },
                )
                .await;
        }
        Ok(())
    }

    /// What supervision did in a conversation, as thread entries.
    pub(crate) async fn supervision_thread_events(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<ConversationEvent>, AppError> {
        Ok(self
            .store
            .supervision_events(conversation_id)
            .await?
            .into_iter()
            .map(|event| ConversationEvent {
                text: describe(&event),
                facts: supervision_facts(&event),
                id: event.id,
                at: rfc3339(event.created_at),
                at_ms: event.created_at,
            })
            .collect())
    }

    /// Notes that this person has the conversation open, for the Supervision board. Presence is
    /// a convenience: a failure is logged, never the caller's.
    pub(crate) async fn note_presence(&self, person_id: i64, conversation_id: Option<i64>) {
        let noted = match conversation_id {
            Some(conversation_id) => {
                self.store
                    .touch_conversation(person_id, conversation_id)
                    .await
            }
            None => self.store.touch_online(person_id).await,
        };
        if let Err(error) = noted {
            tracing::warn!(%error, "could not note who is online");
        }
    }

    /// Whether this person's replies wait for a coordinator's approval.
    pub(crate) async fn is_trainee(&self, person_id: i64) -> Result<bool, AppError> {
        Ok(self.store.is_trainee(person_id).await?)
    }
}
