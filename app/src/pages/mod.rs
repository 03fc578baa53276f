//! One module a page, named after its route.
//!
//! The inbox list is where volunteers spend their shift, so it ships in the main browser bundle.
//! The open conversation and every other page are lazy routes: `cargo leptos build --split` puts
//! each one in its own wasm chunk, fetched the first time someone opens it.

use leptos::prelude::*;

mod account;
mod audit;
mod channels;
mod inbox;
mod login;
mod mentions;
mod not_found;
mod people;
mod reports;
mod search;
mod settings;
mod setup;
mod supervision;
mod templates;
mod webhook_events;

pub use inbox::{InboxPage, NoConversation};
pub use not_found::NotFound;

/// Declares `$route` as a lazy route that renders `$page`. The pages load their own data, so a
/// route has no data of its own to start loading beside its chunk.
macro_rules! lazy_page {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    AccountRoute => account::AccountPage,
    AuditRoute => audit::AuditPage,
    ChannelsRoute => channels::ChannelsPage,
    ConversationRoute => inbox::OpenConversation,
    LoginRoute => login::LoginPage,
    MentionsRoute => mentions::MentionsPage,
    PeopleRoute => people::PeoplePage,
    ReportsRoute => reports::ReportsPage,
    SearchRoute => search::SearchPage,
    SettingsRoute => settings::SettingsPage,
    SetupRoute => setup::SetupPage,
    SupervisionRoute => supervision::SupervisionPage,
    TemplatesRoute => templates::TemplatesPage,
    WebhookEventsRoute => webhook_events::WebhookEventsPage,
}
