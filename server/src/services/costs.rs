//! The cost meter: what each outbound message cost, the monthly report, channels' budgets and
//! the alerts admins get when spending nears them, the rate tables admins load, and what a
//! template will cost before it is sent.

use std::collections::HashMap;

use app::error::AppError;
use app::model::{
    BudgetAlert, ChannelBudget, ChannelKind, ChannelSpending, CostEstimate, CostQuery, CostReport,
    CostRow, CostSettings, MessageCostView, Permission, RateCardInput, RateCardSummary,
};
use app::ports::Actor;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::channels::ConnectedChannel;
use super::reports::{csv_cell, csv_document};
use super::{Services, parse_day, rfc3339};
use crate::domain::costs::{
    CostError, CostSource, MessageCost, MicroUsd, Prices, RateCard, WhatsAppCategory,
    billing_month, budget_thresholds_reached, messenger_is_free, price_sms_by_segments,
};
use crate::domain::replies::{Network, WINDOW_MS};
use crate::store::{ConversationRow, NewCost, OutboundJob, now_ms};

const COST_SETTINGS: &str = "costs";

/// The longest range a cost report covers: ten years of months.
const MOST_REPORT_DAYS: i64 = 3_660;

/// Costs settings as stored.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct StoredCostSettings {
    sms_per_segment_micro_usd: i64,
}

impl Default for StoredCostSettings {
    fn default() -> Self {
        StoredCostSettings {
            sms_per_segment_micro_usd: Prices::default().sms_per_segment.0,
        }
    }
}

/// A priced message as the store records it, counted on `at` (epoch ms).
pub(crate) fn new_cost(cost: MessageCost, at: i64) -> NewCost {
    NewCost {
        micro_usd: cost.amount.0,
        source: cost.source.as_str(),
        category: cost.category,
        pricing_type: cost.pricing_type.map(|pricing_type| pricing_type.as_str()),
        country: cost.country,
        priced_at: at,
        month: billing_month(date_of(at)),
    }
}

