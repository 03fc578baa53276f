//! What reports read: conversations' timelines for the rollup of response and resolution
//! times, the rollup itself, and counts of conversations and messages by time.

use super::{Store, StoreResult, now_ms};

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleRow {
    pub conversation_id: i64,
    pub kind: String,
    pub started_at: i64,
    pub ended_at: i64,
    /// How long it lasted in the business hours set when the rollup read it; `None` when no
    /// hours are set.
    pub business_ms: Option<i64>,
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

/// Messages of one channel and direction in one local hour of a report's range.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct VolumeRow {
    /// The local day, 0 the report's first.
    pub day: i64,
    /// The local hour of that day, 0 to 23.
    pub hour: i64,
    pub channel_id: i64,
    pub direction: String,
    pub messages: i64,
}

/// Which duration of a wait a report reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitClock {
    WallClock,
    /// In the business hours the rollup counted it in (see `put_setting_and_recount_waits`).
    BusinessHours,
}

impl WaitClock {
    fn duration(self) -> &'static str {
        match self {
            WaitClock::WallClock => "s.ended_at - s.started_at",
            WaitClock::BusinessHours => "s.business_ms",
        }
    }
}

/// How a report groups waits before taking their percentiles; every grouping also splits by
/// kind of wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitGroups<'a> {
    /// One group per kind (`group_id` 0).
    Kind,
    /// By the person whose reply or resolution ended the wait; waits nobody ended are left out.
    Person,
    Conversation,
    /// By the local day the wait began on (0 the report's first), the zone's offsets as
    /// `LocalTimeZone::offsets_between` gives them.
    LocalDay(&'a [(i64, i64)]),
}

/// A group of waits and one of its waits at a rank asked for.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RankedWait {
    pub kind: String,
    pub group_id: i64,
    /// How many waits the group has.
    pub waits: i64,
    /// 1 for the shortest.
    pub rank_in_group: i64,
    pub duration_ms: i64,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// `column` (epoch ms) read on the local clock, as epoch ms: plus the offset in force then.
/// The offsets are the store's own numbers, not input, so they are written into the SQL.
fn local_ms(column: &str, offsets: &[(i64, i64)]) -> String {
    match offsets {
        [] => column.to_owned(),
        [(_, offset)] => format!("({column} + {offset})"),
        [(_, first), later @ ..] => {
            let mut case = String::from("CASE");
            let mut before = *first;
            for (from, offset) in later {
                case.push_str(&format!(" WHEN {column} < {from} THEN {before}"));
                before = *offset;
            }
            format!("({column} + {case} ELSE {before} END)")
        }
    }
}

