//! Deleting what has expired under the retention settings, in small transactions so the writer
//! is never held for long, and the lease that lets one instance of several run it.

use crate::domain::retention::Cutoffs;
use app::model::RetentionCounts;

use super::{Store, StoreResult, now_ms};

/// Rows per transaction.
const BATCH: usize = 200;

/// Resolved, and nothing has happened in it since the cutoff.
const EXPIRED_CONVERSATIONS: &str = "FROM conversations WHERE status = 'resolved' \
     AND updated_at < $1 AND last_message_at < $1";
/// Files of messages in conversations that have expired (cutoff `$2`): they go with them.
const MEDIA_OF_EXPIRED_CONVERSATIONS: &str = "SELECT id FROM messages WHERE conversation_id IN \
     (SELECT id FROM conversations WHERE status = 'resolved' AND updated_at < $2 \
     AND last_message_at < $2)";
const EXPIRED_MEDIA: &str = "FROM attachments WHERE sha256 IS NOT NULL AND created_at < $1";
/// An erased contact's tombstone is kept: it holds nothing personal, and keeps counts right.
const ORPHAN_CONTACTS: &str = "FROM contacts c WHERE c.updated_at < $1 AND c.erased_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id)";
/// Finished with: processed, or failed with no retry to come. A delivery still waiting to be
/// processed is kept whatever its age, so retention never loses a message.
const EXPIRED_DELIVERIES: &str = "FROM webhook_events WHERE received_at < $1 \
     AND retry_at IS NULL AND (processed_at IS NOT NULL OR error IS NOT NULL)";
const EXPIRED_AUDIT: &str = "FROM audit_log WHERE created_at < $1";

/// Ids read from the database, written into the statement: they are integers, so nothing can
/// be injected, and one statement serves any batch size on both databases.
pub(super) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What deleting conversations removed; `files` are the hashes their attachments held.
pub(super) struct RemovedConversations {
    pub conversations: i64,
    pub messages: i64,
    pub notes: i64,
    pub files: Vec<String>,
}

/// Deletes these conversations and everything in them (messages with their attachments,
/// reactions and outbound jobs; notes, mentions, events and tags) inside `tx`.
pub(super) async fn delete_conversations_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    ids: &[i64],
) -> StoreResult<RemovedConversations> {
    if ids.is_empty() {
        return Ok(RemovedConversations {
            conversations: 0,
            messages: 0,
            notes: 0,
            files: Vec::new(),
        });
    }
    let list = id_list(ids);
    let of_messages = format!("SELECT id FROM messages WHERE conversation_id IN ({list})");
    let files = sqlx::query_scalar::<_, String>(&format!(
        "SELECT sha256 FROM attachments WHERE sha256 IS NOT NULL AND message_id IN ({of_messages})"
    ))
    .fetch_all(&mut **tx)
    .await?;
    for dependent in [
        format!("DELETE FROM notifications WHERE conversation_id IN ({list})"),
        format!("DELETE FROM conversation_events WHERE conversation_id IN ({list})"),
        format!("DELETE FROM conversation_tags WHERE conversation_id IN ({list})"),
        format!("DELETE FROM outbound_jobs WHERE message_id IN ({of_messages})"),
        format!("DELETE FROM message_reactions WHERE message_id IN ({of_messages})"),
        format!("DELETE FROM attachments WHERE message_id IN ({of_messages})"),
        format!("DELETE FROM message_translations WHERE message_id IN ({of_messages})"),
    ] {
        delete_where(tx, &dependent).await?;
    }
    let notes = delete_where(
        tx,
        &format!("DELETE FROM notes WHERE conversation_id IN ({list})"),
    )
    .await?;
    let messages = delete_where(
        tx,
        &format!("DELETE FROM messages WHERE conversation_id IN ({list})"),
    )
    .await?;
    let conversations = delete_where(
        tx,
        &format!("DELETE FROM conversations WHERE id IN ({list})"),
    )
    .await?;
    Ok(RemovedConversations {
        conversations,
        messages,
        notes,
        files,
    })
}

