//! The inbox: which conversations a person may see, and each thread as the UI shows it.

use app::error::AppError;
use app::model::{
    Assignee, AttachmentView, ChannelKind, ChannelOption, ConversationDetail, ConversationEvent,
    ConversationPage, ConversationQuery, ConversationStatus, ConversationSummary, DeliveryRetry,
    InboxFilters, InboxView, Permission, Tag, Template, TemplateEstimate, ThreadMessage,
};
use app::ports::Actor;
use channels::Provider;

use super::conversations::{describe_event, event_facts, note_of, tag_of};
use super::costs::{conversation_cost_text, message_cost_view};
use super::delivery::{MAX_ATTEMPTS, reply_buttons_of};
use super::satisfaction::survey_part_label;
use super::settings::NumberView;
use super::templates::template_of;
use super::{Services, rfc3339};
use crate::domain::conversations::assignee_may_reply;
use crate::domain::data_requests::volunteer_may_open;
use crate::domain::replies::{Network, ReplyRefused, WINDOW_MS, reply_rule};
use crate::domain::supervision::reader_may_reply;
use crate::store::{ConversationFilter, ConversationRow, ListRequest, NoteSubject};

const PAGE_SIZE: i64 = 50;
const THREAD_LIMIT: i64 = 500;

fn kind_of(row: &ConversationRow) -> ChannelKind {
    ChannelKind::parse(&row.channel_kind).unwrap_or(ChannelKind::Twilio)
}

pub(super) fn provider_of(kind: ChannelKind) -> Provider {
    match kind {
        ChannelKind::WhatsApp => Provider::WhatsApp,
        ChannelKind::Twilio => Provider::Twilio,
        ChannelKind::Messenger => Provider::Messenger,
    }
}

/// Coordinators and admins see every conversation; volunteers those assigned to them or to no
/// one, unless it was resolved before `access_cutoff` (see `Services::access_cutoff`).
pub(crate) fn may_see(actor: &Actor, row: &ConversationRow, access_cutoff: Option<i64>) -> bool {
    actor.role.can(Permission::SeeAllConversations)
        || (row.assignee_id.is_none_or(|assignee| assignee == actor.id)
            && volunteer_may_open(&row.status, row.resolved_at, access_cutoff))
}

/// Where a page ends, as the client gives it back for the next one: `<queue key>.<id>`.
fn cursor(row: &ConversationRow) -> String {
    format!("{}.{}", row.queue_key, row.id)
}

