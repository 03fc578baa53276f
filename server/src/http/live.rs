//! `GET /live`: the server-sent event stream an open inbox listens to.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio_stream::{Stream, StreamExt};

use app::ports::Credential;

use crate::http::api::ApiActor;
use crate::startup::AppState;
use crate::store::now_ms;

pub async fn stream(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // A session's stream ends with the session's absolute lifetime.
    let lifetime_left = match &actor.credential {
        Credential::Session { signed_in_at, .. } => {
            let ends_at = signed_in_at + state.config.session_lifetime.as_millis() as i64;
            Duration::from_millis(u64::try_from(ends_at - now_ms()).unwrap_or(0))
        }
        Credential::Token | Credential::Direct => Duration::MAX,
    };
    let events = state
        .services
        .live_events_for(actor)
        .filter_map(|event| Event::default().json_data(&event).ok().map(Ok));
    let lifetime = async move {
        match tokio::time::Instant::now().checked_add(lifetime_left) {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
    };
    Sse::new(futures::StreamExt::take_until(events, lifetime)).keep_alive(KeepAlive::default())
}
