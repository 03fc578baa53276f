//! How pages read the signals their data depends on.

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
