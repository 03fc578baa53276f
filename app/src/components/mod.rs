//! Pieces shared by several pages.

mod layout;
mod notice;
mod template_send;
mod template_values;

pub use layout::Layout;
pub use notice::ErrorNotice;
pub use template_send::{TemplateFileForm, TemplatePicker};
pub use template_values::VariableInputs;
