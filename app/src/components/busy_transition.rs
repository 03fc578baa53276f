//! A `Transition` that tells its region when it is loading.

use leptos::prelude::*;

/// A `Transition` that reports to `set_busy` whether it is loading, for the region's
/// `aria-busy`; in the browser only. On the server a `Transition` that reports runs an effect on
/// another thread, which reads the list of pending loads while other threads change it; Leptos
/// reads it with a non-blocking lock and takes a busy lock for a disposed signal, so the effect
/// panicked in a worker (seen in the inbox benchmark, about one run in seven at 10,000
/// conversations), and a page reading the reported value could be cut off. A server render is
/// never busy: it waits for its data.
#[component]
pub fn BusyTransition<Chil>(
    #[prop(into)] fallback: ViewFnOnce,
    set_busy: WriteSignal<bool>,
    children: TypedChildren<Chil>,
) -> impl IntoView
where
    Chil: IntoView + Send + 'static,
{
    let props = TransitionProps::builder()
        .fallback(fallback)
        .children(children);
    #[cfg(not(feature = "ssr"))]
    let props = props.set_pending(set_busy);
    #[cfg(feature = "ssr")]
    let _ = set_busy;
    Transition(props.build())
}
