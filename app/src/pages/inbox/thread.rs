//! The open conversation: who it is with, whether free-form replies are still possible, and its
//! messages, oldest first. Everything a contact sent is rendered as text, never as markup.

use leptos::prelude::*;

use super::clock::{Time, TimeStyle, is_past, use_now};
use super::{channel_badge, contact_label, status_badge};
use crate::api::get_conversation;
use crate::error::AppError;
use crate::model::{AttachmentView, ConversationDetail, ThreadMessage};

#[component]
pub fn Thread(id: Memo<Option<i64>>) -> impl IntoView {
    let conversation = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_conversation(id).await,
                None => Err(AppError::not_found("Conversation")),
            }
        },
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
                        Ok(detail) => view! { <ConversationThread detail /> }.into_any(),
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
fn ConversationThread(detail: ConversationDetail) -> impl IntoView {
    let ConversationDetail {
        summary,
        messages,
        window_closes_at,
    } = detail;
    let contact = contact_label(&summary);
    let address = (contact != summary.contact_address).then_some(summary.contact_address);
    let messages = messages
        .into_iter()
        .map(|message| thread_message(message, &contact))
        .collect_view();
    view! {
        <article class="thread" aria-labelledby="thread-title" data-conversation-id=summary.id>
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
        </article>
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
    let (direction, sender) = if outbound {
        ("outbound", "Reply from the team:".to_owned())
    } else {
        ("inbound", format!("{contact}:"))
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
            <span class="visually-hidden">{sender}</span>
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
        "queued" => ("", "Sending…"),
        "sent" => ("✓", "Sent"),
        "delivered" => ("✓✓", "Delivered"),
        "read" => ("✓✓", "Read"),
        "failed" => ("⚠", "Not delivered"),
        _ => return None,
    };
    Some(view! {
        <span class="delivery" data-status=status.to_owned()>
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
