//! The inbox: which conversations a person may see, and each thread as the UI shows it.

use app::error::AppError;
use app::model::{
    AttachmentView, ChannelKind, ConversationDetail, ConversationStatus, ConversationSummary,
    InboxView, Permission, ThreadMessage,
};
use app::ports::Actor;
use channels::Provider;

use super::{Services, rfc3339};
use crate::domain::replies::{WINDOW_MS, reply_rule};
use crate::store::{ConversationFilter, ConversationRow};

const LIST_LIMIT: i64 = 200;
const THREAD_LIMIT: i64 = 500;

fn kind_of(row: &ConversationRow) -> ChannelKind {
    ChannelKind::parse(&row.channel_kind).unwrap_or(ChannelKind::Twilio)
}

fn summary_of(row: ConversationRow) -> ConversationSummary {
    ConversationSummary {
        id: row.id,
        channel_kind: kind_of(&row),
        contact_name: row.contact_name,
        contact_address: row.contact_address.unwrap_or_default(),
        status: ConversationStatus::parse(&row.status).unwrap_or(ConversationStatus::Open),
        assignee_name: row.assignee_name,
        preview: row.preview.unwrap_or_default(),
        last_message_at: rfc3339(row.last_message_at),
        unread_count: row.unread_count,
        channel_name: row.channel_name,
    }
}

fn provider_of(kind: ChannelKind) -> Provider {
    match kind {
        ChannelKind::WhatsApp => Provider::WhatsApp,
        ChannelKind::Twilio => Provider::Twilio,
        ChannelKind::Messenger => Provider::Messenger,
    }
}

impl Services {
    pub async fn list_conversations(
        &self,
        actor: &Actor,
        view: InboxView,
    ) -> Result<Vec<ConversationSummary>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let filter = match view {
            InboxView::Mine => ConversationFilter::AssignedTo(actor.id),
            InboxView::Unassigned => ConversationFilter::Unassigned,
            InboxView::All => {
                actor.require(Permission::SeeAllConversations)?;
                ConversationFilter::Everyone
            }
        };
        Ok(self
            .store
            .list_conversations(filter, LIST_LIMIT)
            .await?
            .into_iter()
            .map(summary_of)
            .collect())
    }

    /// A conversation the person may see: coordinators and admins see all, volunteers those
    /// assigned to them or to no one. Others are "not found", so ids reveal nothing.
    pub(crate) async fn visible_conversation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ConversationRow, AppError> {
        actor.require(Permission::AnswerConversations)?;
        self.store
            .conversation(id)
            .await?
            .filter(|row| {
                actor.role.can(Permission::SeeAllConversations)
                    || row.assignee_id.is_none_or(|assignee| assignee == actor.id)
            })
            .ok_or_else(|| AppError::not_found("Conversation"))
    }

    pub async fn conversation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ConversationDetail, AppError> {
        let row = self.visible_conversation(actor, id).await?;
        let kind = kind_of(&row);
        let window_closes_at = match kind {
            ChannelKind::WhatsApp | ChannelKind::Messenger => {
                row.last_inbound_at.map(|at| rfc3339(at + WINDOW_MS))
            }
            ChannelKind::Twilio => None,
        };
        let reply_blocked = reply_rule(
            kind,
            row.last_inbound_at,
            row.opted_out_at.is_some(),
            crate::store::now_ms(),
        )
        .err()
        .map(|refusal| refusal.to_string());
        let (messages, attachments, reactions) = self.store.thread(id, THREAD_LIMIT).await?;
        let messages = messages
            .into_iter()
            .map(|message| ThreadMessage {
                attachments: attachments
                    .iter()
                    .filter(|attachment| attachment.message_id == message.id)
                    .map(|attachment| AttachmentView {
                        id: attachment.id,
                        kind: attachment.kind.clone(),
                        mime_type: attachment.mime_type.clone(),
                        filename: attachment.filename.clone(),
                        url: (attachment.fetch_state == "stored")
                            .then(|| format!("/media/{}", attachment.id)),
                        state: attachment.fetch_state.clone(),
                    })
                    .collect(),
                reactions: reactions
                    .iter()
                    .filter(|reaction| reaction.message_id == message.id)
                    .map(|reaction| reaction.emoji.clone())
                    .collect(),
                error_explanation: message
                    .error_code
                    .as_deref()
                    .and_then(|code| code.parse().ok())
                    .and_then(|code| channels::errors::explain(provider_of(kind), code))
                    .map(str::to_string)
                    .or(message.error_title),
                error_code: message.error_code,
                author_name: message.author_name,
                sent_at: rfc3339(message.sent_at),
                id: message.id,
                direction: message.direction,
                kind: message.kind,
                body: message.body,
                status: message.status,
            })
            .collect();
        Ok(ConversationDetail {
            summary: summary_of(row),
            messages,
            window_closes_at,
            reply_blocked,
        })
    }
}
