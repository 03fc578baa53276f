//! The translation card of `/settings` (admins): which service translates messages and replies
//! (off, LibreTranslate or an OpenAI-compatible chat endpoint), where it is, its model and its
//! API key. A saved key is never shown: the card says one is saved, and it can be replaced or
//! removed.

use leptos::prelude::*;

use crate::api::{SaveTranslationSettings, get_translation_settings};
use crate::components::ErrorNotice;
use crate::model::{TranslationService, TranslationSettings, TranslationSettingsInput};
use crate::tracking::tracked_in_browser;

#[component]
pub fn TranslationSettingsForm() -> impl IntoView {
    let save = ServerAction::<SaveTranslationSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_translation_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="translation-heading">
            <h2 id="translation-heading">"Translation"</h2>
            <p>"A Translate button on contacts' messages shows them in the reader's language, and the composer can translate a reply into the contact's language. Messages go to the service chosen here: a LibreTranslate server you host keeps them on your own network. While phone numbers are masked for volunteers, phone numbers and e-mail addresses are replaced with placeholders before a text leaves Switchboard."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! { <TranslationFields settings save /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some("Saved.")}</p>
        </section>
    }
}

#[component]
fn TranslationFields(
    settings: TranslationSettings,
    save: ServerAction<SaveTranslationSettings>,
) -> impl IntoView {
    let service = RwSignal::new(settings.service);
    let base_url = RwSignal::new(settings.base_url);
    let model = RwSignal::new(settings.model);
    let api_key = RwSignal::new(String::new());
    let remove_api_key = RwSignal::new(false);
    let key_saved = settings.api_key_saved;
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let key = api_key.get_untracked();
        save.dispatch(SaveTranslationSettings {
            input: TranslationSettingsInput {
                service: service.get_untracked(),
                base_url: base_url.get_untracked(),
                model: model.get_untracked(),
                api_key: (!key.trim().is_empty()).then_some(key),
                remove_api_key: remove_api_key.get_untracked(),
            },
        });
    };
    let choice = move |which: TranslationService, label: &'static str| {
        view! {
            <label>
                <input
                    type="radio"
                    name="translation-service"
                    id=format!("translation-service-{}", which.as_str())
                    value=which.as_str()
                    prop:checked=move || service.get() == which
                    on:change=move |_| service.set(which)
                />
                " "
                {label}
            </label>
        }
    };
    let is_on = move || service.get() != TranslationService::Off;
    let url_hint = move || match service.get() {
        TranslationService::OpenaiCompatible => {
            "The server, such as http://localhost:11434 for Ollama, or a base ending in /v1. Switchboard calls /v1/chat/completions there."
        }
        _ => {
            "Such as http://localhost:5000 for LibreTranslate on this machine. Switchboard calls /translate there."
        }
    };
    view! {
        <form class="stacked-form" on:submit=submit>
            <fieldset>
                <legend>"Service"</legend>
                {choice(TranslationService::Off, "Off")}
                {choice(TranslationService::Libretranslate, "LibreTranslate")}
                {choice(TranslationService::OpenaiCompatible, "OpenAI-compatible chat (Ollama or a hosted service)")}
            </fieldset>
            <Show when=is_on>
                <label for="translation-url">"Address of the service"</label>
                <input
                    id="translation-url"
                    type="url"
                    required
                    aria-describedby="translation-url-hint"
                    prop:value=base_url
                    on:input=move |event| base_url.set(event_target_value(&event))
                />
                <p class="hint" id="translation-url-hint">{url_hint}</p>
                <Show when=move || service.get() == TranslationService::OpenaiCompatible>
                    <label for="translation-model">"Model"</label>
                    <input
                        id="translation-model"
                        required
                        placeholder="llama3.1"
                        prop:value=model
                        on:input=move |event| model.set(event_target_value(&event))
                    />
                </Show>
                <label for="translation-key">
                    {if key_saved { "Replace the API key (optional)" } else { "API key (optional)" }}
                </label>
                <input
                    id="translation-key"
                    type="password"
                    autocomplete="off"
                    aria-describedby="translation-key-state"
                    prop:value=api_key
                    on:input=move |event| api_key.set(event_target_value(&event))
                />
                <p class="hint" id="translation-key-state">
                    {if key_saved {
                        "A key is saved. It is kept sealed and never shown; leave this empty to keep it."
                    } else {
                        "No key is saved. A self-hosted service usually needs none."
                    }}
                </p>
                {key_saved.then(|| view! {
                    <label>
                        <input
                            type="checkbox"
                            id="translation-key-remove"
                            prop:checked=remove_api_key
                            on:change=move |event| remove_api_key.set(event_target_checked(&event))
                        />
                        " Remove the saved key"
                    </label>
                })}
            </Show>
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save translation"</button>
        </form>
    }
}
