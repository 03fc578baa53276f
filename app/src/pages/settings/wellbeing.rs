//! The wellbeing card of `/settings` (admins): whether volunteers see contacts' pictures and
//! videos blurred until they click, and the time answering past which people are asked to take
//! a break and coordinators are told.

use leptos::prelude::*;

use crate::api::{SaveWellbeingSettings, get_wellbeing_settings};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::model::WellbeingSettings;
use crate::tracking::tracked_in_browser;

#[component]
pub fn WellbeingSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveWellbeingSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_wellbeing_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="wellbeing-heading">
            <h2 id="wellbeing-heading">{t!(i18n, settings.wellbeing.heading)}</h2>
            <p>{t!(i18n, settings.wellbeing.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! { <WellbeingFields settings save /> }.into_any(),
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
fn WellbeingFields(
    settings: WellbeingSettings,
    save: ServerAction<SaveWellbeingSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let blur = RwSignal::new(settings.blur_media);
    let daily = RwSignal::new(settings.daily_limit_minutes.to_string());
    let weekly = RwSignal::new(settings.weekly_limit_minutes.to_string());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        // What is not a whole number is sent as 0, which the server refuses with the reason.
        let minutes = |text: String| text.trim().parse().unwrap_or(0);
        save.dispatch(SaveWellbeingSettings {
            settings: WellbeingSettings {
                blur_media: blur.get_untracked(),
                daily_limit_minutes: minutes(daily.get_untracked()),
                weekly_limit_minutes: minutes(weekly.get_untracked()),
            },
        });
    };
    view! {
        <form class="settings-form" on:submit=submit>
            <label class="checkbox">
                <input
                    type="checkbox"
                    id="blur-media"
                    prop:checked=move || blur.get()
                    on:change=move |event| blur.set(event_target_checked(&event))
                />
                " " {t!(i18n, settings.wellbeing.blur_media)}
            </label>
            {limit("daily-limit", t!(i18n, settings.wellbeing.daily_limit), "1440", daily)}
            {limit("weekly-limit", t!(i18n, settings.wellbeing.weekly_limit), "10080", weekly)}
            <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
        </form>
    }
}

/// A time limit in minutes, bound to `value`.
fn limit(
    id: &'static str,
    label: impl IntoView + 'static,
    max: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="number"
                id=id
                min="1"
                max=max
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        </label>
    }
}
