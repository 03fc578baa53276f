use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use app::model::{Mention, SearchHit};

use super::{ApiActor, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct SearchQuery {
    /// Missing is the same as empty: the service explains what a search needs.
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    Ok(Json(state.services.search(&actor, &query.q).await?))
}

/// The notes that mentioned the caller; found like search results, by the caller's sight.
pub async fn mentions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Mention>>, ApiError> {
    Ok(Json(state.services.mentions(&actor).await?))
}
