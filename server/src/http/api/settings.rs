use axum::Json;
use axum::extract::State;

use app::model::{InboxSettings, RetentionCounts, RetentionSettings};

use super::{ApiActor, ApiJson};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn inbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<InboxSettings>, ApiError> {
    Ok(Json(state.services.inbox_settings_for(&actor).await?))
}

pub async fn update_inbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<InboxSettings>,
) -> Result<Json<InboxSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_inbox_settings(&actor, settings)
            .await?,
    ))
}

pub async fn retention(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RetentionSettings>, ApiError> {
    Ok(Json(state.services.retention_settings_for(&actor).await?))
}

pub async fn update_retention(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<RetentionSettings>,
) -> Result<Json<RetentionSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_retention_settings(&actor, settings)
            .await?,
    ))
}

pub async fn retention_preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RetentionCounts>, ApiError> {
    Ok(Json(state.services.retention_preview_for(&actor).await?))
}
