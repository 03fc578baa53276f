//! Escalation: the risk words (`/settings/risk-words`) and flagging or clearing a
//! conversation's urgent flag (`/conversations/{id}/urgent`).

use axum::Json;
use axum::extract::State;

use app::model::{ConversationDetail, RiskWords, UrgentChange};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn risk_words(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RiskWords>, ApiError> {
    Ok(Json(state.services.risk_words_for(&actor).await?))
}

pub async fn update_risk_words(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(words): ApiJson<RiskWords>,
) -> Result<Json<RiskWords>, ApiError> {
    Ok(Json(state.services.update_risk_words(&actor, words).await?))
}

/// Answers with the conversation as it is afterwards.
pub async fn set_urgent(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<UrgentChange>,
) -> Result<Json<ConversationDetail>, ApiError> {
    state.services.set_urgent(&actor, id, change).await?;
    Ok(Json(state.services.conversation(&actor, id).await?))
}
