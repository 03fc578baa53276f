use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{CannedResponse, CannedResponseInput};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<CannedResponse>>, ApiError> {
    Ok(Json(state.services.list_canned_responses(&actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<CannedResponseInput>,
) -> Result<(StatusCode, Json<CannedResponse>), ApiError> {
    let created = state.services.create_canned_response(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_canned_response(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
