//! `GET /live`: the server-sent event stream an open inbox listens to.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::{Stream, StreamExt};

use app::model::LiveEvent;

use crate::http::api::ApiActor;
use crate::startup::AppState;

pub async fn stream(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let me = actor.id;
    let events = BroadcastStream::new(state.services.live().subscribe()).filter_map(move |event| {
        let event = match event {
            // A mention is for the person mentioned only.
            Ok(LiveEvent::Mention { person_id, .. }) if person_id != me => return None,
            Ok(event) => event,
            // Events were missed: reloading what the page shows catches up.
            Err(BroadcastStreamRecvError::Lagged(_)) => LiveEvent::Activity,
        };
        Event::default().json_data(&event).ok().map(Ok)
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
