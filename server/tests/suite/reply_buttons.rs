//! Reply buttons offered under a reply: WhatsApp interactive reply buttons and Messenger quick
//! replies in the providers' shapes, limits checked before anything is queued.

use crate::common;

use app::model::Role;
use channels::simulate;
use common::conversations::{
    TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, WA_ACCOUNT_ID, WA_NUMBER_ID, WA_SECRET, twilio_number,
    whatsapp_number,
};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use serde_json::{Value, json};

/// The Messenger Page's app secret.
const SECRET: &str = "buttons-secret";

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
    let now = now_secs();
    app.connect(fake.channel(whatsapp_number())).await;
    app.connect(fake.channel(common::messenger("3000", SECRET)))
        .await;
    app.connect(fake.channel(twilio_number())).await;
    let on_whatsapp = app
        .whatsapp_text_arrives(
            WA_SECRET,
            WA_ACCOUNT_ID,
            WA_NUMBER_ID,
            "+15551234567",
            "wamid.in1",
            now - 60,
            "Can I come tomorrow?",
        )
        .await;
    let messenger =
        simulate::messenger_text(SECRET, "3000", "psid-1", "m_in", (now - 60) * 1000, "Hi");
    app.post_signed("/webhooks/messenger", messenger).await;
    let on_sms = app
        .sms_arrives(
            TWILIO_TOKEN,
            TWILIO_SID,
            TWILIO_NUMBER,
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
    assert_eq!(refused["message"], "Offer at most 3 reply buttons here.");
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
        .rfind(|request| request.path == format!("/v23.0/{WA_NUMBER_ID}/messages"))
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
    let detail = app.conversation_detail(&volunteer, on_whatsapp).await;
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
    assert_eq!(
        refused["message"],
        "Reply buttons can be offered on WhatsApp and Messenger, not on this channel."
    );
}

on_both_databases!(buttons_go_out_as_each_provider_takes_them);
