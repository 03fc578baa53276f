//! Contacts as the contact panel shows them: where they can be reached, the team's notes on them
//! and their conversations, scoped to what the person may see.

use app::error::AppError;
use app::model::{ChannelKind, ContactAddress, ContactDetail, Note, Permission};
use app::ports::Actor;

use super::conversations::{note_of, valid_note};
use super::inbox::may_see;
use super::{Services, rfc3339};
use crate::store::{ConversationRow, NoteSubject};

impl Services {
    /// The contact's conversations this person may see; none means the contact is not theirs
    /// to see either.
    async fn visible_conversations_of(
        &self,
        actor: &Actor,
        contact_id: i64,
    ) -> Result<Vec<ConversationRow>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let access_cutoff = self.access_cutoff(actor).await?;
        let visible: Vec<ConversationRow> = self
            .store
            .conversations_of_contact(contact_id)
            .await?
            .into_iter()
            .filter(|row| may_see(actor, row, access_cutoff))
            .collect();
        if visible.is_empty() {
            return Err(AppError::not_found("Contact"));
        }
        Ok(visible)
    }

    pub async fn contact(&self, actor: &Actor, id: i64) -> Result<ContactDetail, AppError> {
        let conversations = self.visible_conversations_of(actor, id).await?;
        let contact = self
            .store
            .contact(id)
            .await?
            .ok_or_else(|| AppError::not_found("Contact"))?;
        self.record_read(actor, "contact.read", format!("contact:{id}"))
            .await?;
        let numbers = self.reveal_numbers_of(actor, &[id]).await?;
        let addresses = self
            .store
            .contact_identities(id)
            .await?
            .into_iter()
            .map(|identity| {
                let channel_kind =
                    ChannelKind::parse(&identity.channel_kind).unwrap_or(ChannelKind::Twilio);
                ContactAddress {
                    address: numbers.show(&identity.address),
                    channel_kind,
                    channel_name: identity.channel_name,
                }
            })
            .collect();
        let notes = self
            .store
            .notes(NoteSubject::Contact(id))
            .await?
            .into_iter()
            .map(note_of)
            .collect();
        Ok(ContactDetail {
            id,
            name: contact.name,
            addresses,
            opted_out_at: contact.opted_out_at.map(rfc3339),
            notes,
            conversations: self.summaries_with(conversations, numbers).await?,
        })
    }

    pub async fn add_contact_note(
        &self,
        actor: &Actor,
        contact_id: i64,
        body: &str,
    ) -> Result<Note, AppError> {
        self.visible_conversations_of(actor, contact_id).await?;
        let body = valid_note(body)?;
        let id = self
            .store
            .add_note(NoteSubject::Contact(contact_id), actor.id, body, &[])
            .await?;
        let now = crate::store::now_ms();
        Ok(Note {
            id,
            author_name: actor.name.clone(),
            body: body.to_owned(),
            at: rfc3339(now),
            at_ms: now,
        })
    }
}
