//! The audit log for admins: filtered by person, action, subject and time, paged newest first,
//! and exported as CSV.

use app::error::AppError;
use app::model::{AuditEntry, AuditPage, AuditQuery, Permission};
use app::ports::Actor;
use futures::Stream;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::{Services, rfc3339};
use crate::store::{AuditFilter, AuditRow};

/// Entries on one page of the Audit page and the API.
pub const AUDIT_PAGE_SIZE: i64 = 100;
/// Entries read at a time while the CSV export streams.
const CSV_BATCH: i64 = 1000;

impl Services {
    pub async fn audit_log(&self, actor: &Actor, query: AuditQuery) -> Result<AuditPage, AppError> {
        actor.require(Permission::ReadAuditLog)?;
        let filter = audit_filter(&query)?;
        let mut rows = self
            .store
            .audit_entries(&filter, AUDIT_PAGE_SIZE + 1)
            .await?;
        let more = rows.len() as i64 > AUDIT_PAGE_SIZE;
        rows.truncate(AUDIT_PAGE_SIZE as usize);
        let entries: Vec<AuditEntry> = rows.into_iter().map(entry_of).collect();
        let next_after = more.then(|| entries.last().map(|entry| entry.id)).flatten();
        Ok(AuditPage {
            entries,
            next_after,
        })
    }

    /// Every matching entry as CSV, newest first, read in batches while it is sent so memory
    /// stays flat however large the log is. The export itself is recorded.
    pub async fn audit_csv(
        &self,
        actor: &Actor,
        query: AuditQuery,
    ) -> Result<impl Stream<Item = Result<Vec<u8>, AppError>> + Send + use<>, AppError> {
        actor.require(Permission::ReadAuditLog)?;
        let filter = audit_filter(&query)?;
        self.store
            .audit(
                Some(actor.id),
                "audit_exported",
                "audit_log",
                serde_json::to_value(&query).unwrap_or_else(|_| json!({})),
            )
            .await?;
        let header = csv_lines(&[], true)?;
        let store = self.store.clone();
        let batches = futures::stream::try_unfold(Some(filter), move |filter| {
            let store = store.clone();
            async move {
                let Some(mut filter) = filter else {
                    return Ok(None);
                };
                let rows = store.audit_entries(&filter, CSV_BATCH).await?;
                let next = match rows.last() {
                    Some(last) if rows.len() as i64 == CSV_BATCH => {
                        filter.before_id = Some(last.id);
                        Some(filter)
                    }
                    _ => None,
                };
                let entries: Vec<AuditEntry> = rows.into_iter().map(entry_of).collect();
                Ok::<_, AppError>(Some((csv_lines(&entries, false)?, next)))
            }
        });
        Ok(futures::StreamExt::chain(
            futures::stream::once(async move { Ok(header) }),
            batches,
        ))
    }
}

fn entry_of(row: AuditRow) -> AuditEntry {
    AuditEntry {
        id: row.id,
        at: rfc3339(row.created_at),
        actor_id: row.actor_id,
        actor_name: row.actor_name,
        action: row.action,
        subject: row.subject,
        detail: serde_json::from_str(&row.detail).unwrap_or_else(|_| json!({})),
    }
}

fn csv_lines(entries: &[AuditEntry], header: bool) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |_| AppError::internal();
    if header {
        writer
            .write_record([
                "id",
                "at",
                "actor_id",
                "actor_name",
                "action",
                "subject",
                "detail",
            ])
            .map_err(failed)?;
    }
    for entry in entries {
        writer
            .write_record([
                entry.id.to_string(),
                entry.at.clone(),
                entry.actor_id.map(|id| id.to_string()).unwrap_or_default(),
                entry.actor_name.clone().unwrap_or_default(),
                entry.action.clone(),
                entry.subject.clone(),
                entry.detail.to_string(),
            ])
            .map_err(failed)?;
    }
    writer.into_inner().map_err(|_| AppError::internal())
}

/// The store's filter for a query; blank fields (an empty form input) filter nothing.
fn audit_filter(query: &AuditQuery) -> Result<AuditFilter, AppError> {
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    Ok(AuditFilter {
        actor_id: query.actor_id,
        action: given(&query.action),
        subject: given(&query.subject),
        from_ms: given(&query.from)
            .map(|from| instant(&from, Bound::Start))
            .transpose()?,
        until_ms: given(&query.to)
            .map(|to| instant(&to, Bound::End))
            .transpose()?,
        before_id: query.after,
    })
}

#[derive(Clone, Copy)]
enum Bound {
    Start,
    /// Exclusive: a day's end is the next midnight, an instant's is the next millisecond.
    End,
}

/// Epoch milliseconds of a `YYYY-MM-DD` day (UTC) or an RFC 3339 instant.
fn instant(value: &str, bound: Bound) -> Result<i64, AppError> {
    let millis = |at: OffsetDateTime| (at.unix_timestamp_nanos() / 1_000_000) as i64;
    if let Ok(at) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(match bound {
            Bound::Start => millis(at),
            Bound::End => millis(at) + 1,
        });
    }
    let day = Date::parse(value, format_description!("[year]-[month]-[day]")).map_err(|_| {
        AppError::unprocessable(format!(
            "\"{value}\" is not a day (YYYY-MM-DD) or a time (RFC 3339)."
        ))
    })?;
    let start = day.midnight().assume_utc();
    Ok(match bound {
        Bound::Start => millis(start),
        // The last day `time` can represent has no next midnight: it ends with everything.
        Bound::End => start
            .checked_add(time::Duration::DAY)
            .map_or(i64::MAX, millis),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_cover_the_whole_day_and_instants_are_inclusive() {
        let query = AuditQuery {
            from: Some("2026-12-01".into()),
            to: Some("2026-12-01".into()),
            ..AuditQuery::default()
        };
        let filter = audit_filter(&query).unwrap();
        assert_eq!(filter.from_ms, Some(1_796_083_200_000));
        assert_eq!(filter.until_ms, Some(1_796_083_200_000 + 86_400_000));
        let query = AuditQuery {
            to: Some("2026-12-01T10:00:00Z".into()),
            action: Some("  ".into()),
            ..AuditQuery::default()
        };
        let filter = audit_filter(&query).unwrap();
        assert_eq!(filter.until_ms, Some(1_796_119_200_001));
        assert_eq!(filter.action, None, "a blank field filters nothing");
    }

    #[test]
    fn the_last_representable_day_is_a_bound_not_a_panic() {
        let query = AuditQuery {
            from: Some("9999-12-31".into()),
            to: Some("9999-12-31".into()),
            ..AuditQuery::default()
        };
        let filter = audit_filter(&query).unwrap();
        assert_eq!(filter.until_ms, Some(i64::MAX));
        assert!(filter.from_ms.is_some());
    }

    #[test]
    fn a_date_that_is_not_one_is_refused() {
        let query = AuditQuery {
            from: Some("yesterday".into()),
            ..AuditQuery::default()
        };
        assert_eq!(
            audit_filter(&query).unwrap_err().code,
            app::error::ErrorCode::Unprocessable
        );
    }
}
