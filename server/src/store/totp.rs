//! Second-factor seeds and recovery codes, for `services::two_factor`. The seed arrives here
//! already sealed; this module never sees it in the clear.

use super::{Store, StoreResult, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpRow {
    pub user_id: i64,
    /// Sealed by `services::two_factor::seal_totp_seed`.
    pub seed: String,
    /// NULL while enrolment waits for its first code.
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

impl TotpRow {
    pub fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

impl Store {
    pub async fn totp(&self, user_id: i64) -> StoreResult<Option<TotpRow>> {
        Ok(sqlx::query_as(
            "SELECT user_id, seed, confirmed_at, last_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Starts (or restarts) enrolment with a new pending seed; false when a confirmed second
    /// factor is in place, which only disabling or an admin reset removes.
    pub async fn start_totp(&self, user_id: i64, sealed_seed: &str) -> StoreResult<bool> {
        let changed = sqlx::query(
            "INSERT INTO user_totp (user_id, seed, confirmed_at, last_step, created_at) \
             VALUES ($1, $2, NULL, 0, $3) \
             ON CONFLICT (user_id) DO UPDATE SET seed = excluded.seed, last_step = 0, \
               created_at = excluded.created_at \
             WHERE user_totp.confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(sealed_seed)
        .bind(now_ms())
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Confirms a pending enrolment at the time-step its first code was accepted for, and
    /// replaces the person's recovery codes, in one transaction. False when nothing was pending
    /// (a parallel confirmation won, or enrolment was reset).
    pub async fn confirm_totp(
        &self,
        user_id: i64,
        sealed_seed: &str,
        step: i64,
        recovery_code_hashes: &[String],
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let confirmed = sqlx::query(
            "UPDATE user_totp SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND seed = $4 AND confirmed_at IS NULL",
        )
        .bind(now_ms())
        .bind(step)
        .bind(user_id)
        .bind(sealed_seed)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if confirmed != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in recovery_code_hashes {
            sqlx::query("INSERT INTO user_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records that a code for `step` was accepted; false when that step or a later one already
    /// was. The compare-and-set in one statement means two parallel uses of one code cannot both
    /// pass.
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE user_totp SET last_step = $1 \
             WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Spends a recovery code; false when it is not one of the person's unused codes.
    pub async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE user_recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_ms())
        .bind(user_id)
        .bind(code_hash)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    pub async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Removes the second factor and its recovery codes; false when there was none.
    pub async fn delete_totp(&self, user_id: i64) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let removed = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Passes every stored seed to `rewrite` (re-sealing under a new key) and stores what it
    /// returns (`None` leaves it), in one transaction. Returns how many were rewritten.
    pub async fn rewrite_totp_seeds<E: From<super::StoreError>>(
        &self,
        rewrite: impl FnMut(i64, &str) -> Result<Option<String>, E>,
    ) -> Result<u64, E> {
        self.rewrite_each(
            "SELECT user_id, seed FROM user_totp ORDER BY user_id",
            "UPDATE user_totp SET seed = $1 WHERE user_id = $2",
            rewrite,
        )
        .await
    }
}
