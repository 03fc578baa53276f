use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::model::{AuditPage, AuditQuery};

use super::{ApiActor, ApiQuery};
use crate::http::error::ApiError;
use crate::startup::AppState;

pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(state.services.audit_log(&actor, query).await?))
}

/// Every matching entry, streamed as it is read.
pub async fn export_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let lines = state.services.audit_csv(&actor, query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"switchboard-audit.csv\"",
            ),
        ],
        Body::from_stream(lines),
    )
        .into_response())
}
