//! The minutes each person spent with a conversation open: one row per person per minute, so
//! that two tabs telling the same minute count it once (the primary key coalesces them).

use super::{Store, StoreResult};
use crate::domain::wellbeing::Windows;

/// A person's minutes in the rolling windows.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ActiveMinutesRow {
    pub user_id: i64,
    pub name: String,
    pub last_day: i64,
    pub last_week: i64,
}

impl Store {
    /// Counts `minute` for the person; returns whether it is new (no other tab counted it).
    /// A new minute also deletes the person's minutes older than any window counts.
    pub async fn record_active_minute(
        &self,
        user_id: i64,
        minute: i64,
        keep_from: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let added = sqlx::query(
            "INSERT INTO active_minutes (user_id, minute) VALUES ($1, $2) \
             ON CONFLICT (user_id, minute) DO NOTHING",
        )
        .bind(user_id)
        .bind(minute)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            sqlx::query("DELETE FROM active_minutes WHERE user_id = $1 AND minute < $2")
                .bind(user_id)
                .bind(keep_from)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The person's minutes in the last day and the last week (`windows` up to `now_minute`).
    pub async fn active_minutes_of(
        &self,
        user_id: i64,
        windows: Windows,
        now_minute: i64,
    ) -> StoreResult<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(CASE WHEN minute >= $2 THEN 1 END), COUNT(*) FROM active_minutes \
             WHERE user_id = $1 AND minute >= $3 AND minute <= $4",
        )
        .bind(user_id)
        .bind(windows.day_from)
        .bind(windows.week_from)
        .bind(now_minute)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Every active person with minutes in the last week, most minutes in the last day first.
    pub async fn active_minutes_of_everyone(
        &self,
        windows: Windows,
        now_minute: i64,
    ) -> StoreResult<Vec<ActiveMinutesRow>> {
        Ok(sqlx::query_as(
            "SELECT a.user_id, u.name, COUNT(CASE WHEN a.minute >= $1 THEN 1 END) AS last_day, \
             COUNT(*) AS last_week FROM active_minutes a JOIN users u ON u.id = a.user_id \
             WHERE a.minute >= $2 AND a.minute <= $3 AND u.deactivated_at IS NULL \
             GROUP BY a.user_id, u.name ORDER BY last_day DESC, last_week DESC, a.user_id",
        )
        .bind(windows.day_from)
        .bind(windows.week_from)
        .bind(now_minute)
        .fetch_all(&self.pool)
        .await?)
    }
}
