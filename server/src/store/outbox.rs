//! The durable outbox: a reply and its delivery job are committed together; workers on any
//! instance claim jobs atomically, so a job is sent by one worker only.

use super::costs::{NewCost, record_cost};
use super::{Backend, Store, StoreResult, lock_provider_message, now_ms};
use crate::metrics::OutboxBacklog;

/// A claimed delivery job with what is needed to send it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboundJob {
    pub id: i64,
    pub message_id: i64,
    pub channel_id: i64,
    pub attempts: i64,
    /// `text`, or `template` with the template's name and values in `content`.
    pub kind: String,
    pub body: String,
    pub content: String,
    /// The contact's address on the channel.
    pub address: String,
    pub last_inbound_at: Option<i64>,
}

/// A reply to queue.
pub struct OutboundReply<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub content: &'a str,
    pub file: Option<OutboundFile<'a>>,
    /// A reply sent translated: `body` is the translation the contact receives.
    pub translation: Option<ReplyTranslation<'a>>,
}

/// What a translated reply keeps beside the translation it sends.
pub struct ReplyTranslation<'a> {
    /// The language `body` is in.
    pub language: &'a str,
    /// What the author wrote.
    pub original_text: &'a str,
}

/// A file a person sends, already kept on disk under its hash. `shared_token` makes the
/// link Twilio and Meta fetch it from.
pub struct OutboundFile<'a> {
    /// What the file is shown as: `image`, `audio`, `video` or `document`.
    pub kind: &'a str,
    pub mime_type: &'a str,
    pub filename: Option<&'a str>,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub shared_token: &'a str,
}

/// The file of an outbound message, for its delivery.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboundFileRow {
    pub mime_type: String,
    pub filename: Option<String>,
    pub sha256: String,
    pub source: String,
}

/// Outbound files are linked as `upload:<token>` in `attachments.source`.
pub const SHARED_SOURCE_PREFIX: &str = "upload:";

/// How long a claimed job may stay in `sending` before it counts as interrupted.
const CLAIM_LEASE_MS: i64 = 2 * 60 * 1000;

impl Store {
    /// Commits an outbound message and its delivery job in one transaction. `body` is what
    /// the thread shows; `content` (JSON) is what the delivery needs besides it.
    pub async fn enqueue_reply(
        &self,
        conversation_id: i64,
        channel_id: i64,
        author_id: i64,
        reply: OutboundReply<'_>,
    ) -> StoreResult<i64> {
        self.commit_reply(conversation_id, channel_id, author_id, reply, false)
            .await
    }

    /// Commits a trainee's reply without a delivery job: it waits, `awaiting_approval`, until a
    /// coordinator approves it (which queues it, see `approve_held_reply`) or rejects it. The
    /// contact is still waiting for an answer meanwhile.
    pub async fn hold_reply(
        &self,
        conversation_id: i64,
        channel_id: i64,
        author_id: i64,
        reply: OutboundReply<'_>,
    ) -> StoreResult<i64> {
        self.commit_reply(conversation_id, channel_id, author_id, reply, true)
            .await
    }

