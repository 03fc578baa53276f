//! The inbox: the conversation list beside the open conversation and its contact. The view,
//! the filters and the page (`?view=&status=&channel=&tag=&after=`) and the open conversation
//! (`/conversations/:id`) live in the URL, so a reload or a shared link keeps them all.
//!
//! The open conversation is the inbox's child route, rendered into the pane beside the list. It
//! is a lazy route: the list is live before the thread's code has arrived, and a page loaded at
//! `/conversations/:id` waits for that code before it hydrates.

mod actions;
mod announcer;
mod clock;
mod contact;
mod live;
mod review;
mod shortcuts;
mod thread;
mod translate;
mod urgent;
mod wellbeing;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::{SetMyAvailability, list_conversations, list_inbox_filters, my_availability};
use crate::components::{BusyTransition, Layout, signed_in_person};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::model::{
    ChannelKind, ConversationQuery, ConversationStatus, ConversationSummary, InboxFilters,
    InboxView, Me, Permission, Tag,
};
use crate::tracking::tracked_in_browser;
use clock::{Time, TimeStyle, provide_now};
use live::{ask_for_notifications, notifications_decided, notify, provide_live};
use thread::Thread;
use urgent::{UrgentAlerts, urgent_marker};

const VOLUNTEER_VIEWS: &[InboxView] = &[InboxView::Mine, InboxView::Unassigned];
const ALL_VIEWS: &[InboxView] = &[InboxView::Mine, InboxView::Unassigned, InboxView::All];
const STATUSES: [ConversationStatus; 4] = [
    ConversationStatus::Open,
    ConversationStatus::Pending,
    ConversationStatus::Snoozed,
    ConversationStatus::Resolved,
];

/// How a view is spelled in the URL.
fn view_key(view: InboxView) -> &'static str {
    match view {
        InboxView::Mine => "mine",
        InboxView::Unassigned => "unassigned",
        InboxView::All => "all",
    }
}

/// The view's name as the page's language says it.
fn view_label(i18n: I18nContext<Locale>, view: InboxView) -> String {
    match view {
        InboxView::Mine => t_string!(i18n, inbox.views.mine).to_string(),
        InboxView::Unassigned => t_string!(i18n, inbox.views.unassigned).to_string(),
        InboxView::All => t_string!(i18n, inbox.views.all).to_string(),
    }
}

/// The view as tests and styles find it (`data-view`): its URL key with a capital, the same in
/// every language.
fn view_data(view: InboxView) -> String {
    let key = view_key(view);
    let mut letters = key.chars();
    letters
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + letters.as_str())
        .unwrap_or_default()
}

fn tab_id(view: InboxView) -> String {
    format!("view-tab-{}", view_key(view))
}

fn status_label(i18n: I18nContext<Locale>, status: ConversationStatus) -> String {
    match status {
        ConversationStatus::Open => t_string!(i18n, inbox.statuses.open).to_string(),
        ConversationStatus::Pending => t_string!(i18n, inbox.statuses.pending).to_string(),
        ConversationStatus::Snoozed => t_string!(i18n, inbox.statuses.snoozed).to_string(),
        ConversationStatus::Resolved => t_string!(i18n, inbox.statuses.resolved).to_string(),
    }
}

/// The contact's name, or their number or id when the channel gave no name.
fn contact_label(summary: &ConversationSummary) -> String {
    match summary.contact_name.trim() {
        "" => summary.contact_address.clone(),
        name => name.to_owned(),
    }
}

fn channel_badge(kind: ChannelKind) -> impl IntoView {
    let i18n = use_i18n();
    let short = match kind {
        ChannelKind::WhatsApp => t_string!(i18n, inbox.channels.whatsapp).to_string(),
        ChannelKind::Twilio => t_string!(i18n, inbox.channels.twilio).to_string(),
        ChannelKind::Messenger => t_string!(i18n, inbox.channels.messenger).to_string(),
    };
    view! { <span class="channel-kind" data-kind=kind.as_str() title=kind.label()>{short}</span> }
}

