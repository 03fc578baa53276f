//! Rules of the product that know neither HTTP nor SQL.

pub mod addresses;
pub mod channels;
pub mod conversations;
pub mod costs;
pub mod data_requests;
pub mod erasure;
pub mod escalation;
pub mod password_policy;
pub mod people;
pub mod replies;
pub mod reply_buttons;
pub mod reports;
pub mod retention;
pub mod satisfaction;
pub mod sizes;
pub mod supervision;
pub mod templates;
pub mod translation;
pub mod two_factor;
pub mod webhooks;
pub mod wellbeing;
