//! What a live reload of the open conversation brought, said to screen readers: a new message
//! from the contact, a new assignee. Sighted people see the thread change; a screen reader
//! hears it once, politely, from a region that stays on the page while the thread reloads.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_i18n::reexports::icu::plurals::PluralOperands;

use super::contact_label;
use crate::error::AppError;
use crate::i18n::{Locale, t_string, use_i18n};
use crate::model::ConversationDetail;

/// One thing a reload brought that a screen reader is told.
#[derive(Clone, Debug, PartialEq, Eq)]
enum News {
    /// `count` new messages from the contact.
    Messages {
        count: usize,
        from: String,
    },
    Assigned(String),
    Unassigned,
}

impl News {
    fn said(&self, i18n: I18nContext<Locale>) -> String {
        match self {
            News::Messages { count, from } => {
                let number = count.to_string();
                let contact = from.clone();
                let count = PluralOperands::from(*count);
                t_string!(i18n, inbox.announcer.messages_from, count, number, contact).to_string()
            }
            News::Assigned(name) => {
                t_string!(i18n, inbox.announcer.assigned_to, name = name.clone()).to_string()
            }
            News::Unassigned => t_string!(i18n, inbox.announcer.unassigned).to_string(),
        }
    }
}

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

    /// What changed since `before`; nothing when another conversation was opened.
    fn news_since(&self, before: &Heard) -> Vec<News> {
        if before.conversation_id != self.conversation_id {
            return Vec::new();
        }
        let mut news = Vec::new();
        match self
            .messages_from_contact
            .saturating_sub(before.messages_from_contact)
        {
            0 => {}
            count => news.push(News::Messages {
                count,
                from: self.contact.clone(),
            }),
        }
        if self.assignee_name != before.assignee_name {
            news.push(match &self.assignee_name {
                Some(name) => News::Assigned(name.clone()),
                None => News::Unassigned,
            });
        }
        news
    }
}

/// A polite live region that tells what each load of `conversation` brought.
#[component]
pub fn ThreadAnnouncer(
    conversation: Resource<Result<ConversationDetail, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
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
        let news = heard.with_value(|before| {
            before
                .as_ref()
                .map(|before| now.news_since(before))
                .unwrap_or_default()
        });
        if !news.is_empty() {
            let words: Vec<String> = news.iter().map(|news| news.said(i18n)).collect();
            say.set(words.join(" "));
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
            vec![
                News::Messages {
                    count: 1,
                    from: "Tess Take".to_owned()
                },
                News::Assigned("Vic".to_owned())
            ]
        );
        assert_eq!(
            heard(1, 5, None).news_since(&heard(1, 2, Some("Vic"))),
            vec![
                News::Messages {
                    count: 3,
                    from: "Tess Take".to_owned()
                },
                News::Unassigned
            ]
        );
    }

    #[test]
    fn nothing_is_told_when_nothing_a_reader_needs_changed_or_another_conversation_opened() {
        assert_eq!(
            heard(1, 2, Some("Vic")).news_since(&heard(1, 2, Some("Vic"))),
            Vec::new()
        );
        // Retention may remove old messages: fewer is no news.
        assert_eq!(heard(1, 1, None).news_since(&heard(1, 2, None)), Vec::new());
        assert_eq!(
            heard(2, 9, Some("Vic")).news_since(&heard(1, 2, None)),
            Vec::new()
        );
    }
}
