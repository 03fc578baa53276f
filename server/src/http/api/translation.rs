//! Translation: the service admins set, a message in the caller's language, and a reply
//! being written in the contact's language.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use serde::Deserialize;

use app::model::{
    DraftTranslation, MessageTranslation, TranslationSettings, TranslationSettingsInput,
};

use super::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TranslationSettings>, ApiError> {
    Ok(Json(state.services.translation_settings(&actor).await?))
}

pub async fn update_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<TranslationSettingsInput>,
) -> Result<Json<TranslationSettings>, ApiError> {
    Ok(Json(
        state
            .services
            .update_translation_settings(&actor, input)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct ReaderLanguage {
    /// The language to translate into; without it the `Accept-Language` header's, else English.
    #[serde(default)]
    language: Option<String>,
}

/// `POST /messages/{id}/translation?language=fr`: the message in the caller's language.
pub async fn translate_message(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReaderLanguage>,
    headers: HeaderMap,
) -> Result<Json<MessageTranslation>, ApiError> {
    let requested = query.language.or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    });
    Ok(Json(
        state
            .services
            .translate_message(&actor, id, requested.as_deref())
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct Draft {
    text: String,
    /// Without it, the contact's detected language.
    #[serde(default)]
    language: Option<String>,
}

/// `POST /conversations/{id}/translation`: a reply being written, translated for checking.
pub async fn translate_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<DraftTranslation>, ApiError> {
    Ok(Json(
        state
            .services
            .translate_draft(&actor, id, &draft.text, draft.language.as_deref())
            .await?,
    ))
}
