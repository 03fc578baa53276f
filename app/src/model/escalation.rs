//! Escalation: the risk words admins list, and urgent conversations.

use serde::{Deserialize, Serialize};

/// Words and phrases that make an inbound message's conversation urgent. Matched as whole
/// words, ignoring case and accents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskWords {
    pub words: Vec<String>,
}

/// A coordinator flags a conversation urgent (`urgent: true`, reason optional) or clears the
/// flag (`urgent: false`, with the reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentChange {
    pub urgent: bool,
    #[serde(default)]
    pub reason: Option<String>,
}
