//! Urgent conversations: flagged when a risk word matches an inbound message (in the webhook's
//! transaction) or by a coordinator, and cleared by a coordinator. Each change is told in the
//! thread and recorded in the audit log in the same transaction, so a flag never exists without
//! its record.

use sqlx::AnyConnection;

use super::conversations::record_event;
use super::{Store, StoreResult, now_ms};

/// The audit entry of a change to a conversation, written with it.
async fn audit_in(
    tx: &mut AnyConnection,
    actor_id: Option<i64>,
    action: &str,
    conversation_id: i64,
    detail: serde_json::Value,
    now: i64,
) -> StoreResult<()> {
    let subject = format!("conversation:{conversation_id}");
    super::audit::audit_in(tx, actor_id, action, &subject, detail, now).await
}

/// Makes a conversation urgent because `message_id` holds the risk word `word`; false when it
/// already was. The audit entry names the word and the message, never the message's text.
pub(super) async fn flag_for_risk_word(
    tx: &mut AnyConnection,
    conversation_id: i64,
    message_id: i64,
    word: &str,
    now: i64,
) -> StoreResult<bool> {
    let flagged = sqlx::query(
        "UPDATE conversations SET urgent = 1, urgent_at = $1, urgent_word = $2, urgent_by = NULL \
         WHERE id = $3 AND urgent = 0",
    )
    .bind(now)
    .bind(word)
    .bind(conversation_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if flagged {
        let detail = serde_json::json!({ "word": word, "message_id": message_id });
        record_event(tx, conversation_id, None, "urgent", detail.clone(), now).await?;
        audit_in(
            tx,
            None,
            "conversation.flagged_urgent",
            conversation_id,
            detail,
            now,
        )
        .await?;
    }
    Ok(flagged)
}

impl Store {
    /// A person flags a conversation urgent, or clears the flag, with their reason (required
    /// to clear, which the caller checks). Returns false when it already was so.
    pub async fn set_urgent(
        &self,
        conversation_id: i64,
        urgent: bool,
        actor_id: i64,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let update = if urgent {
            sqlx::query(
                "UPDATE conversations SET urgent = 1, urgent_at = $1, urgent_word = NULL, urgent_by = $2 \
                 WHERE id = $3 AND urgent = 0",
            )
            .bind(now)
            .bind(actor_id)
            .bind(conversation_id)
        } else {
            sqlx::query(
                "UPDATE conversations SET urgent = 0, urgent_at = NULL, urgent_word = NULL, urgent_by = NULL \
                 WHERE id = $1 AND urgent = 1",
            )
            .bind(conversation_id)
        };
        let changed = update.execute(&mut *tx).await?.rows_affected() == 1;
        if changed {
            let detail = serde_json::json!({ "reason": reason });
            let (kind, action) = if urgent {
                ("urgent", "conversation.flagged_urgent")
            } else {
                ("urgent_cleared", "conversation.urgent_cleared")
            };
            record_event(
                &mut tx,
                conversation_id,
                Some(actor_id),
                kind,
                detail.clone(),
                now,
            )
            .await?;
            audit_in(
                &mut tx,
                Some(actor_id),
                action,
                conversation_id,
                detail,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}
