//! Supervision in the open conversation: a coordinator approves (with edited text, for a text
//! reply) or rejects a trainee's held reply, joins the conversation to read along, or takes it
//! over. The server checks every one of these; the buttons only show to those it allows.

use leptos::prelude::*;

use super::live::use_live;
use crate::api::{ApproveReply, JoinConversation, RejectReply, TakeOverConversation};
use crate::components::{ErrorNotice, signed_in_person};
use crate::error::AppError;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::Permission;

fn may_supervise() -> bool {
    signed_in_person().is_some_and(|me| me.role.can(Permission::Supervise))
}

/// Approve or reject a held reply. Only a text reply can be edited before it is sent.
#[component]
pub fn ReviewControls(message_id: i64, body: String, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let approve = ServerAction::<ApproveReply>::new();
    let reject = ServerAction::<RejectReply>::new();
    Effect::watch(
        move || approve.version().get() + reject.version().get(),
        move |_, _, _| live.changed(),
        false,
    );
    let edited = RwSignal::new(body);
    let note = RwSignal::new(String::new());
    let error = Signal::derive(move || -> Option<AppError> {
        approve
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reject.value().get().and_then(Result::err))
    });
    let busy = move || approve.pending().get() || reject.pending().get();
    may_supervise().then(|| {
        view! {
            <div class="review" role="group" aria-label=move || t_string!(i18n, inbox.review.label)>
                {editable.then(|| view! {
                    <label class="review-text">
                        {t!(i18n, inbox.review.text)}
                        <textarea
                            class="review-body"
                            dir="auto"
                            rows="2"
                            prop:value=edited
                            on:input=move |event| edited.set(event_target_value(&event))
                        ></textarea>
                    </label>
                })}
                <button
                    type="button"
                    class="primary approve"
                    disabled=busy
                    on:click=move |_| {
                        approve.dispatch(ApproveReply {
                            message_id,
                            body: editable.then(|| edited.get_untracked()),
                        });
                    }
                >
                    {t!(i18n, inbox.review.approve)}
                </button>
                <label class="review-note">
                    {t!(i18n, inbox.review.why_not)}
                    <input
                        class="rejection-note"
                        maxlength="1000"
                        prop:value=note
                        on:input=move |event| note.set(event_target_value(&event))
                    />
                </label>
                <button
                    type="button"
                    class="reject"
                    disabled=busy
                    on:click=move |_| {
                        reject.dispatch(RejectReply {
                            message_id,
                            note: note.get_untracked(),
                        });
                    }
                >
                    {t!(i18n, inbox.review.reject)}
                </button>
                <ErrorNotice error />
            </div>
        }
    })
}

/// Join a conversation to read along, or take it over from its assignee.
#[component]
pub fn SupervisionControls(id: i64, assignee_id: Option<i64>, me_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let join = ServerAction::<JoinConversation>::new();
    let take_over = ServerAction::<TakeOverConversation>::new();
    Effect::watch(
        move || join.version().get() + take_over.version().get(),
        move |_, _, _| live.changed(),
        false,
    );
    let error = Signal::derive(move || -> Option<AppError> {
        join.value()
            .get()
            .and_then(Result::err)
            .or_else(|| take_over.value().get().and_then(Result::err))
    });
    let someone_else_has_it = assignee_id.is_some_and(|assignee| assignee != me_id);
    may_supervise().then(|| {
        view! {
            <div class="supervision-controls" role="group" aria-label=move || t_string!(i18n, inbox.review.supervision)>
                <button
                    type="button"
                    class="join-conversation"
                    on:click=move |_| {
                        join.dispatch(JoinConversation { id });
                    }
                >
                    {t!(i18n, inbox.review.join)}
                </button>
                {someone_else_has_it.then(|| view! {
                    <button
                        type="button"
                        class="take-over"
                        on:click=move |_| {
                            take_over.dispatch(TakeOverConversation { id });
                        }
                    >
                        {t!(i18n, inbox.review.take_over)}
                    </button>
                })}
                <ErrorNotice error />
            </div>
        }
    })
}
