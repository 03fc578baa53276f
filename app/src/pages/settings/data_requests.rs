//! Data-protection cards of `/settings` (admins): the keyword contacts write to ask for
//! erasure, how long volunteers keep access to resolved conversations, and the erasure
//! requests to confirm or decline.

use leptos::prelude::*;

use crate::api::{
    ConfirmErasureRequest, DeclineErasureRequest, SaveErasureKeyword, SaveVolunteerAccess,
    get_erasure_keyword, get_volunteer_access, list_erasure_requests,
};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::model::RequestedErasure;
use crate::tracking::tracked_in_browser;

#[component]
pub fn ErasureKeywordForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveErasureKeyword>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_erasure_keyword()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="erasure-keyword-heading">
            <h2 id="erasure-keyword-heading">{t!(i18n, settings.erasure_keyword.heading)}</h2>
            <p>{t!(i18n, settings.erasure_keyword.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    current.await.map(|setting| view! {
                        <ActionForm action=save attr:class="inline-form">
                            <label>
                                {t!(i18n, settings.erasure_keyword.keyword)}
                                <input name="keyword" id="erasure-keyword" required maxlength="64" value=setting.keyword />
                            </label>
                            <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
                        </ActionForm>
                    }).ok()
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}

#[component]
pub fn VolunteerAccessForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveVolunteerAccess>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_volunteer_access()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="volunteer-access-heading">
            <h2 id="volunteer-access-heading">{t!(i18n, settings.volunteer_access.heading)}</h2>
            <p>{t!(i18n, settings.volunteer_access.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    current.await.map(|setting| {
                        let days = setting
                            .days_after_resolution
                            .map(|days| days.to_string())
                            .unwrap_or_default();
                        view! {
                            <ActionForm action=save attr:class="inline-form">
                                <label>
                                    {t!(i18n, settings.volunteer_access.days)}
                                    <input name="days" id="volunteer-access-days" type="number" min="1" max="36500" value=days />
                                </label>
                                <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
                            </ActionForm>
                        }
                    }).ok()
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}

#[component]
pub fn ErasureRequests() -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="erasure-requests-heading">{t!(i18n, settings.erasure_requests.heading)}</h2>
            <p>{t!(i18n, settings.erasure_requests.text)}</p>
            <ErrorNotice error />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    requests.await.map(|requests| {
                        if requests.is_empty() {
                            return view! { <p id="erasure-requests-empty">{t!(i18n, settings.erasure_requests.none)}</p> }.into_any();
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
    let i18n = use_i18n();
    let id = request.id.to_string();
    let who = if request.contact_name.is_empty() {
        t!(i18n, settings.erasure_requests.erased_contact).into_any()
    } else {
        request.contact_name.clone().into_any()
    };
    let name = request.decided_by_name.clone().unwrap_or_default();
    let at = request.decided_at.clone().unwrap_or_default();
    // `pending`, `confirmed` or `declined`; only a declined request has a reason.
    let decided = match (request.status.as_str(), request.reason.clone()) {
        ("pending", _) => None,
        ("confirmed", _) => {
            Some(t!(i18n, settings.erasure_requests.confirmed, name, at).into_any())
        }
        (_, Some(reason)) => Some(
            t!(
                i18n,
                settings.erasure_requests.declined_because,
                name,
                at,
                reason
            )
            .into_any(),
        ),
        (_, None) => Some(t!(i18n, settings.erasure_requests.declined, name, at).into_any()),
    };
    let pending = decided.is_none();
    let conversation = (pending).then(|| format!("/conversations/{}", request.conversation_id));
    view! {
        <li class="erasure-request" data-status=request.status.clone()>
            <p>
                <strong>{who}</strong>
                {t!(i18n, settings.erasure_requests.asked_at)}
                <time datetime=request.requested_at.clone()>{request.requested_at.clone()}</time>
                {conversation.map(|href| view! { " · " <a href=href>{t!(i18n, settings.erasure_requests.open_conversation)}</a> })}
            </p>
            {decided.map(|decided| view! { <p class="erasure-decided">{decided}</p> })}
            {pending.then(|| {
                let confirm_id = id.clone();
                view! {
                    <ActionForm action=confirm attr:class="inline-form">
                        <input type="hidden" name="id" value=confirm_id />
                        <button type="submit" class="danger">{t!(i18n, settings.erasure_requests.confirm)}</button>
                    </ActionForm>
                    <ActionForm action=decline attr:class="inline-form">
                        <input type="hidden" name="id" value=id.clone() />
                        <label>{t!(i18n, settings.erasure_requests.reason)} <input name="reason" required maxlength="500" /></label>
                        <button type="submit">{t!(i18n, settings.erasure_requests.decline)}</button>
                    </ActionForm>
                }
            })}
        </li>
    }
}
