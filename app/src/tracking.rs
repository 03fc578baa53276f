//! How pages read the signals their data depends on.

/// Wraps what a `Resource` is keyed by: tracked in the browser, so the data follows the URL and
/// the person's actions; on the server, read once, untracked, as the page is built. A server
/// render needs each resource's first value only, and reading it here keeps the router's signals
/// on the rendering thread: a resource's task runs on another thread, where a read can race a
/// write (see `BusyTransition`) or come after the page's router is gone.
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
