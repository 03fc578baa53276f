//! What reports read: conversations' timelines for the rollup of response and resolution
//! times, the rollup itself, and counts of conversations and messages by time.

use super::{Store, StoreResult};

/// A conversation the rollup must read again, and the mark's generation when it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StaleMark {
    pub conversation_id: i64,
    pub generation: i64,
}

/// One event of a conversation's timeline as stored: `opened`, `inbound`, `outbound` (a
/// person's reply, with `user_id`), or `status` (with the new status in `status`).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TimelineRow {
    pub conversation_id: i64,
    pub channel_id: i64,
    pub kind: String,
    pub at: i64,
    pub user_id: Option<i64>,
    pub status: Option<String>,
}

/// A sample of the rollup: `first_response`, `reply` or `resolution`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SampleRow {
    pub conversation_id: i64,
    pub kind: String,
    pub started_at: i64,
    pub ended_at: i64,
    pub user_id: Option<i64>,
    pub channel_id: i64,
}

/// Which conversations a report counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub channel_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// Messages of one channel and direction in one quarter hour (epoch ms / 900,000).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct VolumeRow {
    pub quarter: i64,
    pub channel_id: i64,
    pub direction: String,
    pub messages: i64,
}

/// A conversation a report lists, with its counts in the range.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportConversationRow {
    pub id: i64,
    pub channel_name: String,
    pub contact_name: String,
    pub status: String,
    pub assignee_name: Option<String>,
    pub created_at: i64,
}

/// `$n, $n+1, …` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ReportFilter {
    /// SQL conditions on a table aliased `alias` with `conversation_id` and `channel_id`
    /// columns, numbered from `$first`, and the values to bind in order. The person filter
    /// keeps the conversations assigned to them.
    pub(super) fn conditions(
        &self,
        alias: &str,
        conversation_column: &str,
        first: usize,
    ) -> (String, Vec<i64>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        let mut next = first;
        if let Some(channel_id) = self.channel_id {
            sql.push_str(&format!(" AND {alias}.channel_id = ${next}"));
            values.push(channel_id);
            next += 1;
        }
        if let Some(tag_id) = self.tag_id {
            sql.push_str(&format!(
                " AND {alias}.{conversation_column} IN (SELECT conversation_id FROM conversation_tags WHERE tag_id = ${next})"
            ));
            values.push(tag_id);
            next += 1;
        }
        if let Some(user_id) = self.user_id {
            sql.push_str(&format!(
                " AND {alias}.{conversation_column} IN (SELECT id FROM conversations WHERE assignee_id = ${next})"
            ));
            values.push(user_id);
        }
        (sql, values)
    }
}

