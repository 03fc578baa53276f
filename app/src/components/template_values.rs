//! Inputs for a template's numbered variables, as many as its text holds: used where admins
//! give samples and where volunteers fill a template in; and what a media header shows.

use leptos::prelude::*;

use crate::i18n::{t_string, use_i18n};
use crate::model::HeaderMedia;

/// One text input per variable `{{1}}`…`{{count}}`, with ids `<id_prefix>-<n>`. `label` names
/// an input from its variable (`{{1}}`), in the page's language.
#[component]
pub fn VariableInputs(
    id_prefix: &'static str,
    label: fn(String) -> String,
    values: RwSignal<Vec<String>>,
    #[prop(into)] count: Signal<usize>,
) -> impl IntoView {
    move || {
        (0..count.get())
            .map(|index| {
                view! {
                    <label>
                        {label(format!("{{{{{}}}}}", index + 1))}
                        <input
                            id=format!("{id_prefix}-{}", index + 1)
                            required
                            prop:value=move || values.with(|v| v.get(index).cloned().unwrap_or_default())
                            on:input=move |event| {
                                let value = event_target_value(&event);
                                values.update(|v| {
                                    if v.len() <= index {
                                        v.resize(index + 1, String::new());
                                    }
                                    v[index] = value;
                                });
                            }
                        />
                    </label>
                }
            })
            .collect_view()
    }
}

/// What a media header shows, in the page's language ("a picture (JPEG or PNG)").
pub fn media_label(media: HeaderMedia) -> &'static str {
    let i18n = use_i18n();
    match media {
        HeaderMedia::Image => t_string!(i18n, templates.media.image),
        HeaderMedia::Video => t_string!(i18n, templates.media.video),
        HeaderMedia::Document => t_string!(i18n, templates.media.document),
    }
}
