//! The inbox: the conversation list beside the open conversation. The view (`?view=`) and the open
//! conversation (`/conversations/:id`) live in the URL, so a reload or a shared link keeps both.

mod clock;
mod thread;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};

use crate::api::{SendReply, list_conversations};
use crate::components::Layout;
use crate::model::{
    ChannelKind, ConversationStatus, ConversationSummary, InboxView, Me, Permission,
};
use clock::{Time, TimeStyle, provide_now};
use thread::Thread;

const VOLUNTEER_VIEWS: &[InboxView] = &[InboxView::Mine, InboxView::Unassigned];
const ALL_VIEWS: &[InboxView] = &[InboxView::Mine, InboxView::Unassigned, InboxView::All];

/// How a view is spelled in the URL.
fn view_key(view: InboxView) -> &'static str {
    match view {
        InboxView::Mine => "mine",
        InboxView::Unassigned => "unassigned",
        InboxView::All => "all",
    }
}

fn view_label(view: InboxView) -> &'static str {
    match view {
        InboxView::Mine => "Mine",
        InboxView::Unassigned => "Unassigned",
        InboxView::All => "All",
    }
}

fn tab_id(view: InboxView) -> String {
    format!("view-tab-{}", view_key(view))
}

fn status_label(status: ConversationStatus) -> &'static str {
    match status {
        ConversationStatus::Open => "Open",
        ConversationStatus::Pending => "Pending",
        ConversationStatus::Snoozed => "Snoozed",
        ConversationStatus::Resolved => "Resolved",
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
    let short = match kind {
        ChannelKind::WhatsApp => "WhatsApp",
        ChannelKind::Twilio => "Twilio",
        ChannelKind::Messenger => "Messenger",
    };
    view! { <span class="channel-kind" data-kind=kind.as_str() title=kind.label()>{short}</span> }
}

fn status_badge(status: ConversationStatus) -> impl IntoView {
    view! { <span class="status-badge" data-status=status.as_str()>{status_label(status)}</span> }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    view! {
        <Title text="Inbox" />
        <Layout page=inbox />
    }
}

