use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{Channel, ChannelInput};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Channel>>, ApiError> {
    Ok(Json(state.services.list_channels(&actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ChannelInput>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let channel = state.services.create_channel(Some(&actor), &input).await?;
    Ok((StatusCode::CREATED, Json(channel)))
}

pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(state.services.get_channel(&actor, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ChannelInput>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(
        state.services.update_channel(&actor, id, &input).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_channel(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
