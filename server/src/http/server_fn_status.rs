//! Server functions answer every error with 500, leptos' default. The page only needs to know
//! that a call failed, but a 500 tells monitors, proxies and people reading logs that the
//! server broke: a refusal (not signed in, forbidden, invalid input) gets the status its error
//! code stands for, as in the JSON API.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, status_of};

/// An error answer is a code and a sentence; anything longer is not one of ours.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn error_status(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_function = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let response = next.run(request).await;
    if !server_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return ApiError(AppError::internal()).into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = status_of(error.code);
    }
    Response::from_parts(parts, Body::from(bytes))
}
