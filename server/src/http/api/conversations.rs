use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use serde::Deserialize;

use app::error::AppError;
use app::model::{
    ConversationDetail, ConversationPage, ConversationQuery, ConversationStatus, InboxView, Note,
    StatusChange, TemplateSend,
};

use super::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::http::error::ApiError;
use crate::http::media::{read_form, send_file_or_template};
use crate::startup::AppState;

/// `?view=&status=&channel_id=&tag_id=&after=`, every part optional: Mine, open, first page.
#[derive(Deserialize)]
pub struct ListQuery {
    view: Option<InboxView>,
    status: Option<ConversationStatus>,
    channel_id: Option<i64>,
    tag_id: Option<i64>,
    after: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let mut request = ConversationQuery::view(query.view.unwrap_or(InboxView::Mine));
    request.status = query.status.unwrap_or(request.status);
    request.channel_id = query.channel_id;
    request.tag_id = query.tag_id;
    request.after = query.after;
    Ok(Json(
        state.services.list_conversations(&actor, request).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(state.services.conversation(&actor, id).await?))
}

/// Marks the conversation read for the caller (mentions, and messages if they answer it).
pub async fn read(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.mark_conversation_read(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"body": "…"}` for free text, `{"template": {"template_id": 3, "values": {"body": […]}}}`
/// for an approved template.
#[derive(Deserialize)]
pub struct Reply {
    #[serde(default)]
    body: Option<String>,
    /// Reply buttons offered with a free-text `body` (WhatsApp up to 3, Messenger up to 13).
    #[serde(default)]
    buttons: Vec<String>,
    #[serde(default)]
    template: Option<TemplateSend>,
    /// A `body` that is a translation: the language it is in and what its author wrote.
    #[serde(default)]
    translation: Option<ReplyTranslation>,
}

#[derive(Deserialize)]
pub struct ReplyTranslation {
    language: String,
    original_text: String,
}

/// Queues a reply; it is delivered in the background, so the answer is 202.
pub async fn reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(reply): ApiJson<Reply>,
) -> Result<StatusCode, ApiError> {
    match reply {
        Reply {
            body: Some(body),
            buttons,
            template: None,
            translation: Some(translation),
        } if buttons.is_empty() => {
            state
                .services
                .send_translated_reply(
                    &actor,
                    id,
                    &body,
                    &translation.original_text,
                    &translation.language,
                )
                .await?
        }
        Reply {
            body: Some(body),
            buttons,
            template: None,
            translation: None,
        } => {
            state
                .services
                .send_reply_with_buttons(&actor, id, &body, &buttons)
                .await?
        }
        Reply {
            body: None,
            template: Some(template),
            translation: None,
            ..
        } => {
            state
                .services
                .send_template(&actor, id, template, None)
                .await?
        }
        _ => {
            return Err(ApiError(AppError::bad_request(
                "Send either a \"body\" (with a \"translation\" or \"buttons\", not both) or a \"template\".",
            )));
        }
    }
    Ok(StatusCode::ACCEPTED)
}

/// Queues a file (`multipart/form-data`: `file`, optional `caption`), or with a `template`
/// part an approved template whose picture, video or document header is the file; 202 like
/// a reply.
pub async fn send_file(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<StatusCode, ApiError> {
    let form = read_form(form, state.config.media_max_bytes, "file").await?;
    send_file_or_template(&state, &actor, id, form).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `{"assignee_id": 7}` assigns, `{"assignee_id": null}` unassigns, `{"take": true}` takes it
/// for oneself (what volunteers may do). Unassigning must be asked for: a body naming neither
/// is refused rather than read as "nobody".
#[derive(Deserialize)]
pub struct Assignment {
    /// `None` when the body leaves it out, `Some(None)` for `null`.
    #[serde(default, deserialize_with = "present")]
    assignee_id: Option<Option<i64>>,
    #[serde(default)]
    take: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(value).map(Some)
}

pub async fn assign(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(assignment): ApiJson<Assignment>,
) -> Result<Json<ConversationDetail>, ApiError> {
    match assignment {
        Assignment {
            take: true,
            assignee_id: None,
        } => state.services.take_conversation(&actor, id).await?,
        Assignment {
            take: false,
            assignee_id: Some(assignee),
        } => {
            state
                .services
                .assign_conversation(&actor, id, assignee)
                .await?
        }
        _ => {
            return Err(ApiError(AppError::bad_request(
                "Send either \"assignee_id\" (null to unassign) or \"take\": true.",
            )));
        }
    }
    Ok(Json(state.services.conversation(&actor, id).await?))
}

pub async fn status(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<ConversationDetail>, ApiError> {
    state
        .services
        .set_conversation_status(&actor, id, change)
        .await?;
    Ok(Json(state.services.conversation(&actor, id).await?))
}

#[derive(Deserialize)]
pub struct Tagging {
    tag_id: i64,
}

pub async fn add_tag(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(tagging): ApiJson<Tagging>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .tag_conversation(&actor, id, tagging.tag_id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, tag_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .tag_conversation(&actor, id, tag_id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
        .add_conversation_note(&actor, id, &note.body)
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// Sends a failed message, or one whose outcome is unknown, again.
pub async fn retry_message(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.retry_message(&actor, id).await?;
    Ok(StatusCode::ACCEPTED)
}
