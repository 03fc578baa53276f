//! `/templates` (admins): WhatsApp templates written here and submitted to Meta, with their
//! review status; new versions of submitted ones; Twilio Content templates registered by
//! ContentSid.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::{
    CreateTemplate, DeleteTemplate, NewTemplateVersion, RegisterTwilioTemplate, SubmitTemplate,
    SyncTemplates, list_channels, list_templates,
};
use crate::components::{ErrorNotice, Layout, VariableInputs, media_label};
use crate::error::AppError;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{
    Channel, ChannelKind, HeaderMedia, Me, Permission, SubmissionOutcome, Template, TemplateButton,
    TemplateCategory, TemplateContent, TemplateInput, TemplateValues, TwilioTemplateInput,
    variable_count,
};
use crate::tracking::tracked_in_browser;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, templates.title) />
        <Layout page=templates />
    }
}

fn templates(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    if !me.role.can(Permission::ManageTemplates) {
        return view! {
            <main class="page">
                <h1>{t!(i18n, templates.heading)}</h1>
                <p class="notice notice-error" role="alert">{t!(i18n, templates.only_admins)}</p>
            </main>
        }
        .into_any();
    }
    view! { <TemplatesAdmin /> }.into_any()
}

#[component]
fn TemplatesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateTemplate>::new();
    let version = ServerAction::<NewTemplateVersion>::new();
    let submit = ServerAction::<SubmitTemplate>::new();
    let delete = ServerAction::<DeleteTemplate>::new();
    let sync = ServerAction::<SyncTemplates>::new();
    let register = ServerAction::<RegisterTwilioTemplate>::new();
    let templates = Resource::new(
        tracked_in_browser(move || {
            (
                create.version().get(),
                version.version().get(),
                submit.version().get(),
                delete.version().get(),
                sync.version().get(),
                register.version().get(),
            )
        }),
        |_| list_templates(None),
    );
    let channels = Resource::new(|| (), |_| list_channels());
    // The submitted template a new version is being written for, if any.
    let replacing = RwSignal::new(None::<Template>);
    let refused = StoredValue::new(use_query_map().with_untracked(RefusedForm::from_query));
    // Any action finished on this page reloads the list, and the form starts empty again.
    let no_action_finished = move || {
        [
            create.version(),
            version.version(),
            submit.version(),
            delete.version(),
            sync.version(),
            register.version(),
        ]
        .iter()
        .all(|finished| finished.get_untracked() == 0)
    };
    let error = Signal::derive(move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .or_else(|| sync.value().get().and_then(Result::err))
    });
    let synced = move || {
        sync.value().get().and_then(Result::ok).map(|sync| {
            let (changed, imported) = (sync.changed, sync.imported);
            t_string!(i18n, templates.synced, changed, imported).to_string()
        })
    };
    view! {
        <main class="page">
            <h1>{t!(i18n, templates.heading)}</h1>
            <p class="hint">{t!(i18n, templates.intro)}</p>
            <ErrorNotice error />
            <p role="status">{synced}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let channels = channels.await.unwrap_or_default();
                    let list = templates.await;
                    // A refused form's draft fills the form in until the page's own first
                    // action. Decided afresh on each run, not taken once: the server runs a
                    // Suspense's children more than once, and its page must match the browser's.
                    let refused = refused
                        .try_get_value()
                        .flatten()
                        .filter(|_| no_action_finished());
                    if let (Some(RefusedForm { version_of: Some(id), .. }), Ok(list)) = (&refused, &list) {
                        replacing.set(list.iter().find(|template| template.id == *id).cloned());
                    }
                    let draft = refused.map(|refused| refused.draft);
                    view! {
                        <SyncButtons channels=channels.clone() sync />
                        {match list {
                            Ok(list) => view! {
                                <TemplateTable list submit delete replacing />
                            }.into_any(),
                            Err(error) => view! {
                                <p class="notice notice-error" role="alert">{error.message}</p>
                            }.into_any(),
                        }}
                        <TemplateForm channels=channels.clone() create version replacing draft />
                        <TwilioForm channels register />
                    }
                })}
            </Transition>
        </main>
    }
}

