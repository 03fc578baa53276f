//! Reply buttons offered under a reply: WhatsApp interactive reply buttons and Messenger quick
//! replies in the providers' shapes, limits checked before anything is queued.

#[macro_use]
mod common;

use app::model::Role;
use channels::simulate;
use common::provider::FakeProvider;
use common::{Db, TestApp, spawn_app};
use serde_json::{Value, json};

const SECRET: &str = "buttons-secret";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "twilio-token";

async fn reply(app: &TestApp, token: &str, conversation: i64, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn buttons_go_out_as_each_provider_takes_them(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let now = server::store::now_ms();
    app.connect(fake.channel(common::whatsapp("1000", "2000", SECRET)))
        .await;
    app.connect(fake.channel(common::messenger("3000", SECRET)))
        .await;
    app.connect(fake.channel(common::twilio(ACCOUNT_SID, AUTH_TOKEN, "+15550001111")))
        .await;
    let on_whatsapp = app
        .whatsapp_text_arrives(
            SECRET,
            "2000",
            "1000",
            "+15551234567",
            "wamid.in1",
            now / 1000 - 60,
            "Can I come tomorrow?",
        )
        .await;
    let messenger = simulate::messenger_text(SECRET, "3000", "psid-1", "m_in", now - 60_000, "Hi");
    app.post_signed("/webhooks/messenger", messenger).await;
    let on_sms = app
        .sms_arrives(
            AUTH_TOKEN,
            ACCOUNT_SID,
            "+15550001111",
            "+15552223333",
            "hi",
        )
        .await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;

    let (status, refused) = reply(
        &app,
        &volunteer,
        on_whatsapp,
        json!({ "body": "When?", "buttons": ["Morning", "Noon", "Evening", "Night"] }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused["message"].as_str().unwrap().contains("at most 3"));
    let (status, _) = reply(
        &app,
        &volunteer,
        on_whatsapp,
        json!({ "body": "Yes, when suits you?", "buttons": ["Morning", "Afternoon"] }),
    )
    .await;
    assert_eq!(status, 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake
        .received()
        .into_iter()
        .rfind(|request| request.path == "/v23.0/1000/messages")
        .unwrap();
    assert_eq!(
        sent.json(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15551234567",
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": { "text": "Yes, when suits you?" },
                "action": { "buttons": [
                    { "type": "reply", "reply": { "id": "button-1", "title": "Morning" } },
                    { "type": "reply", "reply": { "id": "button-2", "title": "Afternoon" } }
                ] }
            }
        })
    );
    let detail: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/conversations/{on_whatsapp}")))
        .bearer_auth(&volunteer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["messages"][1]["buttons"],
        json!(["Morning", "Afternoon"])
    );
    assert_eq!(detail["messages"][0]["buttons"], json!([]));

    let on_messenger = app.conversation_with("psid-1").await;
    let (status, _) = reply(
        &app,
        &volunteer,
        on_messenger,
        json!({ "body": "Which day?", "buttons": ["Monday", "Tuesday"] }),
    )
    .await;
    assert_eq!(status, 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake
        .received()
        .into_iter()
        .rfind(|request| request.path == "/v23.0/3000/messages")
        .unwrap();
    assert_eq!(
        sent.json()["message"],
        json!({ "text": "Which day?", "quick_replies": [
            { "content_type": "text", "title": "Monday", "payload": "button-1" },
            { "content_type": "text", "title": "Tuesday", "payload": "button-2" }
        ] })
    );

    let (status, refused) = reply(
        &app,
        &volunteer,
        on_sms,
        json!({ "body": "Reply YES", "buttons": ["Yes"] }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("WhatsApp and Messenger")
    );
}

on_both_databases!(buttons_go_out_as_each_provider_takes_them);