fn parse_cursor(cursor: &str) -> Result<(i64, i64), AppError> {
    cursor
        .split_once('.')
        .and_then(|(key, id)| Some((key.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| AppError::bad_request("The page cursor is not one this server gave out."))
}

/// Why the channel's rules keep a message of `kind` from going out in this conversation now,
/// whoever writes it: templates may go out after the 24-hour window, but never to someone who
/// opted out; anything else keeps to the window.
pub(crate) fn channel_refusal(row: &ConversationRow, kind: &str) -> Option<String> {
    if kind == "template" {
        return row
            .opted_out_at
            .is_some()
            .then(|| ReplyRefused::OptedOut.to_string());
    }
    reply_rule(
        Network::of(kind_of(row), row.contact_address.as_deref()),
        row.last_inbound_at,
        row.opted_out_at.is_some(),
        crate::store::now_ms(),
    )
    .err()
    .map(|refusal| refusal.to_string())
}

impl Services {
    /// One page of a view, narrowed by status, channel and tag, in queue order.
    pub async fn list_conversations(
        &self,
        actor: &Actor,
        query: ConversationQuery,
    ) -> Result<ConversationPage, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let scope = match query.view {
            InboxView::Mine => ConversationFilter::AssignedTo(actor.id),
            InboxView::Unassigned => ConversationFilter::Unassigned,
            InboxView::All => {
                actor.require(Permission::SeeAllConversations)?;
                ConversationFilter::Everyone
            }
        };
        let after = query.after.as_deref().map(parse_cursor).transpose()?;
        let mut rows = self
            .store
            .list_conversations(ListRequest {
                scope,
                status: query.status.as_str(),
                channel_id: query.channel_id,
                tag_id: query.tag_id,
                after,
                resolved_since: self.access_cutoff(actor).await?,
                // One more than a page tells whether there is a next one.
                limit: PAGE_SIZE + 1,
            })
            .await?;
        let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(cursor)
        });
        Ok(ConversationPage {
            conversations: self.summaries(actor, rows).await?,
            next: next.flatten(),
            unread_mine: self.store.count_unread_assigned(actor.id).await?,
        })
    }

    /// The channels and tags the conversation list can be narrowed by.
    pub async fn inbox_filters(&self, actor: &Actor) -> Result<InboxFilters, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let channels = self
            .store
            .list_channels()
            .await?
            .into_iter()
            .filter_map(|row| {
                Some(ChannelOption {
                    kind: ChannelKind::parse(&row.kind)?,
                    id: row.id,
                    name: row.name,
                })
            })
            .collect();
        let tags = self
            .store
            .list_tags()
            .await?
            .into_iter()
            .map(tag_of)
            .collect();
        Ok(InboxFilters { channels, tags })
    }

    /// List rows as this person may see them: with their tags, numbers masked if so decided
    /// (and recorded when shown while masked for volunteers).
    pub(crate) async fn summaries(
        &self,
        actor: &Actor,
        rows: Vec<ConversationRow>,
    ) -> Result<Vec<ConversationSummary>, AppError> {
        let contact_ids: Vec<i64> = rows.iter().map(|row| row.contact_id).collect();
        let numbers = self.reveal_numbers_of(actor, &contact_ids).await?;
        self.summaries_with(rows, numbers).await
    }

    pub(crate) async fn summaries_with(
        &self,
        rows: Vec<ConversationRow>,
        numbers: NumberView,
    ) -> Result<Vec<ConversationSummary>, AppError> {
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let tags = self.store.tags_of(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| ConversationSummary {
                id: row.id,
                channel_id: row.channel_id,
                channel_kind: kind_of(&row),
                contact_id: row.contact_id,
                contact_name: row.contact_name,
                contact_address: numbers.show(row.contact_address.as_deref().unwrap_or_default()),
                status: ConversationStatus::parse(&row.status).unwrap_or(ConversationStatus::Open),
                snoozed_until: row.snoozed_until.map(rfc3339),
                assignee_id: row.assignee_id,
                assignee_name: row.assignee_name,
                tags: tags
                    .iter()
                    .filter(|tag| tag.conversation_id == row.id)
                    .map(|tag| Tag {
                        id: tag.id,
                        name: tag.name.clone(),
                        colour: tag.colour.clone(),
                    })
                    .collect(),
                preview: row.preview.unwrap_or_default(),
                last_message_at: rfc3339(row.last_message_at),
                unread_count: row.unread_count,
                channel_name: row.channel_name,
                urgent: row.urgent != 0,
                urgent_word: row.urgent_word,
                urgent_flagged_by: row.urgent_by_name,
                language: row.language,
            })
            .collect())
    }

    /// A conversation the person may see. Others are "not found", so ids reveal nothing.
    pub(crate) async fn visible_conversation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ConversationRow, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let access_cutoff = self.access_cutoff(actor).await?;
        self.store
            .conversation(id)
            .await?
            .filter(|row| may_see(actor, row, access_cutoff))
            .ok_or_else(|| AppError::not_found("Conversation"))
    }

    /// Why this person may not send a free-text reply here now, if so: the channel's rules, the
    /// contact's consent, and whether only the assignee replies.
    pub(crate) async fn reply_refusal(
        &self,
        actor: &Actor,
        row: &ConversationRow,
    ) -> Result<Option<String>, AppError> {
        if let Some(refusal) = self.assignee_refusal(actor, row).await? {
            return Ok(Some(refusal));
        }
        Ok(channel_refusal(row, "text"))
    }

    /// Why this person may not send a template here now, if so: templates may go out after
    /// the 24-hour window, but never to someone who opted out.
    pub(crate) async fn template_refusal(
        &self,
        actor: &Actor,
        row: &ConversationRow,
    ) -> Result<Option<String>, AppError> {
        if let Some(refusal) = self.assignee_refusal(actor, row).await? {
            return Ok(Some(refusal));
        }
        Ok(channel_refusal(row, "template"))
    }

    /// Why this person may not answer here at all: they joined only to read along, or the
    /// conversation is someone else's.
    async fn assignee_refusal(
        &self,
        actor: &Actor,
        row: &ConversationRow,
    ) -> Result<Option<String>, AppError> {
        let joined = self.store.watchers(row.id).await?.contains(&actor.id);
        if let Err(refused) = reader_may_reply(joined, row.assignee_id == Some(actor.id)) {
            return Ok(Some(refused.to_string()));
        }
        let only_assignee = self.inbox_settings().await?.only_assignee_replies;
        let assignee = row
            .assignee_id
            .map(|id| (id, row.assignee_name.as_deref().unwrap_or_default()));
        Ok(assignee_may_reply(only_assignee, assignee, actor.id)
            .err()
            .map(|refusal| refusal.to_string()))
    }

    /// The page posts this once it shows the conversation, so reading is never a side effect of
    /// a GET: it reads what mentioned this person in it and, for the person answering it, its
    /// messages (with read receipts on WhatsApp).
    pub async fn mark_conversation_read(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let row = self.visible_conversation(actor, id).await?;
        self.store.read_mentions(actor.id, id).await?;
        if row.unread_count > 0 && row.assignee_id.is_none_or(|assignee| assignee == actor.id) {
            self.store.mark_conversation_read(id).await?;
            if kind_of(&row) == ChannelKind::WhatsApp {
                self.mark_read_at_provider(row.channel_id, id);
            }
        }
        Ok(())
    }

    pub async fn conversation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ConversationDetail, AppError> {
        let row = self.visible_conversation(actor, id).await?;
        self.record_read(actor, "conversation.read", format!("conversation:{id}"))
            .await?;
        let kind = kind_of(&row);
        let window_closes_at = match Network::of(kind, row.contact_address.as_deref()) {
            Network::WhatsApp | Network::Messenger => {
                row.last_inbound_at.map(|at| rfc3339(at + WINDOW_MS))
            }
            Network::Sms => None,
        };
        let reply_blocked = self.reply_refusal(actor, &row).await?;
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
                        state: match attachment.expired_at {
                            Some(_) => "expired".to_string(),
                            None => attachment.fetch_state.clone(),
                        },
                    })
                    .collect(),
                reactions: reactions
                    .iter()
                    .filter(|reaction| reaction.message_id == message.id)
                    .map(|reaction| reaction.emoji.clone())
                    .collect(),
                buttons: match message.direction.as_str() {
                    "outbound" => reply_buttons_of(&message.content),
                    _ => Vec::new(),
                },
                error_explanation: message
                    .error_code
                    .as_deref()
                    .and_then(|code| code.parse().ok())
                    .and_then(|code| channels::errors::explain(provider_of(kind), code))
                    .map(str::to_string)
                    .or(message.error_title),
                delivery_retry: match (message.retry_reason, message.retry_at, message.attempts) {
                    (Some(reason), Some(at), Some(attempts)) => Some(DeliveryRetry {
                        reason,
                        next_attempt_at: rfc3339(at),
                        attempt: attempts + 1,
                        last_attempt: MAX_ATTEMPTS,
                    }),
                    _ => None,
                },
                error_code: message.error_code,
                author_name: message.author_name,
                sent_at: rfc3339(message.sent_at),
                at_ms: message.sent_at,
                id: message.id,
                direction: message.direction,
                kind: message.kind,
                body: message.body,
                status: message.status,
                cost: match (
                    message.cost_micro_usd,
                    message.cost_source,
                    message.cost_category,
                ) {
                    (Some(micro_usd), Some(source), Some(category)) => {
                        Some(message_cost_view(micro_usd, &source, &category))
                    }
                    _ => None,
                },
                survey: message.survey_part.as_deref().and_then(survey_part_label),
                translated_to: message.translated_to,
                original_text: message.original_text,
            })
            .collect();
        let notes = self
            .store
            .notes(NoteSubject::Conversation(id))
            .await?
            .into_iter()
            .map(note_of)
            .collect();
        let events = self
            .store
            .conversation_events(id)
            .await?
            .into_iter()
            .map(|event| ConversationEvent {
                text: describe_event(&event),
                facts: event_facts(&event),
                id: event.id,
                at: rfc3339(event.created_at),
                at_ms: event.created_at,
            })
            .chain(self.supervision_thread_events(id).await?)
            .collect();
        let assignees = if actor.role.can(Permission::AssignConversations) {
            self.store
                .active_people()
                .await?
                .into_iter()
                .map(|person| Assignee {
                    id: person.id,
                    name: person.name,
                })
                .collect()
        } else {
            Vec::new()
        };
        let all_tags = self
            .store
            .list_tags()
            .await?
            .into_iter()
            .map(tag_of)
            .collect();
        let templates = self
            .store
            .list_templates(Some(row.channel_id), Some("approved"))
            .await?
            .into_iter()
            .map(template_of)
            // Templates imported from Meta with parts Switchboard cannot fill in are not offered.
            .filter(Template::sendable)
            .collect::<Vec<Template>>();
        let mut template_estimates = Vec::new();
        for template in &templates {
            let Some(category) = template.category else {
                continue;
            };
            if let Some(estimate) = self.template_estimate(&row, category.as_str()).await? {
                template_estimates.push(TemplateEstimate {
                    template_id: template.id,
                    estimate,
                });
            }
        }
        let (priced, spent) = self.store.conversation_cost(id).await?;
        let numbers = self.reveal_numbers_of(actor, &[row.contact_id]).await?;
        let summary = self
            .summaries_with(vec![row], numbers)
            .await?
            .pop()
            .ok_or_else(AppError::internal)?;
        let blur_media = self.blurs_media_for(actor).await?;
        let translation_enabled = self.translation_enabled().await?;
        Ok(ConversationDetail {
            translation_enabled,
            blur_media,
            summary,
            messages,
            window_closes_at,
            reply_blocked,
            notes,
            events,
            assignees,
            all_tags,
            templates,
            template_estimates,
            cost: conversation_cost_text(priced, spent),
        })
    }
}
