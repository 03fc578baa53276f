//! Canned responses: snippets coordinators keep for answers the team gives often.

use super::{Store, StoreResult, conflict_on_unique, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CannedRow {
    pub id: i64,
    pub shortcut: String,
    pub body: String,
}

impl Store {
    pub async fn list_canned_responses(&self) -> StoreResult<Vec<CannedRow>> {
        Ok(
            sqlx::query_as("SELECT id, shortcut, body FROM canned_responses ORDER BY shortcut")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn create_canned_response(
        &self,
        shortcut: &str,
        body: &str,
        author_id: Option<i64>,
    ) -> StoreResult<CannedRow> {
        sqlx::query_as(
            "INSERT INTO canned_responses (shortcut, body, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id, shortcut, body",
        )
        .bind(shortcut)
        .bind(body)
        .bind(author_id)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, "a canned response with this shortcut"))
    }

    pub async fn delete_canned_response(&self, id: i64) -> StoreResult<bool> {
        Ok(sqlx::query("DELETE FROM canned_responses WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }
}
