//! Second factor over the API: the caller's own enrolment, an admin's reset of someone's, and
//! the setting that requires it of admins and coordinators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{RecoveryCodes, SecuritySettings, TotpCode, TotpEnrolment, TwoFactorStatus};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn status(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TwoFactorStatus>, ApiError> {
    Ok(Json(state.services.two_factor_status(&actor).await?))
}

pub async fn start(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TotpEnrolment>, ApiError> {
    Ok(Json(state.services.start_totp(&actor).await?))
}

pub async fn confirm(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(state.services.confirm_totp(&actor, &body.code).await?))
}

pub async fn disable(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<TotpCode>,
) -> Result<StatusCode, ApiError> {
    state.services.disable_totp(&actor, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn reset(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.reset_totp(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn security_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<SecuritySettings>, ApiError> {
    Ok(Json(state.services.security_settings_for(&actor).await?))
}

pub async fn update_security_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(settings): ApiJson<SecuritySettings>,
) -> Result<Json<SecuritySettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_security_settings(&actor, settings)
            .await?,
    ))
}
