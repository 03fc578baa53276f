//! Inbound webhooks: verify the provider's signature, parse the payload into the one inbound
//! model (the `channels` crate), translate it into store changes, and record it durably before
//! the provider is acknowledged.

use std::time::Instant;

use app::error::{AppError, ErrorCode};
use app::model::ChannelKind;
use channels::consent::{ConsentKeyword, classify};
use channels::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, MediaSource, MessageContent, OutboundEcho,
    ProviderPricing, RoutingKey, StatusTarget, StatusUpdate, TemplateStatus, TwilioChannel,
};
use channels::phone::ChannelAddress;
use channels::{messenger, signature, twilio, whatsapp};
use sha2::{Digest, Sha256};

use super::Services;
use super::channels::{
    ConnectedChannel, MESSENGER_WEBHOOK, TWILIO_STATUS_WEBHOOK, TWILIO_WEBHOOK, WHATSAPP_WEBHOOK,
};
use super::costs::{date_of, new_cost};
use super::screening::Screening;
use crate::domain::costs::{Prices, price_twilio_status, price_whatsapp_status};
use crate::domain::webhooks::next_attempt_at;
use crate::metrics::{Kept, Rejection};
use crate::store::{
    Change, Delivery, FollowUps, KeptWebhook, NewAttachment, NewCost, NewEcho, NewInbound, Problem,
    Processing, ReactionChange, Recorded, StatusChange, SurveyInput, TemplateStatusChange,
    WatermarkChange, now_ms,
};

fn refused(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Unauthenticated, message)
}

fn dedupe_key(provider: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(provider.as_bytes());
    hash.update([0]);
    hash.update(body);
    hex::encode(hash.finalize())
}