fn status_badge(status: ConversationStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="status-badge" data-status=status.as_str()>
            {move || status_label(i18n, status)}
        </span>
    }
}

/// A tag as a coloured chip; the colour is a decoration, the name carries the meaning.
fn tag_chip(tag: &Tag) -> impl IntoView + use<> {
    view! {
        <span class="tag-chip" style=format!("--tag-colour: {}", tag.colour)>{tag.name.clone()}</span>
    }
}

/// Where the list stands: its view and filters, without the page.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ListPlace {
    view: InboxView,
    status: ConversationStatus,
    channel_id: Option<i64>,
    tag_id: Option<i64>,
}

impl ListPlace {
    /// The query string for this place, starting after `after` when given.
    fn query(&self, after: Option<&str>) -> String {
        let mut query = format!("view={}", view_key(self.view));
        if self.status != ConversationStatus::Open {
            query.push_str(&format!("&status={}", self.status.as_str()));
        }
        if let Some(channel) = self.channel_id {
            query.push_str(&format!("&channel={channel}"));
        }
        if let Some(tag) = self.tag_id {
            query.push_str(&format!("&tag={tag}"));
        }
        if let Some(after) = after {
            query.push_str(&format!("&after={after}"));
        }
        query
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, inbox.title) />
        <Layout page=inbox />
    }
}

