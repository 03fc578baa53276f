use axum::Json;
use axum::extract::State;

use app::model::{CsatReport, ReportQuery, SatisfactionSettings};

use super::{ApiActor, ApiJson, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<CsatReport>, ApiError> {
    let query = ReportQuery {
        show: None,
        ..query
    };
    Ok(Json(state.services.csat_report(&actor, query).await?))
}

pub async fn settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<SatisfactionSettings>, ApiError> {
    Ok(Json(state.services.satisfaction_settings(&actor).await?))
}

pub async fn update_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<SatisfactionSettings>,
) -> Result<Json<SatisfactionSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_satisfaction_settings(&actor, settings)
            .await?,
    ))
}
