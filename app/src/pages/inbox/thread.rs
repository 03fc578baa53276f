//! The open conversation: who it is with, who has it, its status and tags, whether free-form
//! replies are still possible, its messages with the team's private notes and what happened
//! (assignments, status changes) in between, and the composer. Everything a contact or a
//! colleague wrote is rendered as text, never as markup.

use std::collections::HashMap;
use std::time::Duration;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use leptos::web_sys::js_sys::Date;
use leptos_router::hooks::use_query_map;

use super::actions::{ComposeMode, InboxActions, use_actions};
use super::announcer::ThreadAnnouncer;
use super::clock::{Time, TimeStyle, is_past, use_now};
use super::contact::ContactPanel;
use super::live::use_live;
use super::review::{ReviewControls, SupervisionControls};
use super::shortcuts;
use super::translate::{
    DraftTranslator, language_badge, message_translation, provide_translations, sent_translation,
    use_translations,
};
use super::urgent::{UrgentForm, provide_urgent_reason_draft, urgent_marker};
use super::wellbeing;
use super::{channel_badge, contact_label, status_badge, tag_chip};
use crate::api::{
    AddConversationNote, AssignConversation, RetryMessage, SendReply, SendTranslatedReply,
    SetConversationStatus, TagConversation, TakeConversation, announce_presence, get_conversation,
    list_canned_responses, mark_conversation_read,
};
use crate::components::{BusyTransition, ErrorNotice, TemplateFileForm, TemplatePicker};
use crate::error::{AppError, ErrorCode};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{
    AttachmentView, ChannelKind, ConversationDetail, ConversationEvent, ConversationStatus,
    EventFacts, Me, Note, Permission, Template, TemplateEstimate, ThreadMessage,
};
use crate::tracking::tracked_in_browser;

/// A queued reply is usually with the provider by then, so its tick can replace "Sending…".
const DELIVERY_CHECK: Duration = Duration::from_secs(2);
/// Others see "is viewing" while this repeats; the server forgets nothing, it only relays.
const PRESENCE_EVERY: Duration = Duration::from_secs(8);
/// "is typing" is announced at most this often while keys are pressed.
const TYPING_EVERY_MS: f64 = 3000.0;
/// How long a conversation can be snoozed for, in hours.
const SNOOZE_HOURS: [f64; 4] = [1.0, 4.0, 24.0, 168.0];

/// The composer's state. It lives in the thread, not in the composer, because every refetch of
/// the conversation renders the composer anew.
#[derive(Clone, Copy)]
struct Drafts {
    /// Unsent text by conversation and mode, so switching neither loses nor carries a draft.
    text: RwSignal<HashMap<(i64, bool), String>>,
    /// Where the last message was written: its outcome belongs there, even after a switch.
    sent_from: RwSignal<Option<i64>>,
    /// When this person last told the others they are typing (browser clock, ms).
    typing_told_at: RwSignal<f64>,
    /// The conversation whose composer had the focus when the thread began to load again. The
    /// new composer takes the focus back, so a status or a message arriving while someone types
    /// does not send their next keys nowhere.
    refocus: StoredValue<Option<i64>>,
    /// The composer's selection (start, end), where the caret goes back to.
    caret: StoredValue<(u32, u32)>,
}

/// The id of the text the composer holds, which shortcuts and reloads give the focus to.
pub(super) const COMPOSER_BODY: &str = "composer-body";

fn composer_has_focus() -> bool {
    document()
        .active_element()
        .is_some_and(|element| element.id() == COMPOSER_BODY)
}

fn announce(conversation_id: i64, typing: bool) {
    spawn_local(async move {
        let _ = announce_presence(conversation_id, typing).await;
    });
}

