//! Replies: queued durably with the reply rules checked, then delivered by a background worker
//! that respects each channel's send rate, retries transient failures with back-off, and never
//! blindly repeats a send whose outcome is unknown.

use std::time::{Duration, Instant};

use app::error::AppError;
use app::model::{ChannelKind, LiveEvent, Permission};
use app::ports::Actor;
use channels::inbound::ProviderError;
use channels::outbound::{
    self, MessengerType, OutboundMedia, ReplyButton, SendOutcome, SendRequest, TemplateButtonValue,
    TemplateHeaderValue, TemplateValuesOut, TwilioSender,
};
use channels::phone::E164;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::Services;
use super::channels::{ConnectedChannel, TWILIO_STATUS_WEBHOOK};
use super::inbox::provider_of;
use super::outgoing_media::shared_path;
use super::provider::{CallError, provider_name};
use super::templates::{QueuedButton, QueuedTemplate};
use crate::domain::channels::ChannelConfig;
use crate::domain::replies::{Network, ReplyRule, reply_rule};
use crate::domain::reply_buttons::check_reply_buttons;
use crate::metrics::SendResult;
use crate::store::{
    ConversationRow, OutboundFileRow, OutboundJob, OutboundReply, ReplyTranslation, now_ms, now_us,
};

pub(crate) const MAX_BODY_CHARS: usize = 4096;
/// After this many attempts a transient failure is shown as a failure.
pub(crate) const MAX_ATTEMPTS: i64 = 8;

/// What a send's outcome means for the reply after `attempts` tries, as `deliver_next` acts
/// on it.
fn send_result(outcome: &Result<SendOutcome, CallError>, attempts: i64) -> SendResult {
    match outcome {
        Ok(SendOutcome::Accepted { .. }) => SendResult::Accepted,
        Ok(SendOutcome::Retry { .. }) if attempts < MAX_ATTEMPTS => SendResult::Retry,
        Err(CallError::NotSent(_)) => SendResult::Retry,
        Ok(SendOutcome::Retry { .. } | SendOutcome::Rejected { .. }) => SendResult::Failed,
        Ok(SendOutcome::Unknown { .. }) | Err(CallError::Unknown(_)) => SendResult::Unknown,
    }
}

/// The choices a message offers, as its content keeps them: the reply buttons a person added,
/// or a satisfaction survey's ratings.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct OfferedButtons {
    /// The titles the contact sees.
    pub buttons: Vec<String>,
    /// What comes back when each is tapped; `button-1`, `button-2`… when not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// On WhatsApp the choices open from a button with this label, as a list (which holds
    /// more than the three reply buttons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_button: Option<String>,
}

fn offered_buttons(content: &str) -> OfferedButtons {
    serde_json::from_str(content).unwrap_or_default()
}

/// The reply buttons an outbound message offered, from its content.
pub(crate) fn reply_buttons_of(content: &str) -> Vec<String> {
    offered_buttons(content).buttons
}

/// Buttons as the providers take them: the title shown, and an id that comes back when the
/// contact taps it.
fn reply_buttons(offered: OfferedButtons) -> Vec<ReplyButton> {
    let mut ids = offered.ids.into_iter();
    offered
        .buttons
        .into_iter()
        .enumerate()
        .map(|(index, title)| ReplyButton {
            id: ids
                .next()
                .unwrap_or_else(|| format!("button-{}", index + 1)),
            title,
        })
        .collect()
}

/// A queued template as WhatsApp sends it; `attached` is its media header's file with its
/// media id.
fn whatsapp_template(
    phone_number_id: &str,
    to: &E164,
    template: &QueuedTemplate,
    attached: Option<(&OutboundFileRow, &str)>,
) -> SendRequest {
    let header = match attached {
        Some((file, media_id)) => TemplateHeaderValue::Media {
            kind: OutboundMedia::for_mime_type(&file.mime_type),
            media_id,
            filename: file.filename.as_deref(),
        },
        None => TemplateHeaderValue::Text(&template.values.header),
    };
    let buttons: Vec<TemplateButtonValue> = template
        .buttons
        .iter()
        .map(|button| match button {
            QueuedButton::QuickReply { index, payload } => TemplateButtonValue::QuickReply {
                index: *index,
                payload: payload.clone(),
            },
            QueuedButton::Url { index, suffix } => TemplateButtonValue::Url {
                index: *index,
                suffix: suffix.clone(),
            },
        })
        .collect();
    outbound::whatsapp_template(
        phone_number_id,
        to,
        &template.name,
        &template.language,
        &TemplateValuesOut {
            header,
            body: &template.values.body,
            buttons: &buttons,
        },
    )
}

