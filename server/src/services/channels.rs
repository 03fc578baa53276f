use app::error::AppError;
use app::model::{Channel, ChannelInput, ChannelKind, Permission};
use app::ports::Actor;
use serde_json::json;

use super::{Services, rfc3339};
use crate::domain::channels::{ChannelConfig, ChannelSecrets, ChannelSettings};
use crate::secrets::Keyring;
use crate::store::{ChannelRow, ChannelWrite};

/// The webhook paths providers call, fixed so admins can paste them once.
pub const WHATSAPP_WEBHOOK: &str = "/webhooks/whatsapp";
pub const MESSENGER_WEBHOOK: &str = "/webhooks/messenger";
pub const TWILIO_WEBHOOK: &str = "/webhooks/twilio";
pub const TWILIO_STATUS_WEBHOOK: &str = "/webhooks/twilio/status";

/// A stored channel with its configuration decoded.
#[derive(Clone, Debug)]
pub struct ConnectedChannel {
    pub id: i64,
    pub created_at: i64,
    pub config: ChannelConfig,
}

/// Where a channel's credentials are sealed for: a sealed value moved to another channel's row
/// does not open there.
pub fn secrets_place(channel_id: i64) -> String {
    format!("channel:{channel_id}:secrets")
}

impl ConnectedChannel {
    /// Decodes a stored channel, opening its sealed credentials with `keys`.
    pub fn from_row(row: ChannelRow, keys: &Keyring) -> Result<ConnectedChannel, AppError> {
        let decode = |what: &str, error: serde_json::Error| {
            tracing::error!(channel = row.id, %error, "stored channel {what} do not decode");
            AppError::internal()
        };
        let settings: ChannelSettings =
            serde_json::from_str(&row.settings).map_err(|e| decode("settings", e))?;
        let opened = keys
            .open(&secrets_place(row.id), &row.secrets)
            .map_err(|error| {
                tracing::error!(channel = row.id, %error, "stored channel secrets do not open");
                AppError::internal()
            })?;
        let secrets: ChannelSecrets =
            serde_json::from_str(&opened).map_err(|e| decode("secrets", e))?;
        let kind = ChannelKind::parse(&row.kind).ok_or_else(AppError::internal)?;
        Ok(ConnectedChannel {
            id: row.id,
            created_at: row.created_at,
            config: ChannelConfig {
                kind,
                name: row.name,
                route_key: row.route_key,
                api_base_url: row.api_base_url,
                send_rate_per_second: u32::try_from(row.send_rate_per_second).unwrap_or(1),
                settings,
                secrets,
            },
        })
    }
}

fn write_of<'a>(
    config: &'a ChannelConfig,
    settings: &'a str,
    secrets: &'a str,
) -> ChannelWrite<'a> {
    ChannelWrite {
        kind: config.kind.as_str(),
        name: &config.name,
        route_key: &config.route_key,
        api_base_url: &config.api_base_url,
        settings,
        secrets,
        send_rate_per_second: i64::from(config.send_rate_per_second),
    }
}

/// The settings as stored, and the credentials as JSON: sealed before storing, for their row.
fn encode(config: &ChannelConfig) -> (String, zeroize::Zeroizing<String>) {
    (
        serde_json::to_string(&config.settings).expect("settings serialise"),
        zeroize::Zeroizing::new(serde_json::to_string(&config.secrets).expect("secrets serialise")),
    )
}

fn unprocessable(error: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(error.to_string())
}

impl Services {
    pub fn public_url(&self, path: &str) -> String {
        self.settings
            .public_url
            .join(path)
            .map(String::from)
            .unwrap_or_else(|_| path.to_string())
    }

    fn view(&self, channel: ConnectedChannel) -> Channel {
        let ConnectedChannel {
            id,
            created_at,
            config,
        } = channel;
        let webhook = match config.kind {
            ChannelKind::WhatsApp => WHATSAPP_WEBHOOK,
            ChannelKind::Twilio => TWILIO_WEBHOOK,
            ChannelKind::Messenger => MESSENGER_WEBHOOK,
        };
        let settings = config.settings;
        Channel {
            id,
            kind: config.kind,
            name: config.name,
            webhook_url: self.public_url(webhook),
            status_callback_url: (config.kind == ChannelKind::Twilio)
                .then(|| self.public_url(TWILIO_STATUS_WEBHOOK)),
            secrets_set: config.secrets.names_set(),
            api_base_url: config.api_base_url,
            send_rate_per_second: config.send_rate_per_second,
            created_at: rfc3339(created_at),
            phone_number_id: settings.phone_number_id,
            waba_id: settings.waba_id,
            display_number: settings.display_number,
            app_id: settings.app_id,
            account_sid: settings.account_sid,
            phone_number: settings.phone_number,
            messaging_service_sid: settings.messaging_service_sid,
            page_id: settings.page_id,
            verify_token: settings.verify_token,
        }
    }

    pub async fn connected_channel(&self, id: i64) -> Result<ConnectedChannel, AppError> {
        let row = self
            .store
            .channel(id)
            .await?
            .ok_or_else(|| AppError::not_found("Channel"))?;
        self.decode_channel(row)
    }

    /// The one way stored channels are read: their credentials are opened here.
    pub(crate) fn decode_channel(&self, row: ChannelRow) -> Result<ConnectedChannel, AppError> {
        ConnectedChannel::from_row(row, self.sealer().keyring()?)
    }

