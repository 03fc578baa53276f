//! The sandbox provider's endpoints (see `services::sandbox`), at the providers' own paths below
//! `/sandbox/graph` and `/sandbox/twilio`. Outside demo mode every one answers 404. They sit
//! outside the sign-in layers: like the real providers, they read the channel's own
//! credentials (a Bearer token, or HTTP Basic for Twilio).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use base64::Engine;

use crate::http::error::ApiError;
use crate::services::SandboxAnswer;
use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/graph/{version}/{object_id}/messages",
            post(graph_messages),
        )
        .route(
            "/sandbox/graph/{version}/{object_id}/media",
            post(graph_media),
        )
        .route(
            "/sandbox/twilio/2010-04-01/Accounts/{account_sid}/Messages.json",
            post(twilio_messages),
        )
        .route("/sandbox/{*call}", any(unsupported))
}

/// A call the sandbox does not offer (template submission, say): refused as a provider
/// refuses a call it does not know, so the feature shows its usual failure.
async fn unsupported(State(state): State<AppState>) -> Response {
    if !state.services.demo_mode() {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({ "error": {
            "message": "The demo's sandbox provider does not offer this call.",
            "type": "OAuthException", "code": 100
        }})),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// HTTP Basic credentials as (user, password).
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn answer(outcome: Result<SandboxAnswer, app::error::AppError>) -> Response {
    match outcome {
        Ok(SandboxAnswer { status, body }) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        )
            .into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

async fn graph_messages(
    State(state): State<AppState>,
    Path((_version, object_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.services.demo_mode() {
        return StatusCode::NOT_FOUND.into_response();
    }
    answer(
        state
            .services
            .sandbox_graph_send(&object_id, bearer(&headers), &body)
            .await,
    )
}

async fn graph_media(
    State(state): State<AppState>,
    Path((_version, object_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !state.services.demo_mode() {
        return StatusCode::NOT_FOUND.into_response();
    }
    answer(
        state
            .services
            .sandbox_graph_upload(&object_id, bearer(&headers))
            .await,
    )
}

async fn twilio_messages(
    State(state): State<AppState>,
    Path(account_sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.services.demo_mode() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let credentials = basic(&headers);
    answer(
        state
            .services
            .sandbox_twilio_send(
                &account_sid,
                credentials
                    .as_ref()
                    .map(|(user, password)| (user.as_str(), password.as_str())),
                &form,
            )
            .await,
    )
}
