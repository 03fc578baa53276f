use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use app::model::WebhookEvent;

use super::{ApiActor, ApiPath, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    only_problems: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<WebhookEvent>>, ApiError> {
    Ok(Json(
        state
            .services
            .list_webhook_events(&actor, query.only_problems)
            .await?,
    ))
}

pub async fn reprocess(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookEvent>, ApiError> {
    Ok(Json(
        state.services.reprocess_webhook_event(&actor, id).await?,
    ))
}