/// The UTC day of an epoch-ms instant.
pub(crate) fn date_of(epoch_ms: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(epoch_ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date()
}

/// An amount an admin typed, in dollars; refused with a sentence when it is not one.
fn dollars(text: &str, what: &str) -> Result<MicroUsd, AppError> {
    match MicroUsd::parse(text) {
        Ok(amount) if amount.0 > 0 => Ok(amount),
        Ok(_) => Err(AppError::unprocessable(format!(
            "{what} must be more than $0."
        ))),
        Err(error) => Err(AppError::unprocessable(error.to_string())),
    }
}

/// "$0.0618" with what the message was priced as, for the thread.
pub(crate) fn message_cost_view(micro_usd: i64, source: &str, category: &str) -> MessageCostView {
    let what = match category {
        "sms" => "SMS".to_owned(),
        "messenger" => "Messenger".to_owned(),
        "whatsapp" => "WhatsApp through Twilio".to_owned(),
        category => format!("WhatsApp {category}"),
    };
    MessageCostView {
        micro_usd,
        amount: MicroUsd(micro_usd).exact_text(),
        explanation: format!("{what}: {}", CostSource::explained(source)),
    }
}

/// "$0.12 for 3 messages".
pub(crate) fn conversation_cost_text(priced: i64, micro_usd: i64) -> Option<String> {
    (priced > 0).then(|| {
        let messages = if priced == 1 { "message" } else { "messages" };
        format!(
            "{} for {priced} {messages}",
            MicroUsd(micro_usd).cents_text()
        )
    })
}

impl Services {
    /// The prices in force: rate tables loaded by admins over the shipped one, and the SMS
    /// segment price. Read with the webhook screening, so a burst reads them once.
    pub(crate) async fn load_prices(&self) -> Result<Prices, AppError> {
        let loaded = self
            .store
            .rate_cards()
            .await?
            .into_iter()
            .filter_map(|row| {
                let effective = parse_day(&row.effective_from, "effective_from").ok()?;
                match RateCard::parse_csv(row.csv.as_bytes()) {
                    Ok(card) => Some((effective, card)),
                    Err(error) => {
                        tracing::error!(rate_card = row.id, %error, "a stored rate table cannot be read");
                        None
                    }
                }
            })
            .collect();
        let settings = self.stored_cost_settings().await?;
        Ok(Prices::new(
            loaded,
            MicroUsd(settings.sms_per_segment_micro_usd),
        ))
    }

    async fn stored_cost_settings(&self) -> Result<StoredCostSettings, AppError> {
        Ok(self
            .store
            .setting(COST_SETTINGS)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// What a reply the provider just accepted costs as far as is known now: Messenger is
    /// free; an SMS costs its segments until Twilio's callback says what it charged; WhatsApp
    /// is priced when Meta's status reports its pricing.
    pub(crate) async fn cost_when_accepted(
        &self,
        channel: &ConnectedChannel,
        job: &OutboundJob,
    ) -> Result<Option<NewCost>, AppError> {
        let cost = match Network::of(channel.config.kind, Some(&job.address)) {
            Network::Messenger => messenger_is_free(),
            Network::Sms => {
                let prices = self.screening().await?;
                price_sms_by_segments(&prices.prices, &job.body, &job.address)
            }
            Network::WhatsApp => return Ok(None),
        };
        Ok(Some(new_cost(cost, now_ms())))
    }

    /// Raises the budget alerts that the costs just recorded call for, once per channel,
    /// month and threshold.
    pub(crate) async fn check_budgets(&self, priced: &[(i64, String)]) {
        for (channel_id, month) in priced {
            if let Err(error) = self.check_budget(*channel_id, month).await {
                tracing::error!(
                    channel = channel_id,
                    ?error,
                    "a budget could not be checked"
                );
            }
        }
    }

    async fn check_budget(&self, channel_id: i64, month: &str) -> Result<(), AppError> {
        let Some(budget) = self.store.budget_of(channel_id).await? else {
            return Ok(());
        };
        let spent = self.store.channel_spending(channel_id, month).await?;
        for threshold in budget_thresholds_reached(MicroUsd(spent), MicroUsd(budget)) {
            let raised = self
                .store
                .raise_budget_alert(channel_id, month, i64::from(threshold), spent, budget)
                .await?;
            if raised {
                tracing::warn!(
                    channel = channel_id,
                    month,
                    threshold,
                    "a channel reached its budget alert threshold"
                );
                self.store
                    .audit(
                        None,
                        "costs.budget_alert",
                        &format!("channel:{channel_id}"),
                        serde_json::json!({ "month": month, "threshold": threshold, "spent_micro_usd": spent, "budget_micro_usd": budget }),
                    )
                    .await?;
                self.live.activity();
            }
        }
        Ok(())
    }

    /// The Reports page's costs table as CSV: one row per month, channel and category, the cost
    /// in millionths of a dollar and rounded to the cent.
    pub async fn cost_report_csv(
        &self,
        actor: &Actor,
        query: CostQuery,
    ) -> Result<String, AppError> {
        let report = self.cost_report(actor, query).await?;
        let rows = report
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.month.clone(),
                    csv_cell(&row.channel_name),
                    csv_cell(&row.category),
                    row.messages.to_string(),
                    row.micro_usd.to_string(),
                    csv_cell(&row.amount),
                ]
            })
            .collect();
        Ok(csv_document(
            &[
                "month",
                "channel",
                "category",
                "messages",
                "micro_usd",
                "cost",
            ],
            rows,
        ))
    }

    /// Spending by month, channel and category from `from` to `to` (YYYY-MM-DD, UTC months as
    /// providers bill), with each channel's budget. Coordinators and admins.
    /// Without `from`, the range starts on the first day of `to`'s month; without `to`, it
    /// ends today.
    pub async fn cost_report(
        &self,
        actor: &Actor,
        query: CostQuery,
    ) -> Result<CostReport, AppError> {
        actor.require(Permission::Supervise)?;
        let to_day = match query.to.as_deref().filter(|to| !to.is_empty()) {
            Some(to) => parse_day(to, "to")?,
            None => date_of(now_ms()),
        };
        let from_day = match query.from.as_deref().filter(|from| !from.is_empty()) {
            Some(from) => parse_day(from, "from")?,
            None => to_day.replace_day(1).unwrap_or(to_day),
        };
        if to_day < from_day {
            return Err(AppError::unprocessable("“to” is before “from”."));
        }
        if (to_day - from_day).whole_days() > MOST_REPORT_DAYS {
            return Err(AppError::unprocessable(
                "A cost report covers at most ten years.",
            ));
        }
        let (from_month, to_month) = (billing_month(from_day), billing_month(to_day));
        let channels: HashMap<i64, String> =
            self.store.all_channel_names().await?.into_iter().collect();
        let name = |id: i64| {
            channels
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("Channel {id}"))
        };
        let budgets = self.budgets_by_channel().await?;
        let totals = self.store.cost_totals(&from_month, &to_month).await?;
        let mut spending: Vec<ChannelSpending> = Vec::new();
        for row in &totals {
            match spending
                .iter_mut()
                .find(|entry| entry.month == row.month && entry.channel_id == row.channel_id)
            {
                Some(entry) => entry.micro_usd += row.micro_usd,
                None => spending.push(ChannelSpending {
                    month: row.month.clone(),
                    channel_id: row.channel_id,
                    channel_name: name(row.channel_id),
                    micro_usd: row.micro_usd,
                    amount: String::new(),
                    budget_micro_usd: budgets.get(&row.channel_id).copied(),
                    budget: None,
                    percent_of_budget: None,
                }),
            }
        }
        for entry in &mut spending {
            entry.amount = MicroUsd(entry.micro_usd).cents_text();
            entry.budget = entry
                .budget_micro_usd
                .map(|budget| MicroUsd(budget).cents_text());
            entry.percent_of_budget = entry
                .budget_micro_usd
                .filter(|budget| *budget > 0)
                .map(|budget| (i128::from(entry.micro_usd) * 100 / i128::from(budget)) as i64);
        }
        let total_micro_usd = totals.iter().map(|row| row.micro_usd).sum();
        Ok(CostReport {
            from: from_day.to_string(),
            to: to_day.to_string(),
            rows: totals
                .into_iter()
                .map(|row| CostRow {
                    channel_name: name(row.channel_id),
                    amount: MicroUsd(row.micro_usd).cents_text(),
                    month: row.month,
                    channel_id: row.channel_id,
                    category: row.category,
                    messages: row.messages,
                    micro_usd: row.micro_usd,
                })
                .collect(),
            spending,
            total_micro_usd,
            total: MicroUsd(total_micro_usd).cents_text(),
        })
    }

    /// Each channel's monthly budget, in micro-dollars.
    async fn budgets_by_channel(&self) -> Result<HashMap<i64, i64>, AppError> {
        Ok(self
            .store
            .budgets()
            .await?
            .into_iter()
            .map(|row| (row.channel_id, row.monthly_micro_usd))
            .collect())
    }

    /// The SMS segment price, budgets and rate tables, for admins.
    pub async fn cost_settings(&self, actor: &Actor) -> Result<CostSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let stored = self.stored_cost_settings().await?;
        let budgets = self.budgets_by_channel().await?;
        let budgets = self
            .store
            .list_channels()
            .await?
            .into_iter()
            .map(|channel| ChannelBudget {
                monthly: budgets
                    .get(&channel.id)
                    .map(|amount| as_typed(MicroUsd(*amount))),
                channel_id: channel.id,
                channel_name: channel.name,
            })
            .collect();
        let shipped_card = RateCard::shipped();
        let shipped = RateCardSummary {
            id: 0,
            effective_from: shipped_card
                .rows()
                .iter()
                .map(|row| row.effective)
                .min()
                .unwrap_or(Date::MIN)
                .to_string(),
            markets: markets_of(&shipped_card),
            loaded_by: None,
            loaded_at: None,
        };
        let loaded = self.store.rate_cards().await?.into_iter().map(|row| {
            let markets = RateCard::parse_csv(row.csv.as_bytes())
                .map(|card| markets_of(&card))
                .unwrap_or(0);
            RateCardSummary {
                id: row.id,
                effective_from: row.effective_from,
                markets,
                loaded_by: row.uploaded_by,
                loaded_at: Some(rfc3339(row.uploaded_at)),
            }
        });
        Ok(CostSettings {
            sms_per_segment: as_typed(MicroUsd(stored.sms_per_segment_micro_usd)),
            budgets,
            rate_cards: std::iter::once(shipped).chain(loaded).collect(),
        })
    }

    pub async fn set_sms_segment_price(
        &self,
        actor: &Actor,
        price: &str,
    ) -> Result<CostSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let amount = dollars(price, "The price of a segment")?;
        let stored = StoredCostSettings {
            sms_per_segment_micro_usd: amount.0,
        };
        let json = serde_json::to_value(stored).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(COST_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.costs", "settings", json)
            .await?;
        self.forget_screening();
        self.cost_settings(actor).await
    }

    /// Sets a channel's monthly budget; an empty amount removes it.
    pub async fn set_channel_budget(
        &self,
        actor: &Actor,
        channel_id: i64,
        monthly: Option<&str>,
    ) -> Result<CostSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.connected_channel(channel_id).await?;
        let amount = match monthly.map(str::trim).filter(|text| !text.is_empty()) {
            Some(text) => Some(dollars(text, "A monthly budget")?.0),
            None => None,
        };
        self.store.set_budget(channel_id, amount).await?;
        self.store
            .audit(
                Some(actor.id),
                "costs.budget",
                &format!("channel:{channel_id}"),
                serde_json::json!({ "monthly_micro_usd": amount }),
            )
            .await?;
        if amount.is_some() {
            let month = billing_month(date_of(now_ms()));
            self.check_budgets(&[(channel_id, month)]).await;
        }
        self.cost_settings(actor).await
    }

    /// Loads a rate table: it prices messages from its effective day on, including costs
    /// already recorded for those days.
    pub async fn load_rate_card(
        &self,
        actor: &Actor,
        input: RateCardInput,
    ) -> Result<CostSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let effective = parse_day(&input.effective_from, "The effective date")?;
        let card = RateCard::parse_csv(input.csv.as_bytes())
            .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let id = self
            .store
            .add_rate_card(&effective.to_string(), &input.csv, actor.id)
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "costs.rate_card",
                &format!("rate_card:{id}"),
                serde_json::json!({ "effective_from": effective.to_string(), "markets": markets_of(&card) }),
            )
            .await?;
        self.forget_screening();
        self.reprice_since(effective).await?;
        self.cost_settings(actor).await
    }

    /// Prices again the WhatsApp costs of `from` and after, with the tables now in force.
    async fn reprice_since(&self, from: Date) -> Result<(), AppError> {
        let prices = self.load_prices().await?;
        let from_ms = from.midnight().assume_utc().unix_timestamp() * 1000;
        let mut amounts = Vec::new();
        let mut months = Vec::new();
        for (channel_id, provider_message_id, category, pricing_type, country, priced_at) in
            self.store.rate_card_costs_since(from_ms).await?
        {
            let (Ok(category), Some(Ok(pricing_type))) = (
                category.parse::<WhatsAppCategory>(),
                pricing_type.as_deref().map(str::parse),
            ) else {
                continue;
            };
            let day = date_of(priced_at);
            match prices.whatsapp(&country, category, pricing_type, day) {
                Ok(amount) => {
                    amounts.push((channel_id, provider_message_id, amount.0));
                    let month = (channel_id, billing_month(day));
                    if !months.contains(&month) {
                        months.push(month);
                    }
                }
                Err(error) => tracing::warn!(%error, "a recorded cost cannot be priced again"),
            }
        }
        self.store.reprice(&amounts).await?;
        self.check_budgets(&months).await;
        Ok(())
    }

    /// Budget alerts no admin has dismissed.
    pub async fn budget_alerts(&self, actor: &Actor) -> Result<Vec<BudgetAlert>, AppError> {
        actor.require(Permission::ManageSettings)?;
        Ok(self
            .store
            .open_budget_alerts()
            .await?
            .into_iter()
            .map(|row| BudgetAlert {
                channel_id: row.channel_id,
                channel_name: row.channel_name,
                month: row.month,
                threshold: row.threshold,
                spent: MicroUsd(row.spent_micro_usd).cents_text(),
                budget: MicroUsd(row.budget_micro_usd).cents_text(),
            })
            .collect())
    }

    pub async fn dismiss_budget_alert(
        &self,
        actor: &Actor,
        channel_id: i64,
        month: &str,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        if !self
            .store
            .dismiss_budget_alerts(channel_id, month, actor.id)
            .await?
        {
            return Err(AppError::not_found("Budget alert"));
        }
        self.store
            .audit(
                Some(actor.id),
                "costs.budget_alert_dismissed",
                &format!("channel:{channel_id}"),
                serde_json::json!({ "month": month }),
            )
            .await?;
        Ok(())
    }

    /// What sending a template in this conversation would cost now: Meta's list price for its
    /// category in the contact's market (a utility template inside the open window is free).
    /// `None` where no price applies (Messenger, SMS, a template without a WhatsApp category).
    pub(crate) async fn template_estimate(
        &self,
        row: &ConversationRow,
        template_category: &str,
    ) -> Result<Option<CostEstimate>, AppError> {
        let kind = ChannelKind::parse(&row.channel_kind).unwrap_or(ChannelKind::Twilio);
        if Network::of(kind, row.contact_address.as_deref()) != Network::WhatsApp {
            return Ok(None);
        }
        let Ok(category) = template_category.parse::<WhatsAppCategory>() else {
            return Ok(None);
        };
        let now = now_ms();
        let window_open = row.last_inbound_at.is_some_and(|at| now - at < WINDOW_MS);
        let address = row.contact_address.as_deref().unwrap_or_default();
        let country =
            crate::domain::costs::country_of_phone(address.trim_start_matches("whatsapp:"))
                .unwrap_or_default();
        let prices = self.screening().await?;
        let estimate =
            prices
                .prices
                .estimate_template(&country, category, date_of(now), window_open);
        Ok(match estimate {
            Ok(amount) if amount == MicroUsd::ZERO => Some(CostEstimate {
                micro_usd: 0,
                sentence: "This template is free here: a utility template inside the 24-hour window costs nothing.".to_owned(),
            }),
            Ok(amount) => Some(CostEstimate {
                micro_usd: amount.0,
                sentence: format!(
                    "This will cost {} ({} template to {}).",
                    amount.about_text(),
                    category,
                    if country.is_empty() { "an unknown country".to_owned() } else { country }
                ),
            }),
            Err(CostError::NotOffered { .. } | CostError::NoRateInForce { .. }) => None,
            Err(error) => {
                tracing::warn!(%error, "a template's cost cannot be estimated");
                None
            }
        })
    }
}

/// An amount as an admin types it back into a form: "1234.5", without "$" or thousands commas.
fn as_typed(amount: MicroUsd) -> String {
    amount.exact_text().replace([',', '$'], "")
}

fn markets_of(card: &RateCard) -> i64 {
    let mut markets: Vec<String> = card
        .rows()
        .iter()
        .map(|row| row.market.to_lowercase())
        .collect();
    markets.sort();
    markets.dedup();
    markets.len() as i64
}
