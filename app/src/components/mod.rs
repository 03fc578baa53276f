//! Pieces shared by several pages.

mod busy_transition;
mod charts;
mod language_names;
mod layout;
mod notice;
mod template_send;
mod template_values;

pub use busy_transition::BusyTransition;
pub use charts::{Bars, ChartUnit, Heatmap, Series, StackedBars};
pub use language_names::{language_label, languages_by_name};
pub use layout::{
    DemoBanner, Layout, provide_demo_mode, provide_signed_in_person, role_name, signed_in_person,
};
pub use notice::ErrorNotice;
pub use template_send::{TemplateFileForm, TemplatePicker};
pub use template_values::{VariableInputs, media_label};
