//! The risk words card of `/settings` (admins): words and phrases that make an inbound
//! message's conversation urgent, one per line.

use leptos::prelude::*;

use crate::api::{SaveRiskWords, get_risk_words};
use crate::components::ErrorNotice;
use crate::tracking::tracked_in_browser;

#[component]
pub fn RiskWordsForm() -> impl IntoView {
    let save = ServerAction::<SaveRiskWords>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_risk_words()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="risk-words-heading">
            <h2 id="risk-words-heading">"Risk words"</h2>
            <p id="risk-words-help">
                "A message containing one of these words or phrases marks its conversation "
                <strong>"urgent"</strong>
                ": it goes to the top of every list and coordinators are alerted. One per line, \
                 in any language; whole words only, ignoring case and accents (\u{201c}suicidio\u{201d} \
                 matches \u{201c}Suicídio\u{201d}, \u{201c}kill\u{201d} does not match \u{201c}skill\u{201d})."
            </p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(risk_words) => {
                            let text = risk_words.words.join("\n");
                            let value = text.clone();
                            view! {
                                <ActionForm action=save attr:class="stacked-form">
                                    <label>
                                        "Words and phrases, one per line"
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
                                    <button type="submit" class="primary">"Save risk words"</button>
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
            <p role="status">{move || saved().then_some("Saved.")}</p>
        </section>
    }
}