/// The local day of `column` (epoch ms), 0 the day the offsets start on (a local midnight).
fn local_day(column: &str, offsets: &[(i64, i64)]) -> String {
    let first_midnight = offsets.first().map_or(0, |(from, offset)| from + offset);
    format!(
        "(({} - {first_midnight}) / {DAY_MS})",
        local_ms(column, offsets)
    )
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

    /// Writes the setting `key` that waits are counted with (business hours), and marks every
    /// conversation for the rollup in the same transaction, so its waits are counted again
    /// with the new value; a rollup already reading the old one leaves the marks.
    pub async fn put_setting_and_recount_waits(&self, key: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO report_stale (conversation_id) SELECT id FROM conversations WHERE true \
             ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
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
                "INSERT INTO report_samples (conversation_id, kind, started_at, ended_at, business_ms, user_id, channel_id) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM conversations WHERE id = $1)",
            )
            .bind(sample.conversation_id)
            .bind(&sample.kind)
            .bind(sample.started_at)
            .bind(sample.ended_at)
            .bind(sample.business_ms)
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

    /// Waits that began in `from..to` (epoch ms), grouped by `groups`, and in each group the
    /// waits at the nearest ranks of `percents` (each 1 to 100) once sorted by their duration
    /// on `clock`: the database sorts, so a report reads a few rows per group instead of every
    /// wait. `kind` keeps one kind of wait. The rank is the domain's `nearest_rank`,
    /// ⌈percent × waits / 100⌉, written here in SQL.
    pub async fn ranked_waits(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
        kind: Option<&str>,
        groups: WaitGroups<'_>,
        clock: WaitClock,
        percents: &[u8],
    ) -> StoreResult<Vec<RankedWait>> {
        let (conditions, values) = filter.conditions("s", "conversation_id", 3);
        let group = match groups {
            WaitGroups::Kind => "CAST(0 AS BIGINT)".to_owned(),
            WaitGroups::Person => "s.user_id".to_owned(),
            WaitGroups::Conversation => "s.conversation_id".to_owned(),
            WaitGroups::LocalDay(offsets) => local_day("s.started_at", offsets),
        };
        let mut only = String::new();
        if groups == WaitGroups::Person {
            only.push_str(" AND s.user_id IS NOT NULL");
        }
        if kind.is_some() {
            only.push_str(&format!(" AND s.kind = ${}", 3 + values.len()));
        }
        let ranks = percents
            .iter()
            .map(|percent| {
                format!(
                    "rank_in_group = (waits * {} + 99) / 100",
                    percent.clamp(&1, &100)
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        let duration = clock.duration();
        let sql = format!(
            "SELECT kind, group_id, waits, rank_in_group, duration_ms FROM ( \
               SELECT s.kind, {group} AS group_id, {duration} AS duration_ms, \
                      ROW_NUMBER() OVER (PARTITION BY s.kind, {group} ORDER BY {duration}) AS rank_in_group, \
                      COUNT(*) OVER (PARTITION BY s.kind, {group}) AS waits \
               FROM report_samples s \
               WHERE s.started_at >= $1 AND s.started_at < $2{conditions}{only} \
             ) ranked WHERE {ranks}"
        );
        let mut query = sqlx::query_as(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        if let Some(kind) = kind {
            query = query.bind(kind);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The first `limit` waits of `kind` that began in `from..to`, in the order they began:
    /// (conversation, duration on `clock`).
    pub async fn waits_of_kind(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
        kind: &str,
        clock: WaitClock,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let (conditions, values) = filter.conditions("s", "conversation_id", 3);
        let next = 3 + values.len();
        let sql = format!(
            "SELECT s.conversation_id, {} FROM report_samples s \
             WHERE s.started_at >= $1 AND s.started_at < $2{conditions} AND s.kind = ${next} \
             ORDER BY s.started_at, s.conversation_id LIMIT ${}",
            clock.duration(),
            next + 1
        );
        let mut query = sqlx::query_as(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.bind(kind).bind(limit).fetch_all(&self.pool).await?)
    }

    /// How many open periods began in `from..to` and have no human reply.
    pub async fn count_unanswered(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
    ) -> StoreResult<i64> {
        let (conditions, values) = filter.conditions("u", "conversation_id", 3);
        let sql = format!(
            "SELECT COUNT(*) FROM report_unanswered u \
             WHERE u.started_at >= $1 AND u.started_at < $2{conditions}"
        );
        let mut query = sqlx::query_scalar(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_one(&self.pool).await?)
    }

    /// The conversations of the first `limit` open periods that began in `from..to` and have no
    /// human reply, in the order they began.
    pub async fn unanswered(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
        limit: i64,
    ) -> StoreResult<Vec<i64>> {
        let (conditions, values) = filter.conditions("u", "conversation_id", 3);
        let sql = format!(
            "SELECT u.conversation_id FROM report_unanswered u \
             WHERE u.started_at >= $1 AND u.started_at < $2{conditions} \
             ORDER BY u.started_at, u.conversation_id LIMIT ${}",
            3 + values.len()
        );
        let mut query = sqlx::query_scalar(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.bind(limit).fetch_all(&self.pool).await?)
    }

    /// How many conversations began in `from..to`, and how many of them are not resolved now.
    pub async fn count_opened(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
    ) -> StoreResult<(i64, i64)> {
        let (conditions, values) = filter.conditions("c", "id", 3);
        let sql = format!(
            "SELECT COUNT(*), \
                    CAST(COALESCE(SUM(CASE WHEN c.status <> 'resolved' THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM conversations c WHERE c.created_at >= $1 AND c.created_at < $2{conditions}"
        );
        let mut query = sqlx::query_as(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_one(&self.pool).await?)
    }

    /// The first `limit` conversations that began in `from..to` (only those not resolved now,
    /// if `still_open`), by id: (id, status).
    pub async fn conversations_opened(
        &self,
        range: (i64, i64),
        filter: ReportFilter,
        still_open: bool,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let (conditions, values) = filter.conditions("c", "id", 3);
        let open = if still_open {
            " AND c.status <> 'resolved'"
        } else {
            ""
        };
        let sql = format!(
            "SELECT c.id, c.status FROM conversations c \
             WHERE c.created_at >= $1 AND c.created_at < $2{conditions}{open} \
             ORDER BY c.id LIMIT ${}",
            3 + values.len()
        );
        let mut query = sqlx::query_as(&sql).bind(range.0).bind(range.1);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.bind(limit).fetch_all(&self.pool).await?)
    }

    /// Messages in and out in `from..to` by local day (0 the report's first), local hour of the
    /// day and channel, the zone's offsets as `LocalTimeZone::offsets_between` gives them.
    pub async fn message_volume(
        &self,
        range: (i64, i64),
        offsets: &[(i64, i64)],
        filter: ReportFilter,
    ) -> StoreResult<Vec<VolumeRow>> {
        let (conditions, values) = filter.conditions("m", "conversation_id", 3);
        let sql = format!(
            "SELECT {} AS day, {} % {DAY_MS} / {HOUR_MS} AS hour, m.channel_id, m.direction, \
                    COUNT(*) AS messages \
             FROM messages m WHERE m.created_at >= $1 AND m.created_at < $2{conditions} \
             GROUP BY 1, 2, m.channel_id, m.direction",
            local_day("m.created_at", offsets),
            local_ms("m.created_at", offsets),
        );
        let mut query = sqlx::query_as(&sql).bind(range.0).bind(range.1);
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
