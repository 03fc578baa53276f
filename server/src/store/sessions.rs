//! Browser sessions live in the database, so every instance sharing it knows them and deactivating
//! a person can end theirs (the signed-in person's id is kept in its own column).
//!
//! Rows are keyed by the SHA-256 of the session id, never the id itself: the id is the cookie's
//! bearer credential, so a copy of the database must not be enough to take over a session.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use sha2::{Digest, Sha256};

use super::{Store, StoreError, now_ms};

/// The session key holding who is signed in; the auth layer writes it.
pub const AUTH_KEY: &str = "auth";

fn backend_error(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// The row key of a session id (hex SHA-256). The id has 128 random bits, so a fast unsalted
/// hash is enough: nothing short of the id itself finds its row.
pub(crate) fn session_key(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

fn user_id_of(record: &Record) -> Option<i64> {
    record.data.get(AUTH_KEY)?.get("user_id")?.as_i64()
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

impl Store {
    /// Removes sessions past their expiry; run periodically.
    pub async fn delete_expired_sessions(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Whether the session is stored and not expired.
    pub async fn session_exists(&self, id: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(session_key(id))
                .bind(now_ms())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    pub async fn count_sessions_of(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = serde_json::to_string(&record.data).map_err(backend_error)?;
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(session_key(&record.id.to_string()))
            .bind(user_id_of(record))
            .bind(data)
            .bind(expiry_ms(record))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, \
             expires_at = excluded.expires_at",
        )
        .bind(session_key(&record.id.to_string()))
        .bind(user_id_of(record))
        .bind(data)
        .bind(expiry_ms(record))
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(session_key(&id.to_string()))
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
                .map_err(backend_error)?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(backend_error)?,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(session_key(&id.to_string()))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}
