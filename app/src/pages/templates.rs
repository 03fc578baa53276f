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
use crate::components::{ErrorNotice, Layout, VariableInputs};
use crate::error::AppError;
use crate::model::{
    Channel, ChannelKind, HeaderMedia, Me, Permission, Template, TemplateButton, TemplateCategory,
    TemplateContent, TemplateInput, TemplateValues, TwilioTemplateInput, variable_count,
};
use crate::tracking::tracked_in_browser;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    view! {
        <Title text="Templates" />
        <Layout page=templates />
    }
}

fn templates(me: Me) -> impl IntoView {
    if !me.role.can(Permission::ManageTemplates) {
        return view! {
            <main class="page">
                <h1>"Templates"</h1>
                <p class="notice notice-error" role="alert">"Only admins manage templates."</p>
            </main>
        }
        .into_any();
    }
    view! { <TemplatesAdmin /> }.into_any()
}

#[component]
fn TemplatesAdmin() -> impl IntoView {
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
        sync.value()
            .get()
            .and_then(Result::ok)
            .map(|sync| {
                format!(
                    "Checked with Meta: {} template(s) changed status, {} found only at Meta were added.",
                    sync.changed, sync.imported
                )
            })
    };
    view! {
        <main class="page">
            <h1>"Templates"</h1>
            <p class="hint">
                "WhatsApp allows free-form replies only within 24 hours of a contact's last message. "
                "After that, only a template Meta approved can be sent. Meta reviews each template, "
                "from minutes to 48 hours; an approved template cannot be changed, so a change is a new version."
            </p>
            <ErrorNotice error />
            <p role="status">{synced}</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::WhatsApp)
        .map(|channel| {
            let channel_id = channel.id;
            view! {
                <button
                    type="button"
                    class="secondary"
                    disabled=move || sync.pending().get()
                    on:click=move |_| { sync.dispatch(SyncTemplates { channel_id }); }
                >
                    "Check review status of " {channel.name}
                </button>
            }
        })
        .collect_view()
}

