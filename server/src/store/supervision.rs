//! Supervision: who is online and what they have open, trainees' held replies and their
//! review, coordinators joining conversations, and what supervision did in a thread.

use super::outbox::queue_delivery;
use super::{Store, StoreResult, flag, now_ms};

/// Someone with Switchboard open.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OnlineRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub trainee: i64,
    pub seen_at: i64,
}

/// A conversation someone has open.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenRow {
    pub person_id: i64,
    pub conversation_id: i64,
    pub contact_name: Option<String>,
    pub assignee_name: Option<String>,
    /// When the contact's oldest unanswered message arrived; none when answered.
    pub waiting_since: Option<i64>,
}

/// A reply waiting for a coordinator's approval.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HeldRow {
    pub message_id: i64,
    pub conversation_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
    pub contact_name: Option<String>,
}

/// An outbound message as its review needs it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub conversation_id: i64,
    pub status: String,
    pub kind: String,
    pub body: String,
    pub author_name: Option<String>,
}

/// What supervision did in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SupervisionEventRow {
    pub id: i64,
    pub actor_name: Option<String>,
    pub kind: String,
    pub subject_name: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

/// How a held reply was decided.
pub enum Review<'a> {
    /// Sent, with the edited text when given.
    Approved { body: Option<&'a str> },
    /// Not sent; the note says why.
    Rejected { note: &'a str },
}

impl Store {
    /// Notes that `person_id` has Switchboard open now.
    pub async fn touch_online(&self, person_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO user_presence (person_id, seen_at) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(person_id)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Notes that `person_id` has `conversation_id` open now, and no longer what they had open
    /// before.
    pub async fn touch_conversation(
        &self,
        person_id: i64,
        conversation_id: i64,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO user_presence (person_id, seen_at) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(person_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM conversation_presence WHERE person_id = $1 AND conversation_id <> $2",
        )
        .bind(person_id)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO conversation_presence (person_id, conversation_id, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id, conversation_id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(person_id)
        .bind(conversation_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Active people seen since `since`, by name.
    pub async fn online_people(&self, since: i64) -> StoreResult<Vec<OnlineRow>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name, u.role, u.trainee, p.seen_at FROM users u \
             JOIN user_presence p ON p.person_id = u.id \
             WHERE p.seen_at >= $1 AND u.deactivated_at IS NULL ORDER BY u.name, u.id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The conversations people have had open since `since`, longest waiting first.
    pub async fn open_conversations(&self, since: i64) -> StoreResult<Vec<OpenRow>> {
        Ok(sqlx::query_as(
            "SELECT p.person_id, c.id AS conversation_id, ct.name AS contact_name, \
                    a.name AS assignee_name, c.waiting_since \
             FROM conversation_presence p JOIN conversations c ON c.id = p.conversation_id \
             JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN users a ON a.id = c.assignee_id \
             WHERE p.seen_at >= $1 \
             ORDER BY c.waiting_since IS NULL, c.waiting_since, c.id, p.person_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every reply waiting for approval, oldest first.
    pub async fn held_replies(&self) -> StoreResult<Vec<HeldRow>> {
        Ok(sqlx::query_as(
            "SELECT m.id AS message_id, m.conversation_id, m.author_id, u.name AS author_name, \
                    m.kind, m.body, m.created_at, ct.name AS contact_name \
             FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.status = 'awaiting_approval' ORDER BY m.id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// An outbound message, for its review.
    pub async fn message_for_review(&self, message_id: i64) -> StoreResult<Option<ReviewRow>> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.conversation_id, m.status, m.kind, m.body, u.name AS author_name \
             FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.id = $1 AND m.direction = 'outbound'",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Decides a held reply: approved, it gets its delivery job in the same transaction (and is
    /// then sent by the outbox like any reply, once); rejected, it stays unsent. The decision is
    /// told in the thread. Returns false when the message was not (or no longer) held, so of two
    /// coordinators deciding at once only one does.
    pub async fn review_held_reply(
        &self,
        message_id: i64,
        reviewer_id: i64,
        review: Review<'_>,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let (status, body) = match review {
            Review::Approved { body } => ("pending", body),
            Review::Rejected { .. } => ("rejected", None),
        };
        let decided = sqlx::query(
            "UPDATE messages SET status = $1, body = COALESCE($2, body), updated_at = $3 \
             WHERE id = $4 AND status = 'awaiting_approval'",
        )
        .bind(status)
        .bind(body)
        .bind(now)
        .bind(message_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !decided {
            return Ok(false);
        }
        let (conversation_id, channel_id, author_name): (i64, i64, Option<String>) =
            sqlx::query_as(
                "SELECT m.conversation_id, m.channel_id, u.name FROM messages m \
                 LEFT JOIN users u ON u.id = m.author_id WHERE m.id = $1",
            )
            .bind(message_id)
            .fetch_one(&mut *tx)
            .await?;
        let (kind, note) = match review {
            Review::Approved { .. } => {
                queue_delivery(&mut tx, message_id, channel_id, conversation_id, now).await?;
                ("approved", None)
            }
            Review::Rejected { note } => ("rejected", Some(note)),
        };
        sqlx::query(
            "INSERT INTO supervision_events (conversation_id, message_id, actor_id, kind, subject_name, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(conversation_id)
        .bind(message_id)
        .bind(reviewer_id)
        .bind(kind)
        .bind(author_name)
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records `person_id` as reading along in the conversation, told in its thread. Returns
    /// false when they had joined already.
    pub async fn join_conversation(
        &self,
        conversation_id: i64,
        person_id: i64,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let joined = sqlx::query(
            "INSERT INTO conversation_watchers (conversation_id, person_id, joined_at) \
             VALUES ($1, $2, $3) ON CONFLICT (conversation_id, person_id) DO NOTHING",
        )
        .bind(conversation_id)
        .bind(person_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if joined {
            sqlx::query(
                "INSERT INTO supervision_events (conversation_id, actor_id, kind, created_at) \
                 VALUES ($1, $2, 'joined', $3)",
            )
            .bind(conversation_id)
            .bind(person_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(joined)
    }

    /// Tells the thread that `actor_id` took the conversation over from `from_name`.
    pub async fn record_take_over(
        &self,
        conversation_id: i64,
        actor_id: i64,
        from_name: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO supervision_events (conversation_id, actor_id, kind, subject_name, created_at) \
             VALUES ($1, $2, 'took_over', $3, $4)",
        )
        .bind(conversation_id)
        .bind(actor_id)
        .bind(from_name)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Who joined the conversation to read along, by id.
    pub async fn watchers(&self, conversation_id: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT person_id FROM conversation_watchers WHERE conversation_id = $1 ORDER BY joined_at",
        )
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn supervision_events(
        &self,
        conversation_id: i64,
    ) -> StoreResult<Vec<SupervisionEventRow>> {
        Ok(sqlx::query_as(
            "SELECT e.id, u.name AS actor_name, e.kind, e.subject_name, e.note, e.created_at \
             FROM supervision_events e LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.conversation_id = $1 ORDER BY e.id",
        )
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn set_trainee(&self, person_id: i64, trainee: bool) -> StoreResult<()> {
        sqlx::query("UPDATE users SET trainee = $1, updated_at = $2 WHERE id = $3")
            .bind(flag(trainee))
            .bind(now_ms())
            .bind(person_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_trainee(&self, person_id: i64) -> StoreResult<bool> {
        let trainee: Option<i64> = sqlx::query_scalar("SELECT trainee FROM users WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(trainee == Some(1))
    }
}
