//! What people do to conversations: assign, change status, tag, write notes. Each change and the
//! event that tells it in the thread are written in one transaction.

use sqlx::AnyConnection;

use super::{Store, StoreResult, conflict_on_unique, now_ms};
use crate::store::inbox::TagRow;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub opted_out_at: Option<i64>,
    /// Set when the contact was erased: the row is a tombstone.
    pub erased_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentityRow {
    pub channel_kind: String,
    pub channel_name: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
}

/// Whether an assignment may replace someone: a volunteer taking a conversation must not take it
/// from a colleague who took it a moment earlier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignWhen {
    Unassigned,
    Always,
}

pub(super) async fn record_event(
    tx: &mut AnyConnection,
    conversation_id: i64,
    actor_id: Option<i64>,
    kind: &str,
    detail: serde_json::Value,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO conversation_events (conversation_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(conversation_id)
    .bind(actor_id)
    .bind(kind)
    .bind(detail.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Assigns (or, with `None`, unassigns) a conversation. Returns false when nothing changed:
    /// already so, or (with [`AssignWhen::Unassigned`]) someone else has it.
    pub async fn assign_conversation(
        &self,
        conversation_id: i64,
        assignee: Option<&PersonRow>,
        when: AssignWhen,
        actor_id: Option<i64>,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let guard = match when {
            AssignWhen::Unassigned => "AND assignee_id IS NULL",
            AssignWhen::Always => "",
        };
        let assignee_id = assignee.map(|person| person.id);
        let changed = sqlx::query(&format!(
            "UPDATE conversations SET assignee_id = $1, updated_at = $2 \
             WHERE id = $3 {guard} AND assignee_id IS DISTINCT FROM $1"
        ))
        .bind(assignee_id)
        .bind(now)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            let (kind, detail) = match assignee {
                Some(person) => (
                    "assigned",
                    serde_json::json!({ "assignee_id": person.id, "assignee_name": person.name }),
                ),
                None => ("unassigned", serde_json::json!({})),
            };
            record_event(&mut tx, conversation_id, actor_id, kind, detail, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Sets the status; a snooze carries the time it ends. Returns false when nothing changed.
    pub async fn set_conversation_status(
        &self,
        conversation_id: i64,
        status: &str,
        snoozed_until: Option<i64>,
        actor_id: Option<i64>,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query(
            "UPDATE conversations SET status = $1, snoozed_until = $2, updated_at = $3, \
             resolved_at = CASE WHEN $1 = 'resolved' THEN $3 ELSE NULL END \
             WHERE id = $4 AND (status <> $1 OR $1 = 'snoozed')",
        )
        .bind(status)
        .bind(snoozed_until)
        .bind(now)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            let detail = serde_json::json!({ "status": status, "snoozed_until": snoozed_until });
            record_event(&mut tx, conversation_id, actor_id, "status", detail, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Reopens conversations whose snooze has ended; returns their ids.
    pub async fn wake_snoozed(&self) -> StoreResult<Vec<i64>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let woken: Vec<i64> = sqlx::query_scalar(
            "UPDATE conversations SET status = 'open', snoozed_until = NULL, updated_at = $1 \
             WHERE status = 'snoozed' AND snoozed_until <= $1 RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for &id in &woken {
            let detail = serde_json::json!({ "status": "open", "snooze_ended": true });
            record_event(&mut tx, id, None, "status", detail, now).await?;
        }
        tx.commit().await?;
        Ok(woken)
    }

    pub async fn mark_conversation_read(&self, conversation_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET unread_count = 0 WHERE id = $1")
            .bind(conversation_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The provider's id of the conversation's latest inbound message, to mark it read there.
    pub async fn latest_inbound_provider_id(
        &self,
        conversation_id: i64,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT provider_message_id FROM messages \
             WHERE conversation_id = $1 AND direction = 'inbound' AND provider_message_id IS NOT NULL \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(conversation_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn list_tags(&self) -> StoreResult<Vec<TagRow>> {
        Ok(
            sqlx::query_as("SELECT id, name, colour FROM tags ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn tag(&self, id: i64) -> StoreResult<Option<TagRow>> {
        Ok(
            sqlx::query_as("SELECT id, name, colour FROM tags WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn create_tag(&self, name: &str, colour: &str) -> StoreResult<TagRow> {
        sqlx::query_as(
            "INSERT INTO tags (name, colour, created_at) VALUES ($1, $2, $3) RETURNING id, name, colour",
        )
        .bind(name)
        .bind(colour)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, "a tag with this name"))
    }

    pub async fn update_tag(
        &self,
        id: i64,
        name: &str,
        colour: &str,
    ) -> StoreResult<Option<TagRow>> {
        sqlx::query_as(
            "UPDATE tags SET name = $1, colour = $2 WHERE id = $3 RETURNING id, name, colour",
        )
        .bind(name)
        .bind(colour)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, "a tag with this name"))
    }

    pub async fn delete_tag(&self, id: i64) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM conversation_tags WHERE tag_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM tags WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Puts a tag on a conversation, or takes it off. Returns false when nothing changed.
    pub async fn set_conversation_tag(
        &self,
        conversation_id: i64,
        tag: &TagRow,
        tagged: bool,
        actor_id: i64,
    ) -> StoreResult<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let sql = if tagged {
            "INSERT INTO conversation_tags (conversation_id, tag_id) VALUES ($1, $2) \
             ON CONFLICT (conversation_id, tag_id) DO NOTHING"
        } else {
            "DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag_id = $2"
        };
        let changed = sqlx::query(sql)
            .bind(conversation_id)
            .bind(tag.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if changed {
            let kind = if tagged { "tagged" } else { "untagged" };
            let detail = serde_json::json!({ "tag": tag.name });
            record_event(&mut tx, conversation_id, Some(actor_id), kind, detail, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// A private note on a conversation or a contact, and a notification for each person it
    /// mentions, committed together.
    pub async fn add_note(
        &self,
        subject: NoteSubject,
        author_id: i64,
        body: &str,
        mentioned: &[i64],
    ) -> StoreResult<i64> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let (conversation_id, contact_id) = match subject {
            NoteSubject::Conversation(id) => (Some(id), None),
            NoteSubject::Contact(id) => (None, Some(id)),
        };
        let note_id: i64 = sqlx::query_scalar(
            "INSERT INTO notes (conversation_id, contact_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(conversation_id)
        .bind(contact_id)
        .bind(author_id)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(conversation_id) = conversation_id {
            for &person in mentioned {
                sqlx::query(
                    "INSERT INTO notifications (user_id, kind, conversation_id, note_id, actor_id, created_at) \
                     VALUES ($1, 'mention', $2, $3, $4, $5)",
                )
                .bind(person)
                .bind(conversation_id)
                .bind(note_id)
                .bind(author_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(note_id)
    }

    pub async fn notes(&self, subject: NoteSubject) -> StoreResult<Vec<NoteRow>> {
        let (column, id) = match subject {
            NoteSubject::Conversation(id) => ("conversation_id", id),
            NoteSubject::Contact(id) => ("contact_id", id),
        };
        Ok(sqlx::query_as(&format!(
            "SELECT n.id, u.name AS author_name, n.body, n.created_at FROM notes n \
             JOIN users u ON u.id = n.author_id WHERE n.{column} = $1 ORDER BY n.id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn conversation_events(&self, conversation_id: i64) -> StoreResult<Vec<EventRow>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.actor_id, u.name AS actor_name, e.kind, e.detail, e.created_at \
             FROM conversation_events e LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.conversation_id = $1 ORDER BY e.id",
        )
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn contact(&self, id: i64) -> StoreResult<Option<ContactRow>> {
        Ok(
            sqlx::query_as("SELECT id, name, opted_out_at, erased_at FROM contacts WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn contact_identities(&self, contact_id: i64) -> StoreResult<Vec<IdentityRow>> {
        Ok(sqlx::query_as(
            "SELECT ch.kind AS channel_kind, ch.name AS channel_name, i.address \
             FROM contact_identities i JOIN channels ch ON ch.id = i.channel_id \
             WHERE i.contact_id = $1 ORDER BY i.id",
        )
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Active people, for assigning and for finding who a note mentions.
    pub async fn active_people(&self) -> StoreResult<Vec<PersonRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM users WHERE deactivated_at IS NULL ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest notes that mentioned a person, newest first. With `visible_to`, only in
    /// conversations assigned to that person or to no one (a volunteer's sight).
    pub async fn mentions_of(
        &self,
        person: i64,
        visible_to: Option<i64>,
        resolved_since: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<MentionRow>> {
        Ok(sqlx::query_as(
            "SELECT nt.conversation_id, COALESCE(ct.name, '') AS contact_name, \
                    COALESCE(u.name, '') AS author_name, n.body, nt.created_at, nt.read_at \
             FROM notifications nt JOIN notes n ON n.id = nt.note_id \
             JOIN conversations c ON c.id = nt.conversation_id \
             JOIN contacts ct ON ct.id = c.contact_id \
             LEFT JOIN users u ON u.id = nt.actor_id \
             WHERE nt.user_id = $1 AND nt.kind = 'mention' \
               AND ($2 IS NULL OR c.assignee_id IS NULL OR c.assignee_id = $2) \
               AND ($4 IS NULL OR c.status <> 'resolved' OR c.resolved_at IS NULL \
                    OR c.resolved_at >= $4) \
             ORDER BY nt.id DESC LIMIT $3",
        )
        .bind(person)
        .bind(visible_to)
        .bind(limit)
        .bind(resolved_since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks a person's mentions in a conversation read, once they open it.
    pub async fn read_mentions(&self, person: i64, conversation_id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET read_at = $1 \
             WHERE user_id = $2 AND conversation_id = $3 AND read_at IS NULL",
        )
        .bind(now_ms())
        .bind(person)
        .bind(conversation_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Auto-assignment's next pick: the available volunteer with fewer open conversations than
    /// `cap` who was given one longest ago.
    pub async fn next_auto_assignee(&self, cap: i64) -> StoreResult<Option<PersonRow>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name FROM users u \
             WHERE u.role = 'volunteer' AND u.available = 1 AND u.deactivated_at IS NULL \
               AND (SELECT COUNT(*) FROM conversations c \
                    WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending')) < $1 \
             ORDER BY COALESCE(u.last_auto_assigned_at, 0), u.id LIMIT 1",
        )
        .bind(cap)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The open, unassigned conversation waiting longest.
    pub async fn oldest_unassigned_open(&self) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT c.id FROM conversations c WHERE c.status = 'open' AND c.assignee_id IS NULL \
             ORDER BY {} , c.id LIMIT 1",
            super::inbox::QUEUE_KEY
        ))
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn mark_auto_assigned(&self, person: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_auto_assigned_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(person)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_available(&self, person: i64, available: bool) -> StoreResult<()> {
        sqlx::query("UPDATE users SET available = $1, updated_at = $2 WHERE id = $3")
            .bind(super::flag(available))
            .bind(now_ms())
            .bind(person)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_available(&self, person: i64) -> StoreResult<bool> {
        let available: Option<i64> =
            sqlx::query_scalar("SELECT available FROM users WHERE id = $1")
                .bind(person)
                .fetch_optional(&self.pool)
                .await?;
        Ok(available == Some(1))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MentionRow {
    pub conversation_id: i64,
    pub contact_name: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// What a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteSubject {
    Conversation(i64),
    Contact(i64),
}