fn status_label(template: &Template) -> String {
    match template.status.as_str() {
        "draft" => "Draft: not submitted".into(),
        "pending" => "Pending review".into(),
        "approved" => "Approved".into(),
        "rejected" => "Rejected".into(),
        other => {
            let mut label = other.replace('_', " ");
            if let Some(first) = label.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            label
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
    if list.is_empty() {
        return view! { <p class="empty">"No templates yet."</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|template| {
            let id = template.id;
            let status = status_label(&template);
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
            let media = template
                .content
                .header_media
                .map(|media| format!("Header: {}", media.label()));
            let unsupported = (!template.content.unsupported.is_empty()).then(|| {
                format!(
                    "Switchboard cannot fill in {}, so it does not offer this template.",
                    template.content.unsupported.join(", ")
                )
            });
            view! {
                <tr data-template=template.name.clone()>
                    <td>
                        <strong>{template.name.clone()}</strong>
                        <div class="muted">{template.channel_name.clone()} " · " {template.language.clone()}
                            {template.category.map(|c| format!(" · {}", c.label()))}
                            {template.content_sid.clone().map(|sid| format!(" · {sid}"))}
                        </div>
                    </td>
                    <td class="template-preview">
                        {media.map(|media| view! { <div class="muted">{media}</div> })}
                        {preview}
                        {unsupported.map(|text| view! { <div class="template-reason">{text}</div> })}
                    </td>
                    <td>
                        <span class=status_class>{status}</span>
                        {template.rejection_reason.clone().map(|reason| view! {
                            <div class="template-reason">{reason}</div>
                        })}
                    </td>
                    <td class="actions">
                        {is_draft.then(|| view! {
                            <button type="button" class="secondary"
                                aria-label=format!("Submit {name} to Meta")
                                on:click=move |_| { submit.dispatch(SubmitTemplate { id }); }>
                                "Submit"
                            </button>
                        })}
                        {may_version.then(|| view! {
                            <button type="button" class="secondary"
                                on:click=move |_| replacing.set(Some(for_version.clone()))>
                                "New version"
                            </button>
                        })}
                        {(is_draft || is_twilio).then(|| view! {
                            <button type="button" class="link-button"
                                on:click=move |_| { delete.dispatch(DeleteTemplate { id }); }>
                                "Delete"
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
                <tr><th>"Template"</th><th>"Text (with samples)"</th><th>"Review"</th><th>"Actions"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
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
    let whatsapp: Vec<Channel> = channels
        .into_iter()
        .filter(|channel| channel.kind == ChannelKind::WhatsApp)
        .collect();
    if whatsapp.is_empty() {
        return view! {
            <section class="card"><h2>"New WhatsApp template"</h2>
                <p class="hint">"Connect a WhatsApp channel first."</p></section>
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
            .map(|template| template.submission_outcome())
            .or_else(|| query.with(|query| query.get("template_outcome")))
    };
    let posted_error = move || query.with(|query| query.get("template_error"));
    // A finished new version clears the form's link to the one it replaced.
    Effect::new(move |_| {
        if matches!(version.value().get(), Some(Ok(_))) {
            replacing.set(None);
        }
    });
    let heading = move || match replacing.get() {
        Some(template) => format!("New version of {}", template.name),
        None => "New WhatsApp template".to_string(),
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
                <label>"Channel"
                    <select id="template-channel" prop:value=move || channel_id.get()
                        disabled=locked
                        on:change=move |event| channel_id.set(event_target_value(&event))>
                        {channel_options}
                    </select>
                </label>
                <label>"Name (lower case, digits and _)"
                    <input id="template-name" required pattern="[a-z0-9_]+" maxlength="512"
                        disabled=locked
                        prop:value=move || name.get()
                        on:input=move |event| name.set(event_target_value(&event)) />
                </label>
                <label>"Language code"
                    <input id="template-language" required maxlength="7"
                        disabled=locked
                        prop:value=move || language.get()
                        on:input=move |event| language.set(event_target_value(&event)) />
                </label>
                <label>"Category"
                    <select id="template-category"
                        on:change=move |event| {
                            if let Some(parsed) = TemplateCategory::parse(&event_target_value(&event)) {
                                category.set(parsed);
                            }
                        }>
                        {TemplateCategory::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=move || category.get() == option>
                                {option.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="hint">"A reminder or an update about something the person asked for is Utility; offers and news are Marketing."</p>
                <label>"Header"
                    <select id="template-header-kind"
                        on:change=move |event| header_kind.set(event_target_value(&event))>
                        <option value="text" selected=move || media.get().is_none()>"Text (or none)"</option>
                        {HeaderMedia::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=move || media.get() == Some(option)>
                                {option.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                {move || match media.get() {
                    None => view! {
                        <label>"Header text (optional, up to 60 characters, may hold {{1}})"
                            <input id="template-header" maxlength="60"
                                prop:value=move || header.get()
                                on:input=move |event| header.set(event_target_value(&event)) />
                        </label>
                    }.into_any(),
                    Some(media) => view! {
                        <label>{format!("Sample file, {}, for Meta's review", media.label())}
                            <input type="file" name="sample" id="template-sample-file"
                                accept=media.accepted_types().join(",")
                                required=move || !locked() />
                        </label>
                        <p class="hint">
                            "The volunteer attaches the real file when sending. "
                            {move || locked().then_some("Leave the sample empty to keep the earlier version's.")}
                        </p>
                    }.into_any(),
                }}
                <VariableInputs id_prefix="template-header-sample" label="Sample for the header's" values=header_sample count=header_count />
                <label>"Text (up to 1024 characters; variables {{1}}, {{2}}…)"
                    <textarea id="template-body" required rows="4" maxlength="1024"
                        prop:value=move || body.get()
                        on:input=move |event| body.set(event_target_value(&event))></textarea>
                </label>
                <VariableInputs id_prefix="template-sample" label="Sample for" values=body_samples count=body_count />
                <label>"Footer (optional, up to 60 characters)"
                    <input id="template-footer" maxlength="60"
                        prop:value=move || footer.get()
                        on:input=move |event| footer.set(event_target_value(&event)) />
                </label>
                <label>"Quick reply buttons (up to 3, one per line)"
                    <textarea id="template-quick-replies" rows="3"
                        prop:value=move || quick_replies.get()
                        on:input=move |event| quick_replies.set(event_target_value(&event))></textarea>
                </label>
                <fieldset class="inline-fields">
                    <legend>"Link button (optional)"</legend>
                    <label>"Text" <input id="template-link-text" maxlength="25"
                        prop:value=move || link_text.get()
                        on:input=move |event| link_text.set(event_target_value(&event)) /></label>
                    <label>"https:// address (may end with {{1}}, filled in when sending)" <input id="template-link-url"
                        prop:value=move || link_url.get()
                        on:input=move |event| link_url.set(event_target_value(&event)) /></label>
                    {move || link_has_variable.get().then(|| view! {
                        <label>"Sample address, as it will be opened" <input id="template-link-example" type="url" required
                            prop:value=move || link_example.get()
                            on:input=move |event| link_example.set(event_target_value(&event)) /></label>
                    })}
                </fieldset>
                <fieldset class="inline-fields">
                    <legend>"Call button (optional)"</legend>
                    <label>"Text" <input id="template-call-text" maxlength="25"
                        prop:value=move || call_text.get()
                        on:input=move |event| call_text.set(event_target_value(&event)) /></label>
                    <label>"Phone number" <input id="template-call-number" type="tel"
                        prop:value=move || call_number.get()
                        on:input=move |event| call_number.set(event_target_value(&event)) /></label>
                </fieldset>
                <div class="template-live-preview" aria-live="polite">
                    <h3>"Preview"</h3>
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
                        {move || if locked() { "Submit the new version" } else { "Save and submit to Meta" }}
                    </button>
                    {move || locked().then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| replacing.set(None)>
                            "Cancel"
                        </button>
                    })}
                </div>
            </form>
            <ErrorNotice error />
            {move || posted_error().map(|message| view! {
                <p class="notice notice-error" role="alert" id="template-posted-error">
                    {message}
                    // Browsers never fill a file field in by themselves.
                    {refused.then_some(" What you wrote is kept; choose the sample file again.")}
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
            <h2 id="twilio-template-heading">"Register a Twilio Content template"</h2>
            <p class="hint">"Create the template in Twilio's Content Template Builder and have it approved there; then give its ContentSid and text here."</p>
            <form class="stacked-form" on:submit=on_submit>
                <label>"Channel"
                    <select id="twilio-template-channel" prop:value=move || channel_id.get()
                        on:change=move |event| channel_id.set(event_target_value(&event))>
                        {twilio.into_iter().map(|channel| view! {
                            <option value=channel.id.to_string()>{channel.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Name" <input id="twilio-template-name" required maxlength="200"
                    on:input=move |event| name.set(event_target_value(&event)) /></label>
                <label>"Language code" <input id="twilio-template-language" required
                    prop:value=move || language.get()
                    on:input=move |event| language.set(event_target_value(&event)) /></label>
                <label>"ContentSid (HX…)" <input id="twilio-template-sid" required pattern="HX[0-9a-fA-F]{32}"
                    on:input=move |event| content_sid.set(event_target_value(&event)) /></label>
                <label>"Text, with its variables {{1}}, {{2}}…" <textarea id="twilio-template-body" required rows="3"
                    on:input=move |event| body.set(event_target_value(&event))></textarea></label>
                <button type="submit" class="primary">"Register"</button>
            </form>
            <ErrorNotice error />
        </section>
    }
    .into_any()
}
