//! The built-in sandbox provider of demo mode: Graph-API- and Twilio-shaped endpoints under
//! this instance's own origin, so a demo works with no network. The demo's sandbox channels
//! send there; it answers as the provider does (REFERENCE §1.4, §2.4, §3.2), then reports each
//! message sent, delivered and read through the real, signed webhook paths, and the contact
//! answers a question (a reply ending in `?`). Outside demo mode it does not exist.

use std::time::Duration;

use app::error::AppError;
use app::model::ChannelKind;
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::Services;
use super::channels::{
    ConnectedChannel, MESSENGER_WEBHOOK, TWILIO_STATUS_WEBHOOK, TWILIO_WEBHOOK, WHATSAPP_WEBHOOK,
};
use super::demo_tools::hex_id;
use crate::auth::tokens::random_secret;
use crate::domain::costs::{MicroUsd, sms_cost};
use crate::store::now_ms;

/// Everything below this path of the instance's own origin is the sandbox provider.
pub const SANDBOX_PATH: &str = "/sandbox/";
/// The Graph API (WhatsApp Cloud API and Messenger), at the version the channels use.
const SANDBOX_GRAPH_API: &str = "/sandbox/graph/v23.0";
const SANDBOX_TWILIO_API: &str = "/sandbox/twilio";

/// Between the provider's answer and each report: a phone takes a moment.
const REPORT_EVERY: Duration = Duration::from_millis(1200);

/// What a sandbox contact says when asked something.
const ANSWERS: [&str; 4] = [
    "Yes, that works for me. Thank you!",
    "I'm not sure, can I ask my sister and write back tomorrow?",
    "Thanks, that helps a lot 🙏",
    "OK. Is there anything I need to bring?",
];

/// An answer in the provider's own format: its HTTP status and JSON body.
#[derive(Debug)]
pub struct SandboxAnswer {
    pub status: u16,
    pub body: Value,
}

/// A Graph API error, as Meta writes them (REFERENCE §1.6).
fn graph_error(status: u16, code: u32, message: &str) -> SandboxAnswer {
    SandboxAnswer {
        status,
        body: json!({ "error": {
            "message": message, "type": "OAuthException", "code": code,
            "fbtrace_id": "SANDBOX"
        }}),
    }
}

/// A Twilio REST error (REFERENCE §2.6).
fn twilio_error(status: u16, code: u32, message: &str) -> SandboxAnswer {
    SandboxAnswer {
        status,
        body: json!({
            "code": code, "message": message, "status": status,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}")
        }),
    }
}

fn same_secret(given: Option<&str>, stored: Option<&str>) -> bool {
    match (given, stored) {
        (Some(given), Some(stored)) => bool::from(given.as_bytes().ct_eq(stored.as_bytes())),
        _ => false,
    }
}

/// Whether the contact should answer: the reply asked them something.
fn asks(text: &str) -> bool {
    text.trim_end().ends_with('?')
}

impl Services {
    /// The sandbox's API base URL for a kind of channel, on this instance's own origin.
    pub fn sandbox_api_base(&self, kind: ChannelKind) -> String {
        self.public_url(match kind {
            ChannelKind::WhatsApp | ChannelKind::Messenger => SANDBOX_GRAPH_API,
            ChannelKind::Twilio => SANDBOX_TWILIO_API,
        })
    }

    /// Whether `url` is this instance's own sandbox provider, and demo mode serves it. Only
    /// then may a provider call go to this origin over plain http.
    pub(crate) fn is_sandbox_url(&self, url: &url::Url) -> bool {
        self.demo_mode() && url.as_str().starts_with(&self.public_url(SANDBOX_PATH))
    }