fn inbox(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    provide_now();
    let live = provide_live(me.id);
    // Volunteers start with what coordinators gave them; Unassigned is one tab away.
    let (views, default) = if me.role.can(Permission::SeeAllConversations) {
        (ALL_VIEWS, InboxView::All)
    } else {
        (VOLUNTEER_VIEWS, InboxView::Mine)
    };
    let query = use_query_map();
    // A view the role does not have (an old link, a changed role) falls back to the default.
    // These memos read with `try_`: read while the page is torn down, after the router's URL is
    // gone, they find the start of the list instead of panicking.
    let place = Memo::new(move |_| {
        query
            .try_with(|query| {
                let number = |key: &str| query.get_str(key).and_then(|value| value.parse().ok());
                ListPlace {
                    view: query
                        .get_str("view")
                        .and_then(|key| views.iter().copied().find(|view| view_key(*view) == key))
                        .unwrap_or(default),
                    status: query
                        .get_str("status")
                        .and_then(ConversationStatus::parse)
                        .unwrap_or(ConversationStatus::Open),
                    channel_id: number("channel"),
                    tag_id: number("tag"),
                }
            })
            .unwrap_or(ListPlace {
                view: default,
                status: ConversationStatus::Open,
                channel_id: None,
                tag_id: None,
            })
    });
    let after = Memo::new(move |_| query.try_with(|query| query.get("after")).flatten());
    let view = Memo::new(move |_| place.try_with(|place| place.view).unwrap_or(default));
    let params = use_params_map();
    let open = Memo::new(move |_| params.try_with(|params| params.get("id")).flatten());
    let selected = Memo::new(move |_| {
        open.try_with(|id| id.as_deref()?.parse::<i64>().ok())
            .flatten()
    });

    let navigate = use_navigate();
    let go = move |place: ListPlace| {
        let path = match selected.get_untracked() {
            Some(id) => format!("/conversations/{id}"),
            None => "/".to_owned(),
        };
        navigate(&format!("{path}?{}", place.query(None)), Default::default());
    };
    // The tabs pattern: arrow keys, Home and End move between tabs; Tab moves on to the list.
    let step = {
        let go = go.clone();
        move |event: KeyboardEvent| {
            let last = views.len() - 1;
            let at = views
                .iter()
                .position(|tab| *tab == view.get_untracked())
                .unwrap_or_default();
            // Key names compared in small letters: no other key is called so.
            let to = match event.key().to_ascii_lowercase().as_str() {
                "arrowright" => (at + 1) % views.len(),
                "arrowleft" => at.checked_sub(1).unwrap_or(last),
                "home" => 0,
                "end" => last,
                _ => return,
            };
            event.prevent_default();
            go(ListPlace {
                view: views[to],
                ..place.get_untracked()
            });
            if let Some(tab) = document()
                .get_element_by_id(&tab_id(views[to]))
                .and_then(|tab| tab.dyn_into::<HtmlElement>().ok())
            {
                let _ = tab.focus();
            }
        }
    };

    let conversations = Resource::new(
        tracked_in_browser(move || (place.get(), after.get(), live.version.get())),
        |(place, after, _)| {
            list_conversations(ConversationQuery {
                view: place.view,
                status: place.status,
                channel_id: place.channel_id,
                tag_id: place.tag_id,
                after,
            })
        },
    );
    let filters = Resource::new(|| (), |_| list_inbox_filters());
    // The list's order, for the next/previous shortcuts, and Mine's unread count for the tab.
    let order = RwSignal::new(Vec::<i64>::new());
    let unread_mine = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if let Some(Ok(page)) = conversations.get() {
            order.set(page.conversations.iter().map(|c| c.id).collect());
            let before = unread_mine.get_untracked();
            if before.is_some_and(|before| page.unread_mine > before) {
                notify(
                    t_string!(i18n, inbox.notifications.new_in_mine),
                    "/?view=mine",
                );
            }
            unread_mine.set(Some(page.unread_mine));
        }
    });
    shortcuts::install_for_list(order, selected, place);

    let (loading, set_loading) = signal(false);
    let tabs = views
        .iter()
        .map(|&tab| {
            let go = go.clone();
            let badge =
                move || {
                    (tab == InboxView::Mine)
                    .then(|| unread_mine.get().filter(|count| *count > 0))
                    .flatten()
                    .map(|count| view! {
                        <span class="unread-badge">
                            {count} <span class="visually-hidden">{t!(i18n, inbox.list.with_unread)}</span>
                        </span>
                    })
                };
            view! {
                <button
                    type="button"
                    role="tab"
                    class="view-tab"
                    id=tab_id(tab)
                    data-view=view_data(tab)
                    aria-controls="conversation-panel"
                    aria-selected=move || (view.get() == tab).to_string()
                    tabindex=move || if view.get() == tab { "0" } else { "-1" }
                    on:click=move |_| go(ListPlace { view: tab, ..place.get_untracked() })
                >
                    {move || view_label(i18n, tab)}
                    {badge}
                </button>
            }
        })
        .collect_view();
    let is_volunteer = !me.role.can(Permission::SeeAllConversations);

    view! {
        <main class="inbox" data-open=move || open.with(Option::is_some).to_string()>
            <h1 class="visually-hidden">{t!(i18n, inbox.heading)}</h1>
            <nav class="conversation-list" aria-label=move || t_string!(i18n, inbox.list.label)>
                <form class="search-form" method="get" action="/search" role="search">
                    <label class="visually-hidden" for="search-query">{t!(i18n, inbox.list.search_label)}</label>
                    <input
                        id="search-query"
                        type="search"
                        name="q"
                        minlength="2"
                        placeholder=move || t_string!(i18n, inbox.list.search_label)
                    />
                    <button type="submit">{t!(i18n, inbox.list.search)}</button>
                </form>
                <UrgentAlerts live />
                <wellbeing::WellbeingNotices watches_others=!is_volunteer />
                <div class="view-tabs" role="tablist" aria-label=move || t_string!(i18n, inbox.list.tabs_label) on:keydown=step>
                    {tabs}
                </div>
                <Transition fallback=|| ()>
                    {move || {
                        let go = go.clone();
                        Suspend::new(async move {
                            filters.await.ok().map(|filters| view! {
                                <ListFilters filters place go />
                            })
                        })
                    }}
                </Transition>
                <div
                    id="conversation-panel"
                    role="tabpanel"
                    aria-labelledby=move || tab_id(view.get())
                    aria-busy=move || loading.get().to_string()
                >
                    <h2 class="list-heading">{move || view_label(i18n, view.get())}</h2>
                    <BusyTransition
                        fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }
                        set_busy=set_loading
                    >
                        {move || Suspend::new(async move {
                            match conversations.await {
                                Ok(page) => view! {
                                    <ConversationRows conversations=page.conversations place selected />
                                    <Pages next=page.next place after />
                                }.into_any(),
                                Err(error) => view! {
                                    <p class="notice notice-error" role="alert">{error.message}</p>
                                }.into_any(),
                            }
                        })}
                    </BusyTransition>
                </div>
                <footer class="list-footer">
                    {is_volunteer.then(|| view! { <Availability /> })}
                    <NotificationsSwitch />
                    {shortcuts::help()}
                </footer>
            </nav>
            <section class="conversation-pane" aria-label=move || t_string!(i18n, inbox.list.pane_label)>
                {move || open.with(Option::is_some).then(|| view! {
                    <a class="back-to-list" href=move || format!("/?{}", place.get().query(None))>
                        {t!(i18n, inbox.list.back_to_list)}
                    </a>
                })}
                <Outlet />
            </section>
        </main>
    }
}

