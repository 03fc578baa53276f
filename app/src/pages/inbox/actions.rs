//! What a person can do to the open conversation, shared by the thread's buttons and the
//! keyboard shortcuts. Every finished action reloads the list and the open conversation.
//!
//! The open conversation provides these, so their code travels in its lazy chunk.

use leptos::prelude::*;

use crate::api::{
    AddContactNote, AddConversationNote, AssignConversation, RetryMessage, SendReply, SendTemplate,
    SendTranslatedReply, SetConversationStatus, TagConversation, TakeConversation,
};
use crate::error::AppError;

use super::live::Live;

/// Whether the composer writes a reply to the contact, fills in an approved template, or
/// writes a private note for the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeMode {
    Reply,
    Template,
    Note,
}

#[derive(Clone, Copy)]
pub struct InboxActions {
    pub send: ServerAction<SendReply>,
    pub send_translated: ServerAction<SendTranslatedReply>,
    pub send_template: ServerAction<SendTemplate>,
    pub note: ServerAction<AddConversationNote>,
    pub take: ServerAction<TakeConversation>,
    pub assign: ServerAction<AssignConversation>,
    pub status: ServerAction<SetConversationStatus>,
    pub tag: ServerAction<TagConversation>,
    pub contact_note: ServerAction<AddContactNote>,
    pub retry: ServerAction<RetryMessage>,
    pub mode: RwSignal<ComposeMode>,
}

impl InboxActions {
    pub fn provide(live: Live) -> InboxActions {
        let actions = InboxActions {
            send: ServerAction::new(),
            send_translated: ServerAction::new(),
            send_template: ServerAction::new(),
            note: ServerAction::new(),
            take: ServerAction::new(),
            assign: ServerAction::new(),
            status: ServerAction::new(),
            tag: ServerAction::new(),
            contact_note: ServerAction::new(),
            retry: ServerAction::new(),
            mode: RwSignal::new(ComposeMode::Reply),
        };
        provide_context(actions);
        Effect::watch(
            move || actions.version(),
            move |_, _, _| live.changed(),
            false,
        );
        actions
    }

    /// Changes with every finished action.
    fn version(&self) -> usize {
        self.send.version().get()
            + self.send_translated.version().get()
            + self.send_template.version().get()
            + self.note.version().get()
            + self.take.version().get()
            + self.assign.version().get()
            + self.status.version().get()
            + self.tag.version().get()
            + self.contact_note.version().get()
            + self.retry.version().get()
    }

    /// The error of the last conversation change (take, assign, status, tag, sending again), if
    /// it failed.
    pub fn change_error(&self) -> Option<AppError> {
        [
            self.take.value().get().and_then(Result::err),
            self.assign.value().get().and_then(Result::err),
            self.status.value().get().and_then(Result::err),
            self.tag.value().get().and_then(Result::err),
            self.retry.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

pub fn use_actions() -> InboxActions {
    expect_context()
}
