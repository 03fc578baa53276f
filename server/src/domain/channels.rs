//! What makes a channel's configuration valid, and how an admin's changes apply to it.

use app::model::{ChannelInput, ChannelKind};
use channels::phone::E164;
use serde::{Deserialize, Serialize};

pub const WHATSAPP_API: &str = "https://graph.facebook.com/v23.0";
pub const MESSENGER_API: &str = "https://graph.facebook.com/v23.0";
pub const TWILIO_API: &str = "https://api.twilio.com";

/// Identifiers and settings that may be shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waba_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_number: Option<String>,
    /// WhatsApp, optional: the Meta app template samples are uploaded under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaging_service_sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_token: Option<String>,
}

/// Credentials: stored, used to verify and send, never shown again.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSecrets {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_access_token: Option<String>,
}

impl std::fmt::Debug for ChannelSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelSecrets([redacted])")
    }
}

impl ChannelSecrets {
    /// The names of the secrets that are set, for showing "set / not set".
    pub fn names_set(&self) -> Vec<String> {
        [
            ("access_token", &self.access_token),
            ("app_secret", &self.app_secret),
            ("auth_token", &self.auth_token),
            ("page_access_token", &self.page_access_token),
        ]
        .into_iter()
        .filter(|(_, value)| value.is_some())
        .map(|(name, _)| name.to_string())
        .collect()
    }
}

/// A complete, valid channel configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelConfig {
    pub kind: ChannelKind,
    pub name: String,
    /// What inbound webhooks are routed by: the WhatsApp phone number id, the Messenger page id,
    /// or the Twilio Messaging Service SID or sender number (E.164).
    pub route_key: String,
    pub api_base_url: String,
    pub send_rate_per_second: u32,
    pub settings: ChannelSettings,
    pub secrets: ChannelSecrets,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("Choose the kind of channel: whatsapp, twilio or messenger.")]
    MissingKind,
    #[error("The kind of a channel cannot change; connect a new channel instead.")]
    KindChanged,
    #[error("Enter a name of 1 to 100 characters.")]
    InvalidName,
    #[error("{0} is required for this kind of channel.")]
    Missing(&'static str),
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
    #[error("The send rate must be between 1 and 1000 messages per second.")]
    InvalidRate,
    /// The stored credentials would follow a changed API address, so they must be entered
    /// again: whoever changes the address has to know them already.
    #[error(
        "Changing api_base_url sends the channel's credentials to the new address: enter {0} again with it."
    )]
    SecretsNeededForNewUrl(&'static str),
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The changed value when one is given, else the current one.
fn merged(change: &Option<String>, current: &Option<String>) -> Option<String> {
    clean(change).or_else(|| current.clone())
}

fn required(value: &Option<String>, name: &'static str) -> Result<String, ChannelError> {
    value.clone().ok_or(ChannelError::Missing(name))
}

fn identifier(value: &Option<String>, name: &'static str) -> Result<String, ChannelError> {
    let value = required(value, name)?;
    if value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ChannelError::Invalid(
            name,
            "letters and digits only".into(),
        ));
    }
    Ok(value)
}

fn default_rate(kind: ChannelKind) -> u32 {
    match kind {
        ChannelKind::WhatsApp => 80,
        ChannelKind::Twilio => 1,
        ChannelKind::Messenger => 40,
    }
}

fn default_api(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::WhatsApp => WHATSAPP_API,
        ChannelKind::Twilio => TWILIO_API,
        ChannelKind::Messenger => MESSENGER_API,
    }
}

impl ChannelConfig {
    /// Validates a new channel.
    pub fn new(input: &ChannelInput) -> Result<ChannelConfig, ChannelError> {
        let kind = input.kind.ok_or(ChannelError::MissingKind)?;
        Self::build(kind, input, None)
    }

    /// Applies an admin's changes to this configuration; empty fields keep what is there.
    pub fn changed(&self, input: &ChannelInput) -> Result<ChannelConfig, ChannelError> {
        if input.kind.is_some_and(|kind| kind != self.kind) {
            return Err(ChannelError::KindChanged);
        }
        let changed = Self::build(self.kind, input, Some(self))?;
        if changed.api_base_url != self.api_base_url {
            let (name, given) = match self.kind {
                ChannelKind::WhatsApp => ("access_token", &input.access_token),
                ChannelKind::Messenger => ("page_access_token", &input.page_access_token),
                ChannelKind::Twilio => ("auth_token", &input.auth_token),
            };
            if clean(given).is_none() {
                return Err(ChannelError::SecretsNeededForNewUrl(name));
            }
        }
        Ok(changed)
    }

    /// Whether this is the provider's own API address, which needs no checking.
    pub fn uses_default_api(&self) -> bool {
        self.api_base_url == default_api(self.kind)
    }

