//! How pages read the signals their data depends on, on the server and in the browser.

use leptos::prelude::{SignalSetter, WriteSignal};

/// Wraps what a `Resource` is keyed by: tracked in the browser, so the data follows the URL and
/// the person's actions; on the server, read once, untracked, and remembered. A server render
/// needs each resource's first value only, and the resource's own task can run its source again
/// after the page's owner is disposed (seen in the inbox benchmark: a panic in a worker on
/// reading a disposed memo); the remembered value reads no signal then.
#[cfg(feature = "ssr")]
pub fn tracked_in_browser<T>(
    read: impl Fn() -> T + Send + Sync + 'static,
) -> impl Fn() -> T + Send + Sync + 'static
where
    T: Clone + Send + Sync + 'static,
{
    let first = std::sync::OnceLock::new();
    move || {
        first
            .get_or_init(|| leptos::prelude::untrack(&read))
            .clone()
    }
}

#[cfg(not(feature = "ssr"))]
pub fn tracked_in_browser<T>(
    read: impl Fn() -> T + Send + Sync + 'static,
) -> impl Fn() -> T + Send + Sync + 'static {
    read
}

/// Wraps the setter a `Transition` reports its pending state to: forwards it in the browser and
/// drops it on the server. On the server the `Transition` reports from a task on another thread
/// while this thread renders the page, and a signal read while another thread writes it reads as
/// disposed (Leptos reads with a non-blocking lock): a panic that cut off a page in two of ten
/// inbox benchmark runs. A server render is never pending anyway: it waits for its data.
pub fn pending_in_browser(set_pending: WriteSignal<bool>) -> SignalSetter<bool> {
    if cfg!(feature = "ssr") {
        SignalSetter::map(|_pending| ())
    } else {
        set_pending.into()
    }
}
