//! `/supervision`: for coordinators and admins, who is online now, what each has open and how
//! long its contact has waited, and the trainees' replies waiting for approval. The board
//! reloads every few seconds; the server refuses it to volunteers.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    ApproveReply, JoinConversation, RejectReply, TakeOverConversation, get_supervision_board,
};
use crate::components::{ErrorNotice, Layout, role_name};
use crate::error::AppError;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{HeldReply, Me, OnlinePerson, OpenConversation, SupervisionBoard};
use crate::tracking::tracked_in_browser;

/// Presence is announced every 8 seconds; reloading more often would show nothing new.
const RELOAD_EVERY: Duration = Duration::from_secs(5);

#[component]
pub fn SupervisionPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, supervision.title) />
        <Layout page=supervision_page />
    }
}

/// What a person can do from the board; every finished action reloads it.
#[derive(Clone, Copy)]
struct BoardActions {
    approve: ServerAction<ApproveReply>,
    reject: ServerAction<RejectReply>,
    join: ServerAction<JoinConversation>,
    take_over: ServerAction<TakeOverConversation>,
    /// Rejection notes being written, by message: they outlive the board's reloads.
    notes: RwSignal<HashMap<i64, String>>,
}

impl BoardActions {
    fn version(&self) -> usize {
        self.approve.version().get()
            + self.reject.version().get()
            + self.join.version().get()
            + self.take_over.version().get()
    }

