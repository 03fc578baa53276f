//! A contact's data on their request: erasing it (everything held about them goes, in one
//! transaction, and a tombstone with nothing personal stays) and the consent events an export
//! carries.

use app::model::ErasureReport;

use super::retention::{delete_conversations_in, delete_where, id_list};
use super::{Store, StoreResult, now_ms};

/// A consent event as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentRow {
    pub kind: String,
    pub source: String,
    pub channel_name: String,
    pub created_at: i64,
}

impl Store {
    /// The contact's consent events, oldest first.
    pub async fn consent_events(&self, contact_id: i64) -> StoreResult<Vec<ConsentRow>> {
        Ok(sqlx::query_as(
            "SELECT e.kind, e.source, ch.name AS channel_name, e.created_at FROM consent_events e \
             JOIN channels ch ON ch.id = e.channel_id WHERE e.contact_id = $1 ORDER BY e.id",
        )
        .bind(contact_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Erases the contact; `None` when there is no such contact or it was erased already.
    /// Returns what was removed and the media files no attachment holds any more, for the
    /// caller to remove from disk.
    pub async fn erase_contact(
        &self,
        contact_id: i64,
    ) -> StoreResult<Option<(ErasureReport, Vec<String>)>> {
        let mut tx = self.writer.begin().await?;
        let erased = sqlx::query(
            "UPDATE contacts SET name = '', notes = '', opted_out_at = NULL, erased_at = $1, \
             updated_at = $1 WHERE id = $2 AND erased_at IS NULL",
        )
        .bind(now_ms())
        .bind(contact_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if erased == 0 {
            return Ok(None);
        }
        let conversations: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE contact_id = $1")
                .bind(contact_id)
                .fetch_all(&mut *tx)
                .await?;
        let removed = delete_conversations_in(&mut tx, &conversations).await?;
        let addresses: Vec<String> =
            sqlx::query_scalar("SELECT address FROM contact_identities WHERE contact_id = $1")
                .bind(contact_id)
                .fetch_all(&mut *tx)
                .await?;
        // A raw delivery names the contact by number (or Messenger id) as the provider writes
        // it: WhatsApp without the `+`, Twilio form-encoded (`%2B`). The digits match both, and
        // statuses of replies to them too. One still waiting to be processed is left: it may
        // hold someone else's message, and processing it would bring the contact back anyway.
        let mut raw_deliveries = 0;
        for address in &addresses {
            let digits = address.trim_start_matches('+');
            if digits.len() < 6 {
                continue;
            }
            raw_deliveries += sqlx::query(
                "DELETE FROM webhook_events WHERE body LIKE $1 \
                 AND (processed_at IS NOT NULL OR error IS NOT NULL)",
            )
            .bind(format!("%{digits}%"))
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
        }
        let list = id_list(&[contact_id]);
        let contact_notes = delete_where(
            &mut tx,
            &format!("DELETE FROM notes WHERE contact_id IN ({list})"),
        )
        .await?;
        delete_where(
            &mut tx,
            &format!("DELETE FROM consent_events WHERE contact_id IN ({list})"),
        )
        .await?;
        let identities = delete_where(
            &mut tx,
            &format!("DELETE FROM contact_identities WHERE contact_id IN ({list})"),
        )
        .await?;
        tx.commit().await?;
        let report = ErasureReport {
            conversations: removed.conversations,
            messages: removed.messages,
            notes: removed.notes + contact_notes,
            media_files: removed.files.len() as i64,
            identities,
            raw_deliveries,
        };
        let unheld = self.unheld_files(removed.files).await?;
        Ok(Some((report, unheld)))
    }
}