#[component]
pub fn Thread(id: Memo<Option<i64>>, me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let actions = InboxActions::provide(live);
    provide_urgent_reason_draft();
    provide_translations();
    let translations = use_translations();
    shortcuts::install_for_conversation(id);
    wellbeing::provide_revealed_media();
    wellbeing::beat_while_open(id);
    let conversation = Resource::new(
        tracked_in_browser(move || (id.get(), live.version.get())),
        move |(id, _)| {
            let not_found = t_string!(i18n, thread.not_found).to_string();
            async move {
                match id {
                    Some(id) => get_conversation(id).await,
                    None => Err(AppError::new(ErrorCode::NotFound, not_found)),
                }
            }
        },
    );
    let drafts = Drafts {
        text: RwSignal::new(HashMap::new()),
        sent_from: RwSignal::new(None),
        typing_told_at: RwSignal::new(0.0),
        refocus: StoredValue::new(None),
        caret: StoredValue::new((0, 0)),
    };
    // The version keys the refetch that shows the new message; this clears the sent text and
    // looks again once for its delivery status.
    Effect::watch(
        move || actions.send.version().get(),
        move |_, _, _| {
            if matches!(actions.send.value().get_untracked(), Some(Ok(()))) {
                if let Some(sent_from) = drafts.sent_from.get_untracked() {
                    drafts.text.update(|text| {
                        text.remove(&(sent_from, false));
                    });
                }
                set_timeout(move || conversation.refetch(), DELIVERY_CHECK);
            }
        },
        false,
    );
    // A translation sent: the reply and its translation are done with.
    Effect::watch(
        move || actions.send_translated.version().get(),
        move |_, _, _| {
            if matches!(
                actions.send_translated.value().get_untracked(),
                Some(Ok(()))
            ) && let Some(sent_from) = drafts.sent_from.get_untracked()
            {
                drafts.text.update(|text| {
                    text.remove(&(sent_from, false));
                });
                translations.drafts.update(|drafts| {
                    drafts.remove(&sent_from);
                });
                set_timeout(move || conversation.refetch(), DELIVERY_CHECK);
            }
        },
        false,
    );
    Effect::watch(
        move || actions.note.version().get(),
        move |_, _, _| {
            if matches!(actions.note.value().get_untracked(), Some(Ok(_)))
                && let Some(sent_from) = drafts.sent_from.get_untracked()
            {
                drafts.text.update(|text| {
                    text.remove(&(sent_from, true));
                });
            }
        },
        false,
    );
    // Tell the others this conversation is open here, for as long as it is.
    Effect::new(move |_| {
        if let Some(id) = id.get() {
            announce(id, false);
            if let Ok(repeat) =
                set_interval_with_handle(move || announce(id, false), PRESENCE_EVERY)
            {
                on_cleanup(move || repeat.clear());
            }
        }
    });
    // Reading is a POST the page makes once it shows the conversation, never a side effect of
    // loading it; every load, refetches for new messages included, reads what it showed.
    Effect::new(move |_| {
        let shown = conversation.with(|loaded| {
            loaded
                .as_ref()
                .and_then(|detail| detail.as_ref().ok())
                .map(|detail| detail.summary.id)
        });
        if let Some(id) = shown {
            spawn_local(async move {
                let _ = mark_conversation_read(id).await;
            });
        }
    });
    let (loading, set_loading) = signal(false);
    // A load renders the composer anew; the old one is still on the page when it begins.
    Effect::watch(
        move || loading.get(),
        move |loading, _, _| {
            if *loading && composer_has_focus() {
                drafts.refocus.set_value(id.get_untracked());
            }
        },
        false,
    );
    view! {
        <div class="thread-frame" aria-busy=move || loading.get().to_string()>
            <ThreadAnnouncer conversation />
            <BusyTransition
                fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }
                set_busy=set_loading
            >
                {move || {
                    let me = me.clone();
                    Suspend::new(async move {
                        match conversation.await {
                            Ok(detail) => view! {
                                <ConversationThread detail drafts me />
                            }.into_any(),
                            Err(error) => view! {
                                <p class="notice notice-error" role="alert">{error.message}</p>
                            }.into_any(),
                        }
                    })
                }}
            </BusyTransition>
        </div>
    }
}

/// Something in the thread, placed by time.
enum Entry {
    Message(Box<ThreadMessage>),
    Note(Note),
    Event(ConversationEvent),
}

impl Entry {
    fn at_ms(&self) -> i64 {
        match self {
            Entry::Message(message) => message.at_ms,
            Entry::Note(note) => note.at_ms,
            Entry::Event(event) => event.at_ms,
        }
    }
}

#[component]
fn ConversationThread(detail: ConversationDetail, drafts: Drafts, me: Me) -> impl IntoView {
    let ConversationDetail {
        summary,
        messages,
        window_closes_at,
        reply_blocked,
        notes,
        events,
        assignees,
        all_tags,
        templates,
        blur_media,
        cost,
        template_estimates,
        translation_enabled,
    } = detail;
    let i18n = use_i18n();
    let id = summary.id;
    // WhatsApp (Cloud API) and Messenger let a reply carry buttons; SMS does not.
    let offers_buttons = matches!(
        summary.channel_kind,
        ChannelKind::WhatsApp | ChannelKind::Messenger
    );
    let contact = contact_label(&summary);
    let address = (contact != summary.contact_address).then_some(summary.contact_address.clone());
    let mut entries: Vec<Entry> = messages
        .into_iter()
        .map(|message| Entry::Message(Box::new(message)))
        .chain(notes.into_iter().map(Entry::Note))
        .chain(events.into_iter().map(Entry::Event))
        .collect();
    entries.sort_by_key(Entry::at_ms);
    let entries = entries
        .into_iter()
        .map(|entry| match entry {
            Entry::Message(message) => {
                thread_message(*message, &contact, blur_media, translation_enabled).into_any()
            }
            Entry::Note(note) => note_entry(note).into_any(),
            Entry::Event(event) => event_entry(event).into_any(),
        })
        .collect_view();
    let actions = use_actions();
    let live = use_live();
    let me_id = me.id;
    let presence = move || {
        live.others_in(id, me_id)
            .into_iter()
            .map(|other| {
                let name = other.person_name;
                let doing = if other.typing {
                    t_string!(i18n, thread.presence.typing, name).to_string()
                } else {
                    t_string!(i18n, thread.presence.viewing, name).to_string()
                };
                view! { <span class="presence-person">{doing}</span> }
            })
            .collect_view()
    };
    let tags = summary
        .tags
        .iter()
        .map(|tag| {
            let tag_id = tag.id;
            let remove_label =
                t_string!(i18n, thread.remove_tag, name = tag.name.clone()).to_string();
            view! {
                <li class="tag">
                    {tag_chip(tag)}
                    <button
                        type="button"
                        class="tag-remove"
                        aria-label=remove_label
                        on:click=move |_| {
                            actions.tag.dispatch(TagConversation { id, tag_id, tagged: false });
                        }
                    >
                        "×"
                    </button>
                </li>
            }
        })
        .collect_view();
    let addable: Vec<_> = all_tags
        .into_iter()
        .filter(|tag| !summary.tags.iter().any(|on| on.id == tag.id))
        .collect();
    let add_tag = (!addable.is_empty()).then(|| {
        let options = addable
            .into_iter()
            .map(|tag| view! { <option value=tag.id>{tag.name}</option> })
            .collect_view();
        view! {
            <label class="add-tag">
                <span class="visually-hidden">{t!(i18n, thread.add_tag)}</span>
                <select
                    id="add-tag"
                    on:change=move |event| {
                        if let Ok(tag_id) = event_target_value(&event).parse() {
                            actions.tag.dispatch(TagConversation { id, tag_id, tagged: true });
                        }
                    }
                >
                    <option value="" selected>{t!(i18n, thread.add_tag_option)}</option>
                    {options}
                </select>
            </label>
        }
    });
    let urgent_form = me
        .role
        .can(Permission::EscalateConversations)
        .then(|| view! { <UrgentForm id urgent=summary.urgent /> });
    let controls = view! {
        <Controls
            id
            status=summary.status
            assignee_id=summary.assignee_id
            assignees
            me=me.clone()
        />
    };
    view! {
        <div class="thread-layout">
            <article class="thread" aria-labelledby="thread-title" data-conversation-id=id>
                <header class="thread-header">
                    <h2 id="thread-title">{contact.clone()}</h2>
                    <p class="thread-meta">
                        {urgent_marker(&summary)}
                        {address.map(|address| view! { <span class="contact-address">{address}</span> })}
                        <span class="thread-channel">
                            {channel_badge(summary.channel_kind)}
                            <span class="channel-name">{summary.channel_name.clone()}</span>
                            {summary.language.as_deref().map(language_badge)}
                        </span>
                        {status_badge(summary.status)}
                        {cost.map(|cost| view! {
                            <span class="thread-cost" id="thread-cost">
                                {t!(i18n, thread.cost, cost = move || cost.clone())}
                            </span>
                        })}
                        <span class="assignee" data-assignee=summary.assignee_id.map(|id| id.to_string())>
                            {match summary.assignee_name.clone() {
                                Some(name) => t_string!(i18n, thread.assigned_to, name).to_string(),
                                None => t_string!(i18n, thread.unassigned).to_string(),
                            }}
                        </span>
                    </p>
                    {controls}
                    <div class="thread-actions">
                        {urgent_form}
                        <SupervisionControls id assignee_id=summary.assignee_id me_id=me.id />
                    </div>
                    <ul class="tags" aria-label=move || t_string!(i18n, thread.tags)>{tags}<li>{add_tag}</li></ul>
                    <p class="presence" aria-live="polite">{presence}</p>
                    <ErrorNotice error=Signal::derive(move || actions.change_error()) />
                </header>
                {window_closes_at.map(|closes_at| view! { <ReplyWindow closes_at /> })}
                // Focusable, so the messages scroll by keyboard too.
                <div class="messages-scroller" tabindex="0" role="region" aria-label=move || t_string!(i18n, thread.messages_and_notes)>
                    <ol class="messages">{entries}</ol>
                </div>
                <FileSender id blocked=reply_blocked.is_some() />
                <Composer
                    id
                    blocked=reply_blocked
                    drafts
                    templates
                    template_estimates
                    offers_buttons
                    translation_enabled
                    contact_language=summary.language.clone()
                />
                <TemplateFileForm id />
            </article>
            <ContactPanel contact_id=summary.contact_id />
        </div>
    }
}

