use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::web_sys::FormData;
use leptos_meta::Title;

use crate::api::{
    CreateChannel, DeleteChannel, SimulateInbound, UpdateChannel, demo_enabled, list_channels,
    private_provider_urls_allowed,
};
use crate::components::{ErrorNotice, Layout};
use crate::error::AppError;
use crate::model::{Channel, ChannelInput, ChannelKind, Me, Permission};
use crate::tracking::tracked_in_browser;

type Slot = fn(&mut ChannelInput) -> &mut Option<String>;

/// One text input of the connect and edit forms.
#[derive(Clone, Copy)]
struct Field {
    /// The input's `name`, the same as the `ChannelInput` field it fills and, for secrets, the
    /// name the server lists in `secrets_set`.
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    secret: bool,
    /// Needed to connect; Twilio's phone number and messaging service are optional because
    /// either one will do.
    required: bool,
    slot: Slot,
}

impl Field {
    const fn text(name: &'static str, label: &'static str, slot: Slot) -> Field {
        Field {
            name,
            label,
            hint: None,
            secret: false,
            required: true,
            slot,
        }
    }

    const fn secret(name: &'static str, label: &'static str, slot: Slot) -> Field {
        Field {
            secret: true,
            ..Field::text(name, label, slot)
        }
    }

    const fn hint(self, hint: &'static str) -> Field {
        Field {
            hint: Some(hint),
            ..self
        }
    }

    const fn optional(self) -> Field {
        Field {
            required: false,
            ..self
        }
    }
}

const NAME: Field = Field::text("name", "Name", |input| &mut input.name)
    .hint("How volunteers see this channel, e.g. “Helpline WhatsApp”.");
const API_BASE_URL: Field = Field::text("api_base_url", "API base URL", |input| {
    &mut input.api_base_url
})
.optional()
.hint(
    "Leave empty for the provider's own. Must be https to a public address; the credentials \
     are sent there, so changing it needs the access token entered again.",
);
const VERIFY_TOKEN: Field = Field::text("verify_token", "Verify token", |input| {
    &mut input.verify_token
})
.hint("A phrase you choose; you paste it at the provider too.");
const APP_SECRET: Field = Field::secret("app_secret", "App secret", |input| &mut input.app_secret);
const SEND_RATE: &str = "send_rate_per_second";

const WHATSAPP: &[Field] = &[
    Field::text("phone_number_id", "Phone number ID", |input| {
        &mut input.phone_number_id
    }),
    Field::text("waba_id", "WhatsApp Business Account ID", |input| {
        &mut input.waba_id
    }),
    Field::text("display_number", "Display number", |input| {
        &mut input.display_number
    })
    .hint("As people see it, e.g. +1 555 000 1111."),
    Field::text("app_id", "Meta app ID", |input| &mut input.app_id)
        .optional()
        .hint("Needed only for templates with a picture, video or document header: Meta keeps their samples under the app."),
    Field::secret("access_token", "Access token", |input| {
        &mut input.access_token
    }),
    APP_SECRET,
    VERIFY_TOKEN,
];
const TWILIO: &[Field] = &[
    Field::text("account_sid", "Account SID", |input| &mut input.account_sid),
    Field::secret("auth_token", "Auth token", |input| &mut input.auth_token),
    Field::text("phone_number", "Phone number", |input| {
        &mut input.phone_number
    })
    .optional()
    .hint("Give this or a messaging service SID."),
    Field::text("messaging_service_sid", "Messaging service SID", |input| {
        &mut input.messaging_service_sid
    })
    .optional()
    .hint("Give this or a phone number."),
];
const MESSENGER: &[Field] = &[
    Field::text("page_id", "Page ID", |input| &mut input.page_id),
    Field::secret("page_access_token", "Page access token", |input| {
        &mut input.page_access_token
    }),
    APP_SECRET,
    VERIFY_TOKEN,
];

fn fields(kind: ChannelKind) -> &'static [Field] {
    match kind {
        ChannelKind::WhatsApp => WHATSAPP,
        ChannelKind::Twilio => TWILIO,
        ChannelKind::Messenger => MESSENGER,
    }
}

fn secrets(kind: ChannelKind) -> impl Iterator<Item = &'static Field> {
    fields(kind).iter().filter(|field| field.secret)
}

