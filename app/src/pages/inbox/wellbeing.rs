//! Volunteer wellbeing in the inbox: the heartbeat that counts time answering while a
//! conversation is open and in view, the gentle warning once a person passed a limit, the
//! people over their limits (for coordinators and admins), and contacts' pictures and videos
//! blurred until the volunteer chooses to look.

use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;

use super::live::use_live;
use crate::api::{get_my_wellbeing, get_wellbeing_overview, record_activity};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::model::PersonOverLimit;
use crate::tracking::tracked_in_browser;

/// Time is counted per minute on the server; beating twice a minute leaves no minute out.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// Tells the server, while conversation `id` is open and the page is in view, that this
/// person is answering. Effects run in the browser only.
pub fn beat_while_open(id: Memo<Option<i64>>) {
    let live = use_live();
    // The warning the last heartbeat told, so the banner reloads only when it changes.
    let last_warning = StoredValue::new(None::<Option<String>>);
    let beat = move || {
        if document().hidden() {
            return;
        }
        spawn_local(async move {
            if let Ok(mine) = record_activity().await {
                let changed = last_warning
                    .try_with_value(|last| last.as_ref() != Some(&mine.warning))
                    .unwrap_or(false);
                if changed {
                    last_warning.set_value(Some(mine.warning));
                    live.wellbeing.update(|version| *version += 1);
                }
            }
        });
    };
    Effect::new(move |_| {
        if id.get().is_some() {
            beat();
            if let Ok(repeat) = set_interval_with_handle(beat, HEARTBEAT_EVERY) {
                on_cleanup(move || repeat.clear());
            }
        }
    });
}

/// The signed-in person's warning once over a limit, and, for coordinators and admins, who is
/// over theirs. Both reload when the live stream tells that someone passed a limit.
#[component]
pub fn WellbeingNotices(watches_others: bool) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let mine = Resource::new(tracked_in_browser(move || live.wellbeing.get()), |_| {
        get_my_wellbeing()
    });
    let others = Resource::new(
        tracked_in_browser(move || live.wellbeing.get()),
        move |_| async move {
            if watches_others {
                get_wellbeing_overview().await.ok()
            } else {
                None
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                mine.await.ok().and_then(|mine| mine.warning).map(|warning| view! {
                    <p class="notice wellbeing-warning" id="wellbeing-warning" role="status">{warning}</p>
                })
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                others.await.filter(|overview| !overview.people.is_empty()).map(|overview| view! {
                    <section class="wellbeing-over" aria-labelledby="wellbeing-over-heading">
                        <h2 id="wellbeing-over-heading">{t!(i18n, inbox.wellbeing.over_heading)}</h2>
                        <ul>{overview.people.into_iter().map(person_over_limit).collect_view()}</ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// "2 h 5 min", "45 min", "3 h" in the page's language.
fn hours_and_minutes(i18n: I18nContext<Locale>, minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, minutes) => t_string!(i18n, inbox.wellbeing.minutes, minutes).to_string(),
        (hours, 0) => t_string!(i18n, inbox.wellbeing.hours, hours).to_string(),
        (hours, minutes) => {
            t_string!(i18n, inbox.wellbeing.hours_minutes, hours, minutes).to_string()
        }
    }
}

fn person_over_limit(person: PersonOverLimit) -> impl IntoView {
    let i18n = use_i18n();
    let name = person.name;
    let (day, week) = (person.minutes_last_24h, person.minutes_last_7d);
    view! {
        <li data-person-id=person.person_id>
            {t!(
                i18n,
                inbox.wellbeing.over_limit,
                name = move || view! { <strong>{name.clone()}</strong> },
                day = move || hours_and_minutes(i18n, day),
                week = move || hours_and_minutes(i18n, week)
            )}
        </li>
    }
}

/// The attachments this page view has shown unblurred: a refetch of the conversation renders
/// it anew, and what the volunteer chose to see stays shown until they leave the page.
#[derive(Clone, Copy)]
pub struct RevealedMedia(RwSignal<HashSet<i64>>);

pub fn provide_revealed_media() {
    provide_context(RevealedMedia(RwSignal::new(HashSet::new())));
}

/// A contact's picture or video, blurred until the button beside it is pressed. The blur is a
/// class the server renders, so nothing is seen before the page's code has loaded.
pub fn blurred_media(attachment_id: i64, what: &'static str, media: AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let revealed = use_context::<RevealedMedia>()
        .unwrap_or_else(|| RevealedMedia(RwSignal::new(HashSet::new())))
        .0;
    let shown = move || revealed.with(|shown| shown.contains(&attachment_id));
    view! {
        <div class="blurred-media" class:blurred=move || !shown() data-attachment-id=attachment_id>
            <div class="blurred-media-content" inert=move || !shown()>{media}</div>
            {move || (!shown()).then(|| view! {
                <button
                    type="button"
                    class="show-media"
                    on:click=move |_| revealed.update(|shown| {
                        shown.insert(attachment_id);
                    })
                >
                    {move || match what {
                        "video" => t_string!(i18n, inbox.wellbeing.show_video).to_string(),
                        _ => t_string!(i18n, inbox.wellbeing.show_picture).to_string(),
                    }}
                </button>
            })}
        </div>
    }
}