/// The pane when no conversation is open.
#[component]
pub fn NoConversation() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="empty">{t!(i18n, inbox.list.pick)}</p> }
}

/// The pane at `/conversations/:id`.
#[component]
pub fn OpenConversation() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .try_with(|params| params.get("id")?.parse::<i64>().ok())
            .flatten()
    });
    signed_in_person().map(|me| view! { <Thread id me /> })
}

/// Narrows the list by status, channel and tag. Each choice applies at once.
#[component]
fn ListFilters<G>(filters: InboxFilters, place: Memo<ListPlace>, go: G) -> impl IntoView
where
    G: Fn(ListPlace) + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let status_options = STATUSES
        .iter()
        .map(|status| {
            let status = *status;
            view! {
                <option
                    value=status.as_str()
                    selected=move || place.with(|place| place.status == status)
                >
                    {move || status_label(i18n, status)}
                </option>
            }
        })
        .collect_view();
    let channel_options = filters
        .channels
        .into_iter()
        .map(|channel| {
            let id = channel.id;
            view! {
                <option value=id selected=move || place.with(|place| place.channel_id == Some(id))>
                    {channel.name}
                </option>
            }
        })
        .collect_view();
    let tag_options = filters
        .tags
        .into_iter()
        .map(|tag| {
            let id = tag.id;
            view! {
                <option value=id selected=move || place.with(|place| place.tag_id == Some(id))>
                    {tag.name}
                </option>
            }
        })
        .collect_view();
    let on_status = {
        let go = go.clone();
        move |event| {
            let status = ConversationStatus::parse(&event_target_value(&event))
                .unwrap_or(ConversationStatus::Open);
            go(ListPlace {
                status,
                ..place.get_untracked()
            });
        }
    };
    let on_channel = {
        let go = go.clone();
        move |event| {
            let channel_id = event_target_value(&event).parse().ok();
            go(ListPlace {
                channel_id,
                ..place.get_untracked()
            });
        }
    };
    let on_tag = move |event| {
        let tag_id = event_target_value(&event).parse().ok();
        go(ListPlace {
            tag_id,
            ..place.get_untracked()
        });
    };
    view! {
        <div class="list-filters" role="group" aria-label=move || t_string!(i18n, inbox.filters.label)>
            <label>
                <span>{t!(i18n, inbox.filters.status)}</span>
                <select id="filter-status" on:change=on_status>{status_options}</select>
            </label>
            <label>
                <span>{t!(i18n, inbox.filters.channel)}</span>
                <select id="filter-channel" on:change=on_channel>
                    <option value="">{t!(i18n, inbox.filters.all_channels)}</option>
                    {channel_options}
                </select>
            </label>
            <label>
                <span>{t!(i18n, inbox.filters.tag)}</span>
                <select id="filter-tag" on:change=on_tag>
                    <option value="">{t!(i18n, inbox.filters.any_tag)}</option>
                    {tag_options}
                </select>
            </label>
        </div>
    }
}

