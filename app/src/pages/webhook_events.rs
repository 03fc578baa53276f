use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ReprocessWebhookEvent, list_webhook_events};
use crate::components::{ErrorNotice, Layout};
use crate::model::{Me, WebhookEvent};
use crate::tracking::tracked_in_browser;

#[component]
pub fn WebhookEventsPage() -> impl IntoView {
    view! {
        <Title text="Webhook events" />
        <Layout page=webhook_events />
    }
}

fn webhook_events(_: Me) -> impl IntoView {
    let only_failed = RwSignal::new(false);
    let events = Resource::new(
        tracked_in_browser(move || only_failed.get()),
        list_webhook_events,
    );
    view! {
        <main class="page">
            <h1>"Webhook events"</h1>
            <p>"The latest deliveries from the providers, exactly as they arrived."</p>
            <label class="checkbox">
                <input
                    type="checkbox"
                    name="only_failed"
                    prop:checked=move || only_failed.get()
                    on:change=move |event| only_failed.set(event_target_checked(&event))
                />
                "Only problems"
            </label>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) => view! { <EventTable events=list /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// `data-status` of a row, and the status people read.
fn status(event: &WebhookEvent) -> (&'static str, String) {
    let status = match (&event.error, event.processed) {
        (Some(error), _) => ("problem", format!("not understood: {error}")),
        (None, true) => ("processed", "processed".into()),
        (None, false) => ("pending", "pending".into()),
    };
    match &event.next_attempt_at {
        Some(at) => (
            status.0,
            format!("{}; tried again by itself at {at}", status.1),
        ),
        None => status,
    }
}

#[component]
fn EventTable(events: Vec<WebhookEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="empty">"No webhook deliveries to show."</p> }.into_any();
    }
    let rows = events
        .into_iter()
        .map(|event| view! { <EventRow event /> })
        .collect_view();
    view! {
        <table class="events">
            <thead>
                <tr>
                    <th scope="col">"Received"</th>
                    <th scope="col">"Provider"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Body"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// One delivery; one not (fully) processed can be processed again, which updates this row only.
#[component]
fn EventRow(event: WebhookEvent) -> impl IntoView {
    let id = event.id;
    let event = RwSignal::new(event);
    let reprocess = ServerAction::<ReprocessWebhookEvent>::new();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = reprocess.value().get() {
            event.set(updated);
        }
    });
    let error = Signal::derive(move || reprocess.value().get().and_then(Result::err));
    view! {
        <tr data-event-id=id data-status=move || status(&event.get()).0>
            {move || {
                let event = event.get();
                let received = event.received_at.clone();
                let (_, status_text) = status(&event);
                view! {
                    <td><time datetime=received>{event.received_at}</time></td>
                    <td>{event.provider}</td>
                    <td>{event.channel_name.unwrap_or_else(|| "no matching channel".into())}</td>
                    <td class="event-status">{status_text}</td>
                    // Bodies come from outside: they are only ever rendered as text.
                    <td><details><summary>"Body"</summary><pre>{event.body}</pre></details></td>
                }
            }}
            <td>
                {move || {
                    let event = event.get();
                    (event.error.is_some() || !event.processed).then(|| view! {
                        <button
                            type="button"
                            class="reprocess"
                            disabled=move || reprocess.pending().get()
                            on:click=move |_| {
                                reprocess.dispatch(ReprocessWebhookEvent { id });
                            }
                        >
                            "Process again"
                        </button>
                    })
                }}
                <ErrorNotice error />
            </td>
        </tr>
    }
}
