use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

use app::model::{ContactDetail, ErasureReport, ErasureRequest, Note};

use super::{ApiActor, ApiJson, ApiPath};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactDetail>, ApiError> {
    Ok(Json(state.services.contact(&actor, id).await?))
}

#[derive(Deserialize)]
pub struct NewNote {
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(note): ApiJson<NewNote>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    let note = state
        .services
        .add_contact_note(&actor, id, &note.body)
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

pub async fn erase(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ErasureRequest>,
) -> Result<Json<ErasureReport>, ApiError> {
    Ok(Json(
        state
            .services
            .erase_contact(&actor, id, &request.confirm)
            .await?,
    ))
}

/// The ZIP of everything held about the contact, as a download.
pub async fn export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let export = state.services.export_contact(&actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", export.filename),
            ),
        ],
        export.zip,
    ))
}
