use leptos::prelude::*;

use crate::error::AppError;

/// An error message shown where the failed action was, read out by screen readers.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! {
                <p class="notice notice-error" role="alert">
                    {error.message}
                </p>
            }
        })
    }
}
