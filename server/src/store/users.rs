use super::{Store, StoreResult, conflict_on_unique, flag, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub must_change_password: i64,
    pub deactivated_at: Option<i64>,
    pub created_at: i64,
    /// 1 when their replies wait for a coordinator's approval. Queries that do not need it may
    /// leave it out.
    #[sqlx(default)]
    pub trainee: i64,
    /// Their interface language's code; `None` follows their browser.
    #[sqlx(default)]
    pub language: Option<String>,
}

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

const USER_COLUMNS: &str = "id, email, name, role, password_hash, must_change_password, deactivated_at, created_at, trainee, language";

impl Store {
    pub async fn insert_user(&self, user: NewUser<'_>) -> StoreResult<UserRow> {
        let now = now_ms();
        sqlx::query_as(&format!(
            "INSERT INTO users (email, name, role, password_hash, must_change_password, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {USER_COLUMNS}"
        ))
        .bind(user.email)
        .bind(user.name)
        .bind(user.role)
        .bind(user.password_hash)
        .bind(flag(user.must_change_password))
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, "a person with this email"))
    }

    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_user_language(&self, id: i64, language: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET language = $1, updated_at = $2 WHERE id = $3")
            .bind(language)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY deactivated_at IS NOT NULL, name, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn count_active_admins(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND deactivated_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn update_user_profile(&self, id: i64, name: &str, role: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET name = $1, role = $2, updated_at = $3 WHERE id = $4")
            .bind(name)
            .bind(role)
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        must_change_password: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(flag(must_change_password))
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A new password ends every session of the person but `keep_session` (the one that changed
    /// it) and, when asked, revokes their API tokens, in one transaction with the change: whoever
    /// knew the old password keeps nothing it opened.
    pub async fn change_password(
        &self,
        id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(id)
            .bind(
                keep_session
                    .map(super::sessions::session_key)
                    .unwrap_or_default(),
            )
            .execute(&mut *tx)
            .await?;
        if revoke_tokens {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deactivating ends every session and revokes every token of the person, in one transaction.
    pub async fn deactivate_user(&self, id: i64) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET deactivated_at = $1, updated_at = $1 WHERE id = $2 AND deactivated_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn reactivate_user(&self, id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET deactivated_at = NULL, updated_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
