//! How pages read the signals their data depends on, on the server and in the browser.

use leptos::prelude::{SignalSetter, WriteSignal};

/// Wraps what a `Resource` is keyed by: tracked in the browser, so the data follows the URL and
/// the person's actions; on the server, read once, untracked, as the page is built. A server
/// render needs each resource's first value only, and a resource's task can first run after the
/// page is rendered and its router disposed (a resource no `Suspense` waits for): a source read
/// then recomputes the router's URL memos and panics in a worker (seen in the inbox benchmark).
#[cfg(feature = "ssr")]
pub fn tracked_in_browser<T>(
    read: impl Fn() -> T + Send + Sync + 'static,
) -> impl Fn() -> T + Send + Sync + 'static
where
    T: Clone + Send + Sync + 'static,
{
    let value = leptos::prelude::untrack(read);
    move || value.clone()
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
