use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{
    BudgetAlert, BudgetAlertDismissal, BudgetInput, CostQuery, CostReport, CostSettings,
    RateCardInput, SmsPriceInput,
};

use super::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<CostQuery>,
) -> Result<Json<CostReport>, ApiError> {
    Ok(Json(state.services.cost_report(&actor, query).await?))
}

pub async fn settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<CostSettings>, ApiError> {
    Ok(Json(state.services.cost_settings(&actor).await?))
}

pub async fn set_sms_price(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<SmsPriceInput>,
) -> Result<Json<CostSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .set_sms_segment_price(&actor, &input.sms_per_segment)
            .await?,
    ))
}

pub async fn set_budget(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(channel_id): ApiPath<i64>,
    ApiJson(input): ApiJson<BudgetInput>,
) -> Result<Json<CostSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .set_channel_budget(&actor, channel_id, input.monthly.as_deref())
            .await?,
    ))
}

pub async fn load_rate_card(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<RateCardInput>,
) -> Result<(StatusCode, Json<CostSettings>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.services.load_rate_card(&actor, input).await?),
    ))
}

pub async fn alerts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<BudgetAlert>>, ApiError> {
    Ok(Json(state.services.budget_alerts(&actor).await?))
}

pub async fn dismiss_alert(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(dismissal): ApiJson<BudgetAlertDismissal>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .dismiss_budget_alert(&actor, dismissal.channel_id, &dismissal.month)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