    /// The names of the channels that send anywhere but this instance's sandbox: demo mode
    /// must not run beside real traffic.
    pub async fn channels_outside_sandbox(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .store
            .list_channels()
            .await?
            .into_iter()
            .filter(|channel| {
                !url::Url::parse(&channel.api_base_url).is_ok_and(|url| self.is_sandbox_url(&url))
            })
            .map(|channel| channel.name)
            .collect())
    }

    /// The sandbox channel of `kind` that `matches`, with its credentials.
    async fn sandbox_channel(
        &self,
        matches: impl Fn(&ConnectedChannel) -> bool,
    ) -> Result<Option<ConnectedChannel>, AppError> {
        for row in self.store.list_channels().await? {
            let channel = self.decode_channel(row)?;
            let in_sandbox = url::Url::parse(&channel.config.api_base_url)
                .is_ok_and(|url| self.is_sandbox_url(&url));
            if in_sandbox && matches(&channel) {
                return Ok(Some(channel));
            }
        }
        Ok(None)
    }

    /// `POST /{phone-number-id or page-id}/messages` of the Graph API.
    pub async fn sandbox_graph_send(
        &self,
        object_id: &str,
        bearer: Option<&str>,
        body: &[u8],
    ) -> Result<SandboxAnswer, AppError> {
        let Some(channel) = self
            .sandbox_channel(|channel| {
                channel.config.kind != ChannelKind::Twilio && channel.config.route_key == object_id
            })
            .await?
        else {
            return Ok(graph_error(
                400,
                100,
                "Unsupported post request. Object with this ID does not exist.",
            ));
        };
        let token = match channel.config.kind {
            ChannelKind::Messenger => channel.config.secrets.page_access_token.as_deref(),
            _ => channel.config.secrets.access_token.as_deref(),
        };
        if !same_secret(bearer, token) {
            return Ok(graph_error(401, 190, "Invalid OAuth access token."));
        }
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return Ok(graph_error(
                400,
                100,
                "Invalid parameter: the body is not JSON.",
            ));
        };
        Ok(match channel.config.kind {
            ChannelKind::Messenger => self.messenger_send(channel, &request),
            _ => self.whatsapp_send(channel, &request),
        })
    }

    /// `POST /{phone-number-id}/media`: the upload is taken and given an id.
    pub async fn sandbox_graph_upload(
        &self,
        phone_number_id: &str,
        bearer: Option<&str>,
    ) -> Result<SandboxAnswer, AppError> {
        let channel = self
            .sandbox_channel(|channel| {
                channel.config.kind == ChannelKind::WhatsApp
                    && channel.config.route_key == phone_number_id
            })
            .await?;
        Ok(match channel {
            None => graph_error(400, 100, "Unsupported post request."),
            Some(channel)
                if !same_secret(bearer, channel.config.secrets.access_token.as_deref()) =>
            {
                graph_error(401, 190, "Invalid OAuth access token.")
            }
            Some(_) => SandboxAnswer {
                status: 200,
                body: json!({ "id": format!("sandbox-media-{}", hex_id(&random_secret())) }),
            },
        })
    }

    fn whatsapp_send(&self, channel: ConnectedChannel, request: &Value) -> SandboxAnswer {
        // Marking a message read (blue ticks) is a call of its own.
        if request["status"] == "read" {
            return SandboxAnswer {
                status: 200,
                body: json!({ "success": true }),
            };
        }
        if request["messaging_product"] != "whatsapp" {
            return graph_error(400, 100, "Param messaging_product must be \"whatsapp\".");
        }
        let Some(to) = request["to"].as_str().and_then(|to| E164::parse(to).ok()) else {
            return graph_error(400, 100, "Param to must be a phone number.");
        };
        let message_id = format!("wamid.SANDBOX{}", hex_id(&random_secret()));
        let text = request["text"]["body"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let template = request["template"]["name"].as_str().map(str::to_owned);
        let services = self.clone();
        let reported = message_id.clone();
        let recipient = to.clone();
        tokio::spawn(async move {
            let config = &channel.config;
            let settings = &config.settings;
            let secret = config.secrets.app_secret.clone().unwrap_or_default();
            let waba = settings.waba_id.clone().unwrap_or_default();
            let display = settings.display_number.clone().unwrap_or_default();
            // As Meta prices it: a template by its category, a reply in the window is free.
            let category = match &template {
                Some(name) => services.sandbox_template_category(channel.id, name).await,
                None => "service".to_owned(),
            };
            let pricing_type = if template.is_some() {
                "regular"
            } else {
                "free_customer_service"
            };
            for status in ["sent", "delivered", "read"] {
                tokio::time::sleep(REPORT_EVERY).await;
                // Meta adds the message's pricing when it is delivered.
                let pricing = (status == "delivered")
                    .then(|| simulate::StatusPricing::per_message(&category, pricing_type));
                let webhook = simulate::whatsapp_priced_status(
                    &secret,
                    &waba,
                    &config.route_key,
                    &display,
                    &reported,
                    &recipient,
                    status,
                    now_ms() / 1000,
                    pricing,
                );
                services.report(WHATSAPP_WEBHOOK, webhook).await;
            }
            if asks(&text) {
                tokio::time::sleep(REPORT_EVERY).await;
                let webhook = simulate::whatsapp_text(
                    &secret,
                    &waba,
                    &config.route_key,
                    &display,
                    &recipient,
                    "",
                    &format!("wamid.SANDBOX{}", hex_id(&random_secret())),
                    now_ms() / 1000,
                    services.contact_answer(),
                );
                services.report(WHATSAPP_WEBHOOK, webhook).await;
            }
        });
        SandboxAnswer {
            status: 200,
            body: json!({
                "messaging_product": "whatsapp",
                "contacts": [{ "input": request["to"], "wa_id": to.digits() }],
                "messages": [{ "id": message_id }]
            }),
        }
    }

    fn messenger_send(&self, channel: ConnectedChannel, request: &Value) -> SandboxAnswer {
        let Some(psid) = request["recipient"]["id"].as_str().map(str::to_string) else {
            return graph_error(400, 100, "Param recipient[id] is required.");
        };
        if request.get("sender_action").is_some() {
            return SandboxAnswer {
                status: 200,
                body: json!({ "recipient_id": psid }),
            };
        }
        if !request["message"].is_object() {
            return graph_error(400, 100, "Param message is required.");
        }
        let message_id = format!("m_SANDBOX{}", hex_id(&random_secret()));
        let text = request["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let services = self.clone();
        let reported = message_id.clone();
        let contact = psid.clone();
        tokio::spawn(async move {
            let config = &channel.config;
            let secret = config.secrets.app_secret.clone().unwrap_or_default();
            for read in [false, true] {
                tokio::time::sleep(REPORT_EVERY).await;
                let webhook = simulate::messenger_receipt(
                    &secret,
                    &config.route_key,
                    &contact,
                    read,
                    &[reported.as_str()],
                    now_ms(),
                );
                services.report(MESSENGER_WEBHOOK, webhook).await;
            }
            if asks(&text) {
                tokio::time::sleep(REPORT_EVERY).await;
                let webhook = simulate::messenger_text(
                    &secret,
                    &config.route_key,
                    &contact,
                    &format!("m_SANDBOX{}", hex_id(&random_secret())),
                    now_ms(),
                    services.contact_answer(),
                );
                services.report(MESSENGER_WEBHOOK, webhook).await;
            }
        });
        SandboxAnswer {
            status: 200,
            body: json!({ "recipient_id": psid, "message_id": message_id }),
        }
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` of Twilio's API, with HTTP Basic
    /// credentials `(user, password)`.
    pub async fn sandbox_twilio_send(
        &self,
        account_sid: &str,
        basic: Option<(&str, &str)>,
        form: &[(String, String)],
    ) -> Result<SandboxAnswer, AppError> {
        let channel = self
            .sandbox_channel(|channel| {
                channel.config.kind == ChannelKind::Twilio
                    && channel.config.settings.account_sid.as_deref() == Some(account_sid)
            })
            .await?;
        let Some(channel) = channel.filter(|channel| {
            basic.is_some_and(|(user, password)| {
                user == account_sid
                    && same_secret(Some(password), channel.config.secrets.auth_token.as_deref())
            })
        }) else {
            return Ok(twilio_error(401, 20003, "Authenticate"));
        };
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let Some(to) = field("To") else {
            return Ok(twilio_error(400, 21604, "A 'To' phone number is required."));
        };
        let whatsapp = to.starts_with("whatsapp:");
        let Ok(recipient) = E164::parse(to.trim_start_matches("whatsapp:")) else {
            return Ok(twilio_error(
                400,
                21211,
                "The 'To' number is not a valid phone number.",
            ));
        };
        let from = field("From")
            .or_else(|| channel.config.settings.phone_number.clone())
            .unwrap_or_default();
        let body = field("Body").unwrap_or_default();
        if body.is_empty() && field("ContentSid").is_none() && field("MediaUrl").is_none() {
            return Ok(twilio_error(400, 21602, "Message body is required."));
        }
        let sid = format!("SM{}", hex_id(&random_secret()));
        let services = self.clone();
        let reported = sid.clone();
        let (sender, addressee) = (from.clone(), to.clone());
        let text = body.clone();
        tokio::spawn(async move {
            let config = &channel.config;
            let token = config.secrets.auth_token.clone().unwrap_or_default();
            let account = config.settings.account_sid.clone().unwrap_or_default();
            // Only to this instance's own status webhook, whatever callback the send named.
            let status_url = services.public_url(TWILIO_STATUS_WEBHOOK);
            let statuses: &[&str] = if whatsapp {
                &["sent", "delivered", "read"]
            } else {
                &["sent", "delivered"]
            };
            for status in statuses {
                tokio::time::sleep(REPORT_EVERY).await;
                // Twilio says what it charged once the message is delivered.
                let price = (*status == "delivered").then(|| sandbox_twilio_price(whatsapp, &text));
                let webhook = simulate::twilio_priced_status(
                    &token,
                    &status_url,
                    &account,
                    &sender,
                    &addressee,
                    &reported,
                    status,
                    price.as_deref(),
                );
                services.report(TWILIO_STATUS_WEBHOOK, webhook).await;
            }
            if asks(&text) {
                tokio::time::sleep(REPORT_EVERY).await;
                let number = config.settings.phone_number.clone().unwrap_or_default();
                let webhook = simulate::twilio_message(
                    &token,
                    &services.public_url(TWILIO_WEBHOOK),
                    &account,
                    &number,
                    &recipient,
                    "",
                    &format!("SM{}", hex_id(&random_secret())),
                    services.contact_answer(),
                    whatsapp,
                );
                services.report(TWILIO_WEBHOOK, webhook).await;
            }
        });
        Ok(SandboxAnswer {
            status: 201,
            body: json!({
                "sid": sid, "account_sid": account_sid, "to": to, "from": from, "body": body,
                "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
                "num_segments": "1", "num_media": "0", "error_code": null, "error_message": null,
                "uri": format!("/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json")
            }),
        })
    }

    /// One of the contact's answers.
    /// The category of the channel's template `name`, as Meta prices it; utility if unknown.
    async fn sandbox_template_category(&self, channel_id: i64, name: &str) -> String {
        self.store
            .list_templates(Some(channel_id), None)
            .await
            .ok()
            .and_then(|templates| templates.into_iter().find(|template| template.name == name))
            .map(|template| template.category.to_lowercase())
            .unwrap_or_else(|| "utility".to_owned())
    }

    fn contact_answer(&self) -> &'static str {
        ANSWERS[(now_ms() / 1000) as usize % ANSWERS.len()]
    }

    /// Posts a report to this instance's webhook; a lost one only loses a tick in the demo.
    async fn report(&self, path: &str, webhook: SignedWebhook) {
        if let Err(reason) = self.post_to_self(path, webhook).await {
            tracing::info!(path, %reason, "the sandbox could not report");
        }
    }
}

/// What the sandbox says Twilio charged, as Twilio writes it: an SMS $0.0079 a segment, a
/// WhatsApp message $0.005.
fn sandbox_twilio_price(whatsapp: bool, text: &str) -> String {
    let charged = if whatsapp {
        MicroUsd(5_000)
    } else {
        sms_cost(text, MicroUsd(7_900))
    };
    format!("-{}.{:06}", charged.0 / 1_000_000, charged.0 % 1_000_000)
}
