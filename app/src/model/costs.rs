//! What messages cost: the monthly report, budgets and their alerts, the rate tables.

use serde::{Deserialize, Serialize};

/// One message's cost, shown when the pointer rests on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCostView {
    pub micro_usd: i64,
    /// Every digit: "$0.0618".
    pub amount: String,
    /// What it was priced as and how: "WhatsApp marketing, Meta's pricing category times the
    /// rate table".
    pub explanation: String,
}

/// The days a cost report covers (YYYY-MM-DD, inclusive). Without `from` it starts on the
/// first of `to`'s month; without `to` it ends today (UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The SMS segment price to set, in dollars ("0.0083").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsPriceInput {
    pub sms_per_segment: String,
}

/// Which budget alert to dismiss: a channel's, for a month (YYYY-MM).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetAlertDismissal {
    pub channel_id: i64,
    pub month: String,
}

/// Spending by month, channel and category, with each channel's budget.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostReport {
    /// YYYY-MM-DD, inclusive; costs count in their UTC month, as providers bill them.
    pub from: String,
    pub to: String,
    pub rows: Vec<CostRow>,
    /// Each channel's spending per month of the range, against its budget.
    pub spending: Vec<ChannelSpending>,
    pub total_micro_usd: i64,
    pub total: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRow {
    /// YYYY-MM.
    pub month: String,
    pub channel_id: i64,
    pub channel_name: String,
    /// WhatsApp's pricing category (marketing, utility, authentication, service…), `sms` or
    /// `messenger`.
    pub category: String,
    pub messages: i64,
    pub micro_usd: i64,
    /// Rounded to the cent: "$1.24".
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSpending {
    pub month: String,
    pub channel_id: i64,
    pub channel_name: String,
    pub micro_usd: i64,
    pub amount: String,
    /// The channel's monthly budget, if it has one.
    pub budget_micro_usd: Option<i64>,
    pub budget: Option<String>,
    /// Spending as a whole percentage of the budget.
    pub percent_of_budget: Option<i64>,
}

/// A channel's monthly budget, as the admin form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelBudget {
    pub channel_id: i64,
    pub channel_name: String,
    /// In dollars ("50.00"); `None`: no budget.
    pub monthly: Option<String>,
}

/// What an admin sets about costs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostSettings {
    /// The price of one SMS segment in dollars, used until Twilio says what it charged.
    pub sms_per_segment: String,
    pub budgets: Vec<ChannelBudget>,
    pub rate_cards: Vec<RateCardSummary>,
}

/// A rate table: the one that ships with Switchboard (`id` 0) or one an admin loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCardSummary {
    pub id: i64,
    /// YYYY-MM-DD: it prices messages from this day on.
    pub effective_from: String,
    pub markets: i64,
    pub loaded_by: Option<String>,
    /// RFC 3339; `None` for the shipped table.
    pub loaded_at: Option<String>,
}

/// A rate table to load: the CSV text in the format of the one that ships, and the day it
/// takes effect (messages before it keep the rates they had).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCardInput {
    pub effective_from: String,
    pub csv: String,
}

/// A channel's monthly budget to set; an empty or missing amount removes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetInput {
    #[serde(default)]
    pub monthly: Option<String>,
}

/// A channel's spending reached 80 % or 100 % of its monthly budget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetAlert {
    pub channel_id: i64,
    pub channel_name: String,
    /// YYYY-MM.
    pub month: String,
    /// 80 or 100.
    pub threshold: i64,
    pub spent: String,
    pub budget: String,
}

/// What sending a template would cost, before it is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostEstimate {
    pub micro_usd: i64,
    /// "this will cost about $0.02", or why it is free.
    pub sentence: String,
}

/// What sending one of a conversation's templates would cost now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateEstimate {
    pub template_id: i64,
    pub estimate: CostEstimate,
}
