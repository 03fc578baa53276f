//! One module a page, named after its route.

mod account;
mod inbox;
mod login;
mod not_found;
mod people;

pub use account::AccountPage;
pub use inbox::InboxPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use people::PeoplePage;
