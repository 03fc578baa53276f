//! The interface language card of `/settings` (admins): the language for people who chose none
//! and whose browser asks for none on offer.

use leptos::prelude::*;

use crate::api::{SaveDefaultLanguage, get_default_language};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::language;
use crate::tracking::tracked_in_browser;

#[component]
pub fn DefaultLanguageForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveDefaultLanguage>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_default_language()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="default-language-heading">
            <h2 id="default-language-heading">{t!(i18n, settings.language.heading)}</h2>
            <p>{t!(i18n, settings.language.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(default) => {
                            let default = default.unwrap_or_default();
                            view! {
                                <ActionForm action=save attr:class="inline-form">
                                    <label>
                                        {t!(i18n, settings.language.label)}
                                        <select name="language">
                                            <option value="" selected=default.is_empty()>{t!(i18n, settings.language.none)}</option>
                                            {language::all().iter().map(|&choice| {
                                                let code = language::code(choice);
                                                view! {
                                                    <option value=code lang=code selected=default == code>
                                                        {language::own_name(choice)}
                                                    </option>
                                                }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit" class="primary">{t!(i18n, settings.language.save)}</button>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}