    fn build(
        kind: ChannelKind,
        input: &ChannelInput,
        current: Option<&ChannelConfig>,
    ) -> Result<ChannelConfig, ChannelError> {
        let settings = current.map(|c| c.settings.clone()).unwrap_or_default();
        let secrets = current.map(|c| c.secrets.clone()).unwrap_or_default();
        let settings = ChannelSettings {
            phone_number_id: merged(&input.phone_number_id, &settings.phone_number_id),
            waba_id: merged(&input.waba_id, &settings.waba_id),
            display_number: merged(&input.display_number, &settings.display_number),
            app_id: merged(&input.app_id, &settings.app_id),
            account_sid: merged(&input.account_sid, &settings.account_sid),
            phone_number: merged(&input.phone_number, &settings.phone_number),
            messaging_service_sid: merged(
                &input.messaging_service_sid,
                &settings.messaging_service_sid,
            ),
            page_id: merged(&input.page_id, &settings.page_id),
            verify_token: merged(&input.verify_token, &settings.verify_token),
        };
        let secrets = ChannelSecrets {
            access_token: merged(&input.access_token, &secrets.access_token),
            app_secret: merged(&input.app_secret, &secrets.app_secret),
            auth_token: merged(&input.auth_token, &secrets.auth_token),
            page_access_token: merged(&input.page_access_token, &secrets.page_access_token),
        };
        let name = merged(&input.name, &current.map(|c| c.name.clone()))
            .filter(|name| name.chars().count() <= 100 && !name.chars().any(char::is_control))
            .ok_or(ChannelError::InvalidName)?;
        let api_base_url = merged(
            &input.api_base_url,
            &current.map(|c| c.api_base_url.clone()),
        )
        .unwrap_or_else(|| default_api(kind).to_string());
        let parsed = url::Url::parse(&api_base_url)
            .map_err(|error| ChannelError::Invalid("api_base_url", error.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ChannelError::Invalid(
                "api_base_url",
                "use http or https".into(),
            ));
        }
        let send_rate_per_second = input
            .send_rate_per_second
            .or(current.map(|c| c.send_rate_per_second))
            .unwrap_or_else(|| default_rate(kind));
        if !(1..=1000).contains(&send_rate_per_second) {
            return Err(ChannelError::InvalidRate);
        }

        let (route_key, settings) = match kind {
            ChannelKind::WhatsApp => {
                let route = identifier(&settings.phone_number_id, "phone_number_id")?;
                identifier(&settings.waba_id, "waba_id")?;
                if settings.app_id.is_some() {
                    identifier(&settings.app_id, "app_id")?;
                }
                required(&secrets.access_token, "access_token")?;
                required(&secrets.app_secret, "app_secret")?;
                required(&settings.verify_token, "verify_token")?;
                (route, settings)
            }
            ChannelKind::Messenger => {
                let route = identifier(&settings.page_id, "page_id")?;
                required(&secrets.page_access_token, "page_access_token")?;
                required(&secrets.app_secret, "app_secret")?;
                required(&settings.verify_token, "verify_token")?;
                (route, settings)
            }
            ChannelKind::Twilio => {
                identifier(&settings.account_sid, "account_sid")?;
                required(&secrets.auth_token, "auth_token")?;
                let phone_number = settings
                    .phone_number
                    .as_deref()
                    .map(|number| {
                        E164::parse(number)
                            .map(|e164| e164.to_string())
                            .map_err(|error| {
                                ChannelError::Invalid("phone_number", error.to_string())
                            })
                    })
                    .transpose()?;
                let route = match (&settings.messaging_service_sid, &phone_number) {
                    (Some(service), _) => {
                        identifier(&Some(service.clone()), "messaging_service_sid")?
                    }
                    (None, Some(number)) => number.clone(),
                    (None, None) => {
                        return Err(ChannelError::Missing(
                            "phone_number or messaging_service_sid",
                        ));
                    }
                };
                (
                    route,
                    ChannelSettings {
                        phone_number,
                        ..settings
                    },
                )
            }
        };
        Ok(ChannelConfig {
            kind,
            name,
            route_key,
            api_base_url: api_base_url.trim_end_matches('/').to_string(),
            send_rate_per_second,
            settings,
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whatsapp() -> ChannelInput {
        ChannelInput {
            kind: Some(ChannelKind::WhatsApp),
            name: Some("Helpline".into()),
            phone_number_id: Some("106540352242922".into()),
            waba_id: Some("102290129340398".into()),
            display_number: Some("+1 555 010 0000".into()),
            access_token: Some("EAAG".into()),
            app_secret: Some("shh".into()),
            verify_token: Some("verify".into()),
            ..ChannelInput::default()
        }
    }

    #[test]
    fn a_whatsapp_channel_routes_by_phone_number_id_with_defaults() {
        let config = ChannelConfig::new(&whatsapp()).unwrap();
        assert_eq!(config.route_key, "106540352242922");
        assert_eq!(config.api_base_url, WHATSAPP_API);
        assert_eq!(config.send_rate_per_second, 80);
        assert_eq!(config.secrets.names_set(), ["access_token", "app_secret"]);
    }

    #[test]
    fn a_whatsapp_channel_may_name_its_meta_app() {
        assert_eq!(
            ChannelConfig::new(&whatsapp()).unwrap().settings.app_id,
            None
        );
        let config = ChannelConfig::new(&ChannelInput {
            app_id: Some("634974688087057".into()),
            ..whatsapp()
        })
        .unwrap();
        assert_eq!(config.settings.app_id.as_deref(), Some("634974688087057"));
        let kept = config.changed(&ChannelInput::default()).unwrap();
        assert_eq!(kept.settings.app_id.as_deref(), Some("634974688087057"));
        assert!(matches!(
            ChannelConfig::new(&ChannelInput {
                app_id: Some("63497/uploads".into()),
                ..whatsapp()
            }),
            Err(ChannelError::Invalid("app_id", _))
        ));
    }

    #[test]
    fn missing_credentials_are_named() {
        let input = ChannelInput {
            app_secret: None,
            ..whatsapp()
        };
        assert_eq!(
            ChannelConfig::new(&input),
            Err(ChannelError::Missing("app_secret"))
        );
    }

    #[test]
    fn twilio_routes_by_messaging_service_or_normalised_number() {
        let base = ChannelInput {
            kind: Some(ChannelKind::Twilio),
            name: Some("SMS".into()),
            account_sid: Some("AC123".into()),
            auth_token: Some("token".into()),
            phone_number: Some("+1 (555) 010-2000".into()),
            ..ChannelInput::default()
        };
        let by_number = ChannelConfig::new(&base).unwrap();
        assert_eq!(by_number.route_key, "+15550102000");
        assert_eq!(by_number.send_rate_per_second, 1);
        let by_service = ChannelConfig::new(&ChannelInput {
            messaging_service_sid: Some("MG999".into()),
            ..base
        })
        .unwrap();
        assert_eq!(by_service.route_key, "MG999");
    }

    #[test]
    fn changes_keep_secrets_unless_replaced_and_never_change_the_kind() {
        let config = ChannelConfig::new(&whatsapp()).unwrap();
        let renamed = config
            .changed(&ChannelInput {
                name: Some("Renamed".into()),
                access_token: Some("  ".into()),
                ..ChannelInput::default()
            })
            .unwrap();
        assert_eq!(renamed.name, "Renamed");
        assert_eq!(renamed.secrets.access_token.as_deref(), Some("EAAG"));
        let rotated = config
            .changed(&ChannelInput {
                app_secret: Some("new".into()),
                ..ChannelInput::default()
            })
            .unwrap();
        assert_eq!(rotated.secrets.app_secret.as_deref(), Some("new"));
        assert_eq!(
            config.changed(&ChannelInput {
                kind: Some(ChannelKind::Twilio),
                ..ChannelInput::default()
            }),
            Err(ChannelError::KindChanged)
        );
    }

    #[test]
    fn bad_urls_and_rates_are_refused() {
        let input = ChannelInput {
            api_base_url: Some("ftp://x".into()),
            ..whatsapp()
        };
        assert!(matches!(
            ChannelConfig::new(&input),
            Err(ChannelError::Invalid("api_base_url", _))
        ));
        let input = ChannelInput {
            send_rate_per_second: Some(0),
            ..whatsapp()
        };
        assert_eq!(ChannelConfig::new(&input), Err(ChannelError::InvalidRate));
    }

    #[test]
    fn a_new_api_address_needs_the_credentials_again() {
        let config = ChannelConfig::new(&whatsapp()).unwrap();
        let moved = ChannelInput {
            api_base_url: Some("https://graph.example.org/v23.0".into()),
            ..ChannelInput::default()
        };
        assert_eq!(
            config.changed(&moved),
            Err(ChannelError::SecretsNeededForNewUrl("access_token"))
        );
        let with_token = ChannelInput {
            access_token: Some("EAAG-again".into()),
            ..moved
        };
        assert_eq!(
            config.changed(&with_token).unwrap().api_base_url,
            "https://graph.example.org/v23.0"
        );
        // The edit form sends the address back as it was, with a trailing slash or not.
        let same = ChannelInput {
            api_base_url: Some(format!("{WHATSAPP_API}/")),
            ..ChannelInput::default()
        };
        assert!(config.changed(&same).is_ok());
    }

    #[test]
    fn secrets_do_not_print() {
        let config = ChannelConfig::new(&whatsapp()).unwrap();
        assert!(!format!("{config:?}").contains("EAAG"));
    }
}
