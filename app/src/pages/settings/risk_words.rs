//! The risk words card of `/settings` (admins): words and phrases that make an inbound
//! message's conversation urgent, one per line.

use leptos::prelude::*;

use crate::api::{SaveRiskWords, get_risk_words};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::tracking::tracked_in_browser;

#[component]
pub fn RiskWordsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveRiskWords>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_risk_words()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="risk-words-heading">
            <h2 id="risk-words-heading">{t!(i18n, settings.risk_words.heading)}</h2>
            <p id="risk-words-help">{t!(i18n, settings.risk_words.help, <strong> = <strong />)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(risk_words) => {
                            let text = risk_words.words.join("\n");
                            let value = text.clone();
                            view! {
                                <ActionForm action=save attr:class="stacked-form">
                                    <label>
                                        {t!(i18n, settings.risk_words.label)}
                                        <textarea
                                            name="words"
                                            id="risk-words"
                                            rows="8"
                                            aria-describedby="risk-words-help"
                                            prop:value=value
                                        >
                                            {text}
                                        </textarea>
                                    </label>
                                    <button type="submit" class="primary">{t!(i18n, settings.risk_words.save)}</button>
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
