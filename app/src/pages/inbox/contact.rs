//! The contact panel beside the thread: who the contact is, where they can be reached (numbers
//! masked for volunteers when the organisation chose so), the team's notes on them and their
//! other conversations; for admins, exporting or erasing the contact's data on their request.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::actions::use_actions;
use super::channel_badge;
use super::clock::{Time, TimeStyle};
use crate::api::{AddContactNote, EraseContact, get_contact};
use crate::components::{ErrorNotice, signed_in_person};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::model::{ContactDetail, ConversationStatus, Permission};
use crate::tracking::tracked_in_browser;

/// A conversation's status in the list of the contact's conversations, in small letters.
fn status_word(i18n: I18nContext<Locale>, status: ConversationStatus) -> String {
    match status {
        ConversationStatus::Open => t_string!(i18n, inbox.contact.statuses.open).to_string(),
        ConversationStatus::Pending => t_string!(i18n, inbox.contact.statuses.pending).to_string(),
        ConversationStatus::Snoozed => t_string!(i18n, inbox.contact.statuses.snoozed).to_string(),
        ConversationStatus::Resolved => {
            t_string!(i18n, inbox.contact.statuses.resolved).to_string()
        }
    }
}

#[component]
pub fn ContactPanel(contact_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let actions = use_actions();
    let contact = Resource::new(
        tracked_in_browser(move || actions.contact_note.version().get()),
        move |_| get_contact(contact_id),
    );
    view! {
        <aside class="contact-panel" aria-label=move || t_string!(i18n, inbox.contact.label)>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match contact.await {
                        Ok(detail) => view! { <ContactDetails detail /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn ContactDetails(detail: ContactDetail) -> impl IntoView {
    let i18n = use_i18n();
    let actions = use_actions();
    let contact_id = detail.id;
    let addresses = detail
        .addresses
        .into_iter()
        .map(|address| {
            view! {
                <li>
                    {channel_badge(address.channel_kind)}
                    " "
                    <span class="contact-address">{address.address}</span>
                    <span class="channel-name">" · " {address.channel_name}</span>
                </li>
            }
        })
        .collect_view();
    let opted_out = detail.opted_out_at.map(|at| {
        view! {
            <p class="notice notice-warning" role="note">
                {t!(
                    i18n,
                    inbox.contact.opted_out,
                    time = move || view! { <Time at=at.clone() style=TimeStyle::Full /> }
                )}
            </p>
        }
    });
    let notes = detail
        .notes
        .into_iter()
        .map(|note| {
            view! {
                <li class="contact-note">
                    <p class="note-body" dir="auto">{note.body}</p>
                    <p class="message-meta">
                        {note.author_name} " · " <Time at=note.at style=TimeStyle::Full />
                    </p>
                </li>
            }
        })
        .collect_view();
    let conversations = detail
        .conversations
        .into_iter()
        .map(|conversation| {
            let href = format!("/conversations/{}", conversation.id);
            let status = conversation.status;
            view! {
                <li>
                    <a href=href>
                        {channel_badge(conversation.channel_kind)}
                        " " {conversation.channel_name} " · " {move || status_word(i18n, status)}
                    </a>
                </li>
            }
        })
        .collect_view();
    let body = RwSignal::new(String::new());
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        actions.contact_note.dispatch(AddContactNote {
            contact_id,
            body: body.get_untracked(),
        });
    };
    Effect::watch(
        move || actions.contact_note.version().get(),
        move |_, _, _| {
            if matches!(actions.contact_note.value().get_untracked(), Some(Ok(_))) {
                body.set(String::new());
            }
        },
        false,
    );
    let error = Signal::derive(move || actions.contact_note.value().get().and_then(Result::err));
    view! {
        <h2 class="contact-name">{detail.name}</h2>
        <ul class="contact-addresses">{addresses}</ul>
        {opted_out}
        <h3>{t!(i18n, inbox.contact.notes)}</h3>
        <ul class="contact-notes">{notes}</ul>
        <form class="contact-note-form" on:submit=save>
            <label for="contact-note-body">{t!(i18n, inbox.contact.add_note)}</label>
            <textarea
                id="contact-note-body"
                dir="auto"
                rows="2"
                required
                prop:value=move || body.get()
                on:input=move |event| body.set(event_target_value(&event))
            ></textarea>
            <button type="submit">{t!(i18n, inbox.contact.save_note)}</button>
            <ErrorNotice error />
        </form>
        <h3>{t!(i18n, inbox.contact.conversations)}</h3>
        <ul class="contact-conversations">{conversations}</ul>
        {signed_in_person()
            .is_some_and(|me| me.role.can(Permission::HandleDataRequests))
            .then(|| view! {
                <h3>{t!(i18n, inbox.contact.their_data)}</h3>
                <a class="button" download=format!("contact-{contact_id}.zip")
                    href=format!("/api/v1/contacts/{contact_id}/export")>
                    {t!(i18n, inbox.contact.export)}
                </a>
                <EraseContactForm contact_id />
            })}
    }
}

/// Erasure is final: it opens on request and asks for the name or number typed out.
#[component]
fn EraseContactForm(contact_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let erase = ServerAction::<EraseContact>::new();
    let confirm = RwSignal::new(String::new());
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        erase.dispatch(EraseContact {
            contact_id,
            confirm: confirm.get_untracked(),
        });
    };
    let error = Signal::derive(move || erase.value().get().and_then(Result::err));
    let erased = move || {
        erase.value().get().and_then(Result::ok).map(|report| {
            t_string!(
                i18n,
                inbox.contact.erase.done,
                conversations = report.conversations,
                messages = report.messages,
                notes = report.notes,
                files = report.media_files
            )
            .to_string()
        })
    };
    view! {
        <details class="erase-contact">
            <summary>{t!(i18n, inbox.contact.erase.open)}</summary>
            <form on:submit=submit>
                <p>{t!(i18n, inbox.contact.erase.text)}</p>
                <label for="erase-confirm">{t!(i18n, inbox.contact.erase.confirm)}</label>
                <input
                    id="erase-confirm"
                    autocomplete="off"
                    required
                    prop:value=move || confirm.get()
                    on:input=move |event| confirm.set(event_target_value(&event))
                />
                <button type="submit" class="danger">{t!(i18n, inbox.contact.erase.button)}</button>
                <ErrorNotice error />
                <p role="status">{erased}</p>
            </form>
        </details>
    }
}
