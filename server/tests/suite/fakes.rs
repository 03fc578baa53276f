//! The fake providers are as strict as the real ones: a malformed request is refused in the
//! provider's error format, with the reason, and fails the test that made it.

use crate::common;

use common::provider::FakeProvider;
use serde_json::{Value, json};

const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "twilio-token";

async fn fake() -> FakeProvider {
    let (fake, _) = FakeProvider::start().await;
    fake.channel(common::whatsapp("1000", "2000", "secret"));
    fake.channel(common::messenger("3000", "secret"));
    fake.channel(common::twilio(ACCOUNT_SID, AUTH_TOKEN, "+15550001111"));
    fake
}

/// Posts `body` as JSON to the fake's Graph `path`, with `token` as Bearer if any; returns
/// the status and the answer.
async fn graph(fake: &FakeProvider, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/v23.0{path}", fake.base()))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The one reason the fake recorded, after checking it answered 400.
fn refused(fake: &FakeProvider, status: u16) -> String {
    assert_eq!(status, 400, "a malformed request is refused");
    let violations = fake.take_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    violations[0].clone()
}

fn whatsapp_text() -> Value {
    json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15551234567",
        "type": "text", "text": { "body": "Hello", "preview_url": false }
    })
}

#[tokio::test]
async fn malformed_whatsapp_sends_are_caught_with_the_reason() {
    let fake = fake().await;
    let (status, answer) = graph(&fake, "/1000/messages", Some("token"), whatsapp_text()).await;
    assert_eq!(status, 200, "the official shape goes through: {answer}");

    let (status, answer) = graph(&fake, "/1000/messages", None, whatsapp_text()).await;
    assert_eq!(
        answer["error"]["code"], 190,
        "Graph's error format: {answer}"
    );
    assert!(refused(&fake, status).contains("no `Authorization: Bearer <token>`"));
    let (status, _) = graph(&fake, "/1000/messages", Some("other"), whatsapp_text()).await;
    assert!(refused(&fake, status).contains("not the channel's"));

    let mut wrong_product = whatsapp_text();
    wrong_product["messaging_product"] = json!("messenger");
    let (status, _) = graph(&fake, "/1000/messages", Some("token"), wrong_product).await;
    assert!(refused(&fake, status).contains("`messaging_product` must be \"whatsapp\""));

    let mut no_to = whatsapp_text();
    no_to.as_object_mut().unwrap().remove("to");
    let (status, _) = graph(&fake, "/1000/messages", Some("token"), no_to).await;
    assert!(refused(&fake, status).contains("`to` is required"));

    let mut bad_type = whatsapp_text();
    bad_type["type"] = json!("txt");
    let (status, _) = graph(&fake, "/1000/messages", Some("token"), bad_type).await;
    assert!(refused(&fake, status).contains("`type` must be one of"));

    // Scripted answers come only after the checks.
    fake.then_answer(
        200,
        vec![],
        json!({ "messages": [{ "id": "wamid.scripted" }] }),
    );
    let (status, _) = graph(&fake, "/1000/messages", Some("token"), json!({ "to": "1" })).await;
    assert!(refused(&fake, status).contains("messaging_product"));

    // Outside the 24-hour window only a template may go.
    fake.contact_wrote("+15551234567", server::store::now_ms() - 25 * 3600 * 1000);
    let (status, answer) = graph(&fake, "/1000/messages", Some("token"), whatsapp_text()).await;
    assert_eq!(answer["error"]["code"], 131047);
    assert!(refused(&fake, status).contains("more than 24 hours"));
}

