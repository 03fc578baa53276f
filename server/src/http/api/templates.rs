use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use app::model::{Template, TemplateCategory, TemplateContent, TemplateInput, TwilioTemplateInput};

use super::{ApiActor, ApiJson};
use crate::http::error::ApiError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    channel_id: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Template>>, ApiError> {
    Ok(Json(
        state
            .services
            .list_templates(&actor, query.channel_id)
            .await?,
    ))
}

/// Saves and submits a WhatsApp template. 201 also when Meta refused it: the template is
/// kept as a draft with the reason, which the answer shows.
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let created = state.services.create_template(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn register_twilio(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<TwilioTemplateInput>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let created = state
        .services
        .register_twilio_template(&actor, input)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn submit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<Template>, ApiError> {
    Ok(Json(state.services.submit_template(&actor, id).await?))
}

#[derive(Deserialize)]
pub struct NewVersion {
    category: TemplateCategory,
    content: TemplateContent,
}

pub async fn new_version(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    ApiJson(version): ApiJson<NewVersion>,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let created = state
        .services
        .new_template_version(&actor, id, version.category, version.content)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_template(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct Synced {
    changed: u64,
}

pub async fn sync(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(channel_id): Path<i64>,
) -> Result<Json<Synced>, ApiError> {
    let changed = state.services.sync_templates(&actor, channel_id).await?;
    Ok(Json(Synced { changed }))
}
