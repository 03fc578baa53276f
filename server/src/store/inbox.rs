//! Reading conversations for the inbox.

use super::{Store, StoreResult};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub channel_id: i64,
    pub channel_kind: String,
    pub channel_name: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub contact_address: Option<String>,
    pub status: String,
    pub snoozed_until: Option<i64>,
    pub queue_key: i64,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub preview: Option<String>,
    pub last_message_at: i64,
    pub last_inbound_at: Option<i64>,
    pub unread_count: i64,
    pub opted_out_at: Option<i64>,
    /// When it was last resolved; meaningful while the status is `resolved`.
    pub resolved_at: Option<i64>,
    /// 0 or 1.
    pub urgent: i64,
    pub urgent_word: Option<String>,
    pub urgent_by_name: Option<String>,
    /// The contact's language as last detected (ISO 639-1).
    pub language: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub direction: String,
    pub kind: String,
    pub body: String,
    /// JSON: what the delivery needs besides the body, such as reply buttons.
    pub content: String,
    pub status: String,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
    pub author_name: Option<String>,
    pub sent_at: i64,
    /// While delivery is retried by itself: why the last attempt failed, when the next one is
    /// due (epoch ms) and how many attempts were made.
    pub retry_reason: Option<String>,
    pub retry_at: Option<i64>,
    pub attempts: Option<i64>,
    /// What it cost, once priced: micro-dollars, how it was priced and as what.
    pub cost_micro_usd: Option<i64>,
    pub cost_source: Option<String>,
    pub cost_category: Option<String>,
    /// Its part in a satisfaction survey: `question`, `thanks`, `answer` or `comment`.
    pub survey_part: Option<String>,
    /// A reply sent translated: the language of `body`, and what its author wrote.
    pub translated_to: Option<String>,
    pub original_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub message_id: i64,
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub fetch_state: String,
    /// Set when retention removed the file.
    pub expired_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReactionRow {
    pub message_id: i64,
    pub emoji: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TagRow {
    pub id: i64,
    pub name: String,
    pub colour: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationTagRow {
    pub conversation_id: i64,
    pub id: i64,
    pub name: String,
    pub colour: String,
}

/// Whose conversations to list, already scoped to what the person may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationFilter {
    AssignedTo(i64),
    Unassigned,
    Everyone,
}

/// One page of a conversation list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListRequest<'a> {
    pub scope: ConversationFilter,
    pub status: &'a str,
    pub channel_id: Option<i64>,
    pub tag_id: Option<i64>,
    /// The queue key and id of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    /// Leaves out conversations resolved before this moment (epoch ms): a volunteer's access
    /// to them has ended.
    pub resolved_since: Option<i64>,
    pub limit: i64,
}

/// The queue's order: urgent conversations before all others; then conversations waiting for
/// an answer, longest waiting first, then the answered ones, most recent first. One ascending
/// key, so a page boundary is one comparison and the `conversations_queue_*` indexes (same
/// expression) serve it: the waiting and answered keys lie between 0 and 8e12 (epoch ms), and
/// urgency moves a conversation below all of them.
pub const QUEUE_KEY: &str =
    "(COALESCE(c.waiting_since, 8000000000000 - c.last_message_at) - 16000000000000 * c.urgent)";

const CONVERSATION_SELECT: &str = "SELECT c.id, c.channel_id, ch.kind AS channel_kind, ch.name AS channel_name, \
       c.contact_id, ct.name AS contact_name, \
       (SELECT i.address FROM contact_identities i \
         WHERE i.contact_id = c.contact_id AND i.channel_id = c.channel_id ORDER BY i.id LIMIT 1) AS contact_address, \
       c.status, c.snoozed_until, \
       (COALESCE(c.waiting_since, 8000000000000 - c.last_message_at) - 16000000000000 * c.urgent) AS queue_key, \
       c.assignee_id, u.name AS assignee_name, \
       (SELECT m.body FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) AS preview, \
       c.last_message_at, c.last_inbound_at, c.unread_count, ct.opted_out_at, c.resolved_at, \
       c.urgent, c.urgent_word, ub.name AS urgent_by_name, c.language \
     FROM conversations c \
     JOIN channels ch ON ch.id = c.channel_id \
     JOIN contacts ct ON ct.id = c.contact_id \
     LEFT JOIN users u ON u.id = c.assignee_id \
     LEFT JOIN users ub ON ub.id = c.urgent_by";