/// Reads whichever fields a form shows; blank ones stay `None`, which means "not given" when
/// connecting and "keep as it is" when editing.
fn channel_input(data: &FormData) -> ChannelInput {
    let value = |name: &str| {
        data.get(name)
            .as_string()
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let mut input = ChannelInput {
        send_rate_per_second: value(SEND_RATE).and_then(|rate| rate.parse().ok()),
        ..ChannelInput::default()
    };
    let all = [NAME, API_BASE_URL]
        .iter()
        .chain(ChannelKind::ALL.into_iter().flat_map(fields));
    for field in all {
        *(field.slot)(&mut input) = value(field.name);
    }
    input
}

/// `replacing`: the input edits a connected channel, so it may stay empty.
fn field_input(field: Field, value: Option<String>, replacing: bool) -> impl IntoView {
    let hint = match (replacing, field.secret) {
        (false, _) => field.hint,
        (true, true) => Some("Leave empty to keep the current one."),
        (true, false) => None,
    };
    view! {
        <label>
            {field.label}
            <input
                name=field.name
                type=if field.secret { "password" } else { "text" }
                autocomplete=field.secret.then_some("off")
                required=field.required && !replacing
                value=value
            />
            {hint.map(|hint| view! { <small>{hint}</small> })}
        </label>
    }
}

fn send_rate_input(value: Option<u32>) -> impl IntoView {
    view! {
        <label>
            "Send rate (messages per second)"
            <input type="number" name=SEND_RATE min="1" max="1000" step="1" value=value />
            {value.is_none().then(|| view! { <small>"Leave empty for the default."</small> })}
        </label>
    }
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    view! {
        <Title text="Channels" />
        <Layout page=channels />
    }
}

fn channels(me: Me) -> impl IntoView {
    let create = ServerAction::<CreateChannel>::new();
    let delete = ServerAction::<DeleteChannel>::new();
    let channels = Resource::new(
        tracked_in_browser(move || (create.version().get(), delete.version().get())),
        |_| list_channels(),
    );
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let admin = me.role.can(Permission::ManageChannels);

    view! {
        <main class="page">
            <h1>"Channels"</h1>
            {admin.then(|| view! { <PrivateUrlsWarning /> })}
            <section aria-labelledby="channel-list-heading">
                <h2 id="channel-list-heading">"Connected channels"</h2>
                <ErrorNotice error=delete_error />
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match channels.await {
                            Ok(list) => view! { <ChannelList channels=list delete /> }.into_any(),
                            Err(error) => view! {
                                <p class="notice notice-error" role="alert">{error.message}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {admin.then(|| view! {
                <ConnectForm create />
                <Simulation channels />
            })}
        </main>
    }
}

#[component]
fn ChannelList(channels: Vec<Channel>, delete: ServerAction<DeleteChannel>) -> impl IntoView {
    if channels.is_empty() {
        return view! { <p class="empty">"No channels yet. Connect one below."</p> }.into_any();
    }
    view! {
        <div class="channel-list">
            {channels.into_iter().map(|channel| view! { <ChannelCard channel delete /> }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn ChannelCard(channel: Channel, delete: ServerAction<DeleteChannel>) -> impl IntoView {
    let (id, kind) = (channel.id, channel.kind);
    let channel = RwSignal::new(channel);
    let update = ServerAction::<UpdateChannel>::new();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    // Saving updates only this card instead of refetching the list, so a failed save leaves the
    // form open with what was typed.
    Effect::new(move |_| {
        if let Some(Ok(updated)) = update.value().get() {
            channel.set(updated);
            editing.set(false);
        }
    });
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let remove = move |_| {
        if confirming.get() {
            delete.dispatch(DeleteChannel { id });
        } else {
            confirming.set(true);
        }
    };
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        if let Ok(data) = form_data_from_event(&event) {
            update.dispatch(UpdateChannel {
                id,
                input: channel_input(&data),
            });
        }
    };
    view! {
        <article
            class="card channel-card"
            data-channel-id=id
            data-kind=kind.as_str()
            aria-labelledby=format!("channel-{id}-name")
        >
            {move || summary(channel.get())}
            <div class="card-actions">
                <button
                    type="button"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|open| *open = !*open)
                >
                    "Edit"
                </button>
                <button type="button" class="danger" on:click=remove>
                    {move || if confirming.get() { "Confirm removal" } else { "Remove" }}
                </button>
                {move || confirming.get().then(|| view! {
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                })}
            </div>
            {move || editing.get().then(|| edit_form(channel.get(), save))}
            <ErrorNotice error />
        </article>
    }
}

fn summary(channel: Channel) -> impl IntoView {
    let identifiers = match channel.kind {
        ChannelKind::WhatsApp => vec![
            ("Phone number ID", channel.phone_number_id),
            ("Display number", channel.display_number),
            ("WhatsApp Business Account ID", channel.waba_id),
            ("Meta app ID", channel.app_id),
        ],
        ChannelKind::Twilio => vec![
            ("Account SID", channel.account_sid),
            ("Phone number", channel.phone_number),
            ("Messaging service SID", channel.messaging_service_sid),
        ],
        ChannelKind::Messenger => vec![("Page ID", channel.page_id)],
    };
    let identifiers = identifiers
        .into_iter()
        .filter_map(|(label, value)| {
            value.map(|value| view! { <dt>{label}</dt><dd><code>{value}</code></dd> })
        })
        .collect_view();
    let secrets_set = secrets(channel.kind)
        .map(|field| {
            let set = channel.secrets_set.iter().any(|name| name == field.name);
            view! {
                <li data-secret=field.name data-set=set.to_string()>
                    {field.label} ": " {if set { "set" } else { "not set" }}
                </li>
            }
        })
        .collect_view();
    view! {
        <header class="channel-card-header">
            <h3 id=format!("channel-{}-name", channel.id)>{channel.name}</h3>
            <span class="kind-badge">{channel.kind.label()}</span>
        </header>
        <dl class="channel-details">
            {identifiers}
            <dt>"API base URL"</dt>
            <dd><code>{channel.api_base_url}</code></dd>
            <dt>"Send rate"</dt>
            <dd>{channel.send_rate_per_second} " messages per second"</dd>
            <dt>"Secrets"</dt>
            <dd><ul class="secrets-set">{secrets_set}</ul></dd>
        </dl>
        <div class="paste-box">
            <h4>"Paste this at the provider"</h4>
            <dl>
                <dt>"Webhook URL"</dt>
                <dd><code class="webhook-url">{channel.webhook_url}</code></dd>
                {channel.verify_token.map(|token| view! {
                    <dt>"Verify token"</dt>
                    <dd><code class="verify-token">{token}</code></dd>
                })}
                {channel.status_callback_url.map(|url| view! {
                    <dt>"Status callback URL"</dt>
                    <dd><code class="status-callback-url">{url}</code></dd>
                })}
            </dl>
        </div>
    }
}

fn edit_form(channel: Channel, save: impl FnMut(SubmitEvent) + 'static) -> impl IntoView {
    view! {
        // Posting, not the default GET, keeps secrets out of the URL if it is sent before the
        // page is interactive.
        <form class="stacked-form channel-edit" method="post" on:submit=save>
            {field_input(NAME, Some(channel.name), true)}
            {channel.verify_token.map(|token| field_input(VERIFY_TOKEN, Some(token), true))}
            {secrets(channel.kind).map(|field| field_input(*field, None, true)).collect_view()}
            {field_input(API_BASE_URL, Some(channel.api_base_url), true)}
            {send_rate_input(Some(channel.send_rate_per_second))}
            <button type="submit" class="primary">"Save changes"</button>
        </form>
    }
}

#[component]
fn ConnectForm(create: ServerAction<CreateChannel>) -> impl IntoView {
    let kind = RwSignal::new(ChannelKind::WhatsApp);
    let form = NodeRef::<leptos::html::Form>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    // Clears the typed secrets once they are stored, and guards against connecting twice.
    Effect::new(move |_| {
        if created().is_some()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if let Ok(data) = form_data_from_event(&event) {
            let input = ChannelInput {
                kind: Some(kind.get()),
                ..channel_input(&data)
            };
            create.dispatch(CreateChannel { input });
        }
    };
    let choose_kind = move |event| {
        if let Some(chosen) = ChannelKind::parse(&event_target_value(&event)) {
            kind.set(chosen);
        }
    };
    view! {
        <section class="card" aria-labelledby="connect-heading">
            <h2 id="connect-heading">"Connect a channel"</h2>
            // Posting, not the default GET, keeps secrets out of the URL if it is sent before the
            // page is interactive.
            <form class="stacked-form connect-channel" method="post" node_ref=form on:submit=submit>
                <label>
                    "Kind"
                    <select name="kind" on:change=choose_kind>
                        {ChannelKind::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=move || kind.get() == option>
                                {option.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                {field_input(NAME, None, false)}
                {move || fields(kind.get()).iter().map(|field| field_input(*field, None, false)).collect_view()}
                {field_input(API_BASE_URL, None, false)}
                {send_rate_input(None)}
                <button type="submit" class="primary">"Connect channel"</button>
            </form>
            <ErrorNotice error />
            {move || created().map(|channel| view! {
                <p class="notice notice-success" role="status">
                    "Connected " {channel.name} ". Paste its webhook details at the provider; "
                    "they are on its card above."
                </p>
            })}
        </section>
    }
}

/// While the sandbox setting is on, channel credentials may be sent to plain http and to
/// addresses on this server's own network; an admin should not leave it on unknowingly.
#[component]
fn PrivateUrlsWarning() -> impl IntoView {
    let allowed = Resource::new(|| (), |_| private_provider_urls_allowed());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(allowed.await, Ok(true)).then(|| view! {
                    <p class="notice notice-warning private-urls-warning" role="alert">
                        "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS is on: channel API addresses \
                         may use plain http and loopback or private network addresses, and \
                         credentials are sent there. Use it only for a sandbox or tests with \
                         local fake providers."
                    </p>
                })
            })}
        </Transition>
    }
}

/// Demo tools appear only when the server runs in demo mode and there is a channel to use.
#[component]
fn Simulation(channels: Resource<Result<Vec<Channel>, AppError>>) -> impl IntoView {
    let demo = Resource::new(|| (), |_| demo_enabled());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let enabled = matches!(demo.await, Ok(true));
                match channels.await {
                    Ok(list) if enabled && !list.is_empty() => {
                        Some(view! { <SimulateForm channels=list /> })
                    }
                    _ => None,
                }
            })}
        </Transition>
    }
}

