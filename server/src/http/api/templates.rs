use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use app::error::AppError;
use app::model::{
    Template, TemplateCategory, TemplateContent, TemplateInput, TemplateSync, TwilioTemplateInput,
};

use super::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::http::error::ApiError;
use crate::http::media::read_form;
use crate::services::Upload;
use crate::startup::AppState;

/// The most a JSON body may hold on routes that also take files.
const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// A JSON body, or a `multipart/form-data` one with the JSON in the part `template` and a
/// media header's sample file in the part `sample`.
async fn json_or_form<T: DeserializeOwned>(
    state: &AppState,
    request: Request,
) -> Result<(T, Option<Upload>), AppError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if multipart {
        let form = read_form(
            Multipart::from_request(request, state).await,
            state.config.media_max_bytes,
            "sample",
        )
        .await?;
        let value = form.json("template")?.ok_or_else(|| {
            AppError::bad_request("Send the template as JSON in the form part named \"template\".")
        })?;
        return Ok((value, form.file));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_JSON_BYTES)
        .await
        .map_err(|_| AppError::bad_request("The JSON body is cut off or larger than 2 MB."))?;
    let ApiJson(value) =
        ApiJson::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
            .await
            .map_err(|ApiError(error)| error)?;
    Ok((value, None))
}

#[derive(Deserialize)]
pub struct ListQuery {
    channel_id: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Template>>, ApiError> {
    Ok(Json(
        state
            .services
            .list_templates(&actor, query.channel_id)
            .await?,
    ))
}

/// Saves and submits a WhatsApp template (JSON, or multipart with a media header's sample).
/// 201 also when Meta refused it: the template is kept as a draft with the reason, which the
/// answer shows.
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    request: Request,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let (input, sample) = json_or_form::<TemplateInput>(&state, request).await?;
    let created = state
        .services
        .create_template(&actor, input, sample)
        .await?;
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
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Template>, ApiError> {
    Ok(Json(state.services.submit_template(&actor, id).await?))
}

#[derive(Deserialize)]
pub struct NewVersion {
    category: TemplateCategory,
    content: TemplateContent,
}

/// A new version (JSON, or multipart with a new sample for a media header; without one, a
/// media header keeps the earlier version's sample).
pub async fn new_version(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    request: Request,
) -> Result<(StatusCode, Json<Template>), ApiError> {
    let (version, sample) = json_or_form::<NewVersion>(&state, request).await?;
    let created = state
        .services
        .new_template_version(&actor, id, version.category, version.content, sample)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_template(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"changed": n, "imported": m}`: review states that changed, and templates found only at
/// Meta that were added.
pub async fn sync(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(channel_id): ApiPath<i64>,
) -> Result<Json<TemplateSync>, ApiError> {
    Ok(Json(
        state.services.sync_templates(&actor, channel_id).await?,
    ))
}
