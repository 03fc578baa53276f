use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::web_sys::FormData;
use leptos_i18n::I18nContext;
use leptos_meta::Title;

use crate::api::{
    CreateChannel, DeleteChannel, SimulateInbound, UpdateChannel, demo_enabled, list_channels,
    private_provider_urls_allowed,
};
use crate::components::{ErrorNotice, Layout};
use crate::error::AppError;
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::model::{Channel, ChannelInput, ChannelKind, Me, Permission};
use crate::tracking::tracked_in_browser;

type Slot = fn(&mut ChannelInput) -> &mut Option<String>;

/// A label or hint in the page's language.
type Text = fn(I18nContext<Locale>) -> &'static str;

/// One text input of the connect and edit forms.
#[derive(Clone, Copy)]
struct Field {
    /// The input's `name`, the same as the `ChannelInput` field it fills and, for secrets, the
    /// name the server lists in `secrets_set`.
    name: &'static str,
    label: Text,
    hint: Option<Text>,
    secret: bool,
    /// Needed to connect; Twilio's phone number and messaging service are optional because
    /// either one will do.
    required: bool,
    slot: Slot,
}

impl Field {
    const fn text(name: &'static str, label: Text, slot: Slot) -> Field {
        Field {
            name,
            label,
            hint: None,
            secret: false,
            required: true,
            slot,
        }
    }

    const fn secret(name: &'static str, label: Text, slot: Slot) -> Field {
        Field {
            secret: true,
            ..Field::text(name, label, slot)
        }
    }

    const fn hint(self, hint: Text) -> Field {
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

const NAME: Field = Field::text(
    "name",
    |i18n| t_string!(i18n, channels.fields.name),
    |input| &mut input.name,
)
.hint(|i18n| t_string!(i18n, channels.fields.name_hint));
const API_BASE_URL: Field = Field::text(
    "api_base_url",
    |i18n| t_string!(i18n, channels.fields.api_base_url),
    |input| &mut input.api_base_url,
)
.optional()
.hint(|i18n| t_string!(i18n, channels.fields.api_base_url_hint));
const VERIFY_TOKEN: Field = Field::text(
    "verify_token",
    |i18n| t_string!(i18n, channels.fields.verify_token),
    |input| &mut input.verify_token,
)
.hint(|i18n| t_string!(i18n, channels.fields.verify_token_hint));
const APP_SECRET: Field = Field::secret(
    "app_secret",
    |i18n| t_string!(i18n, channels.fields.app_secret),
    |input| &mut input.app_secret,
);
const SEND_RATE: &str = "send_rate_per_second";

const PHONE_NUMBER_ID: Field = Field::text(
    "phone_number_id",
    |i18n| t_string!(i18n, channels.fields.phone_number_id),
    |input| &mut input.phone_number_id,
);
const WABA_ID: Field = Field::text(
    "waba_id",
    |i18n| t_string!(i18n, channels.fields.waba_id),
    |input| &mut input.waba_id,
);
const DISPLAY_NUMBER: Field = Field::text(
    "display_number",
    |i18n| t_string!(i18n, channels.fields.display_number),
    |input| &mut input.display_number,
)
.hint(|i18n| t_string!(i18n, channels.fields.display_number_hint));
const APP_ID: Field = Field::text(
    "app_id",
    |i18n| t_string!(i18n, channels.fields.app_id),
    |input| &mut input.app_id,
)
.optional()
.hint(|i18n| t_string!(i18n, channels.fields.app_id_hint));
const ACCESS_TOKEN: Field = Field::secret(
    "access_token",
    |i18n| t_string!(i18n, channels.fields.access_token),
    |input| &mut input.access_token,
);
const ACCOUNT_SID: Field = Field::text(
    "account_sid",
    |i18n| t_string!(i18n, channels.fields.account_sid),
    |input| &mut input.account_sid,
);
const AUTH_TOKEN: Field = Field::secret(
    "auth_token",
    |i18n| t_string!(i18n, channels.fields.auth_token),
    |input| &mut input.auth_token,
);
const PHONE_NUMBER: Field = Field::text(
    "phone_number",
    |i18n| t_string!(i18n, channels.fields.phone_number),
    |input| &mut input.phone_number,
)
.optional()
.hint(|i18n| t_string!(i18n, channels.fields.phone_number_hint));
const MESSAGING_SERVICE_SID: Field = Field::text(
    "messaging_service_sid",
    |i18n| t_string!(i18n, channels.fields.messaging_service_sid),
    |input| &mut input.messaging_service_sid,
)
.optional()
.hint(|i18n| t_string!(i18n, channels.fields.messaging_service_sid_hint));
const PAGE_ID: Field = Field::text(
    "page_id",
    |i18n| t_string!(i18n, channels.fields.page_id),
    |input| &mut input.page_id,
);
const PAGE_ACCESS_TOKEN: Field = Field::secret(
    "page_access_token",
    |i18n| t_string!(i18n, channels.fields.page_access_token),
    |input| &mut input.page_access_token,
);

const WHATSAPP: &[Field] = &[
    PHONE_NUMBER_ID,
    WABA_ID,
    DISPLAY_NUMBER,
    APP_ID,
    ACCESS_TOKEN,
    APP_SECRET,
    VERIFY_TOKEN,
];
const TWILIO: &[Field] = &[ACCOUNT_SID, AUTH_TOKEN, PHONE_NUMBER, MESSAGING_SERVICE_SID];
const MESSENGER: &[Field] = &[PAGE_ID, PAGE_ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN];

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
    let i18n = use_i18n();
    let keep_current: Text = |i18n| t_string!(i18n, channels.fields.keep_secret);
    let hint = match (replacing, field.secret) {
        (false, _) => field.hint,
        (true, true) => Some(keep_current),
        (true, false) => None,
    };
    view! {
        <label>
            {move || (field.label)(i18n)}
            <input
                name=field.name
                type=if field.secret { "password" } else { "text" }
                autocomplete=field.secret.then_some("off")
                required=field.required && !replacing
                value=value
            />
            {hint.map(|hint| view! { <small>{move || hint(i18n)}</small> })}
        </label>
    }
}

fn send_rate_input(value: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            {t!(i18n, channels.fields.send_rate)}
            <input type="number" name=SEND_RATE min="1" max="1000" step="1" value=value />
            {value.is_none().then(|| view! { <small>{t!(i18n, channels.fields.send_rate_default)}</small> })}
        </label>
    }
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, channels.title) />
        <Layout page=channels />
    }
}

