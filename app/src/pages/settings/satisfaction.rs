//! The satisfaction survey card of `/settings` (admins): per channel, whether the contact of a
//! resolved conversation is asked to rate the help, in which words, and (WhatsApp) the
//! template that asks outside the 24-hour window.

use leptos::prelude::*;

use crate::api::{SaveSatisfactionSettings, get_satisfaction_settings};
use crate::components::ErrorNotice;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{ChannelSurveySettings, SatisfactionSettings};
use crate::tracking::tracked_in_browser;

#[component]
pub fn SatisfactionSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSatisfactionSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_satisfaction_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="satisfaction-heading">
            <h2 id="satisfaction-heading">{t!(i18n, settings.satisfaction.heading)}</h2>
            <p>{t!(i18n, settings.satisfaction.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) if settings.channels.is_empty() => view! {
                            <p class="empty">{t!(i18n, settings.satisfaction.no_channel)}</p>
                        }.into_any(),
                        Ok(settings) => view! { <SurveyFields settings save /> }.into_any(),
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

/// One channel's fields, each bound to its own signal.
#[derive(Clone, Copy)]
struct ChannelFields {
    channel: StoredValue<ChannelSurveySettings>,
    enabled: RwSignal<bool>,
    question: RwSignal<String>,
    thanks: RwSignal<String>,
    template_name: RwSignal<String>,
    template_language: RwSignal<String>,
}

impl ChannelFields {
    fn new(channel: ChannelSurveySettings) -> ChannelFields {
        ChannelFields {
            enabled: RwSignal::new(channel.enabled),
            question: RwSignal::new(channel.question.clone()),
            thanks: RwSignal::new(channel.thanks.clone()),
            template_name: RwSignal::new(channel.template_name.clone()),
            template_language: RwSignal::new(channel.template_language.clone()),
            channel: StoredValue::new(channel),
        }
    }

    fn settings(&self) -> ChannelSurveySettings {
        ChannelSurveySettings {
            enabled: self.enabled.get_untracked(),
            question: self.question.get_untracked(),
            thanks: self.thanks.get_untracked(),
            template_name: self.template_name.get_untracked(),
            template_language: self.template_language.get_untracked(),
            ..self.channel.get_value()
        }
    }
}

#[component]
fn SurveyFields(
    settings: SatisfactionSettings,
    save: ServerAction<SaveSatisfactionSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let fields: Vec<ChannelFields> = settings
        .channels
        .into_iter()
        .map(ChannelFields::new)
        .collect();
    let all = StoredValue::new(fields.clone());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveSatisfactionSettings {
            settings: SatisfactionSettings {
                channels: all
                    .with_value(|fields| fields.iter().map(ChannelFields::settings).collect()),
            },
        });
    };
    let channels = fields
        .into_iter()
        .map(|fields| {
            let channel = fields.channel.get_value();
            let id = channel.channel_id;
            let is_whatsapp = channel.channel_kind == "whatsapp";
            let kind = channel.channel_kind.clone();
            let hint = move || match kind.as_str() {
                "twilio" => t_string!(i18n, settings.satisfaction.hint_sms),
                "messenger" => t_string!(i18n, settings.satisfaction.hint_messenger),
                _ => t_string!(i18n, settings.satisfaction.hint_whatsapp),
            };
            view! {
                <fieldset class="survey-channel">
                    <legend>{channel.channel_name.clone()}</legend>
                    <p class="hint">{hint}</p>
                    <label>
                        <input
                            type="checkbox"
                            id=format!("survey-enabled-{id}")
                            prop:checked=fields.enabled
                            on:change=move |event| fields.enabled.set(event_target_checked(&event))
                        />
                        " " {t!(i18n, settings.satisfaction.enabled)}
                    </label>
                    <label for=format!("survey-question-{id}")>{t!(i18n, settings.satisfaction.question)}</label>
                    <textarea id=format!("survey-question-{id}") rows="2" prop:value=fields.question on:input=move |event| fields.question.set(event_target_value(&event))></textarea>
                    <label for=format!("survey-thanks-{id}")>{t!(i18n, settings.satisfaction.thanks)}</label>
                    <textarea id=format!("survey-thanks-{id}") rows="2" prop:value=fields.thanks on:input=move |event| fields.thanks.set(event_target_value(&event))></textarea>
                    {is_whatsapp.then(|| view! {
                        <label for=format!("survey-template-{id}")>{t!(i18n, settings.satisfaction.template)}</label>
                        <input id=format!("survey-template-{id}") prop:value=fields.template_name on:input=move |event| fields.template_name.set(event_target_value(&event)) />
                        <label for=format!("survey-template-language-{id}")>{t!(i18n, settings.satisfaction.template_language)}</label>
                        <input id=format!("survey-template-language-{id}") prop:value=fields.template_language on:input=move |event| fields.template_language.set(event_target_value(&event)) />
                    })}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <form class="stacked-form" on:submit=submit>
            {channels}
            <button type="submit" class="primary" disabled=move || save.pending().get()>{t!(i18n, settings.satisfaction.save)}</button>
        </form>
    }
}
