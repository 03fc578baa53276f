use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, common.not_found.title) />
        <main class="centered">
            <h1>{t!(i18n, common.not_found.heading)}</h1>
            <p><a href="/">{t!(i18n, common.not_found.back)}</a></p>
        </main>
    }
}
