//! Inbound webhooks: verify the provider's signature, parse the payload into the one inbound
//! model (the `channels` crate), translate it into store changes, and record it durably before
//! the provider is acknowledged.

use app::error::{AppError, ErrorCode};
use app::model::ChannelKind;
use channels::consent::{ConsentKeyword, classify};
use channels::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, MediaSource, MessageContent, OutboundEcho,
    RoutingKey, StatusTarget, StatusUpdate, TemplateStatus, TwilioChannel,
};
use channels::phone::ChannelAddress;
use channels::{messenger, signature, twilio, whatsapp};
use sha2::{Digest, Sha256};

use super::Services;
use super::channels::ConnectedChannel;
use crate::store::{
    Change, Delivery, NewAttachment, NewEcho, NewInbound, ReactionChange, Recorded, StatusChange,
    TemplateStatusChange, WatermarkChange, now_ms,
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

fn inbound_change(message: InboundMessage) -> Change {
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
    Change::Inbound(NewInbound {
        address,
        address_is_phone,
        profile_name: message.profile_name.clone(),
        sent_at: epoch_ms(message.timestamp),
        kind: message
            .content
            .first()
            .map(kind_of)
            .unwrap_or_else(|| "text".into()),
        body: body_of(&message.content, summary),
        content: serde_json::to_string(&message.content).unwrap_or_else(|_| "[]".into()),
        reply_to: message.reply_to.clone(),
        attachments: attachments_of(&message.content),
        consent,
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

fn status_changes(update: StatusUpdate) -> Result<Vec<Change>, String> {
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

impl Services {
    async fn channels_of(&self, kind: ChannelKind) -> Result<Vec<ConnectedChannel>, AppError> {
        self.store
            .channels_of_kind(kind.as_str())
            .await?
            .into_iter()
            .map(ConnectedChannel::from_row)
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

    /// A Meta (WhatsApp Cloud API or Messenger) webhook POST. One Meta app may serve several
    /// numbers or pages, so the signature is checked against every configured app secret of
    /// that kind, and each event is then routed by its phone number id or page id.
    pub async fn receive_meta_webhook(
        &self,
        kind: ChannelKind,
        body: &[u8],
        signature_header: Option<&str>,
    ) -> Result<(), AppError> {
        let candidates = self.channels_of(kind).await?;
        let signed_for: Vec<&ConnectedChannel> = candidates
            .iter()
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
            tracing::warn!(kind = kind.as_str(), "webhook signature matches no channel");
            return Err(refused(
                "The X-Hub-Signature-256 signature is missing or wrong.",
            ));
        }
        let events = match kind {
            ChannelKind::Messenger => messenger::parse_webhook(body),
            _ => whatsapp::parse_webhook(body),
        }
        .map_err(|error| AppError::bad_request(format!("The payload cannot be read: {error}")))?;
        self.record(kind.as_str(), &signed_for, body, events).await
    }

    /// A Twilio webhook POST (inbound message or status callback), form-encoded, signed over
    /// the public URL it was sent to.
    pub async fn receive_twilio_webhook(
        &self,
        path_and_query: &str,
        body: &[u8],
        signature_header: Option<&str>,
        status_callback: bool,
    ) -> Result<(), AppError> {
        let params: Vec<(String, String)> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let url = self.public_url(path_and_query);
        let candidates = self.channels_of(ChannelKind::Twilio).await?;
        let signed_for: Vec<&ConnectedChannel> = candidates
            .iter()
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
            return Err(refused(
                "The X-Twilio-Signature signature is missing or wrong.",
            ));
        }
        let event = if status_callback {
            twilio::parse_status(&params)
        } else {
            twilio::parse_inbound(&params)
        }
        .map_err(|error| AppError::bad_request(format!("The request cannot be read: {error}")))?;
        self.record("twilio", &signed_for, body, vec![event]).await
    }

    async fn record(
        &self,
        provider: &str,
        channels: &[&ConnectedChannel],
        body: &[u8],
        events: Vec<InboundEvent>,
    ) -> Result<(), AppError> {
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
                problems.push(format!("no connected channel for {routing:?}"));
                continue;
            }
            let channel_id = channel.map(|channel| channel.id);
            match event {
                InboundEvent::Message(message) => {
                    changes.extend(channel_id.map(|id| (id, inbound_change(message))));
                }
                InboundEvent::Echo(echo) => {
                    changes.extend(channel_id.map(|id| (id, echo_change(echo))));
                }
                InboundEvent::Status(update) => match status_changes(update) {
                    Ok(found) => changes.extend(
                        channel_id
                            .into_iter()
                            .flat_map(|id| found.clone().into_iter().map(move |c| (id, c))),
                    ),
                    Err(problem) => problems.push(problem),
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
                        None => problems.push(format!(
                            "no connected channel for WhatsApp account {}",
                            update.waba_id
                        )),
                    }
                }
                InboundEvent::ChannelError { error, .. } => problems.push(format!(
                    "the provider reported error {}: {}",
                    error.code,
                    error.title.unwrap_or_default()
                )),
                InboundEvent::Unhandled { reason, .. } => problems.push(reason),
            }
        }

        let key = dedupe_key(provider, body);
        let body = String::from_utf8_lossy(body);
        let delivery = || Delivery {
            provider,
            channel_id: changes
                .first()
                .map(|(id, _)| *id)
                .or(channels.first().map(|c| c.id)),
            dedupe_key: &key,
            body: &body,
        };
        match self
            .store
            .record_webhook(delivery(), &changes, problems)
            .await
        {
            Ok(Recorded::Stored { event_id }) => {
                tracing::debug!(provider, event_id, "webhook recorded");
                self.live.activity();
                Ok(())
            }
            Ok(Recorded::Duplicate) => {
                tracing::debug!(provider, "webhook delivered again; already recorded");
                Ok(())
            }
            Err(error) => {
                tracing::error!(provider, %error, "webhook could not be applied; keeping it raw");
                self.store
                    .record_unprocessed_webhook(delivery(), &error.to_string())
                    .await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retried_deliveries_share_a_key_and_providers_do_not() {
        assert_eq!(dedupe_key("whatsapp", b"{}"), dedupe_key("whatsapp", b"{}"));
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