    pub async fn list_channels(&self, actor: &Actor) -> Result<Vec<Channel>, AppError> {
        actor.require(Permission::ManageChannels)?;
        self.store
            .list_channels()
            .await?
            .into_iter()
            .map(|row| self.decode_channel(row).map(|channel| self.view(channel)))
            .collect()
    }

    pub async fn get_channel(&self, actor: &Actor, id: i64) -> Result<Channel, AppError> {
        actor.require(Permission::ManageChannels)?;
        Ok(self.view(self.connected_channel(id).await?))
    }

    /// Connects a channel; `by` is `None` for the demo data.
    pub async fn create_channel(
        &self,
        by: Option<&Actor>,
        input: &ChannelInput,
    ) -> Result<Channel, AppError> {
        if let Some(actor) = by {
            actor.require(Permission::ManageChannels)?;
        }
        let config = ChannelConfig::new(&self.sandboxed_in_demo(input)).map_err(unprocessable)?;
        self.check_api_base_url(&config, None).await?;
        let (settings, secrets) = encode(&config);
        let keys = self.sealer().keyring()?;
        let row = self
            .store
            .insert_channel_with(write_of(&config, &settings, ""), |id| {
                keys.seal(&secrets_place(id), &secrets)
            })
            .await?;
        self.store
            .audit(
                by.map(|actor| actor.id),
                "channel_connected",
                &format!("channel:{}", row.id),
                json!({ "kind": config.kind.as_str(), "route": config.route_key }),
            )
            .await?;
        // Deliveries kept for want of this channel are tried again now, not at their next turn.
        self.store.retry_waiting_webhooks().await?;
        Ok(self.view(self.decode_channel(row)?))
    }

    pub async fn update_channel(
        &self,
        actor: &Actor,
        id: i64,
        input: &ChannelInput,
    ) -> Result<Channel, AppError> {
        actor.require(Permission::ManageChannels)?;
        let current = self.connected_channel(id).await?;
        let config = current.config.changed(input).map_err(unprocessable)?;
        self.check_api_base_url(&config, Some(&current.config))
            .await?;
        let (settings, secrets) = encode(&config);
        let sealed = self.sealer().seal(&secrets_place(id), &secrets)?;
        self.store
            .update_channel(id, write_of(&config, &settings, &sealed))
            .await?;
        let rotated: Vec<&str> = [
            ("access_token", &input.access_token),
            ("app_secret", &input.app_secret),
            ("auth_token", &input.auth_token),
            ("page_access_token", &input.page_access_token),
        ]
        .into_iter()
        .filter(|(_, value)| value.as_deref().is_some_and(|v| !v.trim().is_empty()))
        .map(|(name, _)| name)
        .collect();
        self.store
            .audit(
                Some(actor.id),
                "channel_changed",
                &format!("channel:{id}"),
                json!({ "secrets_replaced": rotated }),
            )
            .await?;
        self.store.retry_waiting_webhooks().await?;
        self.get_channel(actor, id).await
    }

    /// In demo mode a channel connected without an API address talks to the sandbox provider.
    fn sandboxed_in_demo(&self, input: &ChannelInput) -> ChannelInput {
        let mut input = input.clone();
        let unset = input
            .api_base_url
            .as_deref()
            .is_none_or(|url| url.trim().is_empty());
        if self.demo_mode() && unset {
            let kind = input.kind.unwrap_or(ChannelKind::WhatsApp);
            input.api_base_url = Some(self.sandbox_api_base(kind));
        }
        input
    }

    /// A new or changed API address must be https to a public address (unless this instance
    /// allows private ones), and in demo mode this instance's sandbox: the channel's
    /// credentials are sent there. An unchanged one is
    /// left as it is; every call checks it again as it connects.
    async fn check_api_base_url(
        &self,
        config: &ChannelConfig,
        current: Option<&ChannelConfig>,
    ) -> Result<(), AppError> {
        let unchanged = current.is_some_and(|c| c.api_base_url == config.api_base_url);
        let sandbox =
            url::Url::parse(&config.api_base_url).is_ok_and(|url| self.is_sandbox_url(&url));
        // Demo mode never runs beside real traffic: at start (startup.rs) and here.
        if self.demo_mode() && !sandbox {
            return Err(AppError::unprocessable(format!(
                "Demo mode sends only to its sandbox provider: set api_base_url to {}, or \
                 connect real channels on an installation that is not in demo mode.",
                self.sandbox_api_base(config.kind)
            )));
        }
        if unchanged || sandbox || config.uses_default_api() {
            return Ok(());
        }
        let allow_private = self.settings.allow_private_provider_urls;
        match super::egress::api_base_url_refusal(&config.api_base_url, allow_private).await {
            None => Ok(()),
            Some(reason) => Err(AppError::unprocessable(format!(
                "api_base_url is not allowed: {reason}. Credentials are sent only to https \
                 addresses on the public internet."
            ))),
        }
    }

    pub async fn delete_channel(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManageChannels)?;
        if !self.store.delete_channel(id).await? {
            return Err(AppError::not_found("Channel"));
        }
        self.store
            .audit(
                Some(actor.id),
                "channel_removed",
                &format!("channel:{id}"),
                json!({}),
            )
            .await?;
        Ok(())
    }
}
