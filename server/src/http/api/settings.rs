use axum::Json;
use axum::extract::State;

use app::model::InboxSettings;

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