fn epoch_ms(at: Option<time::OffsetDateTime>) -> i64 {
    at.map_or_else(now_ms, |at| (at.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The address as the channel writes it (see [`ChannelAddress`]), and whether it holds a phone
/// number, which is the same person on every channel.
fn address_of(address: &ChannelAddress) -> (String, bool) {
    match address {
        ChannelAddress::Phone(_) | ChannelAddress::TwilioWhatsApp(_) => (address.to_string(), true),
        ChannelAddress::ScopedId(id) => (id.clone(), false),
    }
}

/// The kind name stored with a message and used by the UI to pick how to show it.
fn kind_of(content: &MessageContent) -> String {
    match content {
        MessageContent::Text(_) => "text".into(),
        MessageContent::Media(media) => serde_json::to_value(media.kind)
            .ok()
            .and_then(|kind| kind.as_str().map(str::to_string))
            .unwrap_or_else(|| "media".into()),
        MessageContent::Location { .. } => "location".into(),
        MessageContent::Contacts(_) => "contacts".into(),
        MessageContent::InteractiveReply { .. } => "interactive_reply".into(),
        MessageContent::ButtonReply { .. } => "button_reply".into(),
        MessageContent::Reaction { .. } => "reaction".into(),
        MessageContent::Order { .. } => "order".into(),
        MessageContent::System { .. } => "system".into(),
        MessageContent::Postback { .. } => "postback".into(),
        MessageContent::QuickReply { .. } => "quick_reply".into(),
        MessageContent::Unsupported { .. } => "unsupported".into(),
    }
}

/// Text a volunteer reads: the message's own text when it is text, else a readable summary.
fn body_of(content: &[MessageContent], summary: String) -> String {
    match content {
        [MessageContent::Text(text)] => text.clone(),
        _ => summary,
    }
}

fn attachments_of(content: &[MessageContent]) -> Vec<NewAttachment> {
    content
        .iter()
        .filter_map(|part| match part {
            MessageContent::Media(media) => Some(NewAttachment {
                kind: kind_of(part),
                mime_type: media.mime_type.clone(),
                filename: media.filename.clone(),
                sha256: media.sha256.clone(),
                source: match &media.source {
                    MediaSource::WhatsAppMediaId(id) => format!("whatsapp-media:{id}"),
                    MediaSource::Url(url) => url.clone(),
                },
            }),
            _ => None,
        })
        .collect()
}

/// What a message can say to a satisfaction survey waiting for an answer: a tap on one of its
/// choices, or text (empty for a picture or a location).
fn survey_input(content: &[MessageContent]) -> SurveyInput {
    match content {
        [MessageContent::InteractiveReply { id, .. }] => SurveyInput::Tap(id.clone()),
        [MessageContent::QuickReply { payload, .. }] => SurveyInput::Tap(payload.clone()),
        // The survey template's buttons carry no ids of ours: their text is the answer.
        [MessageContent::ButtonReply { text, .. }] => SurveyInput::Text(text.clone()),
        [MessageContent::Text(text)] => SurveyInput::Text(text.clone()),
        _ => SurveyInput::Text(String::new()),
    }
}

/// A message as a change to store; `screening` decides whether its text makes the conversation
/// urgent or asks for erasure.
fn inbound_change(message: InboundMessage, screening: &Screening) -> Change {
    if let [
        MessageContent::Reaction {
            target_message_id,
            emoji,
        },
    ] = message.content.as_slice()
    {
        return Change::Reaction(ReactionChange {
            target_provider_message_id: target_message_id.clone(),
            emoji: emoji.clone().filter(|emoji| !emoji.is_empty()),
            reacted_at: epoch_ms(message.timestamp),
        });
    }
    let is_sms = matches!(
        message.routing,
        RoutingKey::Twilio {
            channel: TwilioChannel::Sms,
            ..
        }
    );
    let consent = match message.content.as_slice() {
        [MessageContent::Text(text)] if is_sms => classify(text).map(|keyword| match keyword {
            ConsentKeyword::OptOut => "opt_out",
            ConsentKeyword::OptIn => "opt_in",
            ConsentKeyword::Help => "help",
        }),
        _ => None,
    };
    let (address, address_is_phone) = address_of(&message.from);
    let summary = message.summary();
    let body = body_of(&message.content, summary);
    let risk_word = screening.risk_words.first_match(&body).map(str::to_owned);
    let kind = message
        .content
        .first()
        .map(kind_of)
        .unwrap_or_else(|| "text".into());
    let erasure_answer = screening.erasure_answer(&kind, &body);
    // A message that sets off anything else goes to the queue, where a person sees it, even
    // when it reads like a rating or a comment.
    let survey_input = (consent.is_none() && risk_word.is_none() && erasure_answer.is_none())
        .then(|| survey_input(&message.content));
    Change::Inbound(NewInbound {
        address,
        address_is_phone,
        two_networks: matches!(message.routing, RoutingKey::Twilio { .. }),
        profile_name: message.profile_name.clone(),
        sent_at: epoch_ms(message.timestamp),
        kind,
        body,
        content: serde_json::to_string(&message.content).unwrap_or_else(|_| "[]".into()),
        reply_to: message.reply_to.clone(),
        attachments: attachments_of(&message.content),
        consent,
        risk_word,
        erasure_answer,
        survey_input,
        provider_message_id: message.provider_message_id,
    })
}

fn echo_change(echo: OutboundEcho) -> Change {
    let (address, _) = address_of(&echo.to);
    let summary = echo.summary();
    Change::Echo(NewEcho {
        address,
        sent_at: epoch_ms(echo.timestamp),
        kind: echo
            .content
            .first()
            .map(kind_of)
            .unwrap_or_else(|| "text".into()),
        body: body_of(&echo.content, summary),
        content: serde_json::to_string(&echo.content).unwrap_or_else(|_| "[]".into()),
        provider_message_id: echo.provider_message_id,
    })
}

/// Twilio reports "recipient unsubscribed" as error 21610: the person said STOP.
const TWILIO_UNSUBSCRIBED: u32 = 21610;

/// What the provider says the status's message cost, priced; `None` when it says nothing or
/// nothing that can be priced (logged, never failing the status).
fn status_cost(update: &StatusUpdate, prices: &Prices) -> Option<NewCost> {
    let pricing = update.pricing.as_ref()?;
    let recipient = update
        .recipient
        .as_ref()
        .map(|recipient| address_of(recipient).0)
        .unwrap_or_default();
    let at = epoch_ms(update.timestamp);
    let cost = match pricing {
        ProviderPricing::WhatsApp(pricing) => match price_whatsapp_status(
            prices,
            pricing.category.as_deref()?,
            pricing.pricing_type.as_deref(),
            pricing.billable,
            &recipient,
            date_of(at),
        ) {
            Ok(cost) => cost,
            Err(error) => {
                tracing::warn!(%error, "a WhatsApp status's pricing could not be priced");
                return None;
            }
        },
        ProviderPricing::Twilio(price) => price_twilio_status(
            &price.price,
            price.price_unit.as_deref().unwrap_or_default(),
            &recipient,
        )?,
    };
    Some(new_cost(cost, at))
}

fn status_changes(update: StatusUpdate, prices: &Prices) -> Result<Vec<Change>, String> {
    let cost = status_cost(&update, prices);
    let (status, rank) = match update.status {
        DeliveryStatus::Queued => ("queued", 1),
        DeliveryStatus::Sent => ("sent", 2),
        DeliveryStatus::Delivered => ("delivered", 3),
        DeliveryStatus::Read => ("read", 4),
        DeliveryStatus::Failed => ("failed", 5),
    };
    let unsubscribed = matches!(update.routing, RoutingKey::Twilio { .. })
        && update
            .error
            .as_ref()
            .is_some_and(|e| e.code == TWILIO_UNSUBSCRIBED);
    let opted_out_address = update
        .recipient
        .as_ref()
        .filter(|_| unsubscribed)
        .map(|recipient| address_of(recipient).0);
    let ids = match update.target {
        StatusTarget::Message(id) => vec![id],
        StatusTarget::SentBefore { message_ids, .. } if !message_ids.is_empty() => message_ids,
        StatusTarget::SentBefore { watermark, .. } => {
            let recipient = update
                .recipient
                .as_ref()
                .map(|recipient| address_of(recipient).0)
                .ok_or_else(|| format!("{status} receipt names no recipient"))?;
            return Ok(vec![Change::Watermark(WatermarkChange {
                recipient,
                before: epoch_ms(Some(watermark)),
                status,
                rank,
            })]);
        }
    };
    Ok(ids
        .into_iter()
        .map(|provider_message_id| {
            Change::Status(StatusChange {
                provider_message_id,
                status,
                rank,
                error_code: update.error.as_ref().map(|e| e.code.to_string()),
                error_title: update.error.as_ref().and_then(|e| e.title.clone()),
                opted_out_address: opted_out_address.clone(),
                cost: cost.clone(),
            })
        })
        .collect())
}

fn template_status_name(status: &TemplateStatus) -> String {
    match status {
        TemplateStatus::Approved => "approved".into(),
        TemplateStatus::Pending => "pending".into(),
        TemplateStatus::Rejected => "rejected".into(),
        TemplateStatus::Paused => "paused".into(),
        TemplateStatus::Disabled => "disabled".into(),
        TemplateStatus::Other(other) => other.to_lowercase(),
    }
}

/// How an event finds its channel among those that share the webhook.
fn routes_to(channel: &ConnectedChannel, routing: &RoutingKey) -> bool {
    let config = &channel.config;
    match routing {
        RoutingKey::WhatsApp { phone_number_id } => {
            config.kind == ChannelKind::WhatsApp && &config.route_key == phone_number_id
        }
        RoutingKey::Messenger { page_id } => {
            config.kind == ChannelKind::Messenger && &config.route_key == page_id
        }
        RoutingKey::Twilio {
            number,
            messaging_service_sid,
            account_sid,
            ..
        } => {
            config.kind == ChannelKind::Twilio
                && config.settings.account_sid.as_deref() == Some(account_sid.as_str())
                && (messaging_service_sid.as_deref() == Some(config.route_key.as_str())
                    || channels::phone::E164::parse(number)
                        .is_ok_and(|number| number.as_str() == config.route_key))
        }
    }
}

/// Why a delivery cannot be taken at all.
enum Unreadable {
    Unsigned(&'static str),
    Malformed(String),
}

impl Unreadable {
    fn reason(&self) -> String {
        match self {
            Unreadable::Unsigned(message) => (*message).to_string(),
            Unreadable::Malformed(message) => message.clone(),
        }
    }

    fn rejection(&self) -> Rejection {
        match self {
            Unreadable::Unsigned(_) => Rejection::Signature,
            Unreadable::Malformed(_) => Rejection::Malformed,
        }
    }
}

impl From<Unreadable> for AppError {
    fn from(unreadable: Unreadable) -> Self {
        match unreadable {
            Unreadable::Unsigned(message) => refused(message),
            Unreadable::Malformed(message) => AppError::bad_request(message),
        }
    }
}

/// A delivery whose signature matches the channels in `signed_for`, read into events.
struct Checked {
    signed_for: Vec<ConnectedChannel>,
    events: Vec<InboundEvent>,
}

/// The provider a webhook path belongs to, as webhook events record it.
fn provider_of(path_and_query: &str) -> Option<&'static str> {
    match path_and_query.split('?').next().unwrap_or_default() {
        WHATSAPP_WEBHOOK => Some("whatsapp"),
        MESSENGER_WEBHOOK => Some("messenger"),
        TWILIO_WEBHOOK | TWILIO_STATUS_WEBHOOK => Some("twilio"),
        _ => None,
    }
}

impl Services {
    async fn channels_of(&self, kind: ChannelKind) -> Result<Vec<ConnectedChannel>, AppError> {
        self.store
            .channels_of_kind(kind.as_str())
            .await?
            .into_iter()
            .map(|row| self.decode_channel(row))
            .collect()
    }

    /// Meta's subscription handshake: true when `mode` is `subscribe` and the token is the
    /// verify token of a connected channel of this kind.
    pub async fn accepts_subscription(
        &self,
        kind: ChannelKind,
        mode: &str,
        verify_token: &str,
    ) -> Result<bool, AppError> {
        use subtle::ConstantTimeEq;
        if mode != "subscribe" {
            return Ok(false);
        }
        Ok(self.channels_of(kind).await?.iter().any(|channel| {
            channel
                .config
                .settings
                .verify_token
                .as_deref()
                .is_some_and(|token| bool::from(token.as_bytes().ct_eq(verify_token.as_bytes())))
        }))
    }

    /// A webhook POST to `path_and_query` (one of the fixed webhook paths), acknowledged once
    /// it is durably stored.
    pub async fn receive_webhook(
        &self,
        path_and_query: &str,
        body: &[u8],
        signature_header: Option<&str>,
    ) -> Result<(), AppError> {
        let provider = provider_of(path_and_query).ok_or_else(|| AppError::not_found("Webhook"))?;
        let arrived = Instant::now();
        self.metrics.webhook_received(provider);
        let checked = match self
            .check(provider, path_and_query, body, signature_header)
            .await?
        {
            Ok(checked) => checked,
            Err(unreadable) => {
                self.metrics
                    .webhook_rejected(provider, unreadable.rejection());
                return Err(unreadable.into());
            }
        };
        let screening = self.screening().await?;
        let (channel_id, processing) = translate(checked, &screening, now_ms(), 0);
        let kept = if processing.problems.is_empty() {
            Kept::Applied
        } else {
            Kept::Problem
        };
        let delivery = Delivery {
            provider,
            channel_id,
            dedupe_key: dedupe_key(provider, body),
            body: String::from_utf8_lossy(body).into_owned(),
            signature: signature_header.map(str::to_string),
            request_path: path_and_query.to_string(),
        };
        match self
            .store
            .record_webhook(delivery.clone(), processing)
            .await
        {
            Ok(Recorded::Stored { follow_ups, .. }) => {
                self.metrics.webhook_kept(provider, kept, arrived.elapsed());
                self.follow_up(follow_ups).await;
                Ok(())
            }
            Ok(Recorded::Duplicate) => {
                self.metrics
                    .webhook_kept(provider, Kept::Duplicate, arrived.elapsed());
                Ok(())
            }
            Err(error) => {
                tracing::error!(provider, %error, "webhook could not be applied; keeping it raw");
                let retry_at = next_attempt_at(0, now_ms());
                self.store
                    .record_unprocessed_webhook(&delivery, &error.to_string(), retry_at)
                    .await?;
                self.metrics
                    .webhook_kept(provider, Kept::Unprocessed, arrived.elapsed());
                Ok(())
            }
        }
    }

    /// What a committed delivery calls for: live updates, urgent alerts, and the
    /// acknowledgements of erasure requests on their way.
    async fn follow_up(&self, follow_ups: FollowUps) {
        self.live.activity();
        self.erasure_requested(follow_ups.erasure_requested).await;
        self.alert_urgent(follow_ups.flagged_urgent).await;
        self.check_budgets(&follow_ups.priced).await;
        self.thank_for_ratings(&follow_ups.surveys_answered).await;
    }

    /// Checks a delivery's signature against the channels connected now and reads it. One Meta
    /// app may serve several numbers or pages, so a Meta signature is checked against every
    /// configured app secret of that kind; Twilio signs the public URL it posted to.
    async fn check(
        &self,
        provider: &str,
        path_and_query: &str,
        body: &[u8],
        signature_header: Option<&str>,
    ) -> Result<Result<Checked, Unreadable>, AppError> {
        let kind = match provider {
            "messenger" => ChannelKind::Messenger,
            "twilio" => ChannelKind::Twilio,
            _ => ChannelKind::WhatsApp,
        };
        let candidates = self.channels_of(kind).await?;
        if kind == ChannelKind::Twilio {
            return Ok(self.check_twilio(candidates, path_and_query, body, signature_header));
        }
        let signed_for: Vec<ConnectedChannel> = candidates
            .into_iter()
            .filter(|channel| {
                channel
                    .config
                    .secrets
                    .app_secret
                    .as_deref()
                    .is_some_and(|secret| {
                        signature::verify_meta(secret, body, signature_header).is_ok()
                    })
            })
            .collect();
        if signed_for.is_empty() {
            tracing::warn!(provider, "webhook signature matches no channel");
            return Ok(Err(Unreadable::Unsigned(
                "The X-Hub-Signature-256 signature is missing or wrong.",
            )));
        }
        let events = match kind {
            ChannelKind::Messenger => messenger::parse_webhook(body),
            _ => whatsapp::parse_webhook(body),
        };
        Ok(events
            .map(|events| Checked { signed_for, events })
            .map_err(|error| Unreadable::Malformed(format!("The payload cannot be read: {error}"))))
    }

    /// A Twilio inbound message or status callback, form-encoded, signed over the public URL
    /// it was sent to.
    fn check_twilio(
        &self,
        candidates: Vec<ConnectedChannel>,
        path_and_query: &str,
        body: &[u8],
        signature_header: Option<&str>,
    ) -> Result<Checked, Unreadable> {
        let params: Vec<(String, String)> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let url = self.public_url(path_and_query);
        let signed_for: Vec<ConnectedChannel> = candidates
            .into_iter()
            .filter(|channel| {
                channel
                    .config
                    .secrets
                    .auth_token
                    .as_deref()
                    .is_some_and(|token| {
                        // A JSON body is signed through its hash in the URL, not as params.
                        if url.contains("bodySHA256=") {
                            signature::verify_twilio_json(token, &url, body, signature_header)
                                .is_ok()
                        } else {
                            signature::verify_twilio(token, &url, &params, signature_header).is_ok()
                        }
                    })
            })
            .collect();
        if signed_for.is_empty() {
            tracing::warn!("Twilio webhook signature matches no channel");
            return Err(Unreadable::Unsigned(
                "The X-Twilio-Signature signature is missing or wrong.",
            ));
        }
        let status_callback = path_and_query.split('?').next() == Some(TWILIO_STATUS_WEBHOOK);
        let event = if status_callback {
            twilio::parse_status(&params)
        } else {
            twilio::parse_inbound(&params)
        }
        .map_err(|error| Unreadable::Malformed(format!("The request cannot be read: {error}")))?;
        Ok(Checked {
            signed_for,
            events: vec![event],
        })
    }

    /// Processes a kept delivery again, as it would be if it arrived now: its signature is
    /// checked against the channels connected now, then whatever it still changes is applied
    /// (idempotently: a message already stored is not stored again). A delivery already
    /// processed without problems is left as it is.
    pub(super) async fn reprocess(&self, event: &KeptWebhook) -> Result<(), AppError> {
        if event.processed_at.is_some() && event.error.is_none() {
            return Ok(());
        }
        let attempts = event.attempts + 1;
        let now = now_ms();
        let checked = match &event.signature {
            Some(signature) => {
                self.check(
                    event.provider.as_str(),
                    &event.request_path,
                    event.body.as_bytes(),
                    Some(signature),
                )
                .await?
            }
            None => Err(Unreadable::Unsigned(
                "Kept without its signature, so it cannot be checked again.",
            )),
        };
        let checked = match checked {
            Ok(checked) => checked,
            Err(unreadable) => {
                self.store
                    .webhook_attempt_failed(event.id, event.attempts, &unreadable.reason(), None)
                    .await?;
                return Ok(());
            }
        };
        let screening = self.screening().await?;
        let (channel_id, processing) = translate(checked, &screening, now, attempts);
        match self
            .store
            .reprocess_webhook(event.id, event.attempts, channel_id, processing)
            .await
        {
            Ok(Some(follow_ups)) => {
                self.follow_up(follow_ups).await;
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => {
                tracing::error!(event = event.id, %error, "kept webhook could not be applied");
                let retry_at = next_attempt_at(attempts, now);
                self.store
                    .webhook_attempt_failed(event.id, event.attempts, &error.to_string(), retry_at)
                    .await?;
                Ok(())
            }
        }
    }
}

/// What a checked delivery changes, each change for the channel it routes to, and the channel
/// the event is listed under. Problems that may resolve later make it be tried again after
/// `attempts` tries.
fn translate(
    checked: Checked,
    screening: &Screening,
    now: i64,
    attempts: i64,
) -> (Option<i64>, Processing) {
    let Checked {
        signed_for: channels,
        events,
    } = checked;
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for event in events {
        let routing = match &event {
            InboundEvent::Message(message) => Some(message.routing.clone()),
            InboundEvent::Echo(echo) => Some(echo.routing.clone()),
            InboundEvent::Status(status) => Some(status.routing.clone()),
            InboundEvent::ChannelError { routing, .. } => Some(routing.clone()),
            InboundEvent::TemplateStatus(_) | InboundEvent::Unhandled { .. } => None,
        };
        let channel = routing
            .as_ref()
            .and_then(|routing| channels.iter().find(|channel| routes_to(channel, routing)));
        if let (Some(routing), None) = (&routing, channel) {
            problems.push(Problem::for_now(format!(
                "no connected channel for {routing:?}"
            )));
            continue;
        }
        let channel_id = channel.map(|channel| channel.id);
        match event {
            InboundEvent::Message(message) => {
                changes.extend(channel_id.map(|id| (id, inbound_change(message, screening))));
            }
            InboundEvent::Echo(echo) => {
                changes.extend(channel_id.map(|id| (id, echo_change(echo))));
            }
            InboundEvent::Status(update) => match status_changes(update, &screening.prices) {
                Ok(found) => changes.extend(
                    channel_id
                        .into_iter()
                        .flat_map(|id| found.clone().into_iter().map(move |c| (id, c))),
                ),
                Err(problem) => problems.push(Problem::lasting(problem)),
            },
            InboundEvent::TemplateStatus(update) => {
                let owner = channels.iter().find(|channel| {
                    channel.config.settings.waba_id.as_deref() == Some(update.waba_id.as_str())
                });
                match owner {
                    Some(channel) => changes.push((
                        channel.id,
                        Change::TemplateStatus(TemplateStatusChange {
                            status: template_status_name(&update.status),
                            reason: update
                                .rejection_detail
                                .clone()
                                .or_else(|| update.reason.clone()),
                            provider_template_id: update.template_id,
                            language: Some(update.language),
                            name: update.name,
                        }),
                    )),
                    None => problems.push(Problem::for_now(format!(
                        "no connected channel for WhatsApp account {}",
                        update.waba_id
                    ))),
                }
            }
            InboundEvent::ChannelError { error, .. } => problems.push(Problem::lasting(format!(
                "the provider reported error {}: {}",
                error.code,
                error.title.unwrap_or_default()
            ))),
            InboundEvent::Unhandled { reason, .. } => problems.push(Problem::lasting(reason)),
        }
    }
    let channel_id = changes
        .first()
        .map(|(id, _)| *id)
        .or(channels.first().map(|c| c.id));
    let processing = Processing {
        changes,
        problems,
        retry_at: next_attempt_at(attempts, now),
    };
    (channel_id, processing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retried_deliveries_share_a_key_and_providers_do_not() {
        // SHA-256 of the provider, a NUL and the body: a retried delivery (the same bytes) gets
        // this same key in every instance and release.
        assert_eq!(
            dedupe_key("whatsapp", b"{}"),
            "78e24d9da1a1338a10852ed4ad173ef45fdb7f0216b47cfce3f584d57ee3e1db"
        );
        assert_ne!(
            dedupe_key("whatsapp", b"{}"),
            dedupe_key("messenger", b"{}")
        );
        assert_ne!(
            dedupe_key("whatsapp", b"{}"),
            dedupe_key("whatsapp", b"{ }")
        );
    }

    #[test]
    fn only_whole_message_keywords_on_sms_change_consent() {
        let message = |text: &str, channel| InboundMessage {
            routing: RoutingKey::Twilio {
                account_sid: "AC1".into(),
                number: "+15550001111".into(),
                messaging_service_sid: None,
                channel,
            },
            provider_message_id: "SM1".into(),
            from: ChannelAddress::from_provider("+15552223333"),
            profile_name: None,
            timestamp: None,
            reply_to: None,
            forwarded: false,
            referral: None,
            content: vec![MessageContent::Text(text.into())],
        };
        let nothing_to_screen = Screening::default();
        let inbound_change = |message| inbound_change(message, &nothing_to_screen);
        let consent = |change: Change| match change {
            Change::Inbound(inbound) => inbound.consent,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            consent(inbound_change(message(" stop ", TwilioChannel::Sms))),
            Some("opt_out")
        );
        assert_eq!(
            consent(inbound_change(message("START", TwilioChannel::Sms))),
            Some("opt_in")
        );
        assert_eq!(
            consent(inbound_change(message("help", TwilioChannel::Sms))),
            Some("help")
        );
        assert_eq!(
            consent(inbound_change(message(
                "please stop by",
                TwilioChannel::Sms
            ))),
            None
        );
        assert_eq!(
            consent(inbound_change(message("STOP", TwilioChannel::WhatsApp))),
            None
        );
    }
}
