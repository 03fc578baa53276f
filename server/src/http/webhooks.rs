//! Provider webhooks. Each handler only hands the raw request to the ingest service; a 200 is
//! sent only after the delivery is durably stored.

use app::model::ChannelKind;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::http::error::ApiError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct Subscription {
    #[serde(rename = "hub.mode", default)]
    mode: String,
    #[serde(rename = "hub.verify_token", default)]
    verify_token: String,
    #[serde(rename = "hub.challenge", default)]
    challenge: String,
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn subscribe(state: &AppState, kind: ChannelKind, query: Subscription) -> Response {
    match state
        .services
        .accepts_subscription(kind, &query.mode, &query.verify_token)
        .await
    {
        Ok(true) => query.challenge.into_response(),
        Ok(false) => (StatusCode::FORBIDDEN, "verify token does not match").into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

pub async fn whatsapp_subscribe(
    State(state): State<AppState>,
    Query(query): Query<Subscription>,
) -> Response {
    subscribe(&state, ChannelKind::WhatsApp, query).await
}

pub async fn messenger_subscribe(
    State(state): State<AppState>,
    Query(query): Query<Subscription>,
) -> Response {
    subscribe(&state, ChannelKind::Messenger, query).await
}

/// Meta signs the body alone; Twilio also the URL it posted to.
async fn receive(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    signature_header: &str,
) -> Result<(), ApiError> {
    let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    state
        .services
        .receive_webhook(path, body, header_value(headers, signature_header))
        .await?;
    Ok(())
}

/// WhatsApp Cloud API and Messenger deliveries alike: both are signed by a Meta app and routed
/// by what they carry.
pub async fn meta(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    receive(
        &state,
        &uri,
        &headers,
        &body,
        channels::signature::META_HEADER,
    )
    .await?;
    Ok(StatusCode::OK)
}

/// Twilio's inbound messages and status callbacks alike.
pub async fn twilio(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    receive(
        &state,
        &uri,
        &headers,
        &body,
        channels::signature::TWILIO_HEADER,
    )
    .await?;
    // An empty TwiML response: acknowledged, no automatic reply.
    Ok(([(header::CONTENT_TYPE, "text/xml")], "<Response/>").into_response())
}
