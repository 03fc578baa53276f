//! What messages cost, the rate tables admins loaded, channels' monthly budgets and the alerts
//! raised when spending nears them.

use sqlx::AnyConnection;

use super::{Store, StoreResult, now_ms};

/// A message's cost as it is recorded, keyed the way the provider names the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCost {
    pub micro_usd: i64,
    /// `provider`, `rate_card`, `segments` or `free`.
    pub source: &'static str,
    pub category: String,
    pub pricing_type: Option<&'static str>,
    pub country: String,
    /// Epoch ms, and its UTC month (YYYY-MM).
    pub priced_at: i64,
    pub month: String,
}

/// Spending of one channel on one category in one month.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CostTotalRow {
    pub month: String,
    pub channel_id: i64,
    pub category: String,
    pub messages: i64,
    pub micro_usd: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RateCardRow {
    pub id: i64,
    pub effective_from: String,
    pub csv: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct BudgetRow {
    pub channel_id: i64,
    pub monthly_micro_usd: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct BudgetAlertRow {
    pub channel_id: i64,
    pub channel_name: String,
    pub month: String,
    pub threshold: i64,
    pub spent_micro_usd: i64,
    pub budget_micro_usd: i64,
    pub raised_at: i64,
}

/// Records a message's cost in the caller's transaction. A price the provider states replaces
/// the segment count made when an SMS was sent; otherwise the first price stays (Meta repeats
/// the same `pricing` on several statuses of one message).
pub(super) async fn record_cost(
    tx: &mut AnyConnection,
    channel_id: i64,
    provider_message_id: &str,
    cost: &NewCost,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO message_costs (channel_id, provider_message_id, micro_usd, source, category, \
         pricing_type, country, priced_at, month) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (channel_id, provider_message_id) DO UPDATE SET micro_usd = excluded.micro_usd, \
         source = excluded.source, category = excluded.category, pricing_type = excluded.pricing_type, \
         country = excluded.country \
         WHERE message_costs.source = 'segments' AND excluded.source = 'provider'",
    )
    .bind(channel_id)
    .bind(provider_message_id)
    .bind(cost.micro_usd)
    .bind(cost.source)
    .bind(&cost.category)
    .bind(cost.pricing_type)
    .bind(&cost.country)
    .bind(cost.priced_at)
    .bind(&cost.month)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// What a conversation's messages have cost so far, and how many were priced.
    pub async fn conversation_cost(&self, conversation_id: i64) -> StoreResult<(i64, i64)> {
        let (count, total): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(c.micro_usd), CAST(SUM(c.micro_usd) AS BIGINT) FROM messages m \
             JOIN message_costs c ON c.channel_id = m.channel_id AND c.provider_message_id = m.provider_message_id \
             WHERE m.conversation_id = $1 AND m.direction = 'outbound'",
        )
        .bind(conversation_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((count, total.unwrap_or(0)))
    }

    /// Spending by month, channel and category for the months `from_month..=to_month`.
    pub async fn cost_totals(
        &self,
        from_month: &str,
        to_month: &str,
    ) -> StoreResult<Vec<CostTotalRow>> {
        Ok(sqlx::query_as(
            "SELECT month, channel_id, category, COUNT(*) AS messages, CAST(SUM(micro_usd) AS BIGINT) AS micro_usd \
             FROM message_costs WHERE month >= $1 AND month <= $2 \
             GROUP BY month, channel_id, category ORDER BY month, channel_id, category",
        )
        .bind(from_month)
        .bind(to_month)
        .fetch_all(&self.pool)
        .await?)
    }

    /// What one channel spent in one month.
    pub async fn channel_spending(&self, channel_id: i64, month: &str) -> StoreResult<i64> {
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(micro_usd) AS BIGINT) FROM message_costs WHERE channel_id = $1 AND month = $2",
        )
        .bind(channel_id)
        .bind(month)
        .fetch_one(&self.pool)
        .await?;
        Ok(total.unwrap_or(0))
    }

    /// Every channel's name, removed ones too: their costs stay in the reports.
    pub async fn all_channel_names(&self) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT id, name FROM channels ORDER BY id")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn rate_cards(&self) -> StoreResult<Vec<RateCardRow>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.effective_from, r.csv, u.name AS uploaded_by, r.uploaded_at \
             FROM rate_cards r LEFT JOIN users u ON u.id = r.uploaded_by ORDER BY r.id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn add_rate_card(
        &self,
        effective_from: &str,
        csv: &str,
        uploaded_by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO rate_cards (effective_from, csv, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(effective_from)
        .bind(csv)
        .bind(uploaded_by)
        .bind(now_ms())
        .fetch_one(&self.writer)
        .await?)
    }

    /// The WhatsApp costs priced by a rate table on or after `from_ms`, to price again with a
    /// table that now applies to them: (channel, provider message id, category, type, country,
    /// priced at).
    pub async fn rate_card_costs_since(
        &self,
        from_ms: i64,
    ) -> StoreResult<Vec<(i64, String, String, Option<String>, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT channel_id, provider_message_id, category, pricing_type, country, priced_at \
             FROM message_costs WHERE source = 'rate_card' AND priced_at >= $1",
        )
        .bind(from_ms)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets new amounts on costs already recorded: (channel, provider message id, micro-dollars).
    pub async fn reprice(&self, amounts: &[(i64, String, i64)]) -> StoreResult<()> {
        for batch in amounts.chunks(500) {
            let mut tx = self.writer.begin().await?;
            for (channel_id, provider_message_id, micro_usd) in batch {
                sqlx::query(
                    "UPDATE message_costs SET micro_usd = $1 \
                     WHERE channel_id = $2 AND provider_message_id = $3",
                )
                .bind(micro_usd)
                .bind(channel_id)
                .bind(provider_message_id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn budgets(&self) -> StoreResult<Vec<BudgetRow>> {
        Ok(sqlx::query_as(
            "SELECT b.channel_id, b.monthly_micro_usd FROM channel_budgets b \
             JOIN channels c ON c.id = b.channel_id WHERE c.deleted_at IS NULL ORDER BY b.channel_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn budget_of(&self, channel_id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT monthly_micro_usd FROM channel_budgets WHERE channel_id = $1",
        )
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Sets a channel's monthly budget, or removes it with `None`.
    pub async fn set_budget(
        &self,
        channel_id: i64,
        monthly_micro_usd: Option<i64>,
    ) -> StoreResult<()> {
        match monthly_micro_usd {
            Some(amount) => {
                sqlx::query(
                    "INSERT INTO channel_budgets (channel_id, monthly_micro_usd, updated_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (channel_id) DO UPDATE SET \
                     monthly_micro_usd = excluded.monthly_micro_usd, updated_at = excluded.updated_at",
                )
                .bind(channel_id)
                .bind(amount)
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM channel_budgets WHERE channel_id = $1")
                    .bind(channel_id)
                    .execute(&self.writer)
                    .await?;
            }
        }
        Ok(())
    }

    /// Raises an alert unless this one was raised before; true when it is new.
    pub async fn raise_budget_alert(
        &self,
        channel_id: i64,
        month: &str,
        threshold: i64,
        spent_micro_usd: i64,
        budget_micro_usd: i64,
    ) -> StoreResult<bool> {
        let raised = sqlx::query(
            "INSERT INTO budget_alerts (channel_id, month, threshold, spent_micro_usd, \
             budget_micro_usd, raised_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (channel_id, month, threshold) DO NOTHING",
        )
        .bind(channel_id)
        .bind(month)
        .bind(threshold)
        .bind(spent_micro_usd)
        .bind(budget_micro_usd)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(raised.rows_affected() == 1)
    }

    /// Alerts no admin has dismissed yet, newest first.
    pub async fn open_budget_alerts(&self) -> StoreResult<Vec<BudgetAlertRow>> {
        Ok(sqlx::query_as(
            "SELECT a.channel_id, c.name AS channel_name, a.month, a.threshold, a.spent_micro_usd, \
             a.budget_micro_usd, a.raised_at FROM budget_alerts a JOIN channels c ON c.id = a.channel_id \
             WHERE a.dismissed_at IS NULL ORDER BY a.raised_at DESC, a.threshold DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Dismisses a channel's alerts for a month; true when there was one to dismiss.
    pub async fn dismiss_budget_alerts(
        &self,
        channel_id: i64,
        month: &str,
        by: i64,
    ) -> StoreResult<bool> {
        let dismissed = sqlx::query(
            "UPDATE budget_alerts SET dismissed_at = $1, dismissed_by = $2 \
             WHERE channel_id = $3 AND month = $4 AND dismissed_at IS NULL",
        )
        .bind(now_ms())
        .bind(by)
        .bind(channel_id)
        .bind(month)
        .execute(&self.writer)
        .await?;
        Ok(dismissed.rows_affected() > 0)
    }
}
