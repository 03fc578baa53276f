//! Erasure requests by message, their keyword, and volunteers' access to resolved
//! conversations.

use axum::Json;
use axum::extract::State;

use app::model::{
    ErasureDecision, ErasureDecline, ErasureKeyword, RequestedErasure, VolunteerAccess,
};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn keyword(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ErasureKeyword>, ApiError> {
    Ok(Json(state.services.erasure_keyword_for(&actor).await?))
}

pub async fn update_keyword(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(setting): ApiJson<ErasureKeyword>,
) -> Result<Json<ErasureKeyword>, ApiError> {
    Ok(Json(
        state
            .services
            .update_erasure_keyword(&actor, setting)
            .await?,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<RequestedErasure>>, ApiError> {
    Ok(Json(state.services.erasure_requests(&actor).await?))
}

pub async fn confirm(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ErasureDecision>, ApiError> {
    Ok(Json(
        state.services.confirm_erasure_request(&actor, id).await?,
    ))
}

pub async fn decline(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(decline): ApiJson<ErasureDecline>,
) -> Result<Json<ErasureDecision>, ApiError> {
    Ok(Json(
        state
            .services
            .decline_erasure_request(&actor, id, &decline.reason)
            .await?,
    ))
}

pub async fn volunteer_access(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<VolunteerAccess>, ApiError> {
    Ok(Json(state.services.volunteer_access_for(&actor).await?))
}

pub async fn update_volunteer_access(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(setting): ApiJson<VolunteerAccess>,
) -> Result<Json<VolunteerAccess>, ApiError> {
    Ok(Json(
        state
            .services
            .update_volunteer_access(&actor, setting)
            .await?,
    ))
}