/// Why a send is tried again, in words a volunteer reads. Made from the code alone, never from
/// the provider's own text, which may quote the request.
fn retry_reason(kind: ChannelKind, error: &ProviderError) -> String {
    let provider = provider_name(kind);
    if let Some(explained) = channels::errors::explain(provider_of(kind), error.code) {
        return explained.to_string();
    }
    match error.code {
        429 => format!("{provider} asked us to send more slowly"),
        408 | 500..=599 => format!("{provider} could not be reached"),
        code => format!("{provider} had a temporary problem (error {code})"),
    }
}

/// Exponential back-off with jitter, or the provider's own Retry-After when it gives one.
fn retry_delay(attempts: i64, retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_else(|| {
        let base = 2_u64.saturating_pow(attempts.clamp(0, 10) as u32);
        let jitter = rand::thread_rng().gen_range(0..=base * 250);
        Duration::from_millis((base * 1000 + jitter).min(15 * 60 * 1000))
    })
}

impl Services {
    /// Queues a free-text reply after checking who may answer and the channel's rules.
    pub async fn send_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: &str,
    ) -> Result<(), AppError> {
        self.send_reply_with_buttons(actor, conversation_id, body, &[])
            .await
    }

    /// Queues a free-text reply offering the contact reply buttons to tap (none for a plain
    /// reply).
    pub async fn send_reply_with_buttons(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: &str,
        buttons: &[String],
    ) -> Result<(), AppError> {
        self.send_text_reply(actor, conversation_id, body, buttons, None)
            .await
    }

    /// Queues a free-text reply; a translated one keeps its author's words and the language
    /// beside the translation it sends (`body`).
    pub(crate) async fn send_text_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: &str,
        buttons: &[String],
        translation: Option<ReplyTranslation<'_>>,
    ) -> Result<(), AppError> {
        actor.require(Permission::AnswerConversations)?;
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::unprocessable(format!(
                "Write a reply of 1 to {MAX_BODY_CHARS} characters."
            )));
        }
        let conversation = self.visible_conversation(actor, conversation_id).await?;
        if let Some(refusal) = self.reply_refusal(actor, &conversation).await? {
            return Err(AppError::unprocessable(refusal));
        }
        let buttons: Vec<String> = buttons
            .iter()
            .map(|title| title.trim().to_string())
            .filter(|title| !title.is_empty())
            .collect();
        let kind = ChannelKind::parse(&conversation.channel_kind).ok_or_else(AppError::internal)?;
        check_reply_buttons(kind, &buttons)
            .map_err(|refused| AppError::unprocessable(refused.to_string()))?;
        let (kind, content) = match buttons.is_empty() {
            true => ("text", "{}".to_string()),
            false => (
                "interactive",
                serde_json::to_string(&OfferedButtons {
                    buttons,
                    ..OfferedButtons::default()
                })
                .map_err(|_| AppError::internal())?,
            ),
        };
        self.queue_reply(
            actor,
            &conversation,
            OutboundReply {
                kind,
                body,
                content: &content,
                file: None,
                translation,
            },
        )
        .await
    }

    /// Commits the message with its delivery job, wakes a delivery worker and tells every
    /// browser showing the conversation.
    pub(crate) async fn queue_reply(
        &self,
        actor: &Actor,
        conversation: &ConversationRow,
        reply: OutboundReply<'_>,
    ) -> Result<(), AppError> {
        // A trainee's reply waits for a coordinator's approval (see services/supervision.rs).
        if self.is_trainee(actor.id).await? {
            self.store
                .hold_reply(conversation.id, conversation.channel_id, actor.id, reply)
                .await?;
        } else {
            self.store
                .enqueue_reply(conversation.id, conversation.channel_id, actor.id, reply)
                .await?;
            self.deliveries.notify_one();
        }
        self.live
            .publish(
                &self.store,
                LiveEvent::Conversation {
                    id: conversation.id,
                },
            )
            .await;
        Ok(())
    }

    /// Sends a failed message, or one whose outcome is unknown, again: a person decided to.
    /// The reply rules are checked again, as for a new reply.
    pub async fn retry_message(&self, actor: &Actor, message_id: i64) -> Result<(), AppError> {
        let conversation_id = self
            .store
            .conversation_of_message(message_id)
            .await?
            .ok_or_else(|| AppError::not_found("Message"))?;
        let conversation = self.visible_conversation(actor, conversation_id).await?;
        if let Some(refusal) = self.reply_refusal(actor, &conversation).await? {
            return Err(AppError::unprocessable(refusal));
        }
        if !self.store.requeue_delivery(message_id).await? {
            return Err(AppError::conflict(
                "Only a message that failed, or may not have been delivered, can be sent again.",
            ));
        }
        self.deliveries.notify_one();
        self.live
            .publish(
                &self.store,
                LiveEvent::Conversation {
                    id: conversation_id,
                },
            )
            .await;
        Ok(())
    }

    /// Waits until a reply may be waiting, or `at_most` has passed.
    pub async fn delivery_wanted(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.deliveries.notified()).await;
    }

    /// Sends the next due reply; returns whether there was one. Workers on every instance call
    /// this in a loop; a job is claimed by one worker only.
    pub async fn deliver_next(&self, worker: &str) -> Result<bool, AppError> {
        let Some(job) = self.store.claim_outbound_job(worker).await? else {
            return Ok(false);
        };
        let channel = self.connected_channel(job.channel_id).await?;
        tokio::time::sleep(self.wait_for_send_slot(&channel).await?).await;
        let sending = Instant::now();
        let outcome = self.send(&channel, &job).await;
        self.metrics.sent(
            channel.config.kind.as_str(),
            send_result(&outcome, job.attempts),
            sending.elapsed(),
        );
        match outcome {
            Ok(SendOutcome::Accepted {
                provider_message_id,
            }) => {
                self.record_accepted(&channel, &job, &provider_message_id)
                    .await?;
            }
            Ok(SendOutcome::Retry { error, retry_after }) if job.attempts < MAX_ATTEMPTS => {
                let delay = retry_delay(job.attempts, retry_after);
                tracing::info!(
                    job = job.id,
                    code = error.code,
                    ?delay,
                    "delivery will be retried"
                );
                self.store
                    .delivery_retry(
                        &job,
                        &retry_reason(channel.config.kind, &error),
                        now_ms() + delay.as_millis() as i64,
                    )
                    .await?;
            }
            Ok(SendOutcome::Retry { error, .. }) => {
                let reason = retry_reason(channel.config.kind, &error);
                self.store
                    .delivery_ended(&job, "failed", Some(&error.code.to_string()), &reason)
                    .await?;
            }
            Ok(SendOutcome::Rejected { error }) => {
                let code = error.code.to_string();
                let title = error
                    .title
                    .unwrap_or_else(|| "The provider refused the message".into());
                self.store
                    .delivery_ended(&job, "failed", Some(&code), &title)
                    .await?;
            }
            Ok(SendOutcome::Unknown { reason }) | Err(CallError::Unknown(reason)) => {
                tracing::warn!(job = job.id, %reason, "delivery outcome unknown");
                self.store
                    .delivery_ended(&job, "unknown", None, &reason)
                    .await?;
            }
            Err(CallError::NotSent(reason)) if job.attempts >= MAX_ATTEMPTS => {
                self.store
                    .delivery_ended(&job, "failed", None, &reason)
                    .await?;
            }
            Err(CallError::NotSent(reason)) => {
                let delay = retry_delay(job.attempts, None);
                self.store
                    .delivery_retry(&job, &reason, now_ms() + delay.as_millis() as i64)
                    .await?;
            }
        }
        self.live.activity();
        Ok(true)
    }

    /// Records that the provider accepted a reply: its id, its first status (Twilio queues,
    /// Meta has sent) and what it costs as far as is known now.
    pub(super) async fn record_accepted(
        &self,
        channel: &ConnectedChannel,
        job: &OutboundJob,
        provider_message_id: &str,
    ) -> Result<(), AppError> {
        let status = if channel.config.kind == ChannelKind::Twilio {
            "queued"
        } else {
            "sent"
        };
        let cost = self.cost_when_accepted(channel, job).await?;
        self.store
            .delivery_accepted(job, provider_message_id, status, cost.as_ref())
            .await?;
        if let Some(cost) = cost {
            self.check_budgets(&[(job.channel_id, cost.month)]).await;
        }
        Ok(())
    }

    /// How long to wait for the channel's next send slot: slots are spaced by the channel's
    /// rate across every instance.
    pub(super) async fn wait_for_send_slot(
        &self,
        channel: &ConnectedChannel,
    ) -> Result<Duration, AppError> {
        let interval_us = 1_000_000 / i64::from(channel.config.send_rate_per_second.max(1));
        let now_us = now_us();
        let slot = self
            .store
            .reserve_send_slot(channel.id, interval_us, now_us)
            .await?;
        Ok(Duration::from_micros(
            u64::try_from(slot - now_us).unwrap_or(0),
        ))
    }

    pub(super) async fn send(
        &self,
        channel: &ConnectedChannel,
        job: &OutboundJob,
    ) -> Result<SendOutcome, CallError> {
        let config = &channel.config;
        let file = self
            .store
            .outbound_file(job.message_id)
            .await
            .map_err(|e| CallError::NotSent(e.to_string()))?;
        // WhatsApp sends files it holds: upload first, then refer to the media id. Twilio and
        // Messenger fetch the file from its shared link.
        let attached = match (&file, config.kind) {
            (None, _) => None,
            (Some(file), ChannelKind::WhatsApp) => {
                match self.upload_to_whatsapp(config, file).await? {
                    SendOutcome::Accepted {
                        provider_message_id: media_id,
                    } => Some((file, media_id)),
                    refused => return Ok(refused),
                }
            }
            (Some(file), _) => {
                let path =
                    shared_path(&file.source).ok_or_else(|| CallError::missing("file's link"))?;
                Some((file, self.public_url(&path)))
            }
        };
        let request = self.request_for(
            channel,
            job,
            attached.as_ref().map(|(file, at)| (*file, at.as_str())),
        )?;
        let answer = self.call_provider(config, request).await?;
        let retry_after = answer.retry_after.as_deref();
        Ok(match config.kind {
            ChannelKind::WhatsApp => {
                outbound::whatsapp_outcome(answer.status, retry_after, &answer.body)
            }
            ChannelKind::Twilio => {
                outbound::twilio_outcome(answer.status, retry_after, &answer.body)
            }
            ChannelKind::Messenger => {
                outbound::messenger_outcome(answer.status, retry_after, &answer.body)
            }
        })
    }

    async fn upload_to_whatsapp(
        &self,
        config: &ChannelConfig,
        file: &OutboundFileRow,
    ) -> Result<SendOutcome, CallError> {
        let bytes = self
            .kept_file(&file.sha256)
            .await
            .map_err(|e| CallError::NotSent(format!("the file is missing on disk: {e}")))?;
        let upload = outbound::whatsapp_media_upload(&config.route_key, &file.mime_type);
        let filename = file.filename.as_deref().unwrap_or("file");
        let answer = self
            .upload_to_provider(config, upload, bytes, filename, &file.mime_type)
            .await?;
        Ok(outbound::whatsapp_upload_outcome(
            answer.status,
            answer.retry_after.as_deref(),
            &answer.body,
        ))
    }

    /// The provider call that sends the job's message.
    /// `attached` is the message's file with where the provider finds it: the WhatsApp media
    /// id, or the link Twilio and Messenger fetch.
    fn request_for(
        &self,
        channel: &ConnectedChannel,
        job: &OutboundJob,
        attached: Option<(&OutboundFileRow, &str)>,
    ) -> Result<SendRequest, CallError> {
        let config = &channel.config;
        let settings = &config.settings;
        let template = match job.kind.as_str() {
            "template" => Some(
                serde_json::from_str::<QueuedTemplate>(&job.content).map_err(|e| {
                    CallError::NotSent(format!("the queued template is unreadable: {e}"))
                })?,
            ),
            _ => None,
        };
        Ok(match config.kind {
            ChannelKind::WhatsApp => {
                let to =
                    E164::parse(&job.address).map_err(|e| CallError::NotSent(e.to_string()))?;
                // A template's file is its media header.
                if let Some(template) = template {
                    return Ok(whatsapp_template(
                        &config.route_key,
                        &to,
                        &template,
                        attached,
                    ));
                }
                if let Some((file, media_id)) = attached {
                    return Ok(outbound::whatsapp_media(
                        &config.route_key,
                        &to,
                        OutboundMedia::for_mime_type(&file.mime_type),
                        media_id,
                        Some(job.body.as_str()),
                        file.filename.as_deref(),
                    ));
                }
                if job.kind == "interactive" {
                    let mut offered = offered_buttons(&job.content);
                    return Ok(match offered.list_button.take() {
                        Some(button) => outbound::whatsapp_list(
                            &config.route_key,
                            &to,
                            &job.body,
                            &button,
                            &reply_buttons(offered),
                        ),
                        None => outbound::whatsapp_reply_buttons(
                            &config.route_key,
                            &to,
                            &job.body,
                            &reply_buttons(offered),
                        ),
                    });
                }
                outbound::whatsapp_text(&config.route_key, &to, &job.body)
            }
            ChannelKind::Messenger => {
                let rule = reply_rule(Network::Messenger, job.last_inbound_at, false, now_ms())
                    .unwrap_or(ReplyRule::HumanAgentTag);
                let kind = match rule {
                    ReplyRule::FreeForm => MessengerType::Response,
                    ReplyRule::HumanAgentTag => MessengerType::HumanAgent,
                };
                match attached {
                    Some((file, url)) => outbound::messenger_attachment(
                        &config.route_key,
                        &job.address,
                        OutboundMedia::for_mime_type(&file.mime_type),
                        url,
                        kind,
                    ),
                    None if job.kind == "interactive" => outbound::messenger_quick_replies(
                        &config.route_key,
                        &job.address,
                        &job.body,
                        &reply_buttons(offered_buttons(&job.content)),
                        kind,
                    ),
                    None => {
                        outbound::messenger_text(&config.route_key, &job.address, &job.body, kind)
                    }
                }
            }
            ChannelKind::Twilio => {
                let sender = match (&settings.messaging_service_sid, &settings.phone_number) {
                    (Some(service), _) => TwilioSender::MessagingService(service.clone()),
                    (None, Some(number)) => TwilioSender::Number(
                        E164::parse(number).map_err(|e| CallError::NotSent(e.to_string()))?,
                    ),
                    (None, None) => return Err(CallError::missing("sender")),
                };
                let account_sid = settings
                    .account_sid
                    .as_deref()
                    .ok_or_else(|| CallError::missing("account SID"))?;
                let status_callback = self.public_url(TWILIO_STATUS_WEBHOOK);
                if let Some((_, url)) = attached {
                    return Ok(outbound::twilio_media(
                        account_sid,
                        &sender,
                        &job.address,
                        &job.body,
                        url,
                        &status_callback,
                    ));
                }
                match template {
                    Some(QueuedTemplate {
                        content_sid: Some(content_sid),
                        values,
                        ..
                    }) => outbound::twilio_content(
                        account_sid,
                        &sender,
                        &job.address,
                        &content_sid,
                        &values.body,
                        &status_callback,
                    ),
                    Some(_) => return Err(CallError::missing("template's ContentSid")),
                    None => outbound::twilio_message(
                        account_sid,
                        &sender,
                        &job.address,
                        &job.body,
                        &status_callback,
                    ),
                }
            }
        })
    }

    /// Shows the contact, on WhatsApp, that their messages were read (blue ticks) and that
    /// someone is typing. In the background: the person opening the conversation should not
    /// wait for Meta, and a failure only loses the ticks, so it is logged, not retried.
    pub(crate) fn mark_read_at_provider(&self, channel_id: i64, conversation_id: i64) {
        let services = self.clone();
        tokio::spawn(async move {
            let result: Result<(), String> = async {
                let Some(message_id) = services
                    .store
                    .latest_inbound_provider_id(conversation_id)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Ok(());
                };
                let channel = services
                    .connected_channel(channel_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let request = outbound::whatsapp_mark_read(&channel.config.route_key, &message_id);
                let answer = services
                    .call_provider(&channel.config, request)
                    .await
                    .map_err(|e| e.to_string())?;
                match answer.status {
                    200..=299 => Ok(()),
                    status => Err(format!("HTTP {status}")),
                }
            }
            .await;
            if let Err(reason) = result {
                tracing::info!(conversation = conversation_id, %reason, "could not mark as read on WhatsApp");
            }
        });
    }

    /// Marks deliveries interrupted by a stopped worker for a person to decide.
    pub async fn recover_interrupted_deliveries(&self) -> Result<u64, AppError> {
        Ok(self.store.mark_interrupted_jobs().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_honours_retry_after() {
        assert_eq!(
            retry_delay(3, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        let first = retry_delay(1, None);
        let later = retry_delay(5, None);
        assert!(first >= Duration::from_secs(2) && first <= Duration::from_millis(2500));
        assert!(later >= Duration::from_secs(32));
        assert!(retry_delay(40, None) <= Duration::from_secs(15 * 60));
    }
}
