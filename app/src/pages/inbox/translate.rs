//! Translation in the thread: the **Translate** button under a contact's message and the
//! translation it shows, what a reply sent translated looked like to its author, the
//! composer's "Translate to …" with the translation to check and send, and the language badge
//! of a conversation in the list.
//!
//! What was translated lives in the thread's context, not in the messages: every refetch of
//! the conversation renders the messages anew, and a translation shown should stay shown.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{translate_draft, translate_message};
use crate::components::{language_label, languages_by_name};
use crate::error::AppError;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{DraftTranslation, MessageTranslation};

/// Where a message's translation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shown {
    Loading,
    Done(MessageTranslation),
    Failed(AppError),
}

/// The thread's translations: of messages by id, and of each conversation's reply being
/// written (with an error, if the last try failed).
#[derive(Clone, Copy)]
pub struct Translations {
    messages: RwSignal<HashMap<i64, Shown>>,
    pub drafts: RwSignal<HashMap<i64, DraftTranslation>>,
    pub draft_error: RwSignal<Option<AppError>>,
    pub draft_pending: RwSignal<bool>,
}

pub fn provide_translations() {
    provide_context(Translations {
        messages: RwSignal::new(HashMap::new()),
        drafts: RwSignal::new(HashMap::new()),
        draft_error: RwSignal::new(None),
        draft_pending: RwSignal::new(false),
    });
}

pub fn use_translations() -> Translations {
    expect_context()
}

/// A language as a short badge ("ES"), named in full for those who hover or listen.
pub fn language_badge(code: &str) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let name = language_label(code);
    let spoken = t_string!(i18n, thread.translate.language, name = name.clone()).to_string();
    view! {
        <span class="language-badge" title=name.clone()>
            <span aria-hidden="true">{code.to_ascii_uppercase()}</span>
            <span class="visually-hidden">{spoken}</span>
        </span>
    }
}

/// The Translate button of a contact's message, then its translation (or why there is none).
pub fn message_translation(message_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let translations = use_translations();
    let state = move || {
        translations
            .messages
            .with(|shown| shown.get(&message_id).cloned())
    };
    let translate = move |_| {
        translations.messages.update(|shown| {
            shown.insert(message_id, Shown::Loading);
        });
        spawn_local(async move {
            let result = match translate_message(message_id).await {
                Ok(translation) => Shown::Done(translation),
                Err(error) => Shown::Failed(error),
            };
            translations.messages.update(|shown| {
                shown.insert(message_id, result);
            });
        });
    };
    move || {
        match state() {
        None | Some(Shown::Failed(_)) => {
            let error = match state() {
                Some(Shown::Failed(error)) => Some(error.message),
                _ => None,
            };
            view! {
                <button type="button" class="translate secondary" on:click=translate>
                    {t!(i18n, thread.translate.button)}
                </button>
                {error.map(|message| view! { <p class="notice notice-error" role="alert">{message}</p> })}
            }
            .into_any()
        }
        Some(Shown::Loading) => view! {
            <p class="message-translation" role="status">{t!(i18n, thread.translate.translating)}</p>
        }
        .into_any(),
        Some(Shown::Done(translation)) => translation_view(translation).into_any(),
    }
    }
}

fn translation_view(translation: MessageTranslation) -> impl IntoView {
    let i18n = use_i18n();
    let target = translation.target_language.clone();
    let label = match translation.source_language.as_deref() {
        Some(source) if source.eq_ignore_ascii_case(&target) => t_string!(
            i18n,
            thread.translate.already_in,
            language = language_label(source)
        )
        .to_string(),
        Some(source) => t_string!(
            i18n,
            thread.translate.translated_from,
            source = language_label(source),
            target = language_label(&target)
        )
        .to_string(),
        None => t_string!(
            i18n,
            thread.translate.translated_into,
            target = language_label(&target)
        )
        .to_string(),
    };
    view! {
        <div class="message-translation" role="status">
            <p class="translation-label">{label}</p>
            <p class="translation-text" dir="auto" lang=target>{translation.text}</p>
        </div>
    }
}

