//! Replies: queued durably with the reply rules checked, then delivered by a background worker
//! that respects each channel's send rate, retries transient failures with back-off, and never
//! blindly repeats a send whose outcome is unknown.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::error::AppError;
use app::model::{ChannelKind, LiveEvent, Permission};
use app::ports::Actor;
use channels::outbound::{self, MessengerType, SendOutcome, SendRequest, TwilioSender};
use channels::phone::E164;
use rand::Rng;

use super::Services;
use super::channels::{ConnectedChannel, TWILIO_STATUS_WEBHOOK};
use crate::domain::replies::{ReplyRule, reply_rule};
use crate::store::{OutboundJob, now_ms};

const MAX_BODY_CHARS: usize = 4096;
/// After this many attempts a transient failure is shown as a failure.
const MAX_ATTEMPTS: i64 = 8;

/// Spaces sends per channel so the configured rate is never exceeded by this instance.
#[derive(Debug, Default)]
pub struct SendPacer {
    next_slot: Mutex<HashMap<i64, Instant>>,
}

impl SendPacer {
    /// Reserves the channel's next send slot and returns how long to wait for it.
    pub fn reserve(&self, channel_id: i64, per_second: u32) -> Duration {
        let interval = Duration::from_secs(1) / per_second.max(1);
        let now = Instant::now();
        let mut slots = self.next_slot.lock().expect("pacer lock poisoned");
        let slot = slots.entry(channel_id).or_insert(now);
        let start = (*slot).max(now);
        *slot = start + interval;
        start - now
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
        self.store
            .enqueue_reply(conversation_id, conversation.channel_id, actor.id, body)
            .await?;
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
        let wait = self
            .pacer
            .reserve(channel.id, channel.config.send_rate_per_second);
        tokio::time::sleep(wait).await;
        match self.send(&channel, &job).await {
            Ok(SendOutcome::Accepted {
                provider_message_id,
            }) => {
                let status = if channel.config.kind == ChannelKind::Twilio {
                    "queued"
                } else {
                    "sent"
                };
                self.store
                    .delivery_accepted(&job, &provider_message_id, status)
                    .await?;
            }
            Ok(SendOutcome::Retry { error, retry_after }) if job.attempts < MAX_ATTEMPTS => {
                let delay = retry_delay(job.attempts, retry_after);
                let reason = format!("{} {}", error.code, error.title.unwrap_or_default());
                tracing::info!(job = job.id, %reason, ?delay, "delivery will be retried");
                self.store
                    .delivery_retry(&job, &reason, now_ms() + delay.as_millis() as i64)
                    .await?;
            }
            Ok(SendOutcome::Retry { error, .. } | SendOutcome::Rejected { error }) => {
                let code = error.code.to_string();
                let title = error
                    .title
                    .unwrap_or_else(|| "The provider refused the message".into());
                self.store
                    .delivery_ended(&job, "failed", Some(&code), &title)
                    .await?;
            }
            Ok(SendOutcome::Unknown { reason }) | Err(SendError::Unknown(reason)) => {
                tracing::warn!(job = job.id, %reason, "delivery outcome unknown");
                self.store
                    .delivery_ended(&job, "unknown", None, &reason)
                    .await?;
            }
            Err(SendError::NotSent(reason)) => {
                let delay = retry_delay(job.attempts, None);
                self.store
                    .delivery_retry(&job, &reason, now_ms() + delay.as_millis() as i64)
                    .await?;
            }
        }
        self.live.activity();
        Ok(true)
    }