pub(super) async fn delete_where(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query(sql).execute(&mut **tx).await?.rows_affected() as i64)
}

impl Store {
    /// What a run with these cutoffs would delete now.
    pub async fn count_expired(&self, cutoffs: &Cutoffs) -> StoreResult<RetentionCounts> {
        let mut counts = RetentionCounts::default();
        if let Some(before) = cutoffs.resolved_conversations {
            counts.conversations = self
                .count(&format!("SELECT COUNT(*) {EXPIRED_CONVERSATIONS}"), before)
                .await?;
            counts.messages = self
                .count(
                    &format!(
                        "SELECT COUNT(*) FROM messages WHERE conversation_id IN \
                         (SELECT id {EXPIRED_CONVERSATIONS})"
                    ),
                    before,
                )
                .await?;
            counts.notes = self
                .count(
                    &format!(
                        "SELECT COUNT(*) FROM notes WHERE conversation_id IN \
                         (SELECT id {EXPIRED_CONVERSATIONS})"
                    ),
                    before,
                )
                .await?;
        }
        // Files of expired conversations go with them; others expire by age.
        let conversations_before = cutoffs.resolved_conversations.unwrap_or(i64::MIN);
        counts.media_files = sqlx::query_scalar::<_, i64>(&format!(
            "SELECT COUNT(*) FROM attachments WHERE sha256 IS NOT NULL \
             AND (created_at < $1 OR message_id IN ({MEDIA_OF_EXPIRED_CONVERSATIONS}))"
        ))
        .bind(cutoffs.media.unwrap_or(i64::MIN))
        .bind(conversations_before)
        .fetch_one(&self.pool)
        .await?;
        if let Some(before) = cutoffs.orphan_contacts {
            // Counting those whose every conversation expires in the same run too.
            counts.contacts = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM contacts c WHERE c.updated_at < $1 AND c.erased_at IS NULL \
                 AND NOT EXISTS \
                 (SELECT 1 FROM conversations v WHERE v.contact_id = c.id AND NOT \
                 (v.status = 'resolved' AND v.updated_at < $2 AND v.last_message_at < $2))",
            )
            .bind(before)
            .bind(conversations_before)
            .fetch_one(&self.pool)
            .await?;
        }
        if let Some(before) = cutoffs.raw_deliveries {
            counts.raw_deliveries = self
                .count(&format!("SELECT COUNT(*) {EXPIRED_DELIVERIES}"), before)
                .await?;
        }
        if let Some(before) = cutoffs.audit_log {
            counts.audit_entries = self
                .count(&format!("SELECT COUNT(*) {EXPIRED_AUDIT}"), before)
                .await?;
        }
        Ok(counts)
    }

    async fn count(&self, sql: &str, before: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(sql)
            .bind(before)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn expired_ids(&self, from: &str, before: i64) -> StoreResult<Vec<i64>> {
        Ok(
            sqlx::query_scalar(&format!("SELECT id {from} ORDER BY id LIMIT {BATCH}"))
                .bind(before)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Deletes what has expired. Returns the counts and the hashes of the files no attachment
    /// holds any more, for the caller to remove from disk.
    pub async fn delete_expired(
        &self,
        cutoffs: &Cutoffs,
    ) -> StoreResult<(RetentionCounts, Vec<String>)> {
        let mut counts = RetentionCounts::default();
        let mut released = Vec::new();
        if let Some(before) = cutoffs.resolved_conversations {
            loop {
                let ids = self.expired_ids(EXPIRED_CONVERSATIONS, before).await?;
                if ids.is_empty() {
                    break;
                }
                self.delete_conversations(&ids, &mut counts, &mut released)
                    .await?;
            }
        }
        if let Some(before) = cutoffs.media {
            loop {
                let ids = self.expired_ids(EXPIRED_MEDIA, before).await?;
                if ids.is_empty() {
                    break;
                }
                counts.media_files += self.expire_media(&ids, &mut released).await?;
            }
        }
        if let Some(before) = cutoffs.orphan_contacts {
            loop {
                let ids = self.expired_ids(ORPHAN_CONTACTS, before).await?;
                if ids.is_empty() {
                    break;
                }
                counts.contacts += self.delete_contacts(&ids).await?;
            }
        }
        if let Some(before) = cutoffs.raw_deliveries {
            counts.raw_deliveries = self
                .delete_in_batches(EXPIRED_DELIVERIES, "webhook_events", before)
                .await?;
        }
        if let Some(before) = cutoffs.audit_log {
            counts.audit_entries = self
                .delete_in_batches(EXPIRED_AUDIT, "audit_log", before)
                .await?;
        }
        released.sort_unstable();
        released.dedup();
        let unheld = self.unheld_files(released).await?;
        Ok((counts, unheld))
    }

    async fn delete_in_batches(&self, from: &str, table: &str, before: i64) -> StoreResult<i64> {
        let mut deleted = 0;
        loop {
            let done = sqlx::query(&format!(
                "DELETE FROM {table} WHERE id IN (SELECT id {from} ORDER BY id LIMIT {BATCH})"
            ))
            .bind(before)
            .execute(&self.writer)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(deleted);
            }
            deleted += done as i64;
        }
    }

    /// One transaction for a batch of conversations and everything in them.
    async fn delete_conversations(
        &self,
        ids: &[i64],
        counts: &mut RetentionCounts,
        released: &mut Vec<String>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let removed = delete_conversations_in(&mut tx, ids).await?;
        tx.commit().await?;
        counts.conversations += removed.conversations;
        counts.messages += removed.messages;
        counts.notes += removed.notes;
        counts.media_files += removed.files.len() as i64;
        released.extend(removed.files);
        Ok(())
    }

    /// The attachments keep their place in the thread, with the reason their file is gone.
    async fn expire_media(&self, ids: &[i64], released: &mut Vec<String>) -> StoreResult<i64> {
        let list = id_list(ids);
        let mut tx = self.writer.begin().await?;
        released.extend(
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT sha256 FROM attachments WHERE sha256 IS NOT NULL AND id IN ({list})"
            ))
            .fetch_all(&mut *tx)
            .await?,
        );
        let expired = sqlx::query(&format!(
            "UPDATE attachments SET sha256 = NULL, fetch_state = 'failed', expired_at = $1, \
             next_fetch_at = NULL WHERE id IN ({list})"
        ))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
        tx.commit().await?;
        Ok(expired)
    }

    /// Contacts with what is kept about them: notes, consent events, identities.
    async fn delete_contacts(&self, ids: &[i64]) -> StoreResult<i64> {
        let list = id_list(ids);
        let mut tx = self.writer.begin().await?;
        for dependent in ["notes", "consent_events", "contact_identities"] {
            delete_where(
                &mut tx,
                &format!("DELETE FROM {dependent} WHERE contact_id IN ({list})"),
            )
            .await?;
        }
        let deleted = delete_where(
            &mut tx,
            &format!("DELETE FROM contacts WHERE id IN ({list})"),
        )
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Of these files, the ones no attachment holds any more.
    pub(super) async fn unheld_files(&self, files: Vec<String>) -> StoreResult<Vec<String>> {
        let mut unheld = Vec::new();
        for sha256 in files {
            let held: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = $1")
                    .bind(&sha256)
                    .fetch_one(&self.pool)
                    .await?;
            if held == 0 {
                unheld.push(sha256);
            }
        }
        Ok(unheld)
    }

    /// Claims the named job for `holder` when its last run started before `due_before`: of
    /// several instances asking at once, exactly one gets it.
    pub async fn claim_job_run(
        &self,
        job: &str,
        holder: &str,
        now: i64,
        due_before: i64,
    ) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, holder, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, \
             started_at = excluded.started_at WHERE job_runs.started_at < $4",
        )
        .bind(job)
        .bind(holder)
        .bind(now)
        .bind(due_before)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }
}