/// A reply that went out translated: the contact got `body`; its author wrote this.
pub fn sent_translation(language: String, original_text: String) -> impl IntoView {
    let i18n = use_i18n();
    let label = t_string!(
        i18n,
        thread.translate.sent_in,
        language = language_label(&language)
    )
    .to_string();
    view! {
        <div class="message-translation sent-translation">
            <p class="translation-label">{label}</p>
            <p class="translation-text" dir="auto">{original_text}</p>
        </div>
    }
}

/// A language's name as a menu shows it, with a capital ("Español" where a sentence says
/// "español").
fn capitalised(name: &str) -> String {
    let mut letters = name.chars();
    letters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(letters).collect()
    })
}

/// The composer's translation controls: the language to translate into (the contact's when
/// known), a button that translates the reply being written, and the translation to check
/// and edit. Sending it is the composer's.
#[component]
pub fn DraftTranslator(
    conversation_id: i64,
    contact_language: Option<String>,
    /// The reply being written.
    #[prop(into)]
    draft: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let translations = use_translations();
    let target = RwSignal::new(contact_language.clone().unwrap_or_default());
    let options = languages_by_name()
        .into_iter()
        .map(|(code, name)| {
            let chosen = contact_language.as_deref() == Some(code);
            view! { <option value=code selected=chosen>{capitalised(&name)}</option> }
        })
        .collect_view();
    let translate = move |_| {
        let text = draft.get_untracked();
        let language = target.get_untracked();
        if text.trim().is_empty() || translations.draft_pending.get_untracked() {
            return;
        }
        translations.draft_pending.set(true);
        translations.draft_error.set(None);
        spawn_local(async move {
            let target = (!language.is_empty()).then_some(language);
            match translate_draft(conversation_id, text, target).await {
                Ok(translation) => translations.drafts.update(|drafts| {
                    drafts.insert(conversation_id, translation);
                }),
                Err(error) => translations.draft_error.set(Some(error)),
            }
            translations.draft_pending.set(false);
        });
    };
    let button_label = move || match target.get().as_str() {
        "" => t_string!(i18n, thread.translate.button).to_string(),
        code => t_string!(
            i18n,
            thread.translate.translate_to,
            language = language_label(code)
        )
        .to_string(),
    };
    let translation = move || {
        translations
            .drafts
            .with(|drafts| drafts.get(&conversation_id).cloned())
    };
    let edit = move |event| {
        let text = event_target_value(&event);
        translations.drafts.update(|drafts| {
            if let Some(translation) = drafts.get_mut(&conversation_id) {
                translation.text = text;
            }
        });
    };
    view! {
        <div class="draft-translator">
            <label class="translate-target">
                <span>{t!(i18n, thread.translate.contact_language)}</span>
                <select
                    id="translate-target"
                    on:change=move |event| target.set(event_target_value(&event))
                >
                    <option value="" selected=contact_language.is_none()>
                        {t!(i18n, thread.translate.choose)}
                    </option>
                    {options}
                </select>
            </label>
            <button
                type="button"
                class="secondary"
                id="translate-draft"
                on:click=translate
                aria-disabled=move || translations.draft_pending.get().then_some("true")
            >
                {button_label}
            </button>
            {move || translation().map(|translation| {
                let language = language_label(&translation.target_language);
                view! {
                    <label for="draft-translation">
                        {t_string!(i18n, thread.translate.draft_label, language).to_string()}
                    </label>
                    <textarea
                        id="draft-translation"
                        dir="auto"
                        lang=translation.target_language.clone()
                        rows="3"
                        prop:value=translation.text.clone()
                        on:input=edit
                    ></textarea>
                }
            })}
            {move || translations.draft_error.get().map(|error| view! {
                <p class="notice notice-error" role="alert">{error.message}</p>
            })}
        </div>
    }
}