/// Take, assign, resolve, reopen, mark pending, snooze.
#[component]
fn Controls(
    id: i64,
    status: ConversationStatus,
    assignee_id: Option<i64>,
    assignees: Vec<crate::model::Assignee>,
    me: Me,
) -> impl IntoView {
    let i18n = use_i18n();
    let InboxActions {
        take,
        assign,
        status: set_status,
        ..
    } = use_actions();
    let can_assign = me.role.can(Permission::AssignConversations);
    let mine = assignee_id == Some(me.id);
    // Volunteers take what no one has; coordinators may also take over.
    let take_button = (!mine && (assignee_id.is_none() || can_assign)).then(|| {
        view! {
            <button type="button" class="primary take" on:click=move |_| {
                take.dispatch(TakeConversation { id });
            }>
                {t!(i18n, thread.controls.take)}
            </button>
        }
    });
    let assign_select = (can_assign && !assignees.is_empty()).then(|| {
        let options = assignees
            .into_iter()
            .map(|person| {
                let chosen = assignee_id == Some(person.id);
                view! { <option value=person.id selected=chosen>{person.name}</option> }
            })
            .collect_view();
        view! {
            <label class="assign">
                <span>{t!(i18n, thread.controls.assignee)}</span>
                <select
                    id="assign-to"
                    on:change=move |event| {
                        let assignee_id = event_target_value(&event).parse().ok();
                        assign.dispatch(AssignConversation { id, assignee_id });
                    }
                >
                    <option value="" selected=assignee_id.is_none()>
                        {t!(i18n, thread.controls.no_one)}
                    </option>
                    {options}
                </select>
            </label>
        }
    });
    let change = move |status: ConversationStatus| {
        set_status.dispatch(SetConversationStatus {
            id,
            status,
            snoozed_until: None,
        });
    };
    let status_buttons = match status {
        ConversationStatus::Resolved => view! {
            <button type="button" class="reopen" on:click=move |_| change(ConversationStatus::Open)>
                {t!(i18n, thread.controls.reopen)}
            </button>
        }
        .into_any(),
        other => view! {
            <button type="button" class="primary resolve" on:click=move |_| change(ConversationStatus::Resolved)>
                {t!(i18n, thread.controls.resolve)}
            </button>
            {(other != ConversationStatus::Pending).then(|| view! {
                <button type="button" class="mark-pending" on:click=move |_| change(ConversationStatus::Pending)>
                    {t!(i18n, thread.controls.mark_pending)}
                </button>
            })}
            {(other != ConversationStatus::Open).then(|| view! {
                <button type="button" class="reopen" on:click=move |_| change(ConversationStatus::Open)>
                    {t!(i18n, thread.controls.reopen)}
                </button>
            })}
        }
        .into_any(),
    };
    let snooze_hours = RwSignal::new(SNOOZE_HOURS[0]);
    let snooze_label = move |hours: f64| {
        if hours <= 1.0 {
            t_string!(i18n, thread.controls.one_hour)
        } else if hours <= 4.0 {
            t_string!(i18n, thread.controls.four_hours)
        } else if hours <= 24.0 {
            t_string!(i18n, thread.controls.one_day)
        } else {
            t_string!(i18n, thread.controls.one_week)
        }
    };
    let snooze_options = SNOOZE_HOURS
        .iter()
        .map(|&hours| {
            view! { <option value=hours.to_string()>{move || snooze_label(hours)}</option> }
        })
        .collect_view();
    let snooze = move |_| {
        let until = Date::new(&(Date::now() + snooze_hours.get_untracked() * 3_600_000.0).into());
        set_status.dispatch(SetConversationStatus {
            id,
            status: ConversationStatus::Snoozed,
            snoozed_until: until.to_iso_string().as_string(),
        });
    };
    view! {
        <div class="conversation-controls" role="group" aria-label=move || t_string!(i18n, thread.controls.label)>
            {take_button}
            {assign_select}
            {status_buttons}
            <span class="snooze">
                <label>
                    <span class="visually-hidden">{t!(i18n, thread.controls.snooze_for)}</span>
                    <select
                        id="snooze-for"
                        on:change=move |event| {
                            if let Ok(hours) = event_target_value(&event).parse() {
                                snooze_hours.set(hours);
                            }
                        }
                    >
                        {snooze_options}
                    </select>
                </label>
                <button type="button" class="snooze-button" on:click=snooze>
                    {t!(i18n, thread.controls.snooze)}
                </button>
            </span>
        </div>
    }
}

