use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use app::model::{ConversationDetail, ConversationSummary, InboxView};

use super::{ApiActor, ApiJson};
use crate::http::error::ApiError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    view: Option<InboxView>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let view = query.view.unwrap_or(InboxView::Mine);
    Ok(Json(state.services.list_conversations(&actor, view).await?))
}

pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(state.services.conversation(&actor, id).await?))
}

#[derive(Deserialize)]
pub struct Reply {
    body: String,
}

/// Queues a reply; it is delivered in the background, so the answer is 202.
pub async fn reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    ApiJson(reply): ApiJson<Reply>,
) -> Result<StatusCode, ApiError> {
    state.services.send_reply(&actor, id, &reply.body).await?;
    Ok(StatusCode::ACCEPTED)
}
