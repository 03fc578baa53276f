//! Supervision: the board of who is online and what they have open, trainees' replies approved
//! or rejected, conversations joined or taken over.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{Approval, Rejection, SupervisionBoard};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn board(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<SupervisionBoard>, ApiError> {
    Ok(Json(state.services.supervision_board(&actor).await?))
}

/// Approves a held reply; it is queued for sending.
pub async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(approval): ApiJson<Approval>,
) -> Result<StatusCode, ApiError> {
    state.services.approve_message(&actor, id, approval).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn reject(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(rejection): ApiJson<Rejection>,
) -> Result<StatusCode, ApiError> {
    state.services.reject_message(&actor, id, rejection).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn join(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.join_conversation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn take_over(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.take_over_conversation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
