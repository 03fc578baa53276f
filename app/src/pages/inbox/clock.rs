//! Times as people read them. The server cannot know the reader's time zone, so it renders the time
//! as the RFC 3339 text gives it; in the browser, times switch to local time written the way the
//! page's language writes them (recent ones "5 minutes ago", "hace 5 minutos") and stay current
//! while the inbox is open.

use std::time::Duration;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsValue;
use leptos::web_sys::js_sys::{Array, Date, Intl, JSON};

use crate::i18n::use_i18n;
use crate::language;

/// Milliseconds since the epoch, refreshed every half minute; `None` on the server.
#[derive(Clone, Copy)]
struct Now(ReadSignal<Option<f64>>);

pub fn provide_now() {
    let (now, set_now) = signal(None);
    Effect::new(move |_| {
        set_now.set(Some(Date::now()));
        let tick = move || set_now.set(Some(Date::now()));
        if let Ok(ticker) = set_interval_with_handle(tick, Duration::from_secs(30)) {
            on_cleanup(move || ticker.clear());
        }
    });
    provide_context(Now(now));
}

/// The current time for the calling component: `None` until that component has hydrated, so its
/// first render in the browser matches what the server sent, whenever its data arrives.
pub fn use_now() -> Signal<Option<f64>> {
    let Now(now) = expect_context();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    Signal::derive(move || now.get().filter(|_| hydrated.get()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    /// For the list: "now", "5 min. ago", "14:05" today, "3 Mar" before.
    Brief,
    /// For messages and deadlines: "14:05" today, "3 Mar, 14:05" otherwise.
    Full,
}

#[component]
pub fn Time(at: String, style: TimeStyle) -> impl IntoView {
    let now = use_now();
    let i18n = use_i18n();
    let text = {
        let at = at.clone();
        move || {
            let language = language::code(i18n.get_locale());
            now.get()
                .and_then(|now| local(&at, now, style, language))
                .unwrap_or_else(|| as_given(&at))
        }
    };
    view! { <time datetime=at>{text}</time> }
}

/// Only for the browser: `now` comes from [`use_now`].
pub fn is_past(at: &str, now: f64) -> bool {
    Date::new(&JsValue::from_str(at)).get_time() <= now
}

fn as_given(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) if at.ends_with('Z') => format!("{day} {time} UTC"),
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => at.to_owned(),
    }
}

fn local(at: &str, now: f64, style: TimeStyle, language: &str) -> Option<String> {
    let date = Date::new(&JsValue::from_str(at));
    let then = date.get_time();
    if then.is_nan() {
        return None;
    }
    let minutes = ((now - then) / 60_000.0) as i64;
    let today = Date::new(&JsValue::from_f64(now));
    let same_day = date.to_date_string() == today.to_date_string();
    let same_year = date.get_full_year() == today.get_full_year();
    let languages = Array::of1(&JsValue::from_str(language));
    let options = match style {
        TimeStyle::Brief if (0..60).contains(&minutes) => {
            // "now" for less than a minute, "5 minutes ago" after.
            let relative = JSON::parse(r#"{"numeric":"auto","style":"short"}"#).ok()?;
            let format = Intl::RelativeTimeFormat::new(&languages, &relative.into());
            return Some(format.format(-(minutes as f64), "minute").into());
        }
        _ if same_day => r#"{"hour":"2-digit","minute":"2-digit"}"#,
        TimeStyle::Brief if same_year => r#"{"day":"numeric","month":"short"}"#,
        TimeStyle::Brief => r#"{"day":"numeric","month":"short","year":"numeric"}"#,
        TimeStyle::Full if same_year => {
            r#"{"day":"numeric","month":"short","hour":"2-digit","minute":"2-digit"}"#
        }
        TimeStyle::Full => {
            r#"{"day":"numeric","month":"short","year":"numeric","hour":"2-digit","minute":"2-digit"}"#
        }
    };
    let options = JSON::parse(options).ok()?;
    Some(date.to_locale_string(language, &options).into())
}