#[component]
fn SimulateForm(channels: Vec<Channel>) -> impl IntoView {
    let simulate = ServerAction::<SimulateInbound>::new();
    let sent_via = RwSignal::new(None::<ChannelKind>);
    let kinds: Vec<(i64, ChannelKind)> = channels.iter().map(|c| (c.id, c.kind)).collect();
    let error = Signal::derive(move || simulate.value().get().and_then(Result::err));
    let sent = move || {
        let done = matches!(simulate.value().get(), Some(Ok(()))) && !simulate.pending().get();
        done.then(|| sent_via.get()).flatten()
    };
    let send = move |event: SubmitEvent| {
        event.prevent_default();
        let Ok(data) = form_data_from_event(&event) else {
            return;
        };
        let text = |name: &str| data.get(name).as_string().unwrap_or_default();
        let Ok(channel_id) = text("channel_id").parse() else {
            return;
        };
        sent_via.set(
            kinds
                .iter()
                .find(|(id, _)| *id == channel_id)
                .map(|(_, kind)| *kind),
        );
        simulate.dispatch(SimulateInbound {
            channel_id,
            from: text("from"),
            name: text("name"),
            text: text("text"),
        });
    };
    view! {
        <section class="card" aria-labelledby="simulate-heading">
            <h2 id="simulate-heading">"Simulate an inbound message"</h2>
            <p>"Demo mode: send a message as a contact, through the channel's real, signed webhook."</p>
            <form class="stacked-form simulate-inbound" method="post" on:submit=send>
                <label>
                    "Channel"
                    <select name="channel_id">
                        {channels.into_iter().map(|channel| view! {
                            <option value=channel.id>
                                {channel.name} " · " {channel.kind.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "From"
                    <input name="from" required placeholder="+15551234567" />
                    <small>"A phone number, or a Messenger user id."</small>
                </label>
                <label>"Name" <input name="name" maxlength="100" /></label>
                <label>"Message" <textarea name="text" rows="3" required></textarea></label>
                <button type="submit" class="primary">"Send as this contact"</button>
            </form>
            <ErrorNotice error />
            {move || sent().map(|kind| view! {
                <p class="notice notice-success" role="status">
                    "Sent through the " {kind.label()} " webhook."
                </p>
            })}
        </section>
    }
}
