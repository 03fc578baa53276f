//! Erasure requests by message: a contact writes the keyword admins set, a request is
//! recorded and acknowledged, and an admin confirms it (the contact is told, then erased) or
//! declines it with a reason the contact is told.

use app::error::AppError;
use app::model::{ErasureDecision, ErasureKeyword, LiveEvent, Permission, RequestedErasure};
use app::ports::Actor;
use channels::outbound::SendOutcome;

use super::inbox::channel_refusal;
use super::provider::CallError;
use super::{Services, rfc3339};
use crate::domain::data_requests::{self, CONFIRMED_ANSWER};
use crate::store::{ConversationRow, ErasureRequestRow};

const ERASURE_KEYWORD: &str = "erasure_keyword";
/// Requests listed at once; pending ones come first.
const REQUESTS_LISTED: i64 = 200;
/// Who sends an answer that cannot wait for the background workers.
const ANSWERING_NOW: &str = "erasure-answer";

fn request_of(row: ErasureRequestRow) -> RequestedErasure {
    RequestedErasure {
        id: row.id,
        contact_id: row.contact_id,
        contact_name: row.contact_name,
        conversation_id: row.conversation_id,
        requested_at: rfc3339(row.requested_at),
        status: row.status,
        decided_by_id: row.decided_by,
        decided_by_name: row.decided_by_name,
        decided_at: row.decided_at.map(rfc3339),
        reason: row.reason,
    }
}

/// Whether a free-text answer may go out in this conversation now.
fn may_answer(row: &ConversationRow) -> bool {
    channel_refusal(row, "text").is_none()
}