/// Writes a reply to the contact or a private note for the team. Before the page is
/// interactive, the reply form posts to the server function itself, which queues the reply and
/// returns to the page.
#[component]
fn Composer(
    id: i64,
    blocked: Option<String>,
    drafts: Drafts,
    templates: Vec<Template>,
    template_estimates: Vec<TemplateEstimate>,
    offers_buttons: bool,
    translation_enabled: bool,
    contact_language: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let translations = use_translations();
    let contact_language = StoredValue::new(contact_language);
    let buttons = RwSignal::new(vec![String::new(); 3]);
    let actions = use_actions();
    let mode = actions.mode;
    let form = NodeRef::<leptos::html::Form>::new();
    let is_note = move || mode.get() == ComposeMode::Note;
    let pending = Signal::derive(move || {
        if is_note() {
            actions.note.pending().get()
        } else {
            actions.send.pending().get() || actions.send_translated.pending().get()
        }
    });
    let has_templates = !templates.is_empty();
    let is_template = move || has_templates && mode.get() == ComposeMode::Template;
    let reply_is_blocked = blocked.is_some();
    let is_blocked = move || !is_note() && reply_is_blocked;
    let body = NodeRef::<leptos::html::Textarea>::new();
    let remember_caret = move || {
        if let Some(body) = body.get_untracked() {
            let start = body.selection_start().ok().flatten().unwrap_or(0);
            let end = body.selection_end().ok().flatten().unwrap_or(start);
            drafts.caret.set_value((start, end));
        }
    };
    Effect::new(move |_| {
        let Some(body) = body.get() else {
            return;
        };
        let had_focus = drafts.refocus.get_value() == Some(id);
        drafts.refocus.set_value(None);
        if had_focus {
            let (start, end) = drafts.caret.get_value();
            let _ = body.focus();
            let _ = body.set_selection_range(start, end);
        }
    });
    let draft = move || {
        drafts
            .text
            .with(|text| text.get(&(id, is_note())).cloned().unwrap_or_default())
    };
    let edit = move |event| {
        remember_caret();
        let text = event_target_value(&event);
        let note = mode.get_untracked() == ComposeMode::Note;
        drafts.text.update(|drafts| {
            drafts.insert((id, note), text);
        });
        if !note && Date::now() - drafts.typing_told_at.get_untracked() > TYPING_EVERY_MS {
            drafts.typing_told_at.set(Date::now());
            announce(id, true);
        }
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        // The button only looks disabled while sending, so it keeps the focus; this is the guard.
        // A template is sent with its own button, not by submitting the reply form.
        if pending.get_untracked() || untrack(is_template) {
            return;
        }
        drafts.sent_from.set(Some(id));
        let body = untrack(draft);
        if mode.get_untracked() == ComposeMode::Note {
            actions.note.dispatch(AddConversationNote { id, body });
        } else {
            let offered: Vec<String> = buttons
                .get_untracked()
                .into_iter()
                .map(|title| title.trim().to_string())
                .filter(|title| !title.is_empty())
                .collect();
            actions.send.dispatch(SendReply {
                conversation_id: id,
                body,
                buttons: Some(offered),
            });
        }
    };
    let translation = move || translations.drafts.with(|drafts| drafts.get(&id).cloned());
    let has_translation = move || translation_enabled && translation().is_some();
    let translation_language = move || {
        translation()
            .map(|translation| {
                let language = crate::components::language_label(&translation.target_language);
                t_string!(i18n, thread.composer.send_translation, language).to_string()
            })
            .unwrap_or_default()
    };
    let send_translation = move |_| {
        if pending.get_untracked() {
            return;
        }
        let Some(translation) = translation() else {
            return;
        };
        drafts.sent_from.set(Some(id));
        actions.send_translated.dispatch(SendTranslatedReply {
            conversation_id: id,
            text: translation.text,
            original_text: untrack(draft),
            language: translation.target_language,
        });
    };
    // Enter keeps its textarea meaning, a new line; Ctrl+Enter (Cmd+Enter on a Mac) sends.
    let shortcut = move |event: KeyboardEvent| {
        if event.key().eq_ignore_ascii_case("enter") && (event.ctrl_key() || event.meta_key()) {
            event.prevent_default();
            if let Some(form) = form.get_untracked() {
                let _ = form.request_submit();
            }
        }
    };
    let mine = move || drafts.sent_from.get() == Some(id);
    let error = Signal::derive(move || {
        mine()
            .then(|| {
                if is_note() {
                    actions.note.value().get().and_then(Result::err)
                } else {
                    actions
                        .send
                        .value()
                        .get()
                        .and_then(Result::err)
                        .or_else(|| actions.send_translated.value().get().and_then(Result::err))
                }
            })
            .flatten()
    });
    let queued = move || {
        mine() && !is_note() && matches!(actions.send.value().get(), Some(Ok(()))) && !pending.get()
    };
    let note = move || match (is_note(), blocked.clone()) {
        (true, _) => view! {
            <p class="composer-hint" id="composer-note">
                {t!(i18n, thread.composer.note_hint)}
            </p>
        }
        .into_any(),
        (false, Some(reason)) => view! {
            <p class="composer-blocked" id="composer-note" role="note">{reason}</p>
        }
        .into_any(),
        (false, None) => view! {
            <p class="composer-hint" id="composer-note">{t!(i18n, thread.composer.send_hint)}</p>
        }
        .into_any(),
    };
    // Canned responses go into the reply being written, where the person can still edit them.
    let canned = Resource::new(|| (), |_| list_canned_responses());
    let picker = NodeRef::<leptos::html::Select>::new();
    let insert = move |event| {
        let Ok(chosen) = event_target_value(&event).parse::<i64>() else {
            return;
        };
        let body = canned.with_untracked(|list| {
            list.as_ref()
                .and_then(|list| list.as_ref().ok())
                .and_then(|list| list.iter().find(|canned| canned.id == chosen))
                .map(|canned| canned.body.clone())
        });
        if let Some(body) = body {
            drafts.text.update(|text| {
                let draft = text.entry((id, false)).or_default();
                if !draft.is_empty() && !draft.ends_with(char::is_whitespace) {
                    draft.push(' ');
                }
                draft.push_str(&body);
            });
            mode.set(ComposeMode::Reply);
        }
        if let Some(select) = picker.get_untracked() {
            select.set_value("");
        }
    };
    let canned_picker = move || {
        Suspend::new(async move {
            let list = canned.await.unwrap_or_default();
            (!list.is_empty()).then(|| {
                let options = list
                    .into_iter()
                    .map(|canned| view! { <option value=canned.id>{canned.shortcut}</option> })
                    .collect_view();
                view! {
                    <label class="canned-picker">
                        <span class="visually-hidden">{t!(i18n, thread.composer.insert_canned)}</span>
                        <select id="canned-response" node_ref=picker on:change=insert>
                            <option value="" selected>{t!(i18n, thread.composer.canned)}</option>
                            {options}
                        </select>
                    </label>
                }
            })
        })
    };
    let mode_tab = move |which: ComposeMode, code: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                class="compose-mode"
                data-mode=code
                aria-selected=move || (mode.get() == which).to_string()
                on:click=move |_| mode.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <form
            class="composer"
            class:composer-note=is_note
            method="post"
            action=SendReply::url()
            aria-label=move || {
                if is_note() {
                    t_string!(i18n, thread.composer.private_note)
                } else {
                    t_string!(i18n, thread.composer.reply)
                }
            }
            node_ref=form
            on:submit=submit
        >
            // A tab list holds tabs only; the canned responses sit beside it.
            <div class="compose-bar">
                <div class="compose-modes" role="tablist" aria-label=move || t_string!(i18n, thread.composer.write)>
                    {mode_tab(ComposeMode::Reply, "reply", t_string!(i18n, thread.composer.reply))}
                    {has_templates.then(|| {
                        mode_tab(ComposeMode::Template, "template", t_string!(i18n, thread.composer.template))
                    })}
                    {mode_tab(ComposeMode::Note, "note", t_string!(i18n, thread.composer.private_note))}
                </div>
                <Transition fallback=|| ()>{canned_picker}</Transition>
            </div>
            <input type="hidden" name="conversation_id" value=id />
            <Show
                when=is_template
                fallback=move || view! {
                    <label class="visually-hidden" for=COMPOSER_BODY>
                        {move || {
                            if is_note() {
                                t_string!(i18n, thread.composer.private_note)
                            } else {
                                t_string!(i18n, thread.composer.reply)
                            }
                        }}
                    </label>
                    <textarea
                        id=COMPOSER_BODY
                        dir="auto"
                        node_ref=body
                        name="body"
                        rows="3"
                        required
                        placeholder=move || {
                            if is_note() {
                                t_string!(i18n, thread.composer.note_placeholder)
                            } else {
                                t_string!(i18n, thread.composer.reply_placeholder)
                            }
                        }
                        aria-describedby="composer-note"
                        disabled=is_blocked
                        // Read-only while sending, so the text cleared on success is the text sent.
                        readonly=pending
                        prop:value=draft
                        on:input=edit
                        on:keydown=shortcut
                        on:keyup=move |_| remember_caret()
                        on:mouseup=move |_| remember_caret()
                        on:select=move |_| remember_caret()
                    ></textarea>
                    {note.clone()}
                    {move || (offers_buttons && !is_note()).then(|| view! {
                        <details class="reply-buttons">
                            <summary>{t!(i18n, thread.composer.add_buttons)}</summary>
                            {(0..3).map(|index| view! {
                                <label>
                                    {t!(i18n, thread.composer.button, number = move || index + 1)}
                                    <input
                                        id=format!("reply-button-{}", index + 1)
                                        maxlength="20"
                                        prop:value=move || buttons.with(|b| b[index].clone())
                                        on:input=move |event| {
                                            let title = event_target_value(&event);
                                            buttons.update(|b| b[index] = title);
                                        }
                                    />
                                </label>
                            }).collect_view()}
                        </details>
                    })}
                    {move || (translation_enabled && !is_note() && !is_blocked()).then(|| view! {
                        <DraftTranslator
                            conversation_id=id
                            contact_language=contact_language.get_value()
                            draft=Signal::derive(draft)
                        />
                    })}
                    <button
                        type="submit"
                        class="primary"
                        disabled=is_blocked
                        aria-disabled=move || pending.get().then_some("true")
                    >
                        {move || {
                            if is_note() {
                                t_string!(i18n, thread.composer.add_note)
                            } else if has_translation() {
                                t_string!(i18n, thread.composer.send_as_written)
                            } else {
                                t_string!(i18n, thread.composer.send)
                            }
                        }}
                    </button>
                    {move || (!is_note() && has_translation()).then(|| view! {
                        <button
                            type="button"
                            class="primary"
                            id="send-translation"
                            disabled=is_blocked
                            aria-disabled=move || pending.get().then_some("true")
                            on:click=send_translation
                        >
                            {translation_language}
                        </button>
                    })}
                }
            >
                <TemplatePicker id templates=templates.clone() estimates=template_estimates.clone() send=actions.send_template />
            </Show>
            <ErrorNotice error />
            <p class="visually-hidden" role="status">
                {move || queued().then(|| t_string!(i18n, thread.composer.queued))}
            </p>
        </form>
    }
}

