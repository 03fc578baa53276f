//! Text with a NUL character (U+0000) is refused wherever it enters: PostgreSQL cannot store it
//! in `text` columns (it fails the statement, which would be a 500) and SQLite's full-text
//! search cannot match it. No person types one, so refusing it loses nothing.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use app::error::AppError;

use crate::http::error::ApiError;

/// The most a form or JSON body checked by [`refuse_nul_text`] may hold: axum's own default
/// body limit, which the handlers behind it apply anyway.
const MAX_CHECKED_BODY: usize = 2 * 1024 * 1024;

pub fn nul_refused() -> AppError {
    AppError::nul_in_text()
}

pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// Whether any string in the JSON value, key or value, holds a NUL.
pub fn json_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => has_nul(text),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| has_nul(key) || json_has_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Whether a URL-encoded query string or form body decodes to text holding a NUL.
pub fn urlencoded_has_nul(encoded: &[u8]) -> bool {
    url::form_urlencoded::parse(encoded).any(|(key, value)| has_nul(&key) || has_nul(&value))
}

/// Refuses requests bringing text with a NUL in their path, query string, or form or JSON
/// body: the server functions the UI calls and the plain forms. The JSON API checks in its
/// extractors instead, so that only the operations that read text answer 422; signed
/// webhooks are the providers' words and are not refused here.
pub async fn refuse_nul_text(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/v1/") || path.starts_with("/webhooks/") {
        return next.run(request).await;
    }
    let in_url = urlencoded_has_nul(path.as_bytes())
        || request
            .uri()
            .query()
            .is_some_and(|query| urlencoded_has_nul(query.as_bytes()));
    if in_url {
        return ApiError(nul_refused()).into_response();
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CHECKED_BODY).await else {
        return ApiError(AppError::bad_request(
            "The request body is cut off or larger than 2 MB.",
        ))
        .into_response();
    };
    let nul = if form {
        urlencoded_has_nul(&bytes)
    } else {
        // Only an escape can put a NUL into JSON text; a body without one needs no parsing.
        has_nul_escape(&bytes)
            && serde_json::from_slice::<Value>(&bytes).is_ok_and(|value| json_has_nul(&value))
    };
    if nul {
        return ApiError(nul_refused()).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether the JSON text holds `\u0000`, the only way to write a NUL in JSON.
fn has_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|window| window == b"\\u0000")
}
