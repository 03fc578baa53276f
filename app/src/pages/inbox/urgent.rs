//! Urgent conversations in the inbox: the marker on list rows and in the thread (the word
//! "Urgent" beside a warning sign, never a colour alone), the alert that tells coordinators and
//! admins of a conversation that just became urgent, and the thread's form to flag a
//! conversation urgent by hand or clear the flag with a reason.

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::live::{Live, use_live};
use crate::api::SetUrgent;
use crate::components::ErrorNotice;
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::model::ConversationSummary;

/// Why a conversation is urgent, in a few words.
fn why_urgent(i18n: I18nContext<Locale>, summary: &ConversationSummary) -> Option<String> {
    match (&summary.urgent_word, &summary.urgent_flagged_by) {
        (Some(word), _) => {
            Some(t_string!(i18n, inbox.urgent.risk_word, word = word.clone()).to_string())
        }
        (None, Some(name)) => {
            Some(t_string!(i18n, inbox.urgent.marked_by, name = name.clone()).to_string())
        }
        (None, None) => None,
    }
}

/// "⚠ Urgent" for an urgent conversation, with why in its title (and read out) where known.
pub fn urgent_marker(summary: &ConversationSummary) -> Option<impl IntoView + use<>> {
    let i18n = use_i18n();
    summary.urgent.then(|| {
        let why = why_urgent(i18n, summary);
        let title = why.clone();
        let read_out =
            why.map(|why| view! { <span class="visually-hidden">{format!(": {why}")}</span> });
        view! {
            <span class="urgent-marker" title=title>
                <span aria-hidden="true">"⚠ "</span>
                {t!(i18n, inbox.urgent.marker)}
                {read_out}
            </span>
        }
    })
}

/// The alerts of conversations that became urgent since the inbox opened, each with a link to
/// it and a button to dismiss it.
#[component]
pub fn UrgentAlerts(live: Live) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let alerts = live.urgent.get();
        (!alerts.is_empty()).then(|| {
            let items = alerts
                .into_iter()
                .map(|alert| {
                    let id = alert.conversation_id;
                    let text = match alert.word {
                        Some(word) => {
                            t_string!(i18n, inbox.urgent.alert_word, word).to_string()
                        }
                        None => t_string!(i18n, inbox.urgent.alert).to_string(),
                    };
                    view! {
                        <li class="urgent-alert" data-conversation-id=id>
                            <span aria-hidden="true">"⚠ "</span>
                            {text}
                            " "
                            <a href=format!("/conversations/{id}")>{t!(i18n, inbox.urgent.open_it)}</a>
                            " "
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| {
                                    live.urgent.update(|alerts| alerts.retain(|alert| alert.conversation_id != id));
                                }
                            >
                                {t!(i18n, inbox.urgent.dismiss)}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="urgent-alerts" role="alert">
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

/// The reason being written, by conversation. It lives in the open conversation, not in the
/// form: every refetch of the conversation (a new message, say) renders the form anew.
#[derive(Clone, Copy)]
pub struct UrgentReasonDraft(RwSignal<Option<(i64, String)>>);

pub fn provide_urgent_reason_draft() {
    provide_context(UrgentReasonDraft(RwSignal::new(None)));
}

/// Coordinators and admins clear the flag with a reason, or mark a conversation urgent.
#[component]
pub fn UrgentForm(id: i64, urgent: bool) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let UrgentReasonDraft(draft) = expect_context();
    let set = ServerAction::<SetUrgent>::new();
    Effect::watch(
        move || set.version().get(),
        move |_, _, _| {
            if matches!(set.value().get_untracked(), Some(Ok(()))) {
                live.urgent
                    .update(|alerts| alerts.retain(|alert| alert.conversation_id != id));
                draft.set(None);
            }
            live.changed();
        },
        false,
    );
    let reason = move || {
        draft.with(|draft| match draft {
            Some((of, text)) if *of == id => text.clone(),
            _ => String::new(),
        })
    };
    let error = Signal::derive(move || set.value().get().and_then(Result::err));
    let label = move || {
        if urgent {
            t_string!(i18n, inbox.urgent.why_cleared).to_string()
        } else {
            t_string!(i18n, inbox.urgent.why_urgent).to_string()
        }
    };
    let button = move || {
        if urgent {
            t_string!(i18n, inbox.urgent.clear).to_string()
        } else {
            t_string!(i18n, inbox.urgent.mark).to_string()
        }
    };
    let required = urgent;
    let form = view! {
        <ActionForm action=set attr:class="urgent-form">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="urgent" value=(!urgent).to_string() />
            <label>
                <span>{label}</span>
                <input
                    type="text"
                    name="reason"
                    id="urgent-reason"
                    maxlength="500"
                    required=required
                    prop:value=reason
                    on:input=move |event| draft.set(Some((id, event_target_value(&event))))
                />
            </label>
            <button type="submit" class=if urgent { "clear-urgent" } else { "mark-urgent" }>{button}</button>
        </ActionForm>
    };
    // Clearing is what a flagged conversation asks for, so its form shows; marking by hand is
    // rarer and stays folded, so the header leaves the messages room on a small screen.
    view! {
        {if urgent {
            form.into_any()
        } else {
            view! {
                <details class="urgent-details">
                    <summary>{t!(i18n, inbox.urgent.mark_more)}</summary>
                    {form}
                </details>
            }
                .into_any()
        }}
        <ErrorNotice error />
    }
}
