//! Escalation: admins keep the risk words; an inbound message holding one makes its
//! conversation urgent (see `ingest`), which alerts every coordinator and admin watching the
//! inbox; a coordinator clears the flag with a reason, or flags a conversation by hand.

use app::error::AppError;
use app::model::{LiveEvent, Permission, RiskWords, UrgentChange};
use app::ports::Actor;

use super::Services;
use crate::domain::escalation::{self, clean_list};

const RISK_WORDS_SETTING: &str = "risk_words";
/// The longest reason for flagging or clearing, in characters.
const MAX_REASON_CHARS: usize = 500;

impl Services {
    /// The risk words as saved (none until an admin lists some).
    async fn risk_word_list(&self) -> Result<Vec<String>, AppError> {
        Ok(match self.store.setting(RISK_WORDS_SETTING).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "risk words unreadable; matching none");
                Vec::new()
            }),
            None => Vec::new(),
        })
    }

    /// The risk words, ready to match inbound messages against.
    pub(crate) async fn risk_words(&self) -> Result<escalation::RiskWords, AppError> {
        Ok(escalation::RiskWords::new(&self.risk_word_list().await?))
    }

    /// Coordinators and admins read the list; admins change it.
    pub async fn risk_words_for(&self, actor: &Actor) -> Result<RiskWords, AppError> {
        actor.require(Permission::EscalateConversations)?;
        Ok(RiskWords {
            words: self.risk_word_list().await?,
        })
    }

    pub async fn update_risk_words(
        &self,
        actor: &Actor,
        risk_words: RiskWords,
    ) -> Result<RiskWords, AppError> {
        actor.require(Permission::ManageSettings)?;
        let words = clean_list(&risk_words.words)
            .map_err(|refused| AppError::unprocessable(refused.to_string()))?;
        let json = serde_json::to_string(&words).map_err(|_| AppError::internal())?;
        self.store.put_setting(RISK_WORDS_SETTING, &json).await?;
        self.forget_screening();
        self.store
            .audit(
                Some(actor.id),
                "settings.risk_words",
                "settings",
                serde_json::json!({ "count": words.len() }),
            )
            .await?;
        Ok(RiskWords { words })
    }

    /// A coordinator flags a conversation urgent (a reason is optional) or clears the flag
    /// (with the reason, which the audit log keeps). Flagging one already urgent, or clearing
    /// one that is not, changes nothing.
    pub async fn set_urgent(
        &self,
        actor: &Actor,
        id: i64,
        change: UrgentChange,
    ) -> Result<(), AppError> {
        actor.require(Permission::EscalateConversations)?;
        self.visible_conversation(actor, id).await?;
        let reason = change
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|reason| !reason.is_empty());
        if reason.is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS) {
            return Err(AppError::unprocessable(format!(
                "Give a reason of at most {MAX_REASON_CHARS} characters."
            )));
        }
        if !change.urgent && reason.is_none() {
            return Err(AppError::unprocessable(
                "Say why the conversation is no longer urgent.",
            ));
        }
        let changed = self
            .store
            .set_urgent(id, change.urgent, actor.id, reason)
            .await?;
        if changed {
            let event = if change.urgent {
                LiveEvent::Urgent {
                    conversation_id: id,
                    word: None,
                }
            } else {
                LiveEvent::Conversation { id }
            };
            self.live.publish(&self.store, event).await;
        }
        Ok(())
    }

    /// Alerts coordinators and admins of conversations a risk word has just made urgent.
    pub(crate) async fn alert_urgent(&self, flagged: Vec<(i64, String)>) {
        for (conversation_id, word) in flagged {
            self.live
                .publish(
                    &self.store,
                    LiveEvent::Urgent {
                        conversation_id,
                        word: Some(word),
                    },
                )
                .await;
        }
    }
}
