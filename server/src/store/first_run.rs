//! The one-time setup link of an installation no one can sign in to yet.

use super::{Store, StoreResult, now_ms};

const FIRST_RUN_KEY: &str = "first_run_token";
const NO_PEOPLE: &str = "NOT EXISTS (SELECT 1 FROM users)";

impl Store {
    /// While there is no one, keeps `sealed` as the setup token unless one is kept already, and
    /// answers the token kept; None once someone exists. Several instances starting at once all
    /// answer the same token.
    pub async fn offer_first_run_token(&self, sealed: &str) -> StoreResult<Option<String>> {
        sqlx::query(&format!(
            "INSERT INTO settings (key, value, updated_at) SELECT $1, $2, $3 WHERE {NO_PEOPLE} \
             ON CONFLICT (key) DO NOTHING"
        ))
        .bind(FIRST_RUN_KEY)
        .bind(sealed)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        self.first_run_token().await
    }

    /// The kept setup token, while there is no one.
    pub async fn first_run_token(&self) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT value FROM settings WHERE key = $1 AND {NO_PEOPLE}"
        ))
        .bind(FIRST_RUN_KEY)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Replaces a kept token that can no longer be opened (the key was rotated).
    pub async fn replace_first_run_token(&self, sealed: &str) -> StoreResult<()> {
        self.put_setting(FIRST_RUN_KEY, sealed).await
    }

    /// Uses the token up: true for the one caller that removed it.
    pub async fn take_first_run_token(&self, sealed: &str) -> StoreResult<bool> {
        let taken = sqlx::query("DELETE FROM settings WHERE key = $1 AND value = $2")
            .bind(FIRST_RUN_KEY)
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(taken.rows_affected() == 1)
    }
}
