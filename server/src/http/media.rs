use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::http::api::ApiActor;
use crate::http::error::ApiError;
use crate::startup::AppState;

/// A contact's media file, for signed-in people only. Pictures, sound and video show inline;
/// anything else downloads, so a document never runs as a page of this site.
pub async fn media(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let file = state.services.media_file(&actor, id).await?;
    let inline = ["image/", "audio/", "video/"]
        .iter()
        .any(|prefix| file.mime_type.starts_with(prefix));
    let name: String = file
        .filename
        .unwrap_or_else(|| format!("attachment-{id}"))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect();
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if inline { "inline" } else { "attachment" }
    );
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, file.mime_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