/// The types a file sent to a contact may have (the server checks them again).
const SENDABLE_FILES: &str =
    "image/*,audio/*,video/*,application/pdf,text/plain,text/csv,.doc,.docx,.xls,.xlsx,.pptx";

/// Sends a picture, sound, video or document with an optional caption. A plain form post, so
/// it works before the page is interactive; the server comes back here with what went wrong,
/// if anything.
#[component]
fn FileSender(id: i64, blocked: bool) -> impl IntoView {
    let i18n = use_i18n();
    let actions = use_actions();
    let query = use_query_map();
    let error = move || query.with(|query| query.get("file_error"));
    view! {
        <Show when=move || !blocked && actions.mode.get() == ComposeMode::Reply>
            <form
                class="file-sender"
                method="post"
                enctype="multipart/form-data"
                action=format!("/conversations/{id}/files")
            >
                <label>
                    {t!(i18n, thread.file.label)}
                    <input type="file" name="file" id="file-input" required accept=SENDABLE_FILES />
                </label>
                <label>
                    {t!(i18n, thread.file.caption)}
                    <input name="caption" id="file-caption" maxlength="1024" />
                </label>
                <button type="submit" class="secondary" id="send-file">
                    {t!(i18n, thread.file.send)}
                </button>
            </form>
        </Show>
        {move || error().map(|message| view! {
            <p class="notice notice-error" role="alert" id="file-error">{message}</p>
        })}
    }
}

