//! Keyboard shortcuts, as in the mail and chat apps people know: `j`/`k` next and previous
//! conversation, `r` reply, `n` note, `e` resolve, `a` assign to me, `/` search. They do nothing
//! while the person is typing in a field.

use leptos::ev;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{HtmlElement, KeyboardEvent};
use leptos_router::hooks::use_navigate;

use super::ListPlace;
use super::actions::{ComposeMode, use_actions};
use crate::api::{SetConversationStatus, TakeConversation};
use crate::model::ConversationStatus;

const SHORTCUTS: [(&str, &str); 6] = [
    ("j / k", "Next / previous conversation"),
    ("r", "Reply"),
    ("n", "Private note"),
    ("e", "Resolve"),
    ("a", "Assign to me"),
    ("/", "Search"),
];

fn is_typing(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<HtmlElement>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.is_content_editable()
        })
}

fn focus(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

pub fn install(order: RwSignal<Vec<i64>>, selected: Memo<Option<i64>>, place: Memo<ListPlace>) {
    let actions = use_actions();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let navigate = navigate.clone();
        let handle = window_event_listener(ev::keydown, move |event| {
            if is_typing(&event) || event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let current = selected.get_untracked();
            let step = |by: isize| {
                let order = order.get_untracked();
                let at = current.and_then(|id| order.iter().position(|other| *other == id));
                let to = match at {
                    Some(at) => at.checked_add_signed(by).filter(|to| *to < order.len()),
                    None => (!order.is_empty()).then_some(0),
                };
                to.map(|to| order[to])
            };
            match event.key().as_str() {
                key @ ("j" | "k") => {
                    if let Some(id) = step(if key == "j" { 1 } else { -1 }) {
                        let query = place.get_untracked().query(None);
                        navigate(&format!("/conversations/{id}?{query}"), Default::default());
                    }
                }
                key @ ("r" | "n") => {
                    actions.mode.set(if key == "r" {
                        ComposeMode::Reply
                    } else {
                        ComposeMode::Note
                    });
                    focus("composer-body");
                }
                "e" => {
                    if let Some(id) = current {
                        actions.status.dispatch(SetConversationStatus {
                            id,
                            status: ConversationStatus::Resolved,
                            snoozed_until: None,
                        });
                    }
                }
                "a" => {
                    if let Some(id) = current {
                        actions.take.dispatch(TakeConversation { id });
                    }
                }
                "/" => focus("search-query"),
                _ => return,
            }
            event.prevent_default();
        });
        on_cleanup(move || handle.remove());
    });
}

/// The list of shortcuts, folded away until asked for.
pub fn help() -> impl IntoView {
    let rows = SHORTCUTS
        .iter()
        .map(|(keys, what)| view! { <dt><kbd>{*keys}</kbd></dt><dd>{*what}</dd> })
        .collect_view();
    view! {
        <details class="shortcuts">
            <summary>"Keyboard shortcuts"</summary>
            <dl>{rows}</dl>
        </details>
    }
}
