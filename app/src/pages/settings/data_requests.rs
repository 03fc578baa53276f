//! Data-protection cards of `/settings` (admins): the keyword contacts write to ask for
//! erasure, how long volunteers keep access to resolved conversations, and the erasure
//! requests to confirm or decline.

use leptos::prelude::*;

use crate::api::{
    ConfirmErasureRequest, DeclineErasureRequest, SaveErasureKeyword, SaveVolunteerAccess,
    get_erasure_keyword, get_volunteer_access, list_erasure_requests,
};
use crate::components::ErrorNotice;
use crate::model::RequestedErasure;
use crate::tracking::tracked_in_browser;

#[component]
pub fn ErasureKeywordForm() -> impl IntoView {
    let save = ServerAction::<SaveErasureKeyword>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_erasure_keyword()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="erasure-keyword-heading">
            <h2 id="erasure-keyword-heading">"Erasure requests by message"</h2>
            <p>"A contact who writes this, alone in a message (any case), asks for their data to be erased: they are told the request was received, and it is listed below for an admin to confirm or decline."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    current.await.map(|setting| view! {
                        <ActionForm action=save attr:class="inline-form">
                            <label>
                                "Keyword"
                                <input name="keyword" id="erasure-keyword" required maxlength="64" value=setting.keyword />
                            </label>
                            <button type="submit" class="primary">"Save"</button>
                        </ActionForm>
                    }).ok()
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some("Saved.")}</p>
        </section>
    }
}

#[component]
pub fn VolunteerAccessForm() -> impl IntoView {
    let save = ServerAction::<SaveVolunteerAccess>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_volunteer_access()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="volunteer-access-heading">
            <h2 id="volunteer-access-heading">"Volunteers' access"</h2>
            <p>"Volunteers no longer find or open a conversation this many days after it was resolved (reopening it gives access again). Coordinators and admins keep access. Leave empty to keep volunteers' access."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    current.await.map(|setting| {
                        let days = setting
                            .days_after_resolution
                            .map(|days| days.to_string())
                            .unwrap_or_default();
                        view! {
                            <ActionForm action=save attr:class="inline-form">
                                <label>
                                    "Days after resolution"
                                    <input name="days" id="volunteer-access-days" type="number" min="1" max="36500" value=days />
                                </label>
                                <button type="submit" class="primary">"Save"</button>
                            </ActionForm>
                        }
                    }).ok()
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some("Saved.")}</p>
        </section>
    }
}

#[component]
pub fn ErasureRequests() -> impl IntoView {
    let confirm = ServerAction::<ConfirmErasureRequest>::new();
    let decline = ServerAction::<DeclineErasureRequest>::new();
    let requests = Resource::new(
        tracked_in_browser(move || (confirm.version().get(), decline.version().get())),
        |_| list_erasure_requests(),
    );
    let error = Signal::derive(move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| decline.value().get().and_then(Result::err))
    });
    view! {
        <section class="card" aria-labelledby="erasure-requests-heading">
            <h2 id="erasure-requests-heading">"Erasure requests"</h2>
            <p>"Confirming tells the contact \"Your data has been deleted.\", then erases everything held about them. Declining sends them your reason."</p>
            <ErrorNotice error />
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    requests.await.map(|requests| {
                        if requests.is_empty() {
                            return view! { <p id="erasure-requests-empty">"No requests."</p> }.into_any();
                        }
                        view! {
                            <ul class="erasure-requests" id="erasure-requests">
                                {requests.into_iter().map(|request| view! {
                                    <ErasureRequestItem request confirm decline />
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }).ok()
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ErasureRequestItem(
    request: RequestedErasure,
    confirm: ServerAction<ConfirmErasureRequest>,
    decline: ServerAction<DeclineErasureRequest>,
) -> impl IntoView {
    let id = request.id.to_string();
    let who = if request.contact_name.is_empty() {
        "An erased contact".to_owned()
    } else {
        request.contact_name.clone()
    };
    let decided = match request.status.as_str() {
        "pending" => None,
        status => Some(format!(
            "{status} by {} at {}{}",
            request.decided_by_name.clone().unwrap_or_default(),
            request.decided_at.clone().unwrap_or_default(),
            request
                .reason
                .as_ref()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        )),
    };
    let pending = decided.is_none();
    let conversation = (pending).then(|| format!("/conversations/{}", request.conversation_id));
    view! {
        <li class="erasure-request" data-status=request.status.clone()>
            <p>
                <strong>{who}</strong>
                " asked at "
                <time datetime=request.requested_at.clone()>{request.requested_at.clone()}</time>
                {conversation.map(|href| view! { " · " <a href=href>"Open the conversation"</a> })}
            </p>
            {decided.map(|decided| view! { <p class="erasure-decided">{decided}</p> })}
            {pending.then(|| {
                let confirm_id = id.clone();
                view! {
                    <ActionForm action=confirm attr:class="inline-form">
                        <input type="hidden" name="id" value=confirm_id />
                        <button type="submit" class="danger">"Confirm and erase"</button>
                    </ActionForm>
                    <ActionForm action=decline attr:class="inline-form">
                        <input type="hidden" name="id" value=id.clone() />
                        <label>"Reason" <input name="reason" required maxlength="500" /></label>
                        <button type="submit">"Decline"</button>
                    </ActionForm>
                }
            })}
        </li>
    }
}
