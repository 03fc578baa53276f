//! Reading conversations for the inbox.

use super::{Store, StoreResult};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub channel_id: i64,
    pub channel_kind: String,
    pub channel_name: String,
    pub contact_name: String,
    pub contact_address: Option<String>,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub preview: Option<String>,
    pub last_message_at: i64,
    pub last_inbound_at: Option<i64>,
    pub unread_count: i64,
    pub opted_out_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub direction: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
    pub author_name: Option<String>,
    pub sent_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub message_id: i64,
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub fetch_state: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReactionRow {
    pub message_id: i64,
    pub emoji: String,
}

/// Which conversations to list, already scoped to what the person may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationFilter {
    AssignedTo(i64),
    Unassigned,
    Everyone,
}

const CONVERSATION_SELECT: &str = "SELECT c.id, c.channel_id, ch.kind AS channel_kind, ch.name AS channel_name, \
       ct.name AS contact_name, \
       (SELECT i.address FROM contact_identities i \
         WHERE i.contact_id = c.contact_id AND i.channel_id = c.channel_id ORDER BY i.id LIMIT 1) AS contact_address, \
       c.status, c.assignee_id, u.name AS assignee_name, \
       (SELECT m.body FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) AS preview, \
       c.last_message_at, c.last_inbound_at, c.unread_count, ct.opted_out_at \
     FROM conversations c \
     JOIN channels ch ON ch.id = c.channel_id \
     JOIN contacts ct ON ct.id = c.contact_id \
     LEFT JOIN users u ON u.id = c.assignee_id";

impl Store {
    /// Conversations that are not resolved, longest waiting first.
    pub async fn list_conversations(
        &self,
        filter: ConversationFilter,
        limit: i64,
    ) -> StoreResult<Vec<ConversationRow>> {
        let condition = match filter {
            ConversationFilter::AssignedTo(_) => "AND c.assignee_id = $2",
            ConversationFilter::Unassigned => "AND c.assignee_id IS NULL",
            ConversationFilter::Everyone => "",
        };
        let sql = format!(
            "{CONVERSATION_SELECT} WHERE c.status <> 'resolved' {condition} \
             ORDER BY COALESCE(c.waiting_since, c.last_message_at), c.id LIMIT $1"
        );
        let mut query = sqlx::query_as(&sql).bind(limit);
        if let ConversationFilter::AssignedTo(person) = filter {
            query = query.bind(person);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    pub async fn conversation(&self, id: i64) -> StoreResult<Option<ConversationRow>> {
        Ok(
            sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE c.id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The newest `limit` messages of a conversation, oldest first.
    pub async fn thread(
        &self,
        conversation_id: i64,
        limit: i64,
    ) -> StoreResult<(Vec<MessageRow>, Vec<AttachmentRow>, Vec<ReactionRow>)> {
        let mut messages: Vec<MessageRow> = sqlx::query_as(
            "SELECT m.id, m.direction, m.kind, m.body, m.status, m.error_code, m.error_title, \
                    u.name AS author_name, COALESCE(m.provider_timestamp, m.created_at) AS sent_at \
             FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.conversation_id = $1 ORDER BY m.id DESC LIMIT $2",
        )
        .bind(conversation_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        messages.reverse();
        let oldest = messages.first().map_or(0, |message| message.id);
        let attachments = sqlx::query_as(
            "SELECT a.id, a.message_id, a.kind, a.mime_type, a.filename, a.fetch_state \
             FROM attachments a JOIN messages m ON m.id = a.message_id \
             WHERE m.conversation_id = $1 AND m.id >= $2 ORDER BY a.id",
        )
        .bind(conversation_id)
        .bind(oldest)
        .fetch_all(&self.pool)
        .await?;
        let reactions = sqlx::query_as(
            "SELECT r.message_id, r.emoji FROM message_reactions r JOIN messages m ON m.id = r.message_id \
             WHERE m.conversation_id = $1 AND m.id >= $2 ORDER BY r.created_at",
        )
        .bind(conversation_id)
        .bind(oldest)
        .fetch_all(&self.pool)
        .await?;
        Ok((messages, attachments, reactions))
    }
}
