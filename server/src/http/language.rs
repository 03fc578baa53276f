//! Chooses the language each page is rendered in, before Leptos renders it.

use app::language::PageLanguage;
use app::ports::Actor;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::startup::AppState;

/// Runs after authentication, so a signed-in person's own choice is known. Only reads: a page
/// is fetched with GET, and writes answer in the language of the page they came from.
pub async fn choose_page_language(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        let saved = request
            .extensions()
            .get::<Actor>()
            .and_then(|actor| actor.language.clone());
        let accept_language = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok());
        let language = state
            .services
            .page_language(saved.as_deref(), accept_language)
            .await;
        request.extensions_mut().insert(PageLanguage(language));
    }
    next.run(request).await
}