    async fn send(
        &self,
        channel: &ConnectedChannel,
        job: &OutboundJob,
    ) -> Result<SendOutcome, SendError> {
        let config = &channel.config;
        let settings = &config.settings;
        let secrets = &config.secrets;
        let invalid = |what: &str| SendError::NotSent(format!("the channel's {what} is missing"));
        let request = match config.kind {
            ChannelKind::WhatsApp => {
                let to =
                    E164::parse(&job.address).map_err(|e| SendError::NotSent(e.to_string()))?;
                outbound::whatsapp_text(&config.route_key, &to, &job.body)
            }
            ChannelKind::Messenger => {
                let rule = reply_rule(config.kind, job.last_inbound_at, false, now_ms())
                    .unwrap_or(ReplyRule::HumanAgentTag);
                let kind = match rule {
                    ReplyRule::FreeForm => MessengerType::Response,
                    ReplyRule::HumanAgentTag => MessengerType::HumanAgent,
                };
                outbound::messenger_text(&config.route_key, &job.address, &job.body, kind)
            }
            ChannelKind::Twilio => {
                let sender = match (&settings.messaging_service_sid, &settings.phone_number) {
                    (Some(service), _) => TwilioSender::MessagingService(service.clone()),
                    (None, Some(number)) => TwilioSender::Number(
                        E164::parse(number).map_err(|e| SendError::NotSent(e.to_string()))?,
                    ),
                    (None, None) => return Err(invalid("sender")),
                };
                outbound::twilio_message(
                    settings
                        .account_sid
                        .as_deref()
                        .ok_or_else(|| invalid("account SID"))?,
                    &sender,
                    &job.address,
                    &job.body,
                    &self.public_url(TWILIO_STATUS_WEBHOOK),
                )
            }
        };
        let http = match request {
            SendRequest::Json { path, body } => {
                let url = format!("{}{path}", config.api_base_url);
                let builder = self.http.post(url).json(&body);
                match config.kind {
                    ChannelKind::Messenger => builder.query(&[(
                        "access_token",
                        secrets
                            .page_access_token
                            .clone()
                            .ok_or_else(|| invalid("page access token"))?,
                    )]),
                    _ => builder.bearer_auth(
                        secrets
                            .access_token
                            .clone()
                            .ok_or_else(|| invalid("access token"))?,
                    ),
                }
            }
            SendRequest::Form { path, params } => self
                .http
                .post(format!("{}{path}", config.api_base_url))
                .basic_auth(
                    settings.account_sid.clone().unwrap_or_default(),
                    secrets.auth_token.clone(),
                )
                .form(&params),
        };
        let response = http.send().await.map_err(|error| {
            // Only a failure to connect proves the request never left.
            if error.is_connect() {
                SendError::NotSent(error.to_string())
            } else {
                SendError::Unknown(format!("no answer from the provider: {error}"))
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response
            .bytes()
            .await
            .map_err(|error| SendError::Unknown(format!("the answer was cut off: {error}")))?;
        let retry_after = retry_after.as_deref();
        Ok(match config.kind {
            ChannelKind::WhatsApp => outbound::whatsapp_outcome(status, retry_after, &body),
            ChannelKind::Twilio => outbound::twilio_outcome(status, retry_after, &body),
            ChannelKind::Messenger => outbound::messenger_outcome(status, retry_after, &body),
        })
    }

    /// Marks deliveries interrupted by a stopped worker for a person to decide.
    pub async fn recover_interrupted_deliveries(&self) -> Result<u64, AppError> {
        Ok(self.store.mark_interrupted_jobs().await?)
    }
}

#[derive(Debug)]
enum SendError {
    /// The request never reached the provider: safe to try again.
    NotSent(String),
    /// The request may have reached the provider.
    Unknown(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pacer_spaces_sends_by_the_channel_rate() {
        let pacer = SendPacer::default();
        let waits: Vec<Duration> = (0..5).map(|_| pacer.reserve(1, 2)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        for (index, wait) in waits.iter().enumerate().skip(1) {
            let expected = Duration::from_millis(500 * index as u64);
            assert!(
                wait.abs_diff(expected) < Duration::from_millis(20),
                "{index}: {wait:?}"
            );
        }
        assert_eq!(
            pacer.reserve(2, 2),
            Duration::ZERO,
            "channels are paced separately"
        );
    }

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
