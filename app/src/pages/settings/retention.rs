//! The retention card of `/settings`: how long each kind of data is kept (admins), and what the
//! next run will delete under the saved periods.

use leptos::prelude::*;

use crate::api::{SaveRetentionSettings, get_retention_preview, get_retention_settings};
use crate::components::ErrorNotice;
use crate::model::{RetentionCounts, RetentionSettings};
use crate::tracking::tracked_in_browser;

#[component]
pub fn RetentionSettingsForm() -> impl IntoView {
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
            <h2 id="retention-heading">"Data retention"</h2>
            <p>"Switchboard deletes what is older than these periods, every hour. Leave a field empty to keep that kind of data."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
            <p role="status">{move || saved().then_some("Saved.")}</p>
            <h3>"The next run will delete"</h3>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    let field = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
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
    };
    view! {
        <form class="settings-form" on:submit=submit>
            {field("retention-conversations", "Resolved conversations, with their messages and notes (days after resolution)", conversations)}
            {field("retention-media", "Media files (days)", media)}
            {field("retention-contacts", "Contacts with no conversation left (days)", contacts)}
            {field("retention-deliveries", "Raw webhook deliveries (days)", deliveries)}
            {field("retention-audit", "Audit log entries (days)", audit)}
            <button type="submit" class="primary">"Save"</button>
        </form>
    }
}

#[component]
fn RetentionPreview(counts: RetentionCounts) -> impl IntoView {
    let rows = [
        ("Conversations", counts.conversations),
        ("Messages", counts.messages),
        ("Notes", counts.notes),
        ("Media files", counts.media_files),
        ("Contacts", counts.contacts),
        ("Raw webhook deliveries", counts.raw_deliveries),
        ("Audit log entries", counts.audit_entries),
    ];
    view! {
        <dl class="retention-preview" id="retention-preview">
            {rows.into_iter().map(|(what, count)| view! {
                <dt>{what}</dt>
                <dd>{count}</dd>
            }).collect_view()}
        </dl>
    }
}