    async fn commit_reply(
        &self,
        conversation_id: i64,
        channel_id: i64,
        author_id: i64,
        reply: OutboundReply<'_>,
        held: bool,
    ) -> StoreResult<i64> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let message_id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, channel_id, direction, author_id, kind, body, content, \
             status, provider_timestamp, created_at, updated_at, translated_to, original_text) \
             VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $8, $7, $7, $7, $9, $10) RETURNING id",
        )
        .bind(conversation_id)
        .bind(channel_id)
        .bind(author_id)
        .bind(reply.kind)
        .bind(reply.body)
        .bind(reply.content)
        .bind(now)
        .bind(if held { "awaiting_approval" } else { "pending" })
        .bind(reply.translation.as_ref().map(|translation| translation.language))
        .bind(reply.translation.as_ref().map(|translation| translation.original_text))
        .fetch_one(&mut *tx)
        .await?;
        if let Some(file) = &reply.file {
            sqlx::query(
                "INSERT INTO attachments (message_id, kind, mime_type, filename, size_bytes, sha256, source, \
                 fetch_state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'stored', $8)",
            )
            .bind(message_id)
            .bind(file.kind)
            .bind(file.mime_type)
            .bind(file.filename)
            .bind(file.size_bytes)
            .bind(file.sha256)
            .bind(format!("{SHARED_SOURCE_PREFIX}{}", file.shared_token))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        if held {
            // Seen, but not answered yet.
            sqlx::query("UPDATE conversations SET unread_count = 0, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(conversation_id)
                .execute(&mut *tx)
                .await?;
        } else {
            queue_delivery(&mut tx, message_id, channel_id, conversation_id, now).await?;
        }
        tx.commit().await?;
        Ok(message_id)
    }

    /// The file an outbound message carries, if any.
    pub async fn outbound_file(&self, message_id: i64) -> StoreResult<Option<OutboundFileRow>> {
        Ok(sqlx::query_as(
            "SELECT mime_type, filename, sha256, source FROM attachments \
             WHERE message_id = $1 AND source LIKE 'upload:%' AND sha256 IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A file the team sent, by its shared link's token, if sent after `since`.
    pub async fn shared_file(
        &self,
        token: &str,
        since: i64,
    ) -> StoreResult<Option<OutboundFileRow>> {
        Ok(sqlx::query_as(
            "SELECT a.mime_type, a.filename, a.sha256, a.source FROM attachments a \
             JOIN messages m ON m.id = a.message_id \
             WHERE a.source = $1 AND m.direction = 'outbound' AND a.sha256 IS NOT NULL AND m.created_at >= $2",
        )
        .bind(format!("{SHARED_SOURCE_PREFIX}{token}"))
        .bind(since)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Reserves the channel's next send slot, `interval_us` after the one before and not before
    /// `now_us`; returns its start (epoch microseconds). One statement, so instances sharing
    /// the database never get the same slot.
    pub async fn reserve_send_slot(
        &self,
        channel_id: i64,
        interval_us: i64,
        now_us: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO channel_send_slots (channel_id, next_slot_at) VALUES ($1, $2 + $3) \
             ON CONFLICT (channel_id) DO UPDATE SET next_slot_at = \
               CASE WHEN channel_send_slots.next_slot_at > $2 THEN channel_send_slots.next_slot_at ELSE $2 END + $3 \
             RETURNING next_slot_at - $3",
        )
        .bind(channel_id)
        .bind(now_us)
        .bind(interval_us)
        .fetch_one(&self.writer)
        .await?)
    }

    /// Claims the next due job for `worker`. A job left in `sending` by a worker that stopped
    /// is not claimed again automatically: whether it left is unknown, so it is marked for a
    /// person to decide (see [`Store::mark_interrupted_jobs`]).
    pub async fn claim_outbound_job(&self, worker: &str) -> StoreResult<Option<OutboundJob>> {
        let now = now_ms();
        // On PostgreSQL, concurrent workers would all pick the same oldest job and all but one
        // would come back empty-handed; skipping the rows others have locked gives each its own.
        // SQLite has one writer at a time, so there is nothing to skip.
        let skip_locked = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbound_jobs SET state = 'sending', claimed_at = $1, claimed_by = $2, \
             attempts = attempts + 1, updated_at = $1 \
             WHERE id = (SELECT id FROM outbound_jobs WHERE state = 'pending' AND next_attempt_at <= $1 \
                         ORDER BY next_attempt_at, id LIMIT 1 {skip_locked}) \
               AND state = 'pending' RETURNING id"
        );
        let claimed: Option<i64> = sqlx::query_scalar(&sql)
            .bind(now)
            .bind(worker)
            .fetch_optional(&self.writer)
            .await?;
        let Some(job_id) = claimed else {
            return Ok(None);
        };
        Ok(Some(self.outbound_job(job_id).await?))
    }

    /// The jobs not yet finished, and when the oldest of them was queued: read through the
    /// `(state, next_attempt_at)` index, so it costs what the backlog holds, not the history.
    pub async fn outbox_backlog(&self) -> StoreResult<OutboxBacklog> {
        let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT state, COUNT(*), MIN(created_at) FROM outbound_jobs \
             WHERE state IN ('pending', 'sending') GROUP BY state",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut backlog = OutboxBacklog::default();
        for (state, jobs, oldest) in rows {
            match state.as_str() {
                "pending" => backlog.pending = jobs,
                _ => backlog.sending = jobs,
            }
            backlog.oldest_created_at = match (backlog.oldest_created_at, oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(backlog)
    }

    /// A delivery job with what is needed to send it.
    pub async fn outbound_job(&self, job_id: i64) -> StoreResult<OutboundJob> {
        Ok(sqlx::query_as(
            "SELECT j.id, j.message_id, j.channel_id, j.attempts, m.kind, m.body, m.content, \
                    (SELECT i.address FROM contact_identities i \
                      WHERE i.contact_id = c.contact_id AND i.channel_id = c.channel_id \
                      ORDER BY i.id LIMIT 1) AS address, \
                    c.last_inbound_at \
             FROM outbound_jobs j JOIN messages m ON m.id = j.message_id \
             JOIN conversations c ON c.id = m.conversation_id WHERE j.id = $1",
        )
        .bind(job_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The provider took the message: store its id, then apply any status that arrived first.
    pub async fn delivery_accepted(
        &self,
        job: &OutboundJob,
        provider_message_id: &str,
        status: &str,
        cost: Option<&NewCost>,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        lock_provider_message(&mut tx, self.backend, job.channel_id, provider_message_id).await?;
        if let Some(cost) = cost {
            record_cost(&mut tx, job.channel_id, provider_message_id, cost).await?;
        }
        // An echo of this very message may have been recorded first (Messenger): it is the same
        // message, so it gives way.
        sqlx::query(
            "DELETE FROM messages WHERE channel_id = $1 AND provider_message_id = $2 AND id <> $3 \
             AND direction = 'outbound' AND author_id IS NULL",
        )
        .bind(job.channel_id)
        .bind(provider_message_id)
        .bind(job.message_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE messages SET provider_message_id = $1, status = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(provider_message_id)
        .bind(status)
        .bind(now)
        .bind(job.message_id)
        .execute(&mut *tx)
        .await?;
        let early: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT status, error_code, error_title FROM early_statuses \
             WHERE channel_id = $1 AND provider_message_id = $2",
        )
        .bind(job.channel_id)
        .bind(provider_message_id)
        .fetch_all(&mut *tx)
        .await?;
        if let Some((status, code, title)) = early
            .into_iter()
            .max_by_key(|(status, _, _)| status_rank(status))
        {
            sqlx::query(
                "UPDATE messages SET status = $1, error_code = $2, error_title = $3 WHERE id = $4",
            )
            .bind(status)
            .bind(code)
            .bind(title)
            .bind(job.message_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE outbound_jobs SET state = 'done', last_error = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A transient failure: try again at `retry_at`.
    pub async fn delivery_retry(
        &self,
        job: &OutboundJob,
        error: &str,
        retry_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbound_jobs SET state = 'pending', next_attempt_at = $1, last_error = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(retry_at)
        .bind(error)
        .bind(now_ms())
        .bind(job.id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Ends a job without delivery: `failed` (the provider refused) or `unknown` (the request may
    /// have arrived; a person decides whether to send again).
    pub async fn delivery_ended(
        &self,
        job: &OutboundJob,
        state: &str,
        error_code: Option<&str>,
        error_title: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE outbound_jobs SET state = $1, last_error = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(state)
        .bind(error_title)
        .bind(now)
        .bind(job.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE messages SET status = $1, error_code = $2, error_title = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(state)
        .bind(error_code)
        .bind(error_title)
        .bind(now)
        .bind(job.message_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The conversation an outbound message belongs to.
    pub async fn conversation_of_message(&self, message_id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT conversation_id FROM messages WHERE id = $1 AND direction = 'outbound'",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A person decided to send a failed or unknown message again: its job starts over.
    /// Returns false when the message is not waiting for that decision.
    pub async fn requeue_delivery(&self, message_id: i64) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let requeued = sqlx::query(
            "UPDATE outbound_jobs SET state = 'pending', attempts = 0, next_attempt_at = $1, \
             claimed_at = NULL, claimed_by = NULL, last_error = NULL, updated_at = $1 \
             WHERE message_id = $2 AND state IN ('failed', 'unknown')",
        )
        .bind(now)
        .bind(message_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if requeued {
            sqlx::query(
                "UPDATE messages SET status = 'pending', error_code = NULL, error_title = NULL, \
                 updated_at = $1 WHERE id = $2",
            )
            .bind(now)
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(requeued)
    }

    /// Jobs a stopped worker left in `sending` for longer than the lease: their outcome is
    /// unknown, so they wait for a person instead of being sent twice.
    pub async fn mark_interrupted_jobs(&self) -> StoreResult<u64> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE messages SET status = 'unknown', error_title = 'Sending was interrupted', updated_at = $1 \
             WHERE id IN (SELECT message_id FROM outbound_jobs WHERE state = 'sending' AND claimed_at < $2)",
        )
        .bind(now)
        .bind(now - CLAIM_LEASE_MS)
        .execute(&mut *tx)
        .await?;
        let marked = sqlx::query(
            "UPDATE outbound_jobs SET state = 'unknown', last_error = 'Sending was interrupted', updated_at = $1 \
             WHERE state = 'sending' AND claimed_at < $2",
        )
        .bind(now)
        .bind(now - CLAIM_LEASE_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(marked)
    }
}

/// Gives a committed outbound message its delivery job. The conversation is answered: it no
/// longer waits, and its unread messages have been seen.
pub(super) async fn queue_delivery(
    tx: &mut sqlx::AnyConnection,
    message_id: i64,
    channel_id: i64,
    conversation_id: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbound_jobs (message_id, channel_id, state, next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, 'pending', $3, $3, $3)",
    )
    .bind(message_id)
    .bind(channel_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE conversations SET waiting_since = NULL, unread_count = 0, last_message_at = $1, \
         updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(conversation_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn status_rank(status: &str) -> u8 {
    match status {
        "queued" => 1,
        "sent" => 2,
        "delivered" => 3,
        "read" => 4,
        "failed" => 5,
        _ => 0,
    }
}
