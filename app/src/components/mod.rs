//! Pieces shared by several pages.

mod layout;
mod notice;

pub use layout::Layout;
pub use notice::ErrorNotice;
