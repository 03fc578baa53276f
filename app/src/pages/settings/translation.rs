//! The translation card of `/settings` (admins): which service translates messages and replies
//! (off, LibreTranslate or an OpenAI-compatible chat endpoint), where it is, its model and its
//! API key. A saved key is never shown: the card says one is saved, and it can be replaced or
//! removed.

use leptos::prelude::*;

use crate::api::{SaveTranslationSettings, get_translation_settings};
use crate::components::ErrorNotice;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{TranslationService, TranslationSettings, TranslationSettingsInput};
use crate::tracking::tracked_in_browser;

#[component]
pub fn TranslationSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveTranslationSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_translation_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="translation-heading">
            <h2 id="translation-heading">{t!(i18n, settings.translation.heading)}</h2>
            <p>{t!(i18n, settings.translation.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}

#[component]
fn TranslationFields(
    settings: TranslationSettings,
    save: ServerAction<SaveTranslationSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
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
        TranslationService::OpenaiCompatible => t_string!(i18n, settings.translation.hint_openai),
        _ => t_string!(i18n, settings.translation.hint_libretranslate),
    };
    view! {
        <form class="stacked-form" on:submit=submit>
            <fieldset>
                <legend>{t!(i18n, settings.translation.service)}</legend>
                {choice(TranslationService::Off, t_string!(i18n, settings.translation.off))}
                {choice(TranslationService::Libretranslate, t_string!(i18n, settings.translation.libretranslate))}
                {choice(
                    TranslationService::OpenaiCompatible,
                    t_string!(i18n, settings.translation.openai_compatible),
                )}
            </fieldset>
            <Show when=is_on>
                <label for="translation-url">{t!(i18n, settings.translation.address)}</label>
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
                    <label for="translation-model">{t!(i18n, settings.translation.model)}</label>
                    <input
                        id="translation-model"
                        required
                        placeholder="llama3.1"
                        prop:value=model
                        on:input=move |event| model.set(event_target_value(&event))
                    />
                </Show>
                <label for="translation-key">
                    {move || if key_saved {
                        t_string!(i18n, settings.translation.replace_key)
                    } else {
                        t_string!(i18n, settings.translation.api_key)
                    }}
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
                    {move || if key_saved {
                        t_string!(i18n, settings.translation.key_saved)
                    } else {
                        t_string!(i18n, settings.translation.no_key)
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
                        " "
                        {t!(i18n, settings.translation.remove_key)}
                    </label>
                })}
            </Show>
            <button type="submit" class="primary" disabled=move || save.pending().get()>
                {t!(i18n, settings.translation.save)}
            </button>
        </form>
    }
}
