//! Urgent conversations in the inbox: the marker on list rows and in the thread (the word
//! "Urgent" beside a warning sign, never a colour alone), the alert that tells coordinators and
//! admins of a conversation that just became urgent, and the thread's form to flag a
//! conversation urgent by hand or clear the flag with a reason.

use leptos::prelude::*;

use super::live::{Live, use_live};
use crate::api::SetUrgent;
use crate::components::ErrorNotice;
use crate::model::ConversationSummary;

/// Why a conversation is urgent, in a few words.
fn why_urgent(summary: &ConversationSummary) -> Option<String> {
    match (&summary.urgent_word, &summary.urgent_flagged_by) {
        (Some(word), _) => Some(format!("risk word \u{201c}{word}\u{201d}")),
        (None, Some(name)) => Some(format!("marked by {name}")),
        (None, None) => None,
    }
}

/// "⚠ Urgent" for an urgent conversation, with why in its title (and read out) where known.
pub fn urgent_marker(summary: &ConversationSummary) -> Option<impl IntoView + use<>> {
    summary.urgent.then(|| {
        let why = why_urgent(summary);
        let title = why.clone();
        let read_out =
            why.map(|why| view! { <span class="visually-hidden">{format!(": {why}")}</span> });
        view! {
            <span class="urgent-marker" title=title>
                <span aria-hidden="true">"⚠ "</span>
                "Urgent"
                {read_out}
            </span>
        }
    })
}

/// The alerts of conversations that became urgent since the inbox opened, each with a link to
/// it and a button to dismiss it.
#[component]
pub fn UrgentAlerts(live: Live) -> impl IntoView {
    move || {
        let alerts = live.urgent.get();
        (!alerts.is_empty()).then(|| {
            let items = alerts
                .into_iter()
                .map(|alert| {
                    let id = alert.conversation_id;
                    let text = match alert.word {
                        Some(word) => format!(
                            "A message with the risk word \u{201c}{word}\u{201d} marked a conversation urgent."
                        ),
                        None => "A conversation was marked urgent.".to_owned(),
                    };
                    view! {
                        <li class="urgent-alert" data-conversation-id=id>
                            <span aria-hidden="true">"⚠ "</span>
                            {text}
                            " "
                            <a href=format!("/conversations/{id}")>"Open it"</a>
                            " "
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| {
                                    live.urgent.update(|alerts| alerts.retain(|alert| alert.conversation_id != id));
                                }
                            >
                                "Dismiss"
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
    let (label, button, required) = if urgent {
        ("Why it is no longer urgent", "Clear urgent flag", true)
    } else {
        ("Why it is urgent (optional)", "Mark urgent", false)
    };
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
                    <summary>"Mark urgent…"</summary>
                    {form}
                </details>
            }
                .into_any()
        }}
        <ErrorNotice error />
    }
}
