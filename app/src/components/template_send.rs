//! The composer's Template tab: an approved template filled in with a live preview of what
//! the contact will read, its link buttons' endings, and the file of a picture, video or
//! document header. Templates may be sent after the 24-hour window has closed.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::SendTemplate;
use crate::components::{ErrorNotice, VariableInputs, media_label};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{Template, TemplateButton, TemplateEstimate, TemplateSend, TemplateValues};

/// The `id` of [`TemplateFileForm`], which the picker's file input and button belong to.
const FILE_FORM: &str = "template-file-form";

/// A template with a media header is sent with its file, so it goes as the multipart form
/// [`TemplateFileForm`] (the file form's own route); any other by the `send` action.
#[component]
pub fn TemplatePicker(
    id: i64,
    templates: Vec<Template>,
    /// What each template would cost if sent now, where a price applies.
    estimates: Vec<TemplateEstimate>,
    send: ServerAction<SendTemplate>,
) -> impl IntoView {
    let i18n = use_i18n();
    let templates = StoredValue::new(templates);
    let estimates = StoredValue::new(estimates);
    let chosen = RwSignal::new(None::<Template>);
    let header = RwSignal::new(Vec::<String>::new());
    let body = RwSignal::new(Vec::<String>::new());
    let buttons = RwSignal::new(Vec::<String>::new());
    let count = move |of: fn(&Template) -> usize| {
        Signal::derive(move || chosen.with(|t| t.as_ref().map_or(0, of)))
    };
    let header_count = count(|t| t.content.header_variables());
    let body_count = count(|t| t.content.body_variables());
    let button_count = count(|t| t.content.url_variables());
    let media = move || chosen.with(|t| t.as_ref().and_then(|t| t.content.header_media));
    let values = move || TemplateValues {
        header: header.get().into_iter().take(header_count.get()).collect(),
        body: body.get().into_iter().take(body_count.get()).collect(),
        buttons: buttons.get().into_iter().take(button_count.get()).collect(),
    };
    let choose = move |event| {
        let picked = event_target_value(&event)
            .parse::<i64>()
            .ok()
            .and_then(|picked| {
                templates.with_value(|list| list.iter().find(|t| t.id == picked).cloned())
            });
        header.set(Vec::new());
        body.set(Vec::new());
        buttons.set(Vec::new());
        chosen.set(picked);
    };
    let template_send = move || {
        chosen.with(|t| {
            t.as_ref().map(|t| TemplateSend {
                template_id: t.id,
                values: values(),
            })
        })
    };
    let preview = move || {
        chosen.with(|template| {
            template.as_ref().map(|template| {
                let text = template.content.preview(&values());
                view! {
                    <p class="template-preview bubble" id="template-preview" aria-live="polite">{text}</p>
                }
            })
        })
    };
    let cost = move || {
        let chosen_id = chosen.with(|t| t.as_ref().map(|t| t.id))?;
        estimates.with_value(|estimates| {
            estimates
                .iter()
                .find(|estimate| estimate.template_id == chosen_id)
                .map(|estimate| {
                    view! { <p class="template-cost" id="template-cost">{estimate.estimate.sentence.clone()}</p> }
                })
        })
    };
    let link_endings = move || {
        let links: Vec<(String, String)> = chosen.with(|t| {
            t.iter()
                .flat_map(|t| &t.content.buttons)
                .filter(|button| button.has_url_variable())
                .filter_map(|button| match button {
                    TemplateButton::Url { text, url, .. } => {
                        Some((text.clone(), url.trim_end_matches("{{1}}").to_string()))
                    }
                    _ => None,
                })
                .collect()
        });
        links
            .into_iter()
            .enumerate()
            .map(|(index, (text, prefix))| {
                view! {
                    <label>
                        {t!(i18n, templates.send.link_ending, text, prefix)}
                        <input
                            id=format!("template-button-value-{}", index + 1)
                            required
                            prop:value=move || buttons.with(|v| v.get(index).cloned().unwrap_or_default())
                            on:input=move |event| {
                                let value = event_target_value(&event);
                                buttons.update(|v| {
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
    };
    let dispatch = move |_| {
        let Some(template_send) = untrack(template_send) else {
            return;
        };
        if send.pending().get_untracked() {
            return;
        }
        send.dispatch(SendTemplate {
            conversation_id: id,
            send: template_send,
        });
    };
    let error = Signal::derive(move || send.value().get().and_then(Result::err));
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    let options = templates.with_value(|list| {
        list.iter()
            .map(|t| view! { <option value=t.id>{format!("{} ({})", t.name, t.language)}</option> })
            .collect_view()
    });
    let send_button = move || match media() {
        Some(media) => view! {
            <label>
                {t!(i18n, templates.header_media, media = move || media_label(media))}
                <input
                    type="file"
                    name="file"
                    id="template-header-file"
                    form=FILE_FORM
                    required
                    accept=media.accepted_types().join(",")
                />
            </label>
            <input
                type="hidden"
                name="template"
                form=FILE_FORM
                prop:value=move || {
                    template_send()
                        .and_then(|send| serde_json::to_string(&send).ok())
                        .unwrap_or_default()
                }
            />
            <button type="submit" class="primary" id="send-template" form=FILE_FORM>
                {t!(i18n, templates.send.submit)}
            </button>
        }
        .into_any(),
        None => view! {
            <button
                type="button"
                class="primary"
                id="send-template"
                disabled=move || chosen.with(Option::is_none)
                aria-disabled=move || send.pending().get().then_some("true")
                on:click=dispatch
            >
                {t!(i18n, templates.send.submit)}
            </button>
        }
        .into_any(),
    };
    view! {
        <div class="template-picker">
            <label>
                {t!(i18n, templates.send.template)}
                <select id="template-choice" on:change=choose>
                    <option value="" selected>{t!(i18n, templates.send.choose)}</option>
                    {options}
                </select>
            </label>
            <VariableInputs id_prefix="template-header-value" label=header_value_label values=header count=header_count />
            <VariableInputs id_prefix="template-value" label=body_value_label values=body count=body_count />
            {link_endings}
            {preview}
            {cost}
            {send_button}
            <ErrorNotice error />
            <p class="visually-hidden" role="status">{move || sent().then(|| t_string!(i18n, templates.send.queued))}</p>
        </div>
    }
}

fn header_value_label(variable: String) -> String {
    let i18n = use_i18n();
    t_string!(i18n, templates.send.header_value, variable).to_string()
}

fn body_value_label(variable: String) -> String {
    let i18n = use_i18n();
    t_string!(i18n, templates.send.body_value, variable).to_string()
}

/// The form a template with a media header is posted with, outside the composer's own form
/// (forms do not nest): [`TemplatePicker`]'s inputs belong to it by their `form` attribute.
/// The server comes back to the conversation with what went wrong, if anything.
#[component]
pub fn TemplateFileForm(id: i64) -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|query| query.get("template_error"));
    view! {
        <form
            id=FILE_FORM
            hidden
            method="post"
            enctype="multipart/form-data"
            action=format!("/conversations/{id}/files")
        ></form>
        {move || error().map(|message| view! {
            <p class="notice notice-error" role="alert" id="template-error">{message}</p>
        })}
    }
}