impl Services {
    pub async fn erasure_keyword(&self) -> Result<ErasureKeyword, AppError> {
        Ok(match self.store.setting(ERASURE_KEYWORD).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "erasure keyword unreadable; using the default");
                ErasureKeyword::default()
            }),
            None => ErasureKeyword::default(),
        })
    }

    pub async fn erasure_keyword_for(&self, actor: &Actor) -> Result<ErasureKeyword, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.erasure_keyword().await
    }

    pub async fn update_erasure_keyword(
        &self,
        actor: &Actor,
        setting: ErasureKeyword,
    ) -> Result<ErasureKeyword, AppError> {
        actor.require(Permission::ManageSettings)?;
        let setting = ErasureKeyword {
            keyword: data_requests::valid_keyword(&setting.keyword)
                .map_err(|error| AppError::unprocessable(error.to_string()))?,
        };
        let json = serde_json::to_value(&setting).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(ERASURE_KEYWORD, &json.to_string())
            .await?;
        self.forget_screening();
        self.store
            .audit(Some(actor.id), "settings.erasure_keyword", "settings", json)
            .await?;
        Ok(setting)
    }

    /// Tells the conversations where a webhook just recorded an erasure request: their
    /// acknowledgement is queued.
    pub(crate) async fn erasure_requested(&self, conversations: Vec<i64>) {
        if conversations.is_empty() {
            return;
        }
        self.deliveries.notify_one();
        for id in conversations {
            self.live
                .publish(&self.store, LiveEvent::Conversation { id })
                .await;
        }
    }

    /// Every request, pending first (oldest first), then decided ones (newest first).
    pub async fn erasure_requests(&self, actor: &Actor) -> Result<Vec<RequestedErasure>, AppError> {
        actor.require(Permission::HandleDataRequests)?;
        Ok(self
            .store
            .erasure_requests(REQUESTS_LISTED)
            .await?
            .into_iter()
            .map(request_of)
            .collect())
    }

    /// A pending request, decided by this admin from now on: `None` when it is not pending.
    async fn take_decision(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<ErasureRequestRow, AppError> {
        actor.require(Permission::HandleDataRequests)?;
        let request = self
            .store
            .erasure_request(id)
            .await?
            .ok_or_else(|| AppError::not_found("Erasure request"))?;
        if !self
            .store
            .decide_erasure_request(id, status, actor.id, reason)
            .await?
        {
            return Err(AppError::conflict("This request has been decided already."));
        }
        Ok(request)
    }

    /// Confirms a request: the contact is told their data has been deleted (sent now, and
    /// only once: the erasure that follows removes the conversation and its outbox), then
    /// everything held about them is erased. If the answer cannot be sent, nothing is erased
    /// and the request stays pending.
    pub async fn confirm_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ErasureDecision, AppError> {
        let request = self.take_decision(actor, id, "confirmed", None).await?;
        let conversation = self.store.conversation(request.conversation_id).await?;
        let answered = match conversation.filter(may_answer) {
            Some(conversation) => match self
                .answer_now(actor, &conversation, CONFIRMED_ANSWER)
                .await
            {
                Ok(()) => true,
                Err(error) => {
                    self.store.reopen_erasure_request(id).await?;
                    return Err(error);
                }
            },
            None => false,
        };
        let erasure = match request.contact_erased_at {
            Some(_) => None,
            None => Some(
                self.erase_confirmed_contact(actor, request.contact_id)
                    .await?,
            ),
        };
        self.store
            .audit(
                Some(actor.id),
                "erasure_request.confirmed",
                &format!("contact:{}", request.contact_id),
                serde_json::json!({ "request_id": id, "answered": answered }),
            )
            .await?;
        self.decision(id, answered, erasure).await
    }

    /// Declines a request; the contact is told why (through the outbox, as a reply).
    pub async fn decline_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<ErasureDecision, AppError> {
        actor.require(Permission::HandleDataRequests)?;
        let reason = data_requests::valid_reason(reason)
            .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let request = self
            .take_decision(actor, id, "declined", Some(reason))
            .await?;
        let conversation = self
            .store
            .conversation(request.conversation_id)
            .await?
            .filter(may_answer);
        let answered = conversation.is_some();
        if let Some(conversation) = conversation {
            self.store
                .queue_answer(
                    conversation.id,
                    conversation.channel_id,
                    Some(actor.id),
                    &data_requests::declined_answer(reason),
                    None,
                )
                .await?;
            self.deliveries.notify_one();
            self.live
                .publish(
                    &self.store,
                    LiveEvent::Conversation {
                        id: conversation.id,
                    },
                )
                .await;
        }
        self.store
            .audit(
                Some(actor.id),
                "erasure_request.declined",
                &format!("contact:{}", request.contact_id),
                serde_json::json!({ "request_id": id, "answered": answered }),
            )
            .await?;
        self.decision(id, answered, None).await
    }

    async fn decision(
        &self,
        id: i64,
        answered: bool,
        erasure: Option<app::model::ErasureReport>,
    ) -> Result<ErasureDecision, AppError> {
        let request = self
            .store
            .erasure_request(id)
            .await?
            .map(request_of)
            .ok_or_else(|| AppError::not_found("Erasure request"))?;
        Ok(ErasureDecision {
            request,
            answered,
            erasure,
        })
    }

    /// Sends a text answer in the conversation at once, by the channel's send rate, and
    /// returns once the provider took it. The job is claimed as it is queued, so no worker
    /// sends it too, and it ends sent or failed: it is never tried again by itself.
    async fn answer_now(
        &self,
        actor: &Actor,
        conversation: &ConversationRow,
        body: &str,
    ) -> Result<(), AppError> {
        let job_id = self
            .store
            .queue_answer(
                conversation.id,
                conversation.channel_id,
                Some(actor.id),
                body,
                Some(ANSWERING_NOW),
            )
            .await?;
        let job = self.store.outbound_job(job_id).await?;
        let channel = self.connected_channel(job.channel_id).await?;
        tokio::time::sleep(self.wait_for_send_slot(&channel).await?).await;
        let failed = match self.send(&channel, &job).await {
            Ok(SendOutcome::Accepted {
                provider_message_id,
            }) => {
                self.record_accepted(&channel, &job, &provider_message_id)
                    .await?;
                return Ok(());
            }
            Ok(SendOutcome::Retry { error, .. } | SendOutcome::Rejected { error }) => {
                let title = error
                    .title
                    .unwrap_or_else(|| "The provider refused the message".into());
                let code = error.code.to_string();
                self.store
                    .delivery_ended(&job, "failed", Some(&code), &title)
                    .await?;
                format!("{code} {title}")
            }
            Ok(SendOutcome::Unknown { reason }) | Err(CallError::Unknown(reason)) => {
                self.store
                    .delivery_ended(&job, "unknown", None, &reason)
                    .await?;
                reason
            }
            Err(CallError::NotSent(reason)) => {
                self.store
                    .delivery_ended(&job, "failed", None, &reason)
                    .await?;
                reason
            }
        };
        tracing::warn!(conversation = conversation.id, reason = %failed, "an erasure answer was not sent");
        Err(AppError::provider_unavailable(
            "The contact could not be told that their data is deleted, so nothing was erased. \
             The request is still pending: try again later.",
        ))
    }
}
