use sqlx::AnyConnection;

use super::{Store, StoreResult, now_ms};

/// The span within which one read is recorded once.
const HOUR_MS: i64 = 3_600_000;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: i64,
}

/// An entry with the name of the person who acted, as the Audit page lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: i64,
}

/// Which entries to read; each field set narrows the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub subject: Option<String>,
    /// Epoch milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Epoch milliseconds, exclusive.
    pub until_ms: Option<i64>,
    /// Only entries with a smaller id (older), for paging.
    pub before_id: Option<i64>,
}

/// An audit entry written in the caller's transaction, so the change it records never exists
/// without it.
pub(super) async fn audit_in(
    tx: &mut AnyConnection,
    actor_id: Option<i64>,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, detail, created_at, subject) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(actor_id)
    .bind(action)
    .bind(detail.to_string())
    .bind(now)
    .bind(subject)
    .execute(&mut *tx)
    .await?;
    Ok(())
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

    /// One entry per subject for what `actor_id` looked at, at most one per person, action,
    /// subject and hour: an entry already made this hour makes the insert do nothing (the
    /// unique index of migration 0018), so concurrent requests and instances agree.
    pub async fn audit_once_an_hour(
        &self,
        actor_id: i64,
        action: &str,
        subjects: &[String],
    ) -> StoreResult<()> {
        if subjects.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let rows = (0..subjects.len())
            .map(|n| format!("($1, $2, '{{}}', $3, $4, ${})", n + 5))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_log (actor_id, action, detail, created_at, hour_bucket, subject) \
             VALUES {rows} ON CONFLICT (actor_id, action, subject, hour_bucket) DO NOTHING"
        );
        let mut query = sqlx::query(&sql)
            .bind(actor_id)
            .bind(action)
            .bind(now)
            .bind(now.div_euclid(HOUR_MS));
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

    /// Entries matching the filter, newest first. Every condition is a range on an index that
    /// ends in `id` (migration 0012), so a page costs the same at any size of the log.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        let mut conditions = Vec::new();
        let mut next = 1;
        let mut condition = |sql: &str| {
            conditions.push(sql.replace('?', &format!("${next}")));
            next += 1;
        };
        if filter.actor_id.is_some() {
            condition("a.actor_id = ?");
        }
        if filter.action.is_some() {
            condition("a.action = ?");
        }
        if filter.subject.is_some() {
            condition("a.subject = ?");
        }
        if filter.from_ms.is_some() {
            condition("a.created_at >= ?");
        }
        if filter.until_ms.is_some() {
            condition("a.created_at < ?");
        }
        if filter.before_id.is_some() {
            condition("a.id < ?");
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT a.id, a.actor_id, u.name AS actor_name, a.action, a.subject, a.detail, \
             a.created_at FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             {where_clause} ORDER BY a.id DESC LIMIT ${next}"
        );
        let mut query = sqlx::query_as::<_, AuditRow>(&sql);
        if let Some(actor_id) = filter.actor_id {
            query = query.bind(actor_id);
        }
        if let Some(action) = &filter.action {
            query = query.bind(action.clone());
        }
        if let Some(subject) = &filter.subject {
            query = query.bind(subject.clone());
        }
        if let Some(from_ms) = filter.from_ms {
            query = query.bind(from_ms);
        }
        if let Some(until_ms) = filter.until_ms {
            query = query.bind(until_ms);
        }
        if let Some(before_id) = filter.before_id {
            query = query.bind(before_id);
        }
        Ok(query.bind(limit).fetch_all(&self.pool).await?)
    }
}
