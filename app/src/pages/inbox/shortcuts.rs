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
use super::thread::COMPOSER_BODY;
use crate::api::{SetConversationStatus, TakeConversation};
use crate::i18n::{t, use_i18n};
use crate::model::ConversationStatus;

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

/// Runs `handle` on keys pressed outside fields and without modifiers, while the calling view
/// is mounted; `handle` says whether the key was one of its shortcuts.
fn on_shortcut(handle: impl Fn(&str) -> bool + Clone + 'static) {
    Effect::new(move |_| {
        let handle = handle.clone();
        let listener = window_event_listener(ev::keydown, move |event| {
            if is_typing(&event) || event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            if handle(&event.key()) {
                event.prevent_default();
            }
        });
        on_cleanup(move || listener.remove());
    });
}

/// Moving through the list and to search.
pub fn install_for_list(
    order: RwSignal<Vec<i64>>,
    selected: Memo<Option<i64>>,
    place: Memo<ListPlace>,
) {
    let navigate = use_navigate();
    on_shortcut(move |key| {
        let step = |by: isize| {
            let order = order.get_untracked();
            let at = selected
                .get_untracked()
                .and_then(|id| order.iter().position(|other| *other == id));
            let to = match at {
                Some(at) => at.checked_add_signed(by).filter(|to| *to < order.len()),
                None => (!order.is_empty()).then_some(0),
            };
            to.map(|to| order[to])
        };
        match key {
            "j" | "k" => {
                if let Some(id) = step(if key == "j" { 1 } else { -1 }) {
                    let query = place.get_untracked().query(None);
                    navigate(&format!("/conversations/{id}?{query}"), Default::default());
                }
            }
            "/" => focus("search-query"),
            _ => return false,
        }
        true
    });
}

/// Answering and changing the open conversation.
pub fn install_for_conversation(id: Memo<Option<i64>>) {
    let actions = use_actions();
    on_shortcut(move |key| {
        match key {
            "r" | "n" => {
                actions.mode.set(if key == "r" {
                    ComposeMode::Reply
                } else {
                    ComposeMode::Note
                });
                focus(COMPOSER_BODY);
            }
            "e" => {
                if let Some(id) = id.get_untracked() {
                    actions.status.dispatch(SetConversationStatus {
                        id,
                        status: ConversationStatus::Resolved,
                        snoozed_until: None,
                    });
                }
            }
            "a" => {
                if let Some(id) = id.get_untracked() {
                    actions.take.dispatch(TakeConversation { id });
                }
            }
            _ => return false,
        }
        true
    });
}

/// The list of shortcuts, folded away until asked for.
pub fn help() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="shortcuts">
            <summary>{t!(i18n, inbox.shortcuts.heading)}</summary>
            <dl>
                <dt><kbd>"j / k"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.next_previous)}</dd>
                <dt><kbd>"r"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.reply)}</dd>
                <dt><kbd>"n"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.note)}</dd>
                <dt><kbd>"e"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.resolve)}</dd>
                <dt><kbd>"a"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.assign_to_me)}</dd>
                <dt><kbd>"/"</kbd></dt>
                <dd>{t!(i18n, inbox.shortcuts.search)}</dd>
            </dl>
        </details>
    }
}
