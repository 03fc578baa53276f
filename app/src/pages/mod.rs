//! One module a page, named after its route.

mod account;
mod channels;
mod inbox;
mod login;
mod mentions;
mod not_found;
mod people;
mod search;
mod settings;
mod templates;
mod webhook_events;

pub use account::AccountPage;
pub use channels::ChannelsPage;
pub use inbox::InboxPage;
pub use login::LoginPage;
pub use mentions::MentionsPage;
pub use not_found::NotFound;
pub use people::PeoplePage;
pub use search::SearchPage;
pub use settings::SettingsPage;
pub use templates::TemplatesPage;
pub use webhook_events::WebhookEventsPage;
