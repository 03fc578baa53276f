//! Live updates in the open inbox: the server's event stream (`/live`) bumps a version that the
//! list and the thread reload on, keeps who is viewing or typing where, and raises browser
//! notifications for mentions, new messages in Mine and conversations marked urgent.

use std::time::Duration;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use leptos::web_sys::js_sys::{Date, Reflect};
use leptos_i18n::I18nContext;
use web_sys::{
    EventSource, MessageEvent, Notification, NotificationOptions, NotificationPermission,
};

use crate::i18n::{Locale, td_string, use_i18n};
use crate::model::LiveEvent;

/// How long a presence announcement counts: browsers repeat theirs more often than this.
const PRESENCE_LASTS_MS: f64 = 12_000.0;
const PRUNE_EVERY: Duration = Duration::from_secs(3);

/// Someone else with a conversation open.
#[derive(Clone, Debug, PartialEq)]
pub struct Presence {
    pub conversation_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub typing: bool,
    seen_at: f64,
}

#[derive(Clone, Copy)]
pub struct Live {
    /// Bumped whenever something the inbox shows may have changed: the server said so, or an
    /// action taken here finished.
    pub version: RwSignal<u64>,
    pub presence: RwSignal<Vec<Presence>>,
    /// Bumped when someone (this person, or one a coordinator watches) passed a wellbeing
    /// limit.
    pub wellbeing: RwSignal<u64>,
    /// Conversations that became urgent while the inbox was open, newest last, until
    /// dismissed (coordinators and admins only are told).
    pub urgent: RwSignal<Vec<UrgentAlert>>,
}

/// A conversation that just became urgent: `word` is the risk word that matched, if one did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrgentAlert {
    pub conversation_id: i64,
    pub word: Option<String>,
}

impl Live {
    pub fn changed(&self) {
        self.version.update(|version| *version += 1);
    }

    /// Who else (not `me`) is in this conversation now, typing ones first.
    pub fn others_in(&self, conversation_id: i64, me: i64) -> Vec<Presence> {
        let mut here: Vec<Presence> = self.presence.with(|all| {
            all.iter()
                .filter(|p| p.conversation_id == conversation_id && p.person_id != me)
                .cloned()
                .collect()
        });
        here.sort_by_key(|p| !p.typing);
        here
    }
}

pub fn provide_live(me: i64) -> Live {
    let i18n = use_i18n();
    let live = Live {
        version: RwSignal::new(0),
        presence: RwSignal::new(Vec::new()),
        urgent: RwSignal::new(Vec::new()),
        wellbeing: RwSignal::new(0),
    };
    provide_context(live);
    // Effects run in the browser only: the server renders without a stream.
    Effect::new(move |_| {
        let Ok(source) = EventSource::new("/live") else {
            return;
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let Some(data) = message.data().as_string() else {
                return;
            };
            if let Ok(event) = serde_json::from_str::<LiveEvent>(&data) {
                receive(live, me, i18n, event);
            }
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        if let Ok(pruner) = set_interval_with_handle(
            move || {
                let now = Date::now();
                live.presence
                    .update(|all| all.retain(|p| now - p.seen_at < PRESENCE_LASTS_MS));
            },
            PRUNE_EVERY,
        ) {
            on_cleanup(move || pruner.clear());
        }
        on_cleanup(move || source.close());
    });
    live
}

pub fn use_live() -> Live {
    expect_context()
}

/// `i18n` words the notifications in the page's language.
fn receive(live: Live, me: i64, i18n: I18nContext<Locale>, event: LiveEvent) {
    // Outside any component: the language as it is now, without following it.
    let locale = i18n.get_locale_untracked();
    match event {
        LiveEvent::Activity | LiveEvent::Conversation { .. } => live.changed(),
        LiveEvent::Presence {
            conversation_id,
            person_id,
            person_name,
            typing,
        } => live.presence.update(|all| {
            all.retain(|p| p.person_id != person_id);
            all.push(Presence {
                conversation_id,
                person_id,
                person_name,
                typing,
                seen_at: Date::now(),
            });
        }),
        LiveEvent::Mention {
            person_id,
            conversation_id,
            author_name,
        } if person_id == me => {
            notify(
                &td_string!(locale, inbox.notifications.mentioned, author = author_name)
                    .to_string(),
                &format!("/conversations/{conversation_id}"),
            );
            live.changed();
        }
        LiveEvent::Mention { .. } => {}
        LiveEvent::Urgent {
            conversation_id,
            word,
        } => {
            // The notification says only that something is urgent: it shows on lock screens.
            notify(
                td_string!(locale, inbox.notifications.urgent),
                &format!("/conversations/{conversation_id}"),
            );
            live.urgent.update(|alerts| {
                alerts.retain(|alert| alert.conversation_id != conversation_id);
                alerts.push(UrgentAlert {
                    conversation_id,
                    word,
                });
            });
        }
        LiveEvent::TakenOver { by_name, .. } => {
            notify(
                &td_string!(locale, inbox.notifications.taken_over, name = by_name).to_string(),
                "/",
            );
            live.changed();
        }
        LiveEvent::OverLimit { .. } => live.wellbeing.update(|version| *version += 1),
    }
}

/// Some browsers (and embedded views) have no notifications at all.
fn notifications_supported() -> bool {
    // The global's name, written as the identifier it is (it is code, not words to translate).
    Reflect::has(&window(), &stringify!(Notification).into()).unwrap_or(false)
}

/// Whether there is nothing to ask: the person allowed or refused notifications, or the
/// browser has none.
pub fn notifications_decided() -> bool {
    !notifications_supported() || Notification::permission() != NotificationPermission::Default
}

pub fn ask_for_notifications() {
    if notifications_supported() {
        let _ = Notification::request_permission();
    }
}

/// A browser notification that opens `link` when clicked. Its text never holds a contact's
/// name or number: notifications show on lock screens.
pub fn notify(title: &str, link: &str) {
    if !notifications_supported() || Notification::permission() != NotificationPermission::Granted {
        return;
    }
    let options = NotificationOptions::new();
    options.set_tag(link);
    if let Ok(notification) = Notification::new_with_options(title, &options) {
        let link = link.to_owned();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            let _ = window().location().set_href(&link);
        });
        notification.set_onclick(Some(on_click.as_ref().unchecked_ref()));
        on_click.forget();
    }
}