impl Store {
    /// Up to `limit` conversations the rollup must read again.
    pub async fn stale_for_reports(&self, limit: i64) -> StoreResult<Vec<StaleMark>> {
        Ok(sqlx::query_as(
            "SELECT conversation_id, generation FROM report_stale ORDER BY conversation_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The timelines of `conversations`: when each opened, its contact's messages (at the
    /// provider's time; not a satisfaction survey's answer or comment, which asks nothing of
    /// anyone), its people's replies (not automatic messages, nor replies a coordinator has not
    /// approved or rejected), and its status changes.
    pub async fn timelines(&self, conversations: &[i64]) -> StoreResult<Vec<TimelineRow>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        let ids = placeholders(1, conversations.len());
        let sql = format!(
            "SELECT id AS conversation_id, channel_id, 'opened' AS kind, created_at AS at, \
                    CAST(NULL AS BIGINT) AS user_id, CAST(NULL AS TEXT) AS status \
             FROM conversations WHERE id IN ({ids}) \
             UNION ALL \
             SELECT conversation_id, channel_id, direction AS kind, \
                    CASE WHEN direction = 'inbound' THEN COALESCE(provider_timestamp, created_at) ELSE created_at END AS at, \
                    author_id AS user_id, CAST(NULL AS TEXT) AS status \
             FROM messages WHERE conversation_id IN ({ids}) \
               AND ((direction = 'inbound' AND survey_id IS NULL) \
                    OR (author_id IS NOT NULL AND status NOT IN ('awaiting_approval', 'rejected'))) \
             UNION ALL \
             SELECT e.conversation_id, c.channel_id, 'status' AS kind, e.created_at AS at, e.actor_id AS user_id, \
                    e.detail AS status \
             FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id \
             WHERE e.conversation_id IN ({ids}) AND e.kind = 'status' \
             ORDER BY 1, 4"
        );
        let mut query = sqlx::query_as(&sql);
        for id in conversations {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Replaces the rollup of the conversations read, and clears their marks unless they
    /// changed again meanwhile.
    pub async fn replace_report_samples(
        &self,
        read: &[StaleMark],
        samples: &[SampleRow],
        unanswered: &[(i64, i64, i64)],
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        for mark in read {
            for table in ["report_samples", "report_unanswered"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE conversation_id = $1"))
                    .bind(mark.conversation_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for sample in samples {
            sqlx::query(
                "INSERT INTO report_samples (conversation_id, kind, started_at, ended_at, user_id, channel_id) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM conversations WHERE id = $1)",
            )
            .bind(sample.conversation_id)
            .bind(&sample.kind)
            .bind(sample.started_at)
            .bind(sample.ended_at)
            .bind(sample.user_id)
            .bind(sample.channel_id)
            .execute(&mut *tx)
            .await?;
        }
        for (conversation_id, started_at, channel_id) in unanswered {
            sqlx::query(
                "INSERT INTO report_unanswered (conversation_id, started_at, channel_id) \
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM conversations WHERE id = $1) \
                 ON CONFLICT (conversation_id, started_at) DO NOTHING",
            )
            .bind(conversation_id)
            .bind(started_at)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        }
        for mark in read {
            sqlx::query("DELETE FROM report_stale WHERE conversation_id = $1 AND generation = $2")
                .bind(mark.conversation_id)
                .bind(mark.generation)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The rollup's samples that began in `from..to` (epoch ms).
    pub async fn report_samples(
        &self,
        from: i64,
        to: i64,
        filter: ReportFilter,
    ) -> StoreResult<Vec<SampleRow>> {
        let (conditions, values) = filter.conditions("s", "conversation_id", 3);
        let sql = format!(
            "SELECT s.conversation_id, s.kind, s.started_at, s.ended_at, s.user_id, s.channel_id \
             FROM report_samples s WHERE s.started_at >= $1 AND s.started_at < $2{conditions}"
        );
        let mut query = sqlx::query_as(&sql).bind(from).bind(to);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Open periods that began in `from..to` and have no human reply: (conversation, start).
    pub async fn report_unanswered(
        &self,
        from: i64,
        to: i64,
        filter: ReportFilter,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let (conditions, values) = filter.conditions("u", "conversation_id", 3);
        let sql = format!(
            "SELECT u.conversation_id, u.started_at FROM report_unanswered u \
             WHERE u.started_at >= $1 AND u.started_at < $2{conditions}"
        );
        let mut query = sqlx::query_as(&sql).bind(from).bind(to);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Conversations that began in `from..to`: (id, status).
    pub async fn conversations_opened(
        &self,
        from: i64,
        to: i64,
        filter: ReportFilter,
    ) -> StoreResult<Vec<(i64, String)>> {
        let (conditions, values) = filter.conditions("c", "id", 3);
        let sql = format!(
            "SELECT c.id, c.status FROM conversations c \
             WHERE c.created_at >= $1 AND c.created_at < $2{conditions}"
        );
        let mut query = sqlx::query_as(&sql).bind(from).bind(to);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Messages in and out in `from..to` by quarter hour and channel.
    pub async fn message_volume(
        &self,
        from: i64,
        to: i64,
        filter: ReportFilter,
    ) -> StoreResult<Vec<VolumeRow>> {
        let (conditions, values) = filter.conditions("m", "conversation_id", 3);
        let sql = format!(
            "SELECT m.created_at / 900000 AS quarter, m.channel_id, m.direction, COUNT(*) AS messages \
             FROM messages m WHERE m.created_at >= $1 AND m.created_at < $2{conditions} \
             GROUP BY m.created_at / 900000, m.channel_id, m.direction"
        );
        let mut query = sqlx::query_as(&sql).bind(from).bind(to);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Everyone who ever had an account, deactivated people too: their replies stay in reports.
    pub async fn report_people(&self) -> StoreResult<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM users ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The conversations `ids`, as a report lists them.
    pub async fn report_conversations(
        &self,
        ids: &[i64],
    ) -> StoreResult<Vec<ReportConversationRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT c.id, ch.name AS channel_name, ct.name AS contact_name, c.status, \
                    u.name AS assignee_name, c.created_at \
             FROM conversations c JOIN channels ch ON ch.id = c.channel_id \
             JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN users u ON u.id = c.assignee_id \
             WHERE c.id IN ({}) ORDER BY c.id",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
