//! `GET /metrics` for Prometheus, and the middleware that counts and times every request.

use std::time::Instant;

use app::error::{AppError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::auth::layer::bearer_token;
use crate::http::error::ApiError;
use crate::startup::AppState;

/// Requests no route matched: static files (`/pkg/…`) and unknown paths. Their paths are not
/// labels: anyone can make up as many as they like.
const FALLBACK_ROUTE: &str = "fallback";

/// Methods labelled by name; any other is `other`.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Answers only when `SWITCHBOARD_METRICS_TOKEN` is set, and then only to that bearer token
/// (compared in constant time). It sits outside the session and API-token layers: the token
/// is not a person's.
pub async fn scrape(State(state): State<AppState>, request: Request) -> Response {
    let Some(expected) = &state.config.metrics_token else {
        return ApiError(AppError::not_found("Metrics endpoint")).into_response();
    };
    let presented = bearer_token(&request).unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.expose().as_bytes())) {
        let refused = AppError::new(
            ErrorCode::Unauthenticated,
            "The metrics token is missing or wrong.",
        );
        return ([(header::WWW_AUTHENTICATE, "Bearer")], ApiError(refused)).into_response();
    }
    match state.services.metrics_text().await {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

/// Counts and times each request by its route's template, method and status; the time is
/// until the response starts (a live stream counts until it opens).
pub async fn track_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(FALLBACK_ROUTE, MatchedPath::as_str)
        .to_owned();
    // Clients may send any token as a method; labels must stay few.
    let method = KNOWN_METHODS
        .into_iter()
        .find(|known| *known == request.method().as_str())
        .unwrap_or("other");
    let response = next.run(request).await;
    state.services.metrics().http_request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
