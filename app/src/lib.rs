//! Switchboard's user interface: Leptos pages rendered on the server and hydrated in the browser,
//! and the types the server and the browser share.

// Leptos view types nest deeply; pages with many forms need more room to type-check.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod error;
pub mod language;
pub mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
mod tracking;

// The `i18n` module app/build.rs generates from the translation files.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, ParamSegment, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

use pages::{
    AccountRoute, AuditRoute, ChannelsRoute, ConversationRoute, InboxPage, LoginRoute,
    MentionsRoute, NoConversation, NotFound, PeopleRoute, ReportsRoute, SearchRoute, SettingsRoute,
    SetupRoute, SupervisionRoute, TemplatesRoute, WebhookEventsRoute,
};

/// The CSP nonce the server puts into each page request's extensions, so the
/// hydration scripts can carry it.
#[derive(Clone, Debug)]
pub struct ScriptNonce(pub String);

/// The HTML document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_script_nonce();
    view! {
        <!DOCTYPE html>
        // The language provider writes `lang` and `dir` here, in the page's language.
        <html>
            <head>
                <meta charset="utf-8" />
                // The on-screen keyboard shrinks the page, so the composer stays above it.
                <meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content" />
                <meta name="theme-color" content="#175cd3" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <script src="/service-worker-registration.js" defer></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn provide_script_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ScriptNonce>().cloned());
    if let Some(ScriptNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::provide_signed_in_person();
    components::provide_demo_mode();

    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css" />
        <Title formatter=|page: String| format!("{page} · Switchboard") />
        <language::LanguageProvider>
        <components::DemoBanner />
        <Router>
            <Routes fallback=NotFound>
                // The open conversation renders beside the list, so moving between conversations
                // keeps the list and the signed-in frame in place.
                <ParentRoute path=StaticSegment("") view=InboxPage>
                    <Route path=StaticSegment("") view=NoConversation />
                    <Route
                        path=(StaticSegment("conversations"), ParamSegment("id"))
                        view={Lazy::<ConversationRoute>::new()}
                    />
                </ParentRoute>
                <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()} />
                <Route
                    path=(StaticSegment("setup"), ParamSegment("token"))
                    view={Lazy::<SetupRoute>::new()}
                />
                <Route path=StaticSegment("people") view={Lazy::<PeopleRoute>::new()} />
                <Route path=StaticSegment("channels") view={Lazy::<ChannelsRoute>::new()} />
                <Route path=StaticSegment("events") view={Lazy::<WebhookEventsRoute>::new()} />
                <Route path=StaticSegment("account") view={Lazy::<AccountRoute>::new()} />
                <Route path=StaticSegment("audit") view={Lazy::<AuditRoute>::new()} />
                <Route path=StaticSegment("search") view={Lazy::<SearchRoute>::new()} />
                <Route path=StaticSegment("mentions") view={Lazy::<MentionsRoute>::new()} />
                <Route path=StaticSegment("settings") view={Lazy::<SettingsRoute>::new()} />
                <Route path=StaticSegment("templates") view={Lazy::<TemplatesRoute>::new()} />
                <Route path=StaticSegment("supervision") view={Lazy::<SupervisionRoute>::new()} />
                <Route path=StaticSegment("reports") view={Lazy::<ReportsRoute>::new()} />
            </Routes>
        </Router>
        </language::LanguageProvider>
    }
}
