//! Inputs for a template's numbered variables, as many as its text holds: used where admins
//! give samples and where volunteers fill a template in.

use leptos::prelude::*;

/// One text input per variable `{{1}}`…`{{count}}`, with ids `<id_prefix>-<n>`.
#[component]
pub fn VariableInputs(
    id_prefix: &'static str,
    label: &'static str,
    values: RwSignal<Vec<String>>,
    #[prop(into)] count: Signal<usize>,
) -> impl IntoView {
    move || {
        (0..count.get())
            .map(|index| {
                view! {
                    <label>
                        {format!("{label} {{{{{}}}}}", index + 1)}
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