fn inbox(me: Me) -> impl IntoView {
    provide_now();
    // Volunteers start with what coordinators gave them; Unassigned is one tab away.
    let (views, default) = if me.role.can(Permission::SeeAllConversations) {
        (ALL_VIEWS, InboxView::All)
    } else {
        (VOLUNTEER_VIEWS, InboxView::Mine)
    };
    let query = use_query_map();
    // A view the role does not have (an old link, a changed role) falls back to the default.
    let view = Memo::new(move |_| {
        query
            .with(|query| {
                let key = query.get_str("view")?;
                views.iter().copied().find(|view| view_key(*view) == key)
            })
            .unwrap_or(default)
    });
    let params = use_params_map();
    let open = Memo::new(move |_| params.with(|params| params.get("id")));
    let selected = Memo::new(move |_| open.with(|id| id.as_deref()?.parse::<i64>().ok()));

    let location = use_location();
    let navigate = use_navigate();
    let choose = move |view: InboxView| {
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}?view={}", view_key(view)),
            Default::default(),
        );
    };
    // The tabs pattern: arrow keys, Home and End move between tabs; Tab moves on to the list.
    let step = {
        let choose = choose.clone();
        move |event: KeyboardEvent| {
            let last = views.len() - 1;
            let at = views
                .iter()
                .position(|tab| *tab == view.get_untracked())
                .unwrap_or_default();
            let to = match event.key().as_str() {
                "ArrowRight" => (at + 1) % views.len(),
                "ArrowLeft" => at.checked_sub(1).unwrap_or(last),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            event.prevent_default();
            choose(views[to]);
            if let Some(tab) = document()
                .get_element_by_id(&tab_id(views[to]))
                .and_then(|tab| tab.dyn_into::<HtmlElement>().ok())
            {
                let _ = tab.focus();
            }
        }
    };

    // A reply changes its conversation's preview and place in the list.
    let send = ServerAction::<SendReply>::new();
    let conversations = Resource::new(
        move || (view.get(), send.version().get()),
        |(view, _)| list_conversations(view),
    );
    let (loading, set_loading) = signal(false);
    let tabs = views
        .iter()
        .map(|&tab| {
            let choose = choose.clone();
            view! {
                <button
                    type="button"
                    role="tab"
                    class="view-tab"
                    id=tab_id(tab)
                    data-view=view_label(tab)
                    aria-controls="conversation-panel"
                    aria-selected=move || (view.get() == tab).to_string()
                    tabindex=move || if view.get() == tab { "0" } else { "-1" }
                    on:click=move |_| choose(tab)
                >
                    {view_label(tab)}
                </button>
            }
        })
        .collect_view();

    view! {
        <main class="inbox" data-open=move || open.with(Option::is_some).to_string()>
            <h1 class="visually-hidden">"Inbox"</h1>
            <nav class="conversation-list" aria-label="Conversations">
                <div class="view-tabs" role="tablist" aria-label="Which conversations" on:keydown=step>
                    {tabs}
                </div>
                <div
                    id="conversation-panel"
                    role="tabpanel"
                    aria-labelledby=move || tab_id(view.get())
                    aria-busy=move || loading.get().to_string()
                >
                    <h2 class="list-heading">{move || view_label(view.get())}</h2>
                    <Transition
                        fallback=|| view! { <p class="loading">"Loading…"</p> }
                        set_pending=set_loading
                    >
                        {move || Suspend::new(async move {
                            match conversations.await {
                                Ok(list) => view! {
                                    <ConversationRows conversations=list view selected />
                                }.into_any(),
                                Err(error) => view! {
                                    <p class="notice notice-error" role="alert">{error.message}</p>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </nav>
            <section class="conversation-pane" aria-label="Conversation">
                <Show
                    when=move || open.with(Option::is_some)
                    fallback=|| view! {
                        <p class="empty">"Pick a conversation to read and answer it."</p>
                    }
                >
                    <Thread id=selected send />
                </Show>
            </section>
        </main>
    }
}

#[component]
fn ConversationRows(
    conversations: Vec<ConversationSummary>,
    view: Memo<InboxView>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    if conversations.is_empty() {
        return view! { <p class="empty">"No conversations here yet."</p> }.into_any();
    }
    let rows = conversations
        .into_iter()
        .map(|conversation| conversation_row(conversation, view, selected))
        .collect_view();
    view! { <ul class="conversation-rows">{rows}</ul> }.into_any()
}

fn conversation_row(
    conversation: ConversationSummary,
    view: Memo<InboxView>,
    selected: Memo<Option<i64>>,
) -> impl IntoView {
    let id = conversation.id;
    let contact = contact_label(&conversation);
    let unread = conversation.unread_count;
    let has_unread = unread > 0;
    let status = conversation.status;
    view! {
        <li>
            <a
                class="conversation-row"
                class:unread=has_unread
                data-conversation-id=id
                data-status=status.as_str()
                href=move || format!("/conversations/{id}?view={}", view_key(view.get()))
                aria-current=move || (selected.get() == Some(id)).then_some("page")
            >
                <span class="row-line">
                    <span class="contact-name">{contact}</span>
                    <Time at=conversation.last_message_at style=TimeStyle::Brief />
                </span>
                <span class="row-channel">
                    {channel_badge(conversation.channel_kind)}
                    <span class="channel-name">{conversation.channel_name}</span>
                </span>
                <span class="preview">{conversation.preview}</span>
                <span class="row-badges">
                    {(status != ConversationStatus::Open).then(|| status_badge(status))}
                    {conversation.assignee_name.map(|name| view! {
                        <span class="assignee">
                            <span aria-hidden="true">"→ "</span>
                            <span class="visually-hidden">"Assigned to "</span>
                            {name}
                        </span>
                    })}
                    {has_unread.then(|| view! {
                        <span class="unread-badge">
                            {unread} <span class="visually-hidden">" unread"</span>
                        </span>
                    })}
                </span>
            </a>
        </li>
    }
}
