//! The retention card of `/settings`: how long each kind of data is kept (admins), and what the
//! next run will delete under the saved periods.

use leptos::prelude::*;

use crate::api::{SaveRetentionSettings, get_retention_preview, get_retention_settings};
use crate::components::ErrorNotice;
use crate::i18n::{t, use_i18n};
use crate::model::{RetentionCounts, RetentionSettings};
use crate::tracking::tracked_in_browser;

#[component]
pub fn RetentionSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveRetentionSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_retention_settings()
    });
    let preview = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_retention_preview()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="retention-heading">
            <h2 id="retention-heading">{t!(i18n, settings.retention.heading)}</h2>
            <p>{t!(i18n, settings.retention.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! { <RetentionFields settings save /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
            <h3>{t!(i18n, settings.retention.next_run)}</h3>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    preview.await.map(|counts| view! { <RetentionPreview counts /> }).ok()
                })}
            </Transition>
        </section>
    }
}

/// A period as typed: empty keeps; anything that is not a whole number is sent as 0, which
/// the server refuses with the reason.
fn days(text: &str) -> Option<i64> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(0))
}

fn shown(days: Option<i64>) -> String {
    days.map(|days| days.to_string()).unwrap_or_default()
}

#[component]
fn RetentionFields(
    settings: RetentionSettings,
    save: ServerAction<SaveRetentionSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let conversations = RwSignal::new(shown(settings.resolved_conversations_days));
    let media = RwSignal::new(shown(settings.media_days));
    let contacts = RwSignal::new(shown(settings.orphan_contacts_days));
    let deliveries = RwSignal::new(shown(settings.raw_deliveries_days));
    let audit = RwSignal::new(shown(settings.audit_log_days));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveRetentionSettings {
            settings: RetentionSettings {
                resolved_conversations_days: days(&conversations.get_untracked()),
                media_days: days(&media.get_untracked()),
                orphan_contacts_days: days(&contacts.get_untracked()),
                raw_deliveries_days: days(&deliveries.get_untracked()),
                audit_log_days: days(&audit.get_untracked()),
            },
        });
    };
    view! {
        <form class="settings-form" on:submit=submit>
            {field("retention-conversations", t!(i18n, settings.retention.conversations), conversations)}
            {field("retention-media", t!(i18n, settings.retention.media), media)}
            {field("retention-contacts", t!(i18n, settings.retention.contacts), contacts)}
            {field("retention-deliveries", t!(i18n, settings.retention.deliveries), deliveries)}
            {field("retention-audit", t!(i18n, settings.retention.audit), audit)}
            <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
        </form>
    }
}

/// A period in days, bound to `value`.
fn field(
    id: &'static str,
    label: impl IntoView + 'static,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="number"
                id=id
                min="1"
                max="36500"
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        </label>
    }
}

#[component]
fn RetentionPreview(counts: RetentionCounts) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="retention-preview" id="retention-preview">
            <dt>{t!(i18n, settings.retention.preview.conversations)}</dt>
            <dd>{counts.conversations}</dd>
            <dt>{t!(i18n, settings.retention.preview.messages)}</dt>
            <dd>{counts.messages}</dd>
            <dt>{t!(i18n, settings.retention.preview.notes)}</dt>
            <dd>{counts.notes}</dd>
            <dt>{t!(i18n, settings.retention.preview.media_files)}</dt>
            <dd>{counts.media_files}</dd>
            <dt>{t!(i18n, settings.retention.preview.contacts)}</dt>
            <dd>{counts.contacts}</dd>
            <dt>{t!(i18n, settings.retention.preview.raw_deliveries)}</dt>
            <dd>{counts.raw_deliveries}</dd>
            <dt>{t!(i18n, settings.retention.preview.audit_entries)}</dt>
            <dd>{counts.audit_entries}</dd>
        </dl>
    }
}
