use super::{Store, StoreResult, UserRow, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, revoked_at, expires_at";

impl Store {
    pub async fn insert_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
    ) -> StoreResult<TokenRow> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now_ms())
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn active_tokens_of(&self, user_id: i64) -> StoreResult<Vec<TokenRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a token of `user_id`; false when the person has no such live token.
    pub async fn revoke_token(&self, user_id: i64, token_id: i64) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(token_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The active person holding a live, unexpired token with this hash, marking the token as
    /// used.
    pub async fn user_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<UserRow>> {
        let user: Option<UserRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, u.password_hash, u.must_change_password, \
                    u.deactivated_at, u.created_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.deactivated_at IS NULL \
               AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        if user.is_some() {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now_ms())
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(user)
    }
}
