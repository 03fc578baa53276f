//! Webhooks the `simulate` module does not build, posted as the providers post them: the
//! channels crate's recorded WhatsApp payloads, and Twilio forms a test writes field by field.

use channels::signature::{meta_signature, twilio_signature};
use serde_json::{Value, json};

use super::TestApp;

/// A recorded WhatsApp webhook of the channels crate (REFERENCE.md §1.2), addressed to the
/// business number `phone_number_id` (the recordings come from sources that use other numbers).
pub fn whatsapp_fixture(name: &str, phone_number_id: &str) -> Value {
    let path = format!(
        "{}/../channels/tests/fixtures/whatsapp/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut payload: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path);
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] =
        json!(phone_number_id);
    payload
}

impl TestApp {
    /// Posts `payload` to the WhatsApp webhook, signed with `app_secret` as Meta signs it.
    pub async fn post_whatsapp(&self, app_secret: &str, payload: &Value) -> reqwest::Response {
        let body = serde_json::to_vec(payload).expect("a JSON payload");
        reqwest::Client::new()
            .post(self.url("/webhooks/whatsapp"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", meta_signature(app_secret, &body))
            .body(body)
            .send()
            .await
            .expect("webhook request")
    }

    /// A photo with WhatsApp media id `media_id` reaches the business number
    /// `phone_number_id` in message `message_id` (the recorded image message, signed with
    /// `app_secret`).
    pub async fn whatsapp_image_arrives(
        &self,
        app_secret: &str,
        phone_number_id: &str,
        media_id: &str,
        message_id: &str,
    ) {
        let mut payload = whatsapp_fixture("inbound_image.json", phone_number_id);
        let message = &mut payload["entry"][0]["changes"][0]["value"]["messages"][0];
        message["id"] = json!(message_id);
        message["image"]["id"] = json!(media_id);
        let response = self.post_whatsapp(app_secret, &payload).await;
        assert_eq!(response.status(), 200, "the WhatsApp webhook is taken");
    }

    /// Posts the form `params` to the Twilio webhook at `path`, signed with `auth_token` as
    /// Twilio signs it.
    pub async fn post_twilio(
        &self,
        auth_token: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> reqwest::Response {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        reqwest::Client::new()
            .post(self.url(path))
            .header(
                "X-Twilio-Signature",
                twilio_signature(auth_token, &self.url(path), &owned),
            )
            .form(params)
            .send()
            .await
            .expect("webhook request")
    }
}
