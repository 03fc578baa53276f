//! Counts of sign-in attempts per key, for `auth::throttle`.

use super::{Store, StoreResult};

impl Store {
    /// Counts one attempt against every `(key, limit)` in one transaction: when any count would
    /// pass its limit the transaction is rolled back and false returned. A count older than
    /// `window_ms` starts again at this attempt.
    ///
    /// The upsert locks the key's row until commit (PostgreSQL) and SQLite runs one writer at a
    /// time, so concurrent attempts are counted one after another. Keys are always taken in the
    /// caller's order (account, then address), so two attempts never wait on each other in a cycle.
    pub async fn reserve_login_attempt(
        &self,
        keys: &[(&str, i64)],
        now_ms: i64,
        window_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        for (key, limit) in keys {
            let attempts: i64 = sqlx::query_scalar(
                "INSERT INTO login_throttle (key, window_started_at, attempts) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   attempts = CASE WHEN login_throttle.window_started_at <= $3 THEN 1 \
                                   ELSE login_throttle.attempts + 1 END, \
                   window_started_at = CASE WHEN login_throttle.window_started_at <= $3 THEN $2 \
                                            ELSE login_throttle.window_started_at END \
                 RETURNING attempts",
            )
            .bind(*key)
            .bind(now_ms)
            .bind(now_ms - window_ms)
            .fetch_one(&mut *tx)
            .await?;
            if attempts > *limit {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// After a successful attempt: forgets `clear` and gives `give_back` its place back.
    pub async fn release_login_attempt(&self, clear: &str, give_back: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(clear)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(give_back)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives `key` back the place one attempt took.
    pub async fn return_login_attempt(&self, key: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Removes counts whose window began before `before`; run periodically.
    pub async fn delete_stale_login_attempts(&self, before_ms: i64) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM login_throttle WHERE window_started_at < $1")
                .bind(before_ms)
                .execute(&self.writer)
                .await?
                .rows_affected(),
        )
    }
}