    fn error(&self) -> Option<AppError> {
        [
            self.approve.value().get().and_then(Result::err),
            self.reject.value().get().and_then(Result::err),
            self.join.value().get().and_then(Result::err),
            self.take_over.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

fn supervision_page(_me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let actions = BoardActions {
        approve: ServerAction::new(),
        reject: ServerAction::new(),
        join: ServerAction::new(),
        take_over: ServerAction::new(),
        notes: RwSignal::new(HashMap::new()),
    };
    let tick = RwSignal::new(0_u64);
    // Effects run in the browser only: the server renders the board once.
    Effect::new(move |_| {
        // Not while someone writes a rejection note: the reload would take their field away.
        let reload = move || {
            if actions
                .notes
                .with_untracked(|notes| notes.values().all(String::is_empty))
            {
                tick.update(|tick| *tick += 1);
            }
        };
        if let Ok(every) = set_interval_with_handle(reload, RELOAD_EVERY) {
            on_cleanup(move || every.clear());
        }
    });
    let board = Resource::new(
        tracked_in_browser(move || (tick.get(), actions.version())),
        |_| get_supervision_board(),
    );
    view! {
        <main class="page supervision">
            <h1>{t!(i18n, supervision.heading)}</h1>
            <ErrorNotice error=Signal::derive(move || actions.error()) />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => board_view(board, actions).into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

fn board_view(board: SupervisionBoard, actions: BoardActions) -> impl IntoView {
    let i18n = use_i18n();
    let SupervisionBoard {
        online,
        awaiting_approval,
    } = board;
    let online_list = if online.is_empty() {
        view! { <p class="empty">{t!(i18n, supervision.no_one_online)}</p> }.into_any()
    } else {
        view! {
            <ul class="online-people">
                {online.into_iter().map(|person| online_person(person, actions)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let held_list = if awaiting_approval.is_empty() {
        view! { <p class="empty">{t!(i18n, supervision.none_waiting)}</p> }.into_any()
    } else {
        view! {
            <ol class="held-replies">
                {awaiting_approval.into_iter().map(|held| held_reply(held, actions)).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="online-title">
            <h2 id="online-title">{t!(i18n, supervision.online_now)}</h2>
            {online_list}
        </section>
        <section aria-labelledby="held-title">
            <h2 id="held-title">{t!(i18n, supervision.waiting_for_approval)}</h2>
            {held_list}
        </section>
    }
}

fn online_person(person: OnlinePerson, actions: BoardActions) -> impl IntoView {
    let i18n = use_i18n();
    let open = if person.open.is_empty() {
        view! { <p class="nothing-open">{t!(i18n, supervision.nothing_open)}</p> }.into_any()
    } else {
        view! {
            <ul class="open-conversations">
                {person.open.into_iter().map(|open| open_conversation(open, actions)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <li class="online-person" data-person-id=person.id>
            <p>
                <span class="person-name">{person.name}</span>
                " "
                <span class="role-badge">{move || role_name(person.role)}</span>
                {person.trainee.then(|| view! { " " <span class="trainee-badge">{t!(i18n, supervision.trainee)}</span> })}
            </p>
            {open}
        </li>
    }
}

/// The contact's name, else "Conversation 12".
fn with_whom(conversation_id: i64, contact_name: Option<String>) -> String {
    let i18n = use_i18n();
    contact_name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| {
            t_string!(i18n, supervision.conversation, id = conversation_id).to_string()
        })
}

/// "45 s", "12 min", "3 h 5 min".
fn waited(seconds: i64) -> String {
    let i18n = use_i18n();
    match seconds {
        0..60 => t_string!(i18n, supervision.seconds, seconds).to_string(),
        60..3600 => t_string!(i18n, supervision.minutes, minutes = seconds / 60).to_string(),
        _ => t_string!(
            i18n,
            supervision.hours,
            hours = seconds / 3600,
            minutes = seconds % 3600 / 60
        )
        .to_string(),
    }
}

fn open_conversation(open: OpenConversation, actions: BoardActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = open.conversation_id;
    let wait = match open.waiting_seconds {
        Some(seconds) => t_string!(i18n, supervision.waiting, time = waited(seconds)).to_string(),
        None => t_string!(i18n, supervision.answered).to_owned(),
    };
    view! {
        <li class="open-conversation" data-conversation-id=id>
            <a href=format!("/conversations/{id}")>{with_whom(id, open.contact_name)}</a>
            " · "
            <span class="assignee">
                {match open.assignee_name {
                    Some(name) => t_string!(i18n, supervision.assigned_to, name).to_string(),
                    None => t_string!(i18n, supervision.unassigned).to_owned(),
                }}
            </span>
            " · "
            <span class="waiting" data-waiting-seconds=open.waiting_seconds.map(|s| s.to_string())>
                {wait}
            </span>
            " "
            <button type="button" class="join-conversation" on:click=move |_| {
                actions.join.dispatch(JoinConversation { id });
            }>{t!(i18n, supervision.join)}</button>
            <button type="button" class="take-over" on:click=move |_| {
                actions.take_over.dispatch(TakeOverConversation { id });
            }>{t!(i18n, supervision.take_over)}</button>
        </li>
    }
}

fn held_reply(held: HeldReply, actions: BoardActions) -> impl IntoView {
    let i18n = use_i18n();
    let message_id = held.message_id;
    let notes = actions.notes;
    let author = held
        .author_name
        .unwrap_or_else(|| t_string!(i18n, supervision.someone).to_owned());
    let contact = with_whom(held.conversation_id, held.contact_name);
    let conversation = format!("/conversations/{}", held.conversation_id);
    view! {
        <li class="held-reply" data-message-id=message_id>
            <p>
                {t!(
                    i18n,
                    supervision.reply_to,
                    author = move || author.clone(),
                    contact = move || contact.clone(),
                    <b> = <span class="message-author" />,
                    <a> = move |children: ChildrenFn| view! {
                        <a href=conversation.clone()>{children()}</a>
                    }
                )}
                " · "
                <time datetime=held.written_at.clone()>{held.written_at.clone()}</time>
            </p>
            <p class="message-body" dir="auto">{held.body}</p>
            <button type="button" class="primary approve" on:click=move |_| {
                actions.approve.dispatch(ApproveReply { message_id, body: None });
            }>{t!(i18n, supervision.approve)}</button>
            <label class="review-note">
                {t!(i18n, supervision.why_not)}
                <input
                    class="rejection-note"
                    maxlength="1000"
                    prop:value=move || notes.with(|notes| notes.get(&message_id).cloned().unwrap_or_default())
                    on:input=move |event| {
                        let note = event_target_value(&event);
                        notes.update(|notes| {
                            notes.insert(message_id, note);
                        });
                    }
                />
            </label>
            <button type="button" class="reject" on:click=move |_| {
                let note = notes
                    .try_update(|notes| notes.remove(&message_id))
                    .flatten()
                    .unwrap_or_default();
                actions.reject.dispatch(RejectReply { message_id, note });
            }>{t!(i18n, supervision.reject)}</button>
        </li>
    }
}