fn note_entry(note: Note) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="note" data-note-id=note.id>
            <p class="note-label">
                <span class="note-badge">{t!(i18n, thread.composer.private_note)}</span>
                " "
                <span class="message-author">{note.author_name}</span>
            </p>
            <p class="note-body" dir="auto">{note.body}</p>
            <p class="message-meta"><Time at=note.at style=TimeStyle::Full /></p>
        </li>
    }
}

fn event_entry(event: ConversationEvent) -> impl IntoView {
    let sentence = event_sentence(event.facts, event.text);
    view! {
        <li class="conversation-event" data-event-id=event.id>
            <span>{sentence}</span>
            " · "
            <Time at=event.at style=TimeStyle::Full />
        </li>
    }
}

/// What happened, told in the page's language; for what the page has no words for, `text`:
/// the server's sentence.
fn event_sentence(facts: Option<EventFacts>, text: String) -> AnyView {
    let i18n = use_i18n();
    let someone = || t_string!(i18n, thread.events.someone).to_owned();
    let sentence = match facts {
        Some(EventFacts::Took { who }) => t_string!(i18n, thread.events.took, who).to_string(),
        Some(EventFacts::Assigned { who, assignee }) => {
            t_string!(i18n, thread.events.assigned, who, assignee).to_string()
        }
        Some(EventFacts::Unassigned { who }) => {
            t_string!(i18n, thread.events.unassigned, who).to_string()
        }
        Some(EventFacts::Tagged { who, tag }) => {
            t_string!(i18n, thread.events.tagged, who, tag).to_string()
        }
        Some(EventFacts::Untagged { who, tag }) => {
            t_string!(i18n, thread.events.untagged, who, tag).to_string()
        }
        Some(EventFacts::Resolved { who }) => {
            t_string!(i18n, thread.events.resolved, who).to_string()
        }
        Some(EventFacts::Reopened { who }) => {
            t_string!(i18n, thread.events.reopened, who).to_string()
        }
        Some(EventFacts::MarkedPending { who }) => {
            t_string!(i18n, thread.events.marked_pending, who).to_string()
        }
        Some(EventFacts::Snoozed {
            who,
            until: Some(until),
        }) => {
            // The time as the page shows times: local, in the page's language, once hydrated.
            let who = move || who.clone();
            let time = move || view! { <Time at=until.clone() style=TimeStyle::Full /> };
            return t!(i18n, thread.events.snoozed_until, who, time).into_any();
        }
        Some(EventFacts::Snoozed { who, until: None }) => {
            t_string!(i18n, thread.events.snoozed, who).to_string()
        }
        Some(EventFacts::SnoozeEnded) => t_string!(i18n, thread.events.snooze_ended).to_owned(),
        Some(EventFacts::RiskWord { word }) => {
            t_string!(i18n, thread.events.risk_word, word).to_string()
        }
        Some(EventFacts::MarkedUrgent {
            who,
            reason: Some(reason),
        }) => t_string!(i18n, thread.events.marked_urgent_because, who, reason).to_string(),
        Some(EventFacts::MarkedUrgent { who, reason: None }) => {
            t_string!(i18n, thread.events.marked_urgent, who).to_string()
        }
        Some(EventFacts::UrgentCleared { who, reason }) => {
            t_string!(i18n, thread.events.urgent_cleared, who, reason).to_string()
        }
        Some(EventFacts::Joined { who }) => {
            let who = who.unwrap_or_else(someone);
            t_string!(i18n, thread.events.joined, who).to_string()
        }
        Some(EventFacts::TookOver { who, from }) => {
            let who = who.unwrap_or_else(someone);
            match from {
                Some(previous) => {
                    t_string!(i18n, thread.events.took_over_from, who, previous).to_string()
                }
                None => t_string!(i18n, thread.events.took_over, who).to_string(),
            }
        }
        Some(EventFacts::Approved { who, author }) => {
            let who = who.unwrap_or_else(someone);
            match author {
                Some(author) => t_string!(i18n, thread.events.approved, who, author).to_string(),
                None => t_string!(i18n, thread.events.approved_team, who).to_string(),
            }
        }
        Some(EventFacts::Rejected { who, author, note }) => {
            let who = who.unwrap_or_else(someone);
            match author {
                Some(author) => {
                    t_string!(i18n, thread.events.rejected, who, author, note).to_string()
                }
                None => t_string!(i18n, thread.events.rejected_team, who, note).to_string(),
            }
        }
        Some(EventFacts::Other) | None => text,
    };
    sentence.into_any()
}

