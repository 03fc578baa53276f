//! The open conversation: who it is with, whether free-form replies are still possible, its
//! messages, oldest first, and the reply composer. Everything a contact sent is rendered as text,
//! never as markup.

use std::collections::HashMap;
use std::time::Duration;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::clock::{Time, TimeStyle, is_past, use_now};
use super::{channel_badge, contact_label, status_badge};
use crate::api::{SendReply, get_conversation};
use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::model::{AttachmentView, ConversationDetail, ThreadMessage};

/// A queued reply is usually with the provider by then, so its tick can replace "Sending…".
const DELIVERY_CHECK: Duration = Duration::from_secs(2);

/// The composer's state. It lives in the thread, not in the composer, because every refetch of
/// the conversation renders the composer anew.
#[derive(Clone, Copy)]
struct Replies {
    send: ServerAction<SendReply>,
    /// Unsent text by conversation, so switching conversations neither loses nor carries a draft.
    drafts: RwSignal<HashMap<i64, String>>,
    /// Where the last reply was written: its outcome belongs there, even after a switch.
    sent_from: RwSignal<Option<i64>>,
}

#[component]
pub fn Thread(id: Memo<Option<i64>>, send: ServerAction<SendReply>) -> impl IntoView {
    let conversation = Resource::new(
        move || (id.get(), send.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_conversation(id).await,
                None => Err(AppError::not_found("Conversation")),
            }
        },
    );
    let replies = Replies {
        send,
        drafts: RwSignal::new(HashMap::new()),
        sent_from: RwSignal::new(None),
    };
    // The version keys the refetch that shows the new message; this clears the sent text and
    // looks again once for its delivery status.
    Effect::watch(
        move || send.version().get(),
        move |_, _, _| {
            if matches!(send.value().get_untracked(), Some(Ok(()))) {
                if let Some(sent_from) = replies.sent_from.get_untracked() {
                    replies.drafts.update(|drafts| {
                        drafts.remove(&sent_from);
                    });
                }
                set_timeout(move || conversation.refetch(), DELIVERY_CHECK);
            }
        },
        false,
    );
    let (loading, set_loading) = signal(false);
    view! {
        <div class="thread-frame" aria-busy=move || loading.get().to_string()>
            <Transition
                fallback=|| view! { <p class="loading">"Loading…"</p> }
                set_pending=set_loading
            >
                {move || Suspend::new(async move {
                    match conversation.await {
                        Ok(detail) => view! { <ConversationThread detail replies /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ConversationThread(detail: ConversationDetail, replies: Replies) -> impl IntoView {
    let ConversationDetail {
        summary,
        messages,
        window_closes_at,
        reply_blocked,
    } = detail;
    let id = summary.id;
    let contact = contact_label(&summary);
    let address = (contact != summary.contact_address).then_some(summary.contact_address);
    let messages = messages
        .into_iter()
        .map(|message| thread_message(message, &contact))
        .collect_view();
    view! {
        <article class="thread" aria-labelledby="thread-title" data-conversation-id=id>
            <header class="thread-header">
                <h2 id="thread-title">{contact}</h2>
                <p class="thread-meta">
                    {address.map(|address| view! { <span class="contact-address">{address}</span> })}
                    <span class="thread-channel">
                        {channel_badge(summary.channel_kind)}
                        <span class="channel-name">{summary.channel_name}</span>
                    </span>
                    {status_badge(summary.status)}
                    {summary.assignee_name.map(|name| view! {
                        <span class="assignee">"Assigned to " {name}</span>
                    })}
                </p>
            </header>
            {window_closes_at.map(|closes_at| view! { <ReplyWindow closes_at /> })}
            <div class="messages-scroller">
                <ol class="messages" aria-label="Messages">{messages}</ol>
            </div>
            <Composer id blocked=reply_blocked replies />
        </article>
    }
}

/// Writes a free-text reply. Before the page is interactive, the form posts to the server function
/// itself, which queues the reply and returns to the page.
#[component]
fn Composer(id: i64, blocked: Option<String>, replies: Replies) -> impl IntoView {
    let Replies {
        send,
        drafts,
        sent_from,
    } = replies;
    let form = NodeRef::<leptos::html::Form>::new();
    let pending = send.pending();
    let is_blocked = blocked.is_some();
    let draft = move || drafts.with(|drafts| drafts.get(&id).cloned().unwrap_or_default());
    let edit = move |event| {
        let text = event_target_value(&event);
        drafts.update(|drafts| {
            drafts.insert(id, text);
        });
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        // The button only looks disabled while sending, so it keeps the focus; this is the guard.
        if pending.get_untracked() {
            return;
        }
        sent_from.set(Some(id));
        send.dispatch(SendReply {
            conversation_id: id,
            body: untrack(draft),
        });
    };
    // Enter keeps its textarea meaning, a new line; Ctrl+Enter (Cmd+Enter on a Mac) sends.
    let shortcut = move |event: KeyboardEvent| {
        if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
            event.prevent_default();
            if let Some(form) = form.get_untracked() {
                let _ = form.request_submit();
            }
        }
    };
    let mine = move || sent_from.get() == Some(id);
    let error = Signal::derive(move || {
        mine()
            .then(|| send.value().get().and_then(Result::err))
            .flatten()
    });
    let queued = move || mine() && matches!(send.value().get(), Some(Ok(()))) && !pending.get();
    let note = match blocked {
        Some(reason) => view! {
            <p class="composer-blocked" id="composer-note" role="note">{reason}</p>
        }
        .into_any(),
        None => view! {
            <p class="composer-hint" id="composer-note">"Ctrl+Enter or ⌘+Enter sends."</p>
        }
        .into_any(),
    };
    view! {
        <form
            class="composer"
            method="post"
            action=SendReply::url()
            aria-label="Reply"
            node_ref=form
            on:submit=submit
        >
            <input type="hidden" name="conversation_id" value=id />
            <label class="visually-hidden" for="composer-body">"Reply"</label>
            <textarea
                id="composer-body"
                name="body"
                rows="3"
                required
                placeholder="Write a reply…"
                aria-describedby="composer-note"
                disabled=is_blocked
                // Read-only while sending, so the text cleared on success is the text sent.
                readonly=pending
                prop:value=draft
                on:input=edit
                on:keydown=shortcut
            ></textarea>
            {note}
            <button
                type="submit"
                class="primary"
                disabled=is_blocked
                aria-disabled=move || pending.get().then_some("true")
            >
                "Send"
            </button>
            <ErrorNotice error />
            <p class="visually-hidden" role="status">
                {move || queued().then_some("Reply queued for sending.")}
            </p>
        </form>
    }
}

/// WhatsApp and Messenger allow free-form replies for 24 hours after the contact's last message;
/// after that only approved templates.
#[component]
fn ReplyWindow(closes_at: String) -> impl IntoView {
    let now = use_now();
    let closed = {
        let closes_at = closes_at.clone();
        Memo::new(move |_| now.get().is_some_and(|now| is_past(&closes_at, now)))
    };
    move || {
        if closed.get() {
            view! {
                <p class="reply-window" data-window="closed" role="note">
                    "The 24-hour window has closed: only approved templates can be sent."
                </p>
            }
            .into_any()
        } else {
            view! {
                <p class="reply-window" data-window="open" role="note">
                    "Free-form replies possible until "
                    <Time at=closes_at.clone() style=TimeStyle::Full />
                    "."
                </p>
            }
            .into_any()
        }
    }
}

fn thread_message(message: ThreadMessage, contact: &str) -> impl IntoView + use<> {
    let outbound = message.direction == "outbound";
    let direction = if outbound { "outbound" } else { "inbound" };
    // Who wrote a reply shows: in a shared inbox the team needs to know. Replies sent outside
    // Switchboard have no author.
    let (sender, sender_class) = match (outbound, message.author_name) {
        (true, Some(author)) => (author, "message-author"),
        (true, None) => ("Reply from the team:".to_owned(), "visually-hidden"),
        (false, _) => (format!("{contact}:"), "visually-hidden"),
    };
    let failure = (message.status == "failed").then(|| {
        let reason = message
            .error_explanation
            .or_else(|| message.error_code.map(|code| format!("Error code {code}.")))
            .unwrap_or_else(|| "The provider gave no reason.".into());
        view! { <p class="delivery-error" role="note">{reason}</p> }
    });
    let attachments = message
        .attachments
        .into_iter()
        .map(|attachment| attachment_view(attachment, contact))
        .collect_view();
    let reactions = (!message.reactions.is_empty()).then(|| {
        view! {
            <p class="reactions">
                <span class="visually-hidden">"Reactions: "</span>
                {message.reactions.join(" ")}
            </p>
        }
    });
    view! {
        <li
            class=format!("message {direction}")
            data-message-id=message.id
            data-kind=message.kind
            data-status=message.status.clone()
        >
            <span class=sender_class>{sender}</span>
            <div class="bubble">
                {attachments}
                {(!message.body.is_empty()).then(|| view! {
                    <p class="message-body">{message.body}</p>
                })}
            </div>
            <p class="message-meta">
                <Time at=message.sent_at style=TimeStyle::Full />
                {outbound.then(|| delivery(&message.status))}
            </p>
            {failure}
            {reactions}
        </li>
    }
}

/// Ticks as in the messaging apps, always with a word beside them.
fn delivery(status: &str) -> Option<impl IntoView + use<>> {
    let (ticks, label) = match status {
        "pending" | "queued" => ("", "Sending…"),
        "sent" => ("✓", "Sent"),
        "delivered" => ("✓✓", "Delivered"),
        "read" => ("✓✓", "Read"),
        "failed" => ("⚠", "Not delivered"),
        "unknown" => ("⚠", "May not have been delivered"),
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

fn attachment_view(attachment: AttachmentView, contact: &str) -> AnyView {
    let url = match (attachment.state.as_str(), attachment.url) {
        ("pending", _) => {
            return view! { <p class="attachment attachment-pending">"Downloading…"</p> }
                .into_any();
        }
        ("stored", Some(url)) => url,
        _ => {
            return view! { <p class="attachment attachment-failed">"Could not be downloaded"</p> }
                .into_any();
        }
    };
    match attachment.kind.as_str() {
        "image" => view! {
            <img class="attachment" src=url alt=format!("Photo from {contact}") loading="lazy" />
        }
        .into_any(),
        "sticker" => view! {
            <img class="attachment sticker" src=url alt=format!("Sticker from {contact}") loading="lazy" />
        }
        .into_any(),
        kind @ ("audio" | "voice") => {
            let what = if kind == "voice" { "Voice message" } else { "Audio" };
            view! {
                <audio
                    class="attachment"
                    controls
                    preload="metadata"
                    src=url
                    aria-label=format!("{what} from {contact}")
                ></audio>
            }
            .into_any()
        }
        "video" => view! {
            <video
                class="attachment"
                controls
                preload="metadata"
                src=url
                aria-label=format!("Video from {contact}")
            ></video>
        }
        .into_any(),
        _ => {
            let name = attachment.filename.unwrap_or_default();
            let label = if name.is_empty() { "Download the file".to_owned() } else { format!("Download {name}") };
            view! {
                <a class="attachment attachment-file" href=url download=name>{label}</a>
            }
            .into_any()
        }
    }
}
