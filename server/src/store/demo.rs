//! What the demo loader needs besides the ordinary writes: replies that were sent days ago, so
//! the demo inbox looks lived in. Nothing else writes messages with a past date.

use super::costs::{NewCost, record_cost};
use super::{Store, StoreResult};

/// A reply the team sent at `at` (epoch ms), already with the provider, as it ended.
pub struct PastReply<'a> {
    pub conversation_id: i64,
    pub channel_id: i64,
    pub author_id: i64,
    /// `text` or `template`.
    pub kind: &'a str,
    pub body: &'a str,
    /// `sent`, `delivered`, `read` or `failed`.
    pub status: &'a str,
    pub error_code: Option<&'a str>,
    pub error_title: Option<&'a str>,
    /// Unique on the channel: a reply loaded before is not loaded again.
    pub provider_message_id: &'a str,
    pub at: i64,
    /// What it cost, as the provider would have priced it.
    pub cost: Option<NewCost>,
}

impl Store {
    /// Stores a past reply, unless its provider id is stored already. The conversation is
    /// answered as of `at`, as after a reply queued then.
    pub async fn insert_past_reply(&self, reply: PastReply<'_>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO messages (conversation_id, channel_id, direction, author_id, kind, body, content, \
             status, error_code, error_title, provider_message_id, provider_timestamp, created_at, updated_at) \
             VALUES ($1, $2, 'outbound', $3, $4, $5, '{}', $6, $7, $8, $9, $10, $10, $10) \
             ON CONFLICT (channel_id, provider_message_id) DO NOTHING",
        )
        .bind(reply.conversation_id)
        .bind(reply.channel_id)
        .bind(reply.author_id)
        .bind(reply.kind)
        .bind(reply.body)
        .bind(reply.status)
        .bind(reply.error_code)
        .bind(reply.error_title)
        .bind(reply.provider_message_id)
        .bind(reply.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            if let Some(cost) = &reply.cost {
                record_cost(&mut tx, reply.channel_id, reply.provider_message_id, cost).await?;
            }
            sqlx::query(
                "UPDATE conversations SET waiting_since = NULL, unread_count = 0, \
                 last_message_at = CASE WHEN last_message_at < $1 THEN $1 ELSE last_message_at END \
                 WHERE id = $2",
            )
            .bind(reply.at)
            .bind(reply.conversation_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The conversation and id of the message the provider knows as `provider_message_id` on
    /// the channel.
    pub async fn message_by_provider_id(
        &self,
        channel_id: i64,
        provider_message_id: &str,
    ) -> StoreResult<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT conversation_id, id FROM messages WHERE channel_id = $1 AND provider_message_id = $2",
        )
        .bind(channel_id)
        .bind(provider_message_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The ids of a message's attachments.
    pub async fn attachments_of(&self, message_id: i64) -> StoreResult<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM attachments WHERE message_id = $1 ORDER BY id")
                .bind(message_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