#[tokio::test]
async fn malformed_messenger_sends_are_caught_with_the_reason() {
    let fake = fake().await;
    let send = json!({
        "recipient": { "id": "psid-1" }, "messaging_type": "RESPONSE",
        "message": { "text": "Hello" }
    });
    let (status, answer) = graph(&fake, "/3000/messages", Some("page-token"), send.clone()).await;
    assert_eq!(status, 200, "the official shape goes through: {answer}");

    let mut no_recipient = send.clone();
    no_recipient.as_object_mut().unwrap().remove("recipient");
    let (status, _) = graph(&fake, "/3000/messages", Some("page-token"), no_recipient).await;
    assert!(refused(&fake, status).contains("`recipient` is required"));

    let mut no_type = send.clone();
    no_type.as_object_mut().unwrap().remove("messaging_type");
    let (status, _) = graph(&fake, "/3000/messages", Some("page-token"), no_type).await;
    assert!(refused(&fake, status).contains("`messaging_type` is required"));

    let mut untagged = send.clone();
    untagged["messaging_type"] = json!("MESSAGE_TAG");
    let (status, _) = graph(&fake, "/3000/messages", Some("page-token"), untagged).await;
    assert!(refused(&fake, status).contains("MESSAGE_TAG needs a `tag`"));

    let (status, _) = graph(&fake, "/3000/messages", Some("token"), send.clone()).await;
    assert!(refused(&fake, status).contains("not the channel's"));

    // After 24 hours a reply must be a tagged human reply, and even that ends after 7 days.
    fake.contact_wrote("psid-1", server::store::now_ms() - 36 * 3600 * 1000);
    let (status, answer) = graph(&fake, "/3000/messages", Some("page-token"), send.clone()).await;
    assert_eq!(answer["error"]["code"], 10);
    assert!(refused(&fake, status).contains("outside of allowed window"));
    let mut human = send;
    human["messaging_type"] = json!("MESSAGE_TAG");
    human["tag"] = json!("HUMAN_AGENT");
    let (status, _) = graph(&fake, "/3000/messages", Some("page-token"), human.clone()).await;
    assert_eq!(status, 200);
    fake.contact_wrote("psid-1", server::store::now_ms() - 8 * 24 * 3600 * 1000);
    let (status, _) = graph(&fake, "/3000/messages", Some("page-token"), human).await;
    assert!(refused(&fake, status).contains("MESSAGE_TAG/HUMAN_AGENT more than 168 hours"));
}

#[tokio::test]
async fn malformed_twilio_sends_are_caught_with_the_reason() {
    let fake = fake().await;
    let url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        fake.base()
    );
    let send = |auth: bool, form: &[(&str, &str)]| {
        let mut request = reqwest::Client::new().post(&url).form(form);
        if auth {
            request = request.basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN));
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let good = [
        ("To", "+15552223333"),
        ("From", "+15550001111"),
        ("Body", "Hi"),
    ];
    let (status, answer) = send(true, &good).await;
    assert_eq!(status, 201, "the official shape goes through: {answer}");

    let (status, answer) = send(false, &good).await;
    assert_eq!(answer["code"], 20003, "Twilio's error format: {answer}");
    assert!(refused(&fake, status).contains("no HTTP Basic"));

    let (status, _) = send(true, &[("From", "+15550001111"), ("Body", "Hi")]).await;
    assert!(refused(&fake, status).contains("`To` is required"));

    let (status, _) = send(true, &[("To", "+15552223333"), ("Body", "Hi")]).await;
    assert!(refused(&fake, status).contains("`From` or `MessagingServiceSid` is required"));

    let (status, _) = send(true, &[("To", "+15552223333"), ("From", "+15550001111")]).await;
    assert!(refused(&fake, status).contains("one of `Body`, `MediaUrl` or `ContentSid`"));
}

#[tokio::test]
async fn a_malformed_request_fails_the_test_when_the_fake_is_dropped() {
    let dropped = tokio::spawn(async {
        let fake = fake().await;
        graph(&fake, "/1000/messages", Some("token"), json!({})).await;
        drop(fake);
    })
    .await;
    let panic = dropped
        .expect_err("dropping the fake fails the test")
        .into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("malformed requests") && message.contains("messaging_product"),
        "{message}"
    );
}

#[tokio::test]
async fn calls_to_endpoints_the_providers_lack_are_caught() {
    let fake = fake().await;
    let (status, _) = graph(&fake, "/1000/mesages", Some("token"), whatsapp_text()).await;
    assert_eq!(status, 404);
    let violations = fake.take_violations();
    assert!(violations[0].contains("no such endpoint"), "{violations:?}");
}