/// Links to the next page (keyset: it starts after the last row shown) and back to the start.
#[component]
fn Pages(
    next: Option<String>,
    place: Memo<ListPlace>,
    after: Memo<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let first = move || {
        after.with(Option::is_some).then(|| {
            view! {
                <a class="page-link" href=move || format!("?{}", place.get().query(None))>
                    {t!(i18n, inbox.list.back_to_start)}
                </a>
            }
        })
    };
    let more = next.map(|next| {
        view! {
            <a class="page-link" rel="next" href=move || format!("?{}", place.get().query(Some(&next)))>
                {t!(i18n, inbox.list.more)}
            </a>
        }
    });
    view! { <p class="pages">{first}{more}</p> }
}

/// Volunteers say whether auto-assignment may give them conversations now.
#[component]
fn Availability() -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetMyAvailability>::new();
    let available = Resource::new(tracked_in_browser(move || set.version().get()), |_| {
        my_availability()
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                available.await.ok().map(|available| view! {
                    <label class="availability">
                        <input
                            type="checkbox"
                            checked=available
                            on:change=move |event| {
                                set.dispatch(SetMyAvailability { available: event_target_checked(&event) });
                            }
                        />
                        {t!(i18n, inbox.list.available)}
                    </label>
                })
            })}
        </Transition>
    }
}

/// Browsers only show notifications a person allowed, and only ask after a click.
#[component]
fn NotificationsSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let asked = RwSignal::new(true);
    Effect::new(move |_| asked.set(notifications_decided()));
    move || {
        (!asked.get()).then(|| {
            view! {
                <button
                    type="button"
                    class="link-button"
                    on:click=move |_| {
                        ask_for_notifications();
                        asked.set(true);
                    }
                >
                    {t!(i18n, inbox.list.turn_on_notifications)}
                </button>
            }
        })
    }
}

#[component]
fn ConversationRows(
    conversations: Vec<ConversationSummary>,
    place: Memo<ListPlace>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if conversations.is_empty() {
        return view! { <p class="empty">{t!(i18n, inbox.list.empty)}</p> }.into_any();
    }
    let rows = conversations
        .into_iter()
        .map(|conversation| conversation_row(conversation, place, selected))
        .collect_view();
    view! { <ul class="conversation-rows">{rows}</ul> }.into_any()
}

fn conversation_row(
    conversation: ConversationSummary,
    place: Memo<ListPlace>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = conversation.id;
    let contact = contact_label(&conversation);
    let unread = conversation.unread_count;
    let has_unread = unread > 0;
    let status = conversation.status;
    let urgent = urgent_marker(&conversation);
    view! {
        <li>
            <a
                class="conversation-row"
                class:unread=has_unread
                class:urgent=conversation.urgent
                data-urgent=conversation.urgent.to_string()
                data-conversation-id=id
                data-status=status.as_str()
                href=move || format!("/conversations/{id}?{}", place.get().query(None))
                aria-current=move || (selected.get() == Some(id)).then_some("page")
            >
                <span class="row-line">
                    {urgent}
                    <span class="contact-name">{contact}</span>
                    <Time at=conversation.last_message_at style=TimeStyle::Brief />
                </span>
                <span class="row-channel">
                    {channel_badge(conversation.channel_kind)}
                    <span class="channel-name">{conversation.channel_name}</span>
                    {conversation.language.as_deref().map(translate::language_badge)}
                </span>
                <span class="preview" dir="auto">{conversation.preview}</span>
                {(!conversation.tags.is_empty()).then(|| view! {
                    <span class="row-tags">{conversation.tags.iter().map(tag_chip).collect_view()}</span>
                })}
                <span class="row-badges">
                    {(status != ConversationStatus::Open).then(|| status_badge(status))}
                    {conversation.assignee_name.map(|name| view! {
                        <span class="assignee">
                            <span aria-hidden="true">"→ "</span>
                            <span class="visually-hidden">{t!(i18n, inbox.list.assigned_to)}</span>
                            {name}
                        </span>
                    })}
                    {has_unread.then(|| view! {
                        <span class="unread-badge">
                            {unread} <span class="visually-hidden">{t!(i18n, inbox.list.unread)}</span>
                        </span>
                    })}
                </span>
            </a>
        </li>
    }
}
