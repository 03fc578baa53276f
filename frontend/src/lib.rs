//! The browser entry point: hydrates the server-rendered page into the live Leptos app.

// Leptos view types nest deeply; hydrating every page needs more room to type-check.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
