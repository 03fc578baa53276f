//! Types shared by the server and the browser.

mod channels;
mod people;

pub use channels::*;
pub use people::*;
