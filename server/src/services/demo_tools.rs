//! Demo tools: let a newcomer see the whole inbound flow without a provider account.

use app::error::AppError;
use app::model::{ChannelKind, Permission, SimulatedInbound};
use app::ports::Actor;
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};

use super::Services;
use super::channels::{MESSENGER_WEBHOOK, TWILIO_WEBHOOK, WHATSAPP_WEBHOOK};
use crate::auth::tokens::random_secret;
use crate::store::now_ms;

impl Services {
    /// Sends a message as a contact through the channel's real, signed webhook path.
    pub async fn simulate_inbound(
        &self,
        actor: &Actor,
        message: SimulatedInbound,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageChannels)?;
        if !self.demo_mode() {
            return Err(AppError::forbidden());
        }
        let text = message.text.trim();
        if text.is_empty() || text.chars().count() > 4096 {
            return Err(AppError::unprocessable(
                "Write a message of 1 to 4096 characters.",
            ));
        }
        let channel = self.connected_channel(message.channel_id).await?;
        let config = &channel.config;
        let settings = &config.settings;
        let secret = |value: &Option<String>| {
            value
                .clone()
                .ok_or_else(|| AppError::unprocessable("This channel has no secret to sign with."))
        };
        let phone = || {
            E164::parse(&message.from).map_err(|error| {
                AppError::unprocessable(format!("Enter the sender's phone number: {error}"))
            })
        };
        let id = random_secret();
        let (path, webhook): (&str, SignedWebhook) = match config.kind {
            ChannelKind::WhatsApp => (
                WHATSAPP_WEBHOOK,
                simulate::whatsapp_text(
                    &secret(&config.secrets.app_secret)?,
                    settings.waba_id.as_deref().unwrap_or_default(),
                    &config.route_key,
                    settings.display_number.as_deref().unwrap_or_default(),
                    &phone()?,
                    message.name.trim(),
                    &format!("wamid.SIMULATED{id}"),
                    now_ms() / 1000,
                    text,
                ),
            ),
            ChannelKind::Messenger => (
                MESSENGER_WEBHOOK,
                simulate::messenger_text(
                    &secret(&config.secrets.app_secret)?,
                    &config.route_key,
                    message.from.trim(),
                    &format!("m_SIMULATED{id}"),
                    now_ms(),
                    text,
                ),
            ),
            ChannelKind::Twilio => {
                let to = settings.phone_number.clone().unwrap_or_default();
                let url = self.public_url(TWILIO_WEBHOOK);
                (
                    TWILIO_WEBHOOK,
                    simulate::twilio_message(
                        &secret(&config.secrets.auth_token)?,
                        &url,
                        settings.account_sid.as_deref().unwrap_or_default(),
                        &to,
                        &phone()?,
                        message.name.trim(),
                        &format!("SM{}", &hex_id(&id)),
                        text,
                        false,
                    ),
                )
            }
        };
        self.post_to_self(path, webhook)
            .await
            .map_err(AppError::unprocessable)
    }

    /// Posts a signed webhook to this instance's own webhook `path`, as the provider would.
    /// To this instance itself, which may well be on loopback: not a provider call.
    pub(super) async fn post_to_self(
        &self,
        path: &str,
        webhook: SignedWebhook,
    ) -> Result<(), String> {
        let mut request = reqwest::Client::new()
            .post(self.public_url(path))
            .header(reqwest::header::CONTENT_TYPE, webhook.content_type)
            .body(webhook.body);
        for (name, value) in webhook.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|error| {
            tracing::warn!(%error, "simulated webhook could not be sent");
            "Could not reach this Switchboard at SWITCHBOARD_PUBLIC_URL to deliver the webhook."
                .to_string()
        })?;
        if !response.status().is_success() {
            let status = response.status();
            let detail = response.text().await.unwrap_or_default();
            return Err(format!("The webhook was refused ({status}): {detail}"));
        }
        Ok(())
    }
}

/// Twilio SIDs are two letters and 32 hex digits.
pub(super) fn hex_id(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(seed.as_bytes())[..16])
}