/// WhatsApp and Messenger allow free-form replies for 24 hours after the contact's last message;
/// after that only approved templates.
#[component]
fn ReplyWindow(closes_at: String) -> impl IntoView {
    let i18n = use_i18n();
    let now = use_now();
    let closed = {
        let closes_at = closes_at.clone();
        Memo::new(move |_| now.get().is_some_and(|now| is_past(&closes_at, now)))
    };
    move || {
        if closed.get() {
            view! {
                <p class="reply-window" data-window="closed" role="note">
                    {t!(i18n, thread.window.closed)}
                </p>
            }
            .into_any()
        } else {
            let closes_at = closes_at.clone();
            let time = move || view! { <Time at=closes_at.clone() style=TimeStyle::Full /> };
            view! {
                <p class="reply-window" data-window="open" role="note">
                    {t!(i18n, thread.window.open, time)}
                </p>
            }
            .into_any()
        }
    }
}

fn thread_message(
    message: ThreadMessage,
    contact: &str,
    blur_media: bool,
    translation_enabled: bool,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let outbound = message.direction == "outbound";
    // What contacts send is blurred for volunteers; what the team sent is not.
    let blur = blur_media && !outbound;
    let direction = if outbound { "outbound" } else { "inbound" };
    // Who wrote a reply shows: in a shared inbox the team needs to know. Replies sent outside
    // Switchboard have no author.
    let (sender, sender_class) = match (outbound, message.author_name) {
        (true, Some(author)) => (author, "message-author"),
        (true, None) => (
            t_string!(i18n, thread.message.from_team).to_string(),
            "visually-hidden",
        ),
        (false, _) => (
            t_string!(i18n, thread.message.from_contact, contact).to_string(),
            "visually-hidden",
        ),
    };
    let failure = (message.status == "failed").then(|| {
        let reason = message
            .error_explanation
            .or_else(|| {
                message
                    .error_code
                    .map(|code| t_string!(i18n, thread.message.error_code, code).to_string())
            })
            .unwrap_or_else(|| t_string!(i18n, thread.message.no_reason).to_string());
        view! { <p class="delivery-error" role="note">{reason}</p> }
    });
    // Why a reply still shows "Sending…": the last reason and the next try.
    let retrying = (message.status == "pending")
        .then_some(message.delivery_retry)
        .flatten()
        .map(|retry| {
            let reason = retry.reason;
            let next_attempt_at = retry.next_attempt_at;
            let (attempt, last) = (retry.attempt, retry.last_attempt);
            let time = move || view! { <Time at=next_attempt_at.clone() style=TimeStyle::Full /> };
            view! {
                <p class="delivery-retry" role="note">
                    {t!(
                        i18n,
                        thread.message.retrying,
                        reason = move || reason.clone(),
                        time,
                        attempt = move || attempt,
                        last = move || last
                    )}
                </p>
            }
        });
    let attachments = message
        .attachments
        .into_iter()
        .map(|attachment| attachment_view(attachment, contact, blur))
        .collect_view();
    let offered = (!message.buttons.is_empty()).then(|| {
        view! {
            <ul class="offered-buttons" aria-label=move || t_string!(i18n, thread.message.buttons_offered)>
                {message.buttons.into_iter().map(|title| view! { <li>{title}</li> }).collect_view()}
            </ul>
        }
    });
    let reactions = (!message.reactions.is_empty()).then(|| {
        view! {
            <p class="reactions">
                <span class="visually-hidden">{t!(i18n, thread.message.reactions)} " "</span>
                {message.reactions.join(" ")}
            </p>
        }
    });
    let message_id = message.id;
    // A contact's words can be translated; a reply sent translated shows what was written.
    let translation = match (outbound, message.translated_to, message.original_text) {
        (true, Some(language), Some(original)) => {
            Some(sent_translation(language, original).into_any())
        }
        (false, _, _) if translation_enabled && !message.body.trim().is_empty() => {
            Some(message_translation(message_id).into_any())
        }
        _ => None,
    };
    // A trainee's reply waiting for a coordinator (who sees the review controls).
    let review = (outbound && message.status == "awaiting_approval").then(|| {
        view! {
            <ReviewControls
                message_id
                body=message.body.clone()
                editable=message.kind == "text"
            />
        }
    });
    let retry = (outbound && matches!(message.status.as_str(), "failed" | "unknown")).then(|| {
        let actions = use_actions();
        view! {
            <button
                type="button"
                class="retry"
                on:click=move |_| {
                    actions.retry.dispatch(RetryMessage { message_id });
                }
            >
                {t!(i18n, thread.message.send_again)}
            </button>
        }
    });
    view! {
        <li
            class=format!("message {direction}")
            id=format!("message-{}", message.id)
            data-message-id=message.id
            data-kind=message.kind
            data-status=message.status.clone()
        >
            <span class=sender_class>{sender}</span>
            <div class="bubble">
                {attachments}
                {(!message.body.is_empty()).then(|| view! {
                    <p class="message-body" dir="auto">{message.body}</p>
                })}
            </div>
            <p class="message-meta">
                {message.survey.map(|part| view! { <span class="message-survey">{part}</span> })}
                <Time at=message.sent_at style=TimeStyle::Full />
                {outbound.then(|| delivery(&message.status))}
                {message.cost.map(|cost| view! {
                    <span class="message-cost" title=cost.explanation.clone()>
                        <span class="visually-hidden">{t!(i18n, thread.message.cost)} " "</span>
                        {cost.amount}
                        <span class="visually-hidden">{format!(" ({})", cost.explanation)}</span>
                    </span>
                })}
            </p>
            {translation}
            {offered}
            {retrying}
            {failure}
            {retry}
            {review}
            {reactions}
        </li>
    }
}

