//! `GET /live`: the server-sent event stream an open inbox listens to.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio_stream::{Stream, StreamExt};

use crate::http::api::ApiActor;
use crate::startup::AppState;

pub async fn stream(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = state
        .services
        .live_events_for(actor)
        .filter_map(|event| Event::default().json_data(&event).ok().map(Ok));
    Sse::new(events).keep_alive(KeepAlive::default())
}
