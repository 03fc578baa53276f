//! How pages read the signals their data depends on.

use leptos::prelude::untrack;

/// Wraps what a `Resource` is keyed by: tracked in the browser, so the data follows the URL and
/// the person's actions; read once, untracked, on the server. A server render needs each
/// resource's first value only, and a tracked source there lets the resource's own task wake
/// after the page's router is disposed and read signals that are gone (a panic in a worker).
pub fn tracked_in_browser<T>(
    read: impl Fn() -> T + Send + Sync + 'static,
) -> impl Fn() -> T + Send + Sync + 'static {
    move || {
        if cfg!(feature = "ssr") {
            untrack(&read)
        } else {
            read()
        }
    }
}
