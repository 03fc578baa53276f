//! Types shared by the server and the browser.

mod channels;
mod inbox;
mod people;

pub use channels::*;
pub use inbox::*;
pub use people::*;