fn channels(me: Me) -> impl IntoView {
    let i18n = use_i18n();
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
            <h1>{t!(i18n, channels.heading)}</h1>
            {admin.then(|| view! { <PrivateUrlsWarning /> })}
            <section aria-labelledby="channel-list-heading">
                <h2 id="channel-list-heading">{t!(i18n, channels.list_heading)}</h2>
                <ErrorNotice error=delete_error />
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    if channels.is_empty() {
        return view! { <p class="empty">{t!(i18n, channels.none)}</p> }.into_any();
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
    let i18n = use_i18n();
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
                    {t!(i18n, channels.edit)}
                </button>
                <button type="button" class="danger" on:click=remove>
                    {move || if confirming.get() {
                        t_string!(i18n, channels.confirm_removal)
                    } else {
                        t_string!(i18n, channels.remove)
                    }}
                </button>
                {move || confirming.get().then(|| view! {
                    <button type="button" on:click=move |_| confirming.set(false)>{t!(i18n, channels.cancel)}</button>
                })}
            </div>
            {move || editing.get().then(|| edit_form(channel.get(), save))}
            <ErrorNotice error />
        </article>
    }
}

fn summary(channel: Channel) -> impl IntoView {
    let i18n = use_i18n();
    let identifiers = match channel.kind {
        ChannelKind::WhatsApp => vec![
            (PHONE_NUMBER_ID, channel.phone_number_id),
            (DISPLAY_NUMBER, channel.display_number),
            (WABA_ID, channel.waba_id),
            (APP_ID, channel.app_id),
        ],
        ChannelKind::Twilio => vec![
            (ACCOUNT_SID, channel.account_sid),
            (PHONE_NUMBER, channel.phone_number),
            (MESSAGING_SERVICE_SID, channel.messaging_service_sid),
        ],
        ChannelKind::Messenger => vec![(PAGE_ID, channel.page_id)],
    };
    let identifiers = identifiers
        .into_iter()
        .filter_map(|(field, value)| {
            value.map(|value| view! { <dt>{move || (field.label)(i18n)}</dt><dd><code>{value}</code></dd> })
        })
        .collect_view();
    let secrets_set = secrets(channel.kind)
        .map(|field| {
            let set = channel.secrets_set.iter().any(|name| name == field.name);
            let secret = move || (field.label)(i18n);
            view! {
                <li data-secret=field.name data-set=set.to_string()>
                    {if set {
                        t!(i18n, channels.card.secret_set, secret).into_any()
                    } else {
                        t!(i18n, channels.card.secret_not_set, secret).into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    let rate = channel.send_rate_per_second;
    view! {
        <header class="channel-card-header">
            <h3 id=format!("channel-{}-name", channel.id)>{channel.name}</h3>
            <span class="kind-badge">{channel.kind.label()}</span>
        </header>
        <dl class="channel-details">
            {identifiers}
            <dt>{t!(i18n, channels.card.api_base_url)}</dt>
            <dd><code>{channel.api_base_url}</code></dd>
            <dt>{t!(i18n, channels.card.send_rate)}</dt>
            <dd>{t!(i18n, channels.card.send_rate_value, count = move || rate)}</dd>
            <dt>{t!(i18n, channels.card.secrets)}</dt>
            <dd><ul class="secrets-set">{secrets_set}</ul></dd>
        </dl>
        <div class="paste-box">
            <h4>{t!(i18n, channels.card.paste)}</h4>
            <dl>
                <dt>{t!(i18n, channels.card.webhook_url)}</dt>
                <dd><code class="webhook-url">{channel.webhook_url}</code></dd>
                {channel.verify_token.map(|token| view! {
                    <dt>{t!(i18n, channels.card.verify_token)}</dt>
                    <dd><code class="verify-token">{token}</code></dd>
                })}
                {channel.status_callback_url.map(|url| view! {
                    <dt>{t!(i18n, channels.card.status_callback_url)}</dt>
                    <dd><code class="status-callback-url">{url}</code></dd>
                })}
            </dl>
        </div>
    }
}

fn edit_form(channel: Channel, save: impl FnMut(SubmitEvent) + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        // Posting, not the default GET, keeps secrets out of the URL if it is sent before the
        // page is interactive.
        <form class="stacked-form channel-edit" method="post" on:submit=save>
            {field_input(NAME, Some(channel.name), true)}
            {channel.verify_token.map(|token| field_input(VERIFY_TOKEN, Some(token), true))}
            {secrets(channel.kind).map(|field| field_input(*field, None, true)).collect_view()}
            {field_input(API_BASE_URL, Some(channel.api_base_url), true)}
            {send_rate_input(Some(channel.send_rate_per_second))}
            <button type="submit" class="primary">{t!(i18n, channels.card.save)}</button>
        </form>
    }
}

#[component]
fn ConnectForm(create: ServerAction<CreateChannel>) -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="connect-heading">{t!(i18n, channels.connect.heading)}</h2>
            // Posting, not the default GET, keeps secrets out of the URL if it is sent before the
            // page is interactive.
            <form class="stacked-form connect-channel" method="post" node_ref=form on:submit=submit>
                <label>
                    {t!(i18n, channels.connect.kind)}
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
                <button type="submit" class="primary">{t!(i18n, channels.connect.submit)}</button>
            </form>
            <ErrorNotice error />
            {move || created().map(|channel| {
                let name = channel.name;
                view! {
                    <p class="notice notice-success" role="status">
                        {t!(i18n, channels.connect.connected, name)}
                    </p>
                }
            })}
        </section>
    }
}

/// While the sandbox setting is on, channel credentials may be sent to plain http and to
/// addresses on this server's own network; an admin should not leave it on unknowingly.
#[component]
fn PrivateUrlsWarning() -> impl IntoView {
    let i18n = use_i18n();
    let allowed = Resource::new(|| (), |_| private_provider_urls_allowed());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(allowed.await, Ok(true)).then(|| view! {
                    <p class="notice notice-warning private-urls-warning" role="alert">
                        {t!(i18n, channels.private_urls)}
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
    let i18n = use_i18n();
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
            <h2 id="simulate-heading">{t!(i18n, channels.simulate.heading)}</h2>
            <p>{t!(i18n, channels.simulate.text)}</p>
            <form class="stacked-form simulate-inbound" method="post" on:submit=send>
                <label>
                    {t!(i18n, channels.simulate.channel)}
                    <select name="channel_id">
                        {channels.into_iter().map(|channel| view! {
                            <option value=channel.id>
                                {channel.name} " · " {channel.kind.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, channels.simulate.from)}
                    <input name="from" required placeholder="+15551234567" />
                    <small>{t!(i18n, channels.simulate.from_hint)}</small>
                </label>
                <label>{t!(i18n, channels.simulate.name)} <input name="name" maxlength="100" /></label>
                <label>{t!(i18n, channels.simulate.message)} <textarea name="text" rows="3" required></textarea></label>
                <button type="submit" class="primary">{t!(i18n, channels.simulate.submit)}</button>
            </form>
            <ErrorNotice error />
            {move || sent().map(|kind| {
                let kind = kind.label();
                view! {
                    <p class="notice notice-success" role="status">
                        {t!(i18n, channels.simulate.sent, kind)}
                    </p>
                }
            })}
        </section>
    }
}