impl Store {
    /// One page of conversations in queue order (see [`QUEUE_KEY`]), keyset-paginated so a
    /// late page costs what the first one does.
    pub async fn list_conversations(
        &self,
        request: ListRequest<'_>,
    ) -> StoreResult<Vec<ConversationRow>> {
        let mut conditions = vec!["c.status = $1".to_owned()];
        let mut next = 3;
        let mut placeholder = || {
            next += 1;
            format!("${}", next - 1)
        };
        match request.scope {
            ConversationFilter::AssignedTo(_) => {
                conditions.push(format!("c.assignee_id = {}", placeholder()));
            }
            ConversationFilter::Unassigned => conditions.push("c.assignee_id IS NULL".into()),
            ConversationFilter::Everyone => {}
        }
        if request.channel_id.is_some() {
            conditions.push(format!("c.channel_id = {}", placeholder()));
        }
        if request.tag_id.is_some() {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag_id = {})",
                placeholder()
            ));
        }
        if request.after.is_some() {
            let (key, id) = (placeholder(), placeholder());
            conditions.push(format!("({QUEUE_KEY}, c.id) > ({key}, {id})"));
        }
        if request.resolved_since.is_some() {
            conditions.push(format!(
                "(c.status <> 'resolved' OR c.resolved_at IS NULL OR c.resolved_at >= {})",
                placeholder()
            ));
        }
        let sql = format!(
            "{CONVERSATION_SELECT} WHERE {} ORDER BY {QUEUE_KEY}, c.id LIMIT $2",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query_as(&sql)
            .bind(request.status)
            .bind(request.limit);
        if let ConversationFilter::AssignedTo(person) = request.scope {
            query = query.bind(person);
        }
        if let Some(channel_id) = request.channel_id {
            query = query.bind(channel_id);
        }
        if let Some(tag_id) = request.tag_id {
            query = query.bind(tag_id);
        }
        if let Some((key, id)) = request.after {
            query = query.bind(key).bind(id);
        }
        if let Some(resolved_since) = request.resolved_since {
            query = query.bind(resolved_since);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Conversations assigned to the person, not resolved, with messages they have not read.
    pub async fn count_unread_assigned(&self, person: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations \
             WHERE assignee_id = $1 AND status IN ('open', 'pending', 'snoozed') AND unread_count > 0",
        )
        .bind(person)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The tags of each of these conversations.
    pub async fn tags_of(&self, conversation_ids: &[i64]) -> StoreResult<Vec<ConversationTagRow>> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = conversation_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        Ok(sqlx::query_as(&format!(
            "SELECT ct.conversation_id, t.id, t.name, t.colour FROM conversation_tags ct \
             JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id IN ({ids}) ORDER BY t.name"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Conversations of a contact, newest activity first.
    pub async fn conversations_of_contact(
        &self,
        contact_id: i64,
    ) -> StoreResult<Vec<ConversationRow>> {
        Ok(sqlx::query_as(&format!(
            "{CONVERSATION_SELECT} WHERE c.contact_id = $1 ORDER BY c.last_message_at DESC, c.id"
        ))
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?)
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
            "SELECT m.id, m.direction, m.kind, m.body, m.content, m.status, m.error_code, m.error_title, \
                    u.name AS author_name, COALESCE(m.provider_timestamp, m.created_at) AS sent_at, \
                    r.last_error AS retry_reason, r.next_attempt_at AS retry_at, r.attempts, \
                    k.micro_usd AS cost_micro_usd, k.source AS cost_source, k.category AS cost_category, \
                    m.survey_part, m.translated_to, m.original_text \
             FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             LEFT JOIN outbound_jobs r ON r.message_id = m.id AND r.state = 'pending' AND r.attempts > 0 \
             LEFT JOIN message_costs k ON k.channel_id = m.channel_id AND k.provider_message_id = m.provider_message_id \
             WHERE m.conversation_id = $1 ORDER BY m.id DESC LIMIT $2",
        )
        .bind(conversation_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        messages.reverse();
        let oldest = messages.first().map_or(0, |message| message.id);
        let attachments = sqlx::query_as(
            "SELECT a.id, a.message_id, a.kind, a.mime_type, a.filename, a.fetch_state, a.expired_at \
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
