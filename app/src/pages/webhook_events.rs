use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ReprocessWebhookEvent, list_webhook_events};
use crate::components::{ErrorNotice, Layout};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{Me, WebhookEvent};
use crate::tracking::tracked_in_browser;

#[component]
pub fn WebhookEventsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, events.title) />
        <Layout page=webhook_events />
    }
}

fn webhook_events(_: Me) -> impl IntoView {
    let i18n = use_i18n();
    let only_failed = RwSignal::new(false);
    let events = Resource::new(
        tracked_in_browser(move || only_failed.get()),
        list_webhook_events,
    );
    view! {
        <main class="page">
            <h1>{t!(i18n, events.heading)}</h1>
            <p>{t!(i18n, events.intro)}</p>
            <label class="checkbox">
                <input
                    type="checkbox"
                    name="only_failed"
                    prop:checked=move || only_failed.get()
                    on:change=move |event| only_failed.set(event_target_checked(&event))
                />
                {t!(i18n, events.only_problems)}
            </label>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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

/// `data-status` of a row.
fn status(event: &WebhookEvent) -> &'static str {
    match (&event.error, event.processed) {
        (Some(_), _) => "problem",
        (None, true) => "processed",
        (None, false) => "pending",
    }
}

/// The status people read, in the page's language.
fn status_text(event: &WebhookEvent) -> String {
    let i18n = use_i18n();
    let status = match &event.error {
        Some(error) => t_string!(i18n, events.status.problem, error).to_string(),
        None if event.processed => t_string!(i18n, events.status.processed).to_string(),
        None => t_string!(i18n, events.status.pending).to_string(),
    };
    match &event.next_attempt_at {
        Some(at) => t_string!(i18n, events.status.retried, status, at).to_string(),
        None => status,
    }
}

#[component]
fn EventTable(events: Vec<WebhookEvent>) -> impl IntoView {
    let i18n = use_i18n();
    if events.is_empty() {
        return view! { <p class="empty">{t!(i18n, events.none)}</p> }.into_any();
    }
    let rows = events
        .into_iter()
        .map(|event| view! { <EventRow event /> })
        .collect_view();
    view! {
        <table class="events">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, events.columns.received)}</th>
                    <th scope="col">{t!(i18n, events.columns.provider)}</th>
                    <th scope="col">{t!(i18n, events.columns.channel)}</th>
                    <th scope="col">{t!(i18n, events.columns.status)}</th>
                    <th scope="col">{t!(i18n, events.columns.body)}</th>
                    <th scope="col">{t!(i18n, events.columns.action)}</th>
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
    let i18n = use_i18n();
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
        <tr data-event-id=id data-status=move || event.with(status)>
            {move || {
                let event = event.get();
                let received = event.received_at.clone();
                let status_text = status_text(&event);
                view! {
                    <td><time datetime=received>{event.received_at}</time></td>
                    <td>{event.provider}</td>
                    <td>{event.channel_name.unwrap_or_else(|| t_string!(i18n, events.no_channel).to_string())}</td>
                    <td class="event-status">{status_text}</td>
                    // Bodies come from outside: they are only ever rendered as text.
                    <td><details><summary>{t!(i18n, events.body)}</summary><pre>{event.body}</pre></details></td>
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
                            {t!(i18n, events.process_again)}
                        </button>
                    })
                }}
                <ErrorNotice error />
            </td>
        </tr>
    }
}
