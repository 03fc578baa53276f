use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use app::model::{Tag, TagInput};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Tag>>, ApiError> {
    Ok(Json(state.services.list_tags(&actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<TagInput>,
) -> Result<(StatusCode, Json<Tag>), ApiError> {
    let tag = state.services.create_tag(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(tag)))
}

pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TagInput>,
) -> Result<Json<Tag>, ApiError> {
    Ok(Json(state.services.update_tag(&actor, id, input).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_tag(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