/// Ticks as in the messaging apps, always with a word beside them.
fn delivery(status: &str) -> Option<impl IntoView + use<>> {
    let i18n = use_i18n();
    let (ticks, label) = match status {
        "pending" | "queued" => ("", t_string!(i18n, thread.delivery.sending)),
        "sent" => ("✓", t_string!(i18n, thread.delivery.sent)),
        "delivered" => ("✓✓", t_string!(i18n, thread.delivery.delivered)),
        "read" => ("✓✓", t_string!(i18n, thread.delivery.read)),
        "failed" => ("⚠", t_string!(i18n, thread.delivery.failed)),
        "unknown" => ("⚠", t_string!(i18n, thread.delivery.unknown)),
        "awaiting_approval" => ("⏳", t_string!(i18n, thread.delivery.awaiting_approval)),
        "rejected" => ("✕", t_string!(i18n, thread.delivery.rejected)),
        _ => return None,
    };
    // Unknown is the one outcome a person must act on: they decide whether to send again.
    let note = (status == "unknown").then_some("note");
    Some(view! {
        <span class="delivery" data-status=status.to_owned() role=note>
            <span class="ticks" aria-hidden="true">{ticks}</span>
            " "
            {label}
        </span>
    })
}

/// A file in the thread; a picture or video from a contact is `blur`red until clicked.
fn attachment_view(attachment: AttachmentView, contact: &str, blur: bool) -> AnyView {
    let id = attachment.id;
    let media = attachment_media(attachment, contact);
    match media {
        Media::Blurrable(what, media) if blur => {
            wellbeing::blurred_media(id, what, media).into_any()
        }
        Media::Blurrable(_, media) | Media::Other(media) => media,
    }
}

/// A rendered attachment, and whether it is something seen (a picture or a video, which a
/// volunteer may prefer not to see at once).
enum Media {
    Blurrable(&'static str, AnyView),
    Other(AnyView),
}

fn attachment_media(attachment: AttachmentView, contact: &str) -> Media {
    let i18n = use_i18n();
    let url = match (attachment.state.as_str(), attachment.url) {
        ("pending", _) => {
            return Media::Other(
                view! { <p class="attachment attachment-pending">{t!(i18n, thread.attachment.downloading)}</p> }.into_any(),
            );
        }
        ("stored", Some(url)) => url,
        ("expired", _) => {
            return Media::Other(
                view! { <p class="attachment attachment-failed">{t!(i18n, thread.attachment.expired)}</p> }
                .into_any(),
            );
        }
        _ => {
            return Media::Other(
                view! { <p class="attachment attachment-failed">{t!(i18n, thread.attachment.failed)}</p> }
                    .into_any(),
            );
        }
    };
    match attachment.kind.as_str() {
        "image" => Media::Blurrable(
            "picture",
            view! {
                <img class="attachment" src=url alt=t_string!(i18n, thread.attachment.photo, contact).to_string() loading="lazy" />
            }
            .into_any(),
        ),
        "sticker" => Media::Blurrable(
            "picture",
            view! {
                <img class="attachment sticker" src=url alt=t_string!(i18n, thread.attachment.sticker, contact).to_string() loading="lazy" />
            }
            .into_any(),
        ),
        kind @ ("audio" | "voice") => {
            let label = if kind == "voice" {
                t_string!(i18n, thread.attachment.voice, contact).to_string()
            } else {
                t_string!(i18n, thread.attachment.audio, contact).to_string()
            };
            let view = view! {
                <audio
                    class="attachment"
                    controls
                    preload="metadata"
                    src=url
                    aria-label=label
                ></audio>
            }
            .into_any();
            Media::Other(view)
        }
        "video" => Media::Blurrable("video", view! {
            <video
                class="attachment"
                controls
                preload="metadata"
                src=url
                aria-label=t_string!(i18n, thread.attachment.video, contact).to_string()
            ></video>
        }
        .into_any()),
        _ => {
            let name = attachment.filename.unwrap_or_default();
            let label = if name.is_empty() {
                t_string!(i18n, thread.attachment.download_file).to_string()
            } else {
                t_string!(i18n, thread.attachment.download, name = name.clone()).to_string()
            };
            Media::Other(
                view! {
                    <a class="attachment attachment-file" href=url download=name>{label}</a>
                }
                .into_any(),
            )
        }
    }
}
