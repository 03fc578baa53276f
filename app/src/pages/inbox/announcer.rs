//! What a live reload of the open conversation brought, said to screen readers: a new message
//! from the contact, a new assignee. Sighted people see the thread change; a screen reader
//! hears it once, politely, from a region that stays on the page while the thread reloads.

use leptos::prelude::*;

use super::contact_label;
use crate::error::AppError;
use crate::model::ConversationDetail;

/// What the announcer compares between two loads of a conversation.
#[derive(Clone, Debug, PartialEq)]
struct Heard {
    conversation_id: i64,
    contact: String,
    messages_from_contact: usize,
    assignee_name: Option<String>,
}

impl Heard {
    fn of(detail: &ConversationDetail) -> Heard {
        Heard {
            conversation_id: detail.summary.id,
            contact: contact_label(&detail.summary),
            messages_from_contact: detail
                .messages
                .iter()
                .filter(|message| message.direction == "inbound")
                .count(),
            assignee_name: detail.summary.assignee_name.clone(),
        }
    }

    /// What changed since `before`, in words; nothing when another conversation was opened.
    fn news_since(&self, before: &Heard) -> Option<String> {
        if before.conversation_id != self.conversation_id {
            return None;
        }
        let mut news = Vec::new();
        match self
            .messages_from_contact
            .saturating_sub(before.messages_from_contact)
        {
            0 => {}
            1 => news.push(format!("New message from {}.", self.contact)),
            many => news.push(format!("{many} new messages from {}.", self.contact)),
        }
        if self.assignee_name != before.assignee_name {
            news.push(match &self.assignee_name {
                Some(name) => format!("Assigned to {name}."),
                None => "Unassigned.".to_owned(),
            });
        }
        (!news.is_empty()).then(|| news.join(" "))
    }
}

/// A polite live region that tells what each load of `conversation` brought.
#[component]
pub fn ThreadAnnouncer(
    conversation: Resource<Result<ConversationDetail, AppError>>,
) -> impl IntoView {
    let heard = StoredValue::new(None::<Heard>);
    let (said, say) = signal(String::new());
    Effect::new(move |_| {
        let Some(now) = conversation.with(|loaded| {
            loaded
                .as_ref()
                .and_then(|detail| detail.as_ref().ok())
                .map(Heard::of)
        }) else {
            return;
        };
        if let Some(news) =
            heard.with_value(|before| before.as_ref().and_then(|before| now.news_since(before)))
        {
            say.set(news);
        }
        heard.set_value(Some(now));
    });
    view! { <p class="visually-hidden" role="status" aria-live="polite">{said}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(conversation_id: i64, messages_from_contact: usize, assignee: Option<&str>) -> Heard {
        Heard {
            conversation_id,
            contact: "Tess Take".to_owned(),
            messages_from_contact,
            assignee_name: assignee.map(str::to_owned),
        }
    }

    #[test]
    fn a_new_message_and_an_assignment_are_told() {
        assert_eq!(
            heard(1, 3, Some("Vic")).news_since(&heard(1, 2, None)),
            Some("New message from Tess Take. Assigned to Vic.".to_owned())
        );
        assert_eq!(
            heard(1, 5, None).news_since(&heard(1, 2, Some("Vic"))),
            Some("3 new messages from Tess Take. Unassigned.".to_owned())
        );
    }

    #[test]
    fn nothing_is_told_when_nothing_a_reader_needs_changed_or_another_conversation_opened() {
        assert_eq!(
            heard(1, 2, Some("Vic")).news_since(&heard(1, 2, Some("Vic"))),
            None
        );
        // Retention may remove old messages: fewer is no news.
        assert_eq!(heard(1, 1, None).news_since(&heard(1, 2, None)), None);
        assert_eq!(
            heard(2, 9, Some("Vic")).news_since(&heard(1, 2, None)),
            None
        );
    }
}
