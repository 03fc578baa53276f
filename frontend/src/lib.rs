//! The browser entry point: hydrates the server-rendered page into the live Leptos app.

// Leptos view types nest deeply; hydrating every page needs more room to type-check.
#![recursion_limit = "256"]

use leptos::{mount::hydrate_from_async, prelude::document};
use wasm_bindgen_futures::spawn_local;

/// Hydration is asynchronous because a lazy route first fetches its wasm chunk. Once the whole
/// page is live, `<body data-hydrated="true">` tells tests and scripts they may act.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        hydrate_from_async(body.clone(), app::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
