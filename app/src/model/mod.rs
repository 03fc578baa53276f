//! Types shared by the server and the browser.

mod audit;
mod canned;
mod channels;
mod costs;
mod data_protection;
mod data_requests;
mod escalation;
mod inbox;
mod live;
mod people;
mod reports;
mod satisfaction;
mod search;
mod settings;
mod supervision;
mod templates;
mod two_factor;
mod wellbeing;

pub use audit::*;
pub use canned::*;
pub use channels::*;
pub use costs::*;
pub use data_protection::*;
pub use data_requests::*;
pub use escalation::*;
pub use inbox::*;
pub use live::*;
pub use people::*;
pub use reports::*;
pub use satisfaction::*;
pub use search::*;
pub use settings::*;
pub use supervision::*;
pub use templates::*;
pub use two_factor::*;
pub use wellbeing::*;
