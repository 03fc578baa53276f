//! The business hours card of `/settings` (admins): the time zone, opening hours and holidays
//! that Reports can count response times in.

use leptos::prelude::*;

use crate::api::{SaveBusinessHours, get_business_hours};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::model::BusinessHoursForm;
use crate::tracking::tracked_in_browser;

#[component]
pub fn BusinessHoursSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveBusinessHours>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_business_hours()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="business-hours-heading">
            <h2 id="business-hours-heading">{t!(i18n, settings.business_hours.heading)}</h2>
            <p>{t!(i18n, settings.business_hours.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(form) => view! { <BusinessHoursFields form save /> }.into_any(),
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
fn BusinessHoursFields(
    form: BusinessHoursForm,
    save: ServerAction<SaveBusinessHours>,
) -> impl IntoView {
    let i18n = use_i18n();
    let time_zone = RwSignal::new(form.time_zone);
    let hours = RwSignal::new(form.opening_hours);
    let holidays = RwSignal::new(form.holidays);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveBusinessHours {
            form: BusinessHoursForm {
                time_zone: time_zone.get_untracked(),
                opening_hours: hours.get_untracked(),
                holidays: holidays.get_untracked(),
            },
        });
    };
    view! {
        <form class="stacked-form" on:submit=submit>
            <label for="business-time-zone">{t!(i18n, settings.business_hours.time_zone)}</label>
            <input id="business-time-zone" required prop:value=time_zone on:input=move |event| time_zone.set(event_target_value(&event)) />
            <label for="business-hours-lines">{t!(i18n, settings.business_hours.opening_hours)}</label>
            <textarea id="business-hours-lines" rows="7" required prop:value=hours on:input=move |event| hours.set(event_target_value(&event))></textarea>
            <label for="business-holidays">{t!(i18n, settings.business_hours.holidays)}</label>
            <textarea id="business-holidays" rows="3" prop:value=holidays on:input=move |event| holidays.set(event_target_value(&event))></textarea>
            <button type="submit" class="primary" disabled=move || save.pending().get()>{t!(i18n, settings.business_hours.save)}</button>
        </form>
    }
}
