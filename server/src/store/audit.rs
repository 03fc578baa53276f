use super::{Store, StoreResult, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: i64,
}

impl Store {
    /// Records who did what to whom; `detail` is a JSON object.
    pub async fn audit(
        &self,
        actor_id: Option<i64>,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        self.audit_each(actor_id, action, &[subject.to_owned()], detail)
            .await
    }

    /// One entry per subject, in one statement (what one answer showed of several contacts).
    pub async fn audit_each(
        &self,
        actor_id: Option<i64>,
        action: &str,
        subjects: &[String],
        detail: serde_json::Value,
    ) -> StoreResult<()> {
        if subjects.is_empty() {
            return Ok(());
        }
        let rows = (0..subjects.len())
            .map(|n| format!("($1, $2, $3, $4, ${})", n + 5))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_log (actor_id, action, detail, created_at, subject) VALUES {rows}"
        );
        let mut query = sqlx::query(&sql)
            .bind(actor_id)
            .bind(action)
            .bind(detail.to_string())
            .bind(now_ms());
        for subject in subjects {
            query = query.bind(subject);
        }
        query.execute(&self.pool).await?;
        Ok(())
    }

    pub async fn recent_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, actor_id, action, subject, detail, created_at FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
