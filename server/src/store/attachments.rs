use super::{Store, StoreResult, now_ms};

/// An attachment waiting to be downloaded, with what is needed to fetch it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DueAttachment {
    pub id: i64,
    pub channel_id: i64,
    pub source: String,
    pub mime_type: Option<String>,
    pub fetch_attempts: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAttachment {
    pub id: i64,
    pub conversation_id: i64,
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    pub fetch_state: String,
}

/// How long a claimed download may take before another worker may try it again.
const CLAIM_LEASE_MS: i64 = 5 * 60 * 1000;

impl Store {
    /// Claims the next attachment due for download, so that several instances never fetch the
    /// same one at once: the claim pushes its next attempt past a lease.
    pub async fn claim_due_attachment(&self) -> StoreResult<Option<DueAttachment>> {
        let now = now_ms();
        Ok(sqlx::query_as(
            "UPDATE attachments SET next_fetch_at = $1 \
             WHERE id = (SELECT id FROM attachments WHERE fetch_state = 'pending' AND next_fetch_at <= $2 \
                         ORDER BY next_fetch_at, id LIMIT 1) \
               AND fetch_state = 'pending' AND next_fetch_at <= $2 \
             RETURNING id, (SELECT channel_id FROM messages WHERE messages.id = attachments.message_id) AS channel_id, \
                       source, mime_type, fetch_attempts",
        )
        .bind(now + CLAIM_LEASE_MS)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn attachment_stored(
        &self,
        id: i64,
        sha256: &str,
        size_bytes: i64,
        mime_type: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE attachments SET fetch_state = 'stored', sha256 = $1, size_bytes = $2, mime_type = $3, \
             fetch_error = NULL, next_fetch_at = NULL WHERE id = $4",
        )
        .bind(sha256)
        .bind(size_bytes)
        .bind(mime_type)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed download: tried again at `retry_at`, or given up when `None`.
    pub async fn attachment_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE attachments SET fetch_attempts = fetch_attempts + 1, fetch_error = $1, \
             next_fetch_at = $2, fetch_state = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END \
             WHERE id = $3",
        )
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn attachment(&self, id: i64) -> StoreResult<Option<StoredAttachment>> {
        Ok(sqlx::query_as(
            "SELECT a.id, m.conversation_id, a.kind, a.mime_type, a.filename, a.sha256, a.fetch_state \
             FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