/// A template form with a sample file is posted as it is (`/templates/form`); when the server
/// refuses it, it sends back what was typed, and which template it was a new version of.
#[derive(Clone)]
struct RefusedForm {
    draft: TemplateInput,
    version_of: Option<i64>,
}

impl RefusedForm {
    fn from_query(query: &ParamsMap) -> Option<RefusedForm> {
        Some(RefusedForm {
            draft: serde_json::from_str(query.get_str("template_draft")?).ok()?,
            version_of: query.get_str("version_of").and_then(|id| id.parse().ok()),
        })
    }
}

#[component]
fn SyncButtons(channels: Vec<Channel>, sync: ServerAction<SyncTemplates>) -> impl IntoView {
    let i18n = use_i18n();
    channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::WhatsApp)
        .map(|channel| {
            let channel_id = channel.id;
            let channel = channel.name;
            view! {
                <button
                    type="button"
                    class="secondary"
                    disabled=move || sync.pending().get()
                    on:click=move |_| { sync.dispatch(SyncTemplates { channel_id }); }
                >
                    {t!(i18n, templates.check_status, channel)}
                </button>
            }
        })
        .collect_view()
}

/// Meta's review state in the page's language; one Switchboard does not know, as Meta names it.
fn status_label(status: &str) -> String {
    let i18n = use_i18n();
    let known = match status {
        "draft" => t_string!(i18n, templates.status.draft),
        "pending" => t_string!(i18n, templates.status.pending),
        "approved" => t_string!(i18n, templates.status.approved),
        "rejected" => t_string!(i18n, templates.status.rejected),
        "paused" => t_string!(i18n, templates.status.paused),
        "disabled" => t_string!(i18n, templates.status.disabled),
        "flagged" => t_string!(i18n, templates.status.flagged),
        "in_appeal" => t_string!(i18n, templates.status.in_appeal),
        "reinstated" => t_string!(i18n, templates.status.reinstated),
        "pending_deletion" => t_string!(i18n, templates.status.pending_deletion),
        "deleted" => t_string!(i18n, templates.status.deleted),
        "limit_exceeded" => t_string!(i18n, templates.status.limit_exceeded),
        "archived" => t_string!(i18n, templates.status.archived),
        other => {
            let mut label = other.replace('_', " ");
            if let Some(first) = label.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            return label;
        }
    };
    known.to_string()
}

/// A template category's name in the page's language.
fn category_label(category: TemplateCategory) -> &'static str {
    let i18n = use_i18n();
    match category {
        TemplateCategory::Marketing => t_string!(i18n, templates.categories.marketing),
        TemplateCategory::Utility => t_string!(i18n, templates.categories.utility),
        TemplateCategory::Authentication => t_string!(i18n, templates.categories.authentication),
    }
}

/// What saving a template did, in the page's language.
fn outcome_sentence(outcome: SubmissionOutcome) -> String {
    let i18n = use_i18n();
    match outcome {
        SubmissionOutcome::Submitted { name } => {
            t_string!(i18n, templates.outcome.submitted, name).to_string()
        }
        SubmissionOutcome::KeptAsDraft { name, reason } => {
            t_string!(i18n, templates.outcome.draft, name, reason).to_string()
        }
    }
}

