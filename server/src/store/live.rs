//! Publishing live updates through PostgreSQL.

use super::{Store, StoreResult};

impl Store {
    /// PostgreSQL `NOTIFY`: every listening instance hears `payload` once the caller's
    /// statement commits.
    pub async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
