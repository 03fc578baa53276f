//! Erasure requests by message, and the answers sent about them.

use sqlx::AnyConnection;

use super::audit::audit_in;
use super::{Store, StoreResult, now_ms};

/// An erasure request as admins list it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ErasureRequestRow {
    pub id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub contact_erased_at: Option<i64>,
    pub conversation_id: i64,
    pub requested_at: i64,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

/// Records the erasure request the inbound message `message_id` makes, with its audit entry and
/// `answer` queued to the contact (unless they opted out), in the webhook's transaction: a
/// request acknowledged to the provider is never lost. False when the contact already has a
/// pending request or the message was taken as one before.
pub(super) async fn request_erasure_in(
    tx: &mut AnyConnection,
    contact_id: i64,
    conversation_id: i64,
    message_id: i64,
    answer: &str,
    now: i64,
) -> StoreResult<bool> {
    let request_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO erasure_requests (contact_id, conversation_id, message_id, requested_at, status) \
         SELECT $1, $2, $3, $4, 'pending' \
         WHERE NOT EXISTS (SELECT 1 FROM erasure_requests p WHERE p.contact_id = $1 AND p.status = 'pending') \
         ON CONFLICT (message_id) DO NOTHING RETURNING id",
    )
    .bind(contact_id)
    .bind(conversation_id)
    .bind(message_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(request_id) = request_id else {
        return Ok(false);
    };
    let subject = format!("contact:{contact_id}");
    let detail = serde_json::json!({ "request_id": request_id });
    audit_in(tx, None, "erasure_request.received", &subject, detail, now).await?;
    let opted_out: Option<i64> =
        sqlx::query_scalar("SELECT opted_out_at FROM contacts WHERE id = $1")
            .bind(contact_id)
            .fetch_one(&mut *tx)
            .await?;
    if opted_out.is_none() {
        let channel_id: i64 =
            sqlx::query_scalar("SELECT channel_id FROM conversations WHERE id = $1")
                .bind(conversation_id)
                .fetch_one(&mut *tx)
                .await?;
        insert_answer(tx, conversation_id, channel_id, None, answer, None, now).await?;
    }
    Ok(true)
}

/// A text answer in the conversation with its delivery job (already claimed by `claimed_by`
/// when given); returns the job.
async fn insert_answer(
    tx: &mut AnyConnection,
    conversation_id: i64,
    channel_id: i64,
    author_id: Option<i64>,
    body: &str,
    claimed_by: Option<&str>,
    now: i64,
) -> StoreResult<i64> {
    let message = AutomaticMessage {
        kind: "text",
        body,
        content: "{}",
        survey: None,
    };
    let (_, job_id) = insert_automatic_message(
        tx,
        conversation_id,
        channel_id,
        author_id,
        &message,
        claimed_by,
        now,
    )
    .await?;
    Ok(job_id)
}

/// A message Switchboard sends by itself, not a person's reply.
pub(super) struct AutomaticMessage<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    /// JSON, as `OutboundReply::content`.
    pub content: &'a str,
    /// The satisfaction survey it belongs to, and its part in it (`question`, `thanks`).
    pub survey: Option<(i64, &'a str)>,
}

/// Commits an automatic message with its delivery job; returns the message's and the job's
/// ids. Unlike a person's reply it leaves the conversation's status, wait and unread count as
/// they are.
pub(super) async fn insert_automatic_message(
    tx: &mut AnyConnection,
    conversation_id: i64,
    channel_id: i64,
    author_id: Option<i64>,
    message: &AutomaticMessage<'_>,
    claimed_by: Option<&str>,
    now: i64,
) -> StoreResult<(i64, i64)> {
    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, channel_id, direction, author_id, kind, body, content, \
         status, provider_timestamp, created_at, updated_at, survey_id, survey_part) \
         VALUES ($1, $2, 'outbound', $3, $4, $5, $6, 'pending', $7, $7, $7, $8, $9) RETURNING id",
    )
    .bind(conversation_id)
    .bind(channel_id)
    .bind(author_id)
    .bind(message.kind)
    .bind(message.body)
    .bind(message.content)
    .bind(now)
    .bind(message.survey.map(|(survey_id, _)| survey_id))
    .bind(message.survey.map(|(_, part)| part))
    .fetch_one(&mut *tx)
    .await?;
    let job_id: i64 = sqlx::query_scalar(
        "INSERT INTO outbound_jobs (message_id, channel_id, state, attempts, next_attempt_at, \
         claimed_at, claimed_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $5, $5) RETURNING id",
    )
    .bind(message_id)
    .bind(channel_id)
    .bind(if claimed_by.is_some() {
        "sending"
    } else {
        "pending"
    })
    .bind(i64::from(claimed_by.is_some()))
    .bind(now)
    .bind(claimed_by.map(|_| now))
    .bind(claimed_by)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE conversations SET last_message_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    Ok((message_id, job_id))
}

const REQUEST_SELECT: &str = "SELECT r.id, r.contact_id, ct.name AS contact_name, \
       ct.erased_at AS contact_erased_at, r.conversation_id, r.requested_at, r.status, \
       r.decided_by, u.name AS decided_by_name, r.decided_at, r.reason \
     FROM erasure_requests r JOIN contacts ct ON ct.id = r.contact_id \
     LEFT JOIN users u ON u.id = r.decided_by";

impl Store {
    /// Pending requests first, oldest first (the queue), then decided ones, newest first.
    pub async fn erasure_requests(&self, limit: i64) -> StoreResult<Vec<ErasureRequestRow>> {
        Ok(sqlx::query_as(&format!(
            "{REQUEST_SELECT} ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, \
             CASE WHEN r.status = 'pending' THEN r.requested_at ELSE -r.requested_at END, r.id \
             LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn erasure_request(&self, id: i64) -> StoreResult<Option<ErasureRequestRow>> {
        Ok(sqlx::query_as(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Decides a pending request; false when it was not pending (someone decided first).
    pub async fn decide_erasure_request(
        &self,
        id: i64,
        status: &str,
        decided_by: i64,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE erasure_requests SET status = $1, decided_by = $2, decided_at = $3, reason = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(decided_by)
        .bind(now_ms())
        .bind(reason)
        .bind(id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Makes a request pending again, when what deciding it needed could not be done.
    pub async fn reopen_erasure_request(&self, id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE erasure_requests SET status = 'pending', decided_by = NULL, decided_at = NULL, \
             reason = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Commits a text answer in the conversation with its delivery job; returns the job.
    /// Unlike a person's reply it leaves the conversation waiting and unread: the request
    /// still needs someone. With `claimed_by` the job is already claimed by that worker, so
    /// no background worker sends it: the caller sends it at once.
    pub async fn queue_answer(
        &self,
        conversation_id: i64,
        channel_id: i64,
        author_id: Option<i64>,
        body: &str,
        claimed_by: Option<&str>,
    ) -> StoreResult<i64> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let job_id = insert_answer(
            &mut tx,
            conversation_id,
            channel_id,
            author_id,
            body,
            claimed_by,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(job_id)
    }
}