#[component]
fn TemplateTable(
    list: Vec<Template>,
    submit: ServerAction<SubmitTemplate>,
    delete: ServerAction<DeleteTemplate>,
    replacing: RwSignal<Option<Template>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="empty">{t!(i18n, templates.table.none)}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|template| {
            let id = template.id;
            let status = template.status.clone();
            let status_class = format!("template-status status-{}", template.status);
            let is_draft = template.status == "draft";
            let is_twilio = template.content_sid.is_some();
            let may_version = !is_draft && !is_twilio;
            let name = template.name.clone();
            let for_version = template.clone();
            let preview = template.content.preview(&TemplateValues {
                header: template.content.header_sample.clone().into_iter().collect(),
                body: template.content.body_samples.clone(),
                buttons: Vec::new(),
            });
            let media = template.content.header_media.map(|media| {
                view! {
                    <div class="muted">
                        {t!(i18n, templates.header_media, media = move || media_label(media))}
                    </div>
                }
            });
            let unsupported = (!template.content.unsupported.is_empty()).then(|| {
                let parts = template.content.unsupported.join(", ");
                view! {
                    <div class="template-reason">
                        {t!(i18n, templates.table.unsupported, parts)}
                    </div>
                }
            });
            let category = template.category;
            view! {
                <tr data-template=template.name.clone()>
                    <td>
                        <strong>{template.name.clone()}</strong>
                        <div class="muted">{template.channel_name.clone()} " · " {template.language.clone()}
                            {move || category.map(|c| format!(" · {}", category_label(c)))}
                            {template.content_sid.clone().map(|sid| format!(" · {sid}"))}
                        </div>
                    </td>
                    <td class="template-preview">
                        {media}
                        {preview}
                        {unsupported}
                    </td>
                    <td>
                        <span class=status_class>{move || status_label(&status)}</span>
                        {template.rejection_reason.clone().map(|reason| view! {
                            <div class="template-reason">{reason}</div>
                        })}
                    </td>
                    <td class="actions">
                        {is_draft.then(|| view! {
                            <button type="button" class="secondary"
                                aria-label=move || t_string!(i18n, templates.table.submit_label, name = name.clone()).to_string()
                                on:click=move |_| { submit.dispatch(SubmitTemplate { id }); }>
                                {t!(i18n, templates.table.submit)}
                            </button>
                        })}
                        {may_version.then(|| view! {
                            <button type="button" class="secondary"
                                on:click=move |_| replacing.set(Some(for_version.clone()))>
                                {t!(i18n, templates.table.new_version)}
                            </button>
                        })}
                        {(is_draft || is_twilio).then(|| view! {
                            <button type="button" class="link-button"
                                on:click=move |_| { delete.dispatch(DeleteTemplate { id }); }>
                                {t!(i18n, templates.table.delete)}
                            </button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table templates-table">
            <thead>
                <tr>
                    <th>{t!(i18n, templates.table.template)}</th>
                    <th>{t!(i18n, templates.table.text)}</th>
                    <th>{t!(i18n, templates.table.review)}</th>
                    <th>{t!(i18n, templates.table.actions)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Variables as they are written in a template's text, shown in labels.
const FIRST_VARIABLE: &str = "{{1}}";
const VARIABLES: &str = "{{1}}, {{2}}…";

fn header_sample_label(variable: String) -> String {
    let i18n = use_i18n();
    t_string!(i18n, templates.form.header_sample, variable).to_string()
}

fn body_sample_label(variable: String) -> String {
    let i18n = use_i18n();
    t_string!(i18n, templates.form.body_sample, variable).to_string()
}

fn optional(text: String) -> Option<String> {
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[component]
fn TemplateForm(
    channels: Vec<Channel>,
    create: ServerAction<CreateTemplate>,
    version: ServerAction<NewTemplateVersion>,
    replacing: RwSignal<Option<Template>>,
    draft: Option<TemplateInput>,
) -> impl IntoView {
    let i18n = use_i18n();
    let whatsapp: Vec<Channel> = channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::WhatsApp)
        .collect();
    if whatsapp.is_empty() {
        return view! {
            <section class="card"><h2>{t!(i18n, templates.form.heading)}</h2>
                <p class="hint">{t!(i18n, templates.form.connect_first)}</p></section>
        }
        .into_any();
    }
    let channel_id = RwSignal::new(whatsapp[0].id.to_string());
    let name = RwSignal::new(String::new());
    let language = RwSignal::new("en".to_string());
    let category = RwSignal::new(TemplateCategory::Utility);
    // `text`, or a media header's kind (`image`, `video`, `document`).
    let header_kind = RwSignal::new("text".to_string());
    let header = RwSignal::new(String::new());
    let header_sample = RwSignal::new(Vec::<String>::new());
    let body = RwSignal::new(String::new());
    let body_samples = RwSignal::new(Vec::<String>::new());
    let footer = RwSignal::new(String::new());
    let quick_replies = RwSignal::new(String::new());
    let link_text = RwSignal::new(String::new());
    let link_url = RwSignal::new(String::new());
    let link_example = RwSignal::new(String::new());
    let call_text = RwSignal::new(String::new());
    let call_number = RwSignal::new(String::new());

    let fill = move |input: TemplateInput| {
        let content = input.content;
        channel_id.set(input.channel_id.to_string());
        name.set(input.name);
        language.set(input.language);
        category.set(input.category);
        header_kind.set(
            content
                .header_media
                .map_or("text", HeaderMedia::as_str)
                .to_string(),
        );
        header.set(content.header.unwrap_or_default());
        header_sample.set(content.header_sample.into_iter().collect());
        body.set(content.body);
        body_samples.set(content.body_samples);
        footer.set(content.footer.unwrap_or_default());
        let mut replies = Vec::new();
        for button in content.buttons {
            match button {
                TemplateButton::QuickReply { text } => replies.push(text),
                TemplateButton::Url { text, url, example } => {
                    link_text.set(text);
                    link_url.set(url);
                    link_example.set(example.unwrap_or_default());
                }
                TemplateButton::PhoneNumber { text, phone_number } => {
                    call_text.set(text);
                    call_number.set(phone_number);
                }
            }
        }
        quick_replies.set(replies.join("\n"));
    };
    // A refused form comes back with what was typed; writing a new version starts from the
    // version it replaces.
    let refused = draft.is_some();
    if let Some(draft) = draft {
        fill(draft);
    }
    Effect::watch(
        move || replacing.get(),
        move |template, _, _| {
            if let Some(template) = template {
                fill(TemplateInput {
                    channel_id: template.channel_id,
                    name: template.family.clone(),
                    language: template.language.clone(),
                    category: template.category.unwrap_or(TemplateCategory::Utility),
                    content: template.content.clone(),
                });
            }
        },
        !refused,
    );

    let media = Signal::derive(move || header_kind.with(|kind| HeaderMedia::parse(kind)));
    let header_count = Signal::derive(move || match media.get() {
        Some(_) => 0,
        None => header.with(|h| variable_count(h)),
    });
    let link_has_variable = Signal::derive(move || link_url.with(|url| url.ends_with("{{1}}")));
    let body_count = Signal::derive(move || body.with(|b| variable_count(b)));
    let content = move || {
        let mut buttons: Vec<TemplateButton> = quick_replies
            .get()
            .lines()
            .filter_map(|line| optional(line.to_string()))
            .map(|text| TemplateButton::QuickReply { text })
            .collect();
        if let (Some(text), Some(url)) = (optional(link_text.get()), optional(link_url.get())) {
            let example = optional(link_example.get()).filter(|_| link_has_variable.get());
            buttons.push(TemplateButton::Url { text, url, example });
        }
        if let (Some(text), Some(phone_number)) =
            (optional(call_text.get()), optional(call_number.get()))
        {
            buttons.push(TemplateButton::PhoneNumber { text, phone_number });
        }
        TemplateContent {
            header: optional(header.get()).filter(|_| media.get().is_none()),
            header_media: media.get(),
            header_media_sample: None,
            unsupported: Vec::new(),
            header_sample: header_sample
                .get()
                .into_iter()
                .take(header_count.get())
                .next(),
            body: body.get(),
            body_samples: body_samples
                .get()
                .into_iter()
                .take(body_count.get())
                .collect(),
            footer: optional(footer.get()),
            buttons,
        }
    };
    let preview = move || {
        let content = content();
        let values = TemplateValues {
            header: content.header_sample.clone().into_iter().collect(),
            body: content.body_samples.clone(),
            buttons: Vec::new(),
        };
        let buttons = content
            .buttons
            .iter()
            .map(|button| button.text().to_string())
            .collect::<Vec<_>>()
            .join(" · ");
        (content.preview(&values), buttons)
    };
    let input = move || TemplateInput {
        channel_id: channel_id.get().parse().unwrap_or_default(),
        name: name.get(),
        language: language.get(),
        category: category.get(),
        content: content(),
    };
    // A media header's sample file goes with the form itself, posted to the server as it is.
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        if media.get_untracked().is_some() {
            return;
        }
        event.prevent_default();
        match replacing.get_untracked() {
            Some(template) => {
                version.dispatch(NewTemplateVersion {
                    id: template.id,
                    category: category.get_untracked(),
                    content: content(),
                });
            }
            None => {
                create.dispatch(CreateTemplate {
                    input: untrack(input),
                });
            }
        }
    };
    let last_result = Signal::derive(move || {
        let created = create.value().get();
        let versioned = version.value().get();
        versioned.or(created)
    });
    let error = Signal::derive(move || last_result.get().and_then(Result::err));
    // A posted form comes back with its outcome in the address.
    let query = use_query_map();
    let outcome = move || {
        last_result
            .get()
            .and_then(Result::ok)
            .map(|template| template.outcome())
            .map(outcome_sentence)
            .or_else(|| {
                // The posted form comes back with the outcome in English; an address written
                // some other way is shown as it is.
                query
                    .with(|query| query.get("template_outcome"))
                    .map(|sentence| {
                        SubmissionOutcome::from_sentence(&sentence)
                            .map_or(sentence, outcome_sentence)
                    })
            })
    };
    let posted_error = move || query.with(|query| query.get("template_error"));
    // A finished new version clears the form's link to the one it replaced.
    Effect::new(move |_| {
        if matches!(version.value().get(), Some(Ok(_))) {
            replacing.set(None);
        }
    });
    let heading = move || match replacing.get() {
        Some(template) => {
            t_string!(i18n, templates.form.new_version_of, name = template.name).to_string()
        }
        None => t_string!(i18n, templates.form.heading).to_string(),
    };
    let locked = move || replacing.with(Option::is_some);
    let channel_options = whatsapp
        .into_iter()
        .map(|channel| view! { <option value=channel.id.to_string()>{channel.name}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="template-form-heading">
            <h2 id="template-form-heading">{heading}</h2>
            <form class="stacked-form template-form" method="post" enctype="multipart/form-data"
                action="/templates/form" on:submit=on_submit>
                <input type="hidden" name="template"
                    prop:value=move || serde_json::to_string(&input()).unwrap_or_default() />
                <input type="hidden" name="version_of"
                    prop:value=move || replacing.with(|t| t.as_ref().map(|t| t.id.to_string()).unwrap_or_default()) />
                <label>{t!(i18n, templates.form.channel)}
                    <select id="template-channel" prop:value=move || channel_id.get()
                        disabled=locked
                        on:change=move |event| channel_id.set(event_target_value(&event))>
                        {channel_options}
                    </select>
                </label>
                <label>{t!(i18n, templates.form.name)}
                    <input id="template-name" required pattern="[a-z0-9_]+" maxlength="512"
                        disabled=locked
                        prop:value=move || name.get()
                        on:input=move |event| name.set(event_target_value(&event)) />
                </label>
                <label>{t!(i18n, templates.form.language)}
                    <input id="template-language" required maxlength="7"
                        disabled=locked
                        prop:value=move || language.get()
                        on:input=move |event| language.set(event_target_value(&event)) />
                </label>
                <label>{t!(i18n, templates.form.category)}
                    <select id="template-category"
                        on:change=move |event| {
                            if let Some(parsed) = TemplateCategory::parse(&event_target_value(&event)) {
                                category.set(parsed);
                            }
                        }>
                        {TemplateCategory::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=move || category.get() == option>
                                {move || category_label(option)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="hint">{t!(i18n, templates.form.category_hint)}</p>
                <label>{t!(i18n, templates.form.header)}
                    <select id="template-header-kind"
                        on:change=move |event| header_kind.set(event_target_value(&event))>
                        <option value="text" selected=move || media.get().is_none()>{t!(i18n, templates.form.header_text_option)}</option>
                        {HeaderMedia::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=move || media.get() == Some(option)>
                                {move || media_label(option)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                {move || match media.get() {
                    None => view! {
                        <label>{t!(i18n, templates.form.header_text, variable = FIRST_VARIABLE)}
                            <input id="template-header" maxlength="60"
                                prop:value=move || header.get()
                                on:input=move |event| header.set(event_target_value(&event)) />
                        </label>
                    }.into_any(),
                    Some(media) => view! {
                        <label>{t!(i18n, templates.form.sample_file, media = move || media_label(media))}
                            <input type="file" name="sample" id="template-sample-file"
                                accept=media.accepted_types().join(",")
                                required=move || !locked() />
                        </label>
                        <p class="hint">
                            {t!(i18n, templates.form.attached_when_sending)}
                            {move || locked().then(|| view! { " " {t!(i18n, templates.form.keep_sample)} })}
                        </p>
                    }.into_any(),
                }}
                <VariableInputs id_prefix="template-header-sample" label=header_sample_label values=header_sample count=header_count />
                <label>{t!(i18n, templates.form.body, variables = VARIABLES)}
                    <textarea id="template-body" required rows="4" maxlength="1024"
                        prop:value=move || body.get()
                        on:input=move |event| body.set(event_target_value(&event))></textarea>
                </label>
                <VariableInputs id_prefix="template-sample" label=body_sample_label values=body_samples count=body_count />
                <label>{t!(i18n, templates.form.footer)}
                    <input id="template-footer" maxlength="60"
                        prop:value=move || footer.get()
                        on:input=move |event| footer.set(event_target_value(&event)) />
                </label>
                <label>{t!(i18n, templates.form.quick_replies)}
                    <textarea id="template-quick-replies" rows="3"
                        prop:value=move || quick_replies.get()
                        on:input=move |event| quick_replies.set(event_target_value(&event))></textarea>
                </label>
                <fieldset class="inline-fields">
                    <legend>{t!(i18n, templates.form.link_button)}</legend>
                    <label>{t!(i18n, templates.form.button_text)} <input id="template-link-text" maxlength="25"
                        prop:value=move || link_text.get()
                        on:input=move |event| link_text.set(event_target_value(&event)) /></label>
                    <label>{t!(i18n, templates.form.link_url, variable = FIRST_VARIABLE)} <input id="template-link-url"
                        prop:value=move || link_url.get()
                        on:input=move |event| link_url.set(event_target_value(&event)) /></label>
                    {move || link_has_variable.get().then(|| view! {
                        <label>{t!(i18n, templates.form.link_example)} <input id="template-link-example" type="url" required
                            prop:value=move || link_example.get()
                            on:input=move |event| link_example.set(event_target_value(&event)) /></label>
                    })}
                </fieldset>
                <fieldset class="inline-fields">
                    <legend>{t!(i18n, templates.form.call_button)}</legend>
                    <label>{t!(i18n, templates.form.button_text)} <input id="template-call-text" maxlength="25"
                        prop:value=move || call_text.get()
                        on:input=move |event| call_text.set(event_target_value(&event)) /></label>
                    <label>{t!(i18n, templates.form.phone_number)} <input id="template-call-number" type="tel"
                        prop:value=move || call_number.get()
                        on:input=move |event| call_number.set(event_target_value(&event)) /></label>
                </fieldset>
                <div class="template-live-preview" aria-live="polite">
                    <h3>{t!(i18n, templates.form.preview)}</h3>
                    {move || {
                        let (text, buttons) = preview();
                        view! {
                            <p class="bubble outbound" id="template-preview">{text}</p>
                            {(!buttons.is_empty()).then(|| view! { <p class="muted">{buttons}</p> })}
                        }
                    }}
                </div>
                <div class="form-actions">
                    <button type="submit" class="primary"
                        disabled=move || create.pending().get() || version.pending().get()>
                        {move || if locked() {
                            t_string!(i18n, templates.form.submit_version)
                        } else {
                            t_string!(i18n, templates.form.submit)
                        }}
                    </button>
                    {move || locked().then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| replacing.set(None)>
                            {t!(i18n, templates.form.cancel)}
                        </button>
                    })}
                </div>
            </form>
            <ErrorNotice error />
            {move || posted_error().map(|message| view! {
                <p class="notice notice-error" role="alert" id="template-posted-error">
                    {message}
                    // Browsers never fill a file field in by themselves.
                    {refused.then(|| view! { " " {t!(i18n, templates.form.kept)} })}
                </p>
            })}
            <p role="status" id="template-outcome">{outcome}</p>
        </section>
    }
    .into_any()
}

#[component]
fn TwilioForm(
    channels: Vec<Channel>,
    register: ServerAction<RegisterTwilioTemplate>,
) -> impl IntoView {
    let i18n = use_i18n();
    let twilio: Vec<Channel> = channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::Twilio)
        .collect();
    if twilio.is_empty() {
        return ().into_any();
    }
    let channel_id = RwSignal::new(twilio[0].id.to_string());
    let name = RwSignal::new(String::new());
    let language = RwSignal::new("en".to_string());
    let content_sid = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        register.dispatch(RegisterTwilioTemplate {
            input: TwilioTemplateInput {
                channel_id: channel_id.get_untracked().parse().unwrap_or_default(),
                name: name.get_untracked(),
                language: language.get_untracked(),
                content_sid: content_sid.get_untracked(),
                body: body.get_untracked(),
            },
        });
    };
    let error: Signal<Option<AppError>> =
        Signal::derive(move || register.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="twilio-template-heading">
            <h2 id="twilio-template-heading">{t!(i18n, templates.twilio.heading)}</h2>
            <p class="hint">{t!(i18n, templates.twilio.hint)}</p>
            <form class="stacked-form" on:submit=on_submit>
                <label>{t!(i18n, templates.twilio.channel)}
                    <select id="twilio-template-channel" prop:value=move || channel_id.get()
                        on:change=move |event| channel_id.set(event_target_value(&event))>
                        {twilio.into_iter().map(|channel| view! {
                            <option value=channel.id.to_string()>{channel.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t!(i18n, templates.twilio.name)} <input id="twilio-template-name" required maxlength="200"
                    on:input=move |event| name.set(event_target_value(&event)) /></label>
                <label>{t!(i18n, templates.twilio.language)} <input id="twilio-template-language" required
                    prop:value=move || language.get()
                    on:input=move |event| language.set(event_target_value(&event)) /></label>
                <label>{t!(i18n, templates.twilio.content_sid)} <input id="twilio-template-sid" required pattern="HX[0-9a-fA-F]{32}"
                    on:input=move |event| content_sid.set(event_target_value(&event)) /></label>
                <label>{t!(i18n, templates.twilio.body, variables = VARIABLES)} <textarea id="twilio-template-body" required rows="3"
                    on:input=move |event| body.set(event_target_value(&event))></textarea></label>
                <button type="submit" class="primary">{t!(i18n, templates.twilio.submit)}</button>
            </form>
            <ErrorNotice error />
        </section>
    }
    .into_any()
}
