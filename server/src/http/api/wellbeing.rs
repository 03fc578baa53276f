//! Volunteer wellbeing: the settings (admins), the heartbeat that counts time answering, a
//! person's own figures, and who is over the limits (coordinators and admins).

use axum::Json;
use axum::extract::State;

use app::model::{MyWellbeing, WellbeingOverview, WellbeingSettings};

use super::{ApiActor, ApiJson};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<WellbeingSettings>, ApiError> {
    Ok(Json(state.services.wellbeing_settings_for(&actor).await?))
}

pub async fn update_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<WellbeingSettings>,
) -> Result<Json<WellbeingSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_wellbeing_settings(&actor, settings)
            .await?,
    ))
}

pub async fn activity(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<MyWellbeing>, ApiError> {
    Ok(Json(state.services.record_activity(&actor).await?))
}

pub async fn mine(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<MyWellbeing>, ApiError> {
    Ok(Json(state.services.my_wellbeing(&actor).await?))
}

pub async fn overview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<WellbeingOverview>, ApiError> {
    Ok(Json(state.services.wellbeing_overview(&actor).await?))
}
