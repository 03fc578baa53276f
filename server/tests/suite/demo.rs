//! Demo mode: the lived-in demo inbox, the built-in sandbox provider that reports replies read
//! through the signed webhook paths, and the guards that keep demo mode away from real traffic.

use crate::common;

use std::time::{Duration, Instant};

use app::model::{Role, SimulatedInbound};
use common::{Db, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// Demo mode, with no exception for private provider addresses but this instance's sandbox.
async fn demo_app(db: Db) -> TestApp {
    spawn_app_with(db, |name| match name {
        "SWITCHBOARD_DEMO_MODE" => Some("true".into()),
        "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS" => Some("false".into()),
        _ => None,
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

async fn the_demo_loads_a_lived_in_inbox_once(db: Db) {
    let app = demo_app(db).await;
    let added = server::demo::load(&app.app_services, false).await.unwrap();
    let conversations = "SELECT COUNT(*) FROM conversations";
    assert_eq!(count(&app, conversations).await, 40);
    for (what, sql) in [
        (
            "unassigned",
            "SELECT COUNT(*) FROM conversations WHERE assignee_id IS NULL AND status = 'open'",
        ),
        (
            "the volunteer's",
            "SELECT COUNT(*) FROM conversations c JOIN users u ON u.id = c.assignee_id WHERE u.email = 'volunteer@example.org' AND c.status = 'open'",
        ),
        (
            "the coordinator's",
            "SELECT COUNT(*) FROM conversations c JOIN users u ON u.id = c.assignee_id WHERE u.email = 'coordinator@example.org'",
        ),
        (
            "pending",
            "SELECT COUNT(*) FROM conversations WHERE status = 'pending'",
        ),
        (
            "snoozed",
            "SELECT COUNT(*) FROM conversations WHERE status = 'snoozed' AND snoozed_until > 0",
        ),
        (
            "resolved",
            "SELECT COUNT(*) FROM conversations WHERE status = 'resolved'",
        ),
        (
            "tagged",
            "SELECT COUNT(DISTINCT conversation_id) FROM conversation_tags",
        ),
        (
            "mentions",
            "SELECT COUNT(*) FROM notifications WHERE kind = 'mention'",
        ),
        (
            "pictures",
            "SELECT COUNT(*) FROM attachments WHERE kind = 'image' AND fetch_state = 'stored'",
        ),
        (
            "voice notes",
            "SELECT COUNT(*) FROM attachments WHERE kind = 'audio' AND fetch_state = 'stored'",
        ),
        (
            "templates sent",
            "SELECT COUNT(*) FROM messages WHERE kind = 'template'",
        ),
        (
            "in Spanish",
            "SELECT COUNT(*) FROM messages WHERE body LIKE 'Hola%'",
        ),
        (
            "in Arabic",
            "SELECT COUNT(*) FROM contacts WHERE name LIKE '%ح%' OR name LIKE '%ع%'",
        ),
        (
            "days old",
            "SELECT COUNT(*) FROM messages WHERE provider_timestamp < (SELECT MAX(provider_timestamp) FROM messages) - 5 * 86400000",
        ),
        (
            "priced SMS",
            "SELECT COUNT(*) FROM message_costs WHERE category = 'sms' AND source = 'segments' AND micro_usd > 0",
        ),
        (
            "priced template",
            "SELECT COUNT(*) FROM message_costs WHERE category = 'utility' AND micro_usd > 0",
        ),
    ] {
        assert!(
            count(&app, sql).await > 0,
            "no {what} conversation in the demo"
        );
    }
    // Every kept file is there to be shown.
    let (token, _) = app.token("coord@example.org", Role::Coordinator).await;
    let picture: i64 = count(&app, "SELECT MIN(id) FROM attachments WHERE kind = 'image'").await;
    let served = app.get_as(&token, &format!("/media/{picture}")).await;
    assert_eq!(served.status(), 200);
    assert!(served.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let failed: i64 = count(
        &app,
        "SELECT conversation_id FROM messages WHERE status = 'failed'",
    )
    .await;
    let detail: Value = app
        .get_as(&token, &format!("/api/v1/conversations/{failed}"))
        .await
        .json()
        .await
        .unwrap();
    let message = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["status"] == "failed")
        .unwrap();
    assert!(
        message["error_explanation"]
            .as_str()
            .is_some_and(|reason| reason.contains("could not be delivered")),
        "{message}"
    );

    let again = server::demo::load(&app.app_services, false).await.unwrap();
    assert!(added > 40);
    assert_eq!(again, 0, "nothing is added twice");
    assert_eq!(count(&app, conversations).await, 40);
}

async fn a_demo_reply_is_read_and_answered_through_the_sandbox(db: Db) {
    let app = demo_app(db).await;
    let services = &app.app_services;
    server::demo::load(services, true).await.unwrap();
    let admin_id = count(
        &app,
        "SELECT id FROM users WHERE email = 'admin@example.org'",
    )
    .await;
    let admin = services.actor_by_id(admin_id).await.unwrap().unwrap();
    let mut conversations = Vec::new();
    for (kind, from) in [
        ("whatsapp", "+15550199001"),
        ("twilio", "+15550199002"),
        ("messenger", "psid-199003"),
    ] {
        let channel = count(
            &app,
            &format!("SELECT id FROM channels WHERE kind = '{kind}'"),
        )
        .await;
        services
            .simulate_inbound(
                &admin,
                SimulatedInbound {
                    channel_id: channel,
                    from: from.into(),
                    name: "Dana Demo".into(),
                    text: "Hello, can you help?".into(),
                },
            )
            .await
            .unwrap();
        let conversation = count(
            &app,
            &format!("SELECT MAX(id) FROM conversations WHERE channel_id = {channel}"),
        )
        .await;
        services
            .send_reply(&admin, conversation, "Yes! Can you come on Friday?")
            .await
            .unwrap();
        conversations.push((kind, conversation));
    }
    while services.deliver_next("demo-worker").await.unwrap() {}
    let (token, _) = app.token("coord@example.org", Role::Coordinator).await;
    // SMS has no read receipts: delivered is as far as it goes.
    for (kind, conversation) in conversations {
        let done = if kind == "twilio" {
            "delivered"
        } else {
            "read"
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let detail: Value = app
                .get_as(&token, &format!("/api/v1/conversations/{conversation}"))
                .await
                .json()
                .await
                .unwrap();
            let messages = detail["messages"].as_array().unwrap();
            let reply = messages
                .iter()
                .find(|m| m["direction"] == "outbound")
                .unwrap();
            let answered = messages
                .iter()
                .filter(|m| m["direction"] == "inbound")
                .count()
                == 2;
            // The sandbox prices what it delivers as the providers do: a WhatsApp reply in the
            // window is free, an SMS costs what Twilio says, Messenger nothing.
            if reply["status"] == done && answered {
                let expected = match kind {
                    "twilio" => json!({
                        "micro_usd": 7_900, "amount": "$0.0079",
                        "explanation": "SMS: as the provider charged it"
                    }),
                    "whatsapp" => json!({
                        "micro_usd": 0, "amount": "$0.00",
                        "explanation": "WhatsApp service: Meta's pricing category times the rate table"
                    }),
                    _ => json!({
                        "micro_usd": 0, "amount": "$0.00",
                        "explanation": "Messenger: this channel charges nothing"
                    }),
                };
                assert_eq!(reply["cost"], expected, "{kind}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{kind}: not {done} and answered in time: {messages:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM webhook_events WHERE error IS NOT NULL"
        )
        .await,
        0,
        "every report passed the signature checks"
    );

    // The exception is this instance's sandbox alone: other private addresses stay closed.
    let (admin_token, _) = app.token("admin2@example.org", Role::Admin).await;
    let refused = app
        .api(
            &admin_token,
            reqwest::Method::POST,
            "/channels",
            Some(json!({
                "kind": "whatsapp", "name": "Elsewhere", "phone_number_id": "555",
                "waba_id": "556", "access_token": "t", "app_secret": "s", "verify_token": "v",
                "api_base_url": "http://127.0.0.1:9/v23.0"
            })),
        )
        .await;
    assert_eq!(refused.0, 422, "{}", refused.1);
}

async fn demo_mode_refuses_to_start_beside_a_real_channel(db: Db) {
    let app = spawn_app(db).await;
    app.connect(common::whatsapp("1000", "2000", "secret"))
        .await;
    let demo = common::config(&app.db, |name| {
        (name == "SWITCHBOARD_DEMO_MODE").then(|| "true".to_string())
    });
    match server::startup::Application::build(demo).await {
        Ok(_) => panic!("demo mode started beside a real channel"),
        Err(error) => {
            let error = error.to_string();
            assert!(error.contains("Helpline"), "{error}");
            assert!(error.contains("SWITCHBOARD_DEMO_MODE"), "{error}");
        }
    }
}

#[tokio::test]
async fn demo_mode_connects_no_channel_outside_its_sandbox() {
    let app = demo_app(Db::Sqlite).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let connect = async |api_base_url: Option<String>| {
        let mut channel = json!({
            "kind": "whatsapp", "name": "Real helpline", "phone_number_id": "1000",
            "waba_id": "2000", "access_token": "token", "app_secret": "secret",
            "verify_token": "verify-123",
        });
        if let Some(url) = api_base_url {
            channel["api_base_url"] = json!(url);
        }
        let answer = reqwest::Client::new()
            .post(app.url("/api/v1/channels"))
            .bearer_auth(&admin)
            .json(&channel)
            .send()
            .await
            .unwrap();
        (
            answer.status().as_u16(),
            answer.json::<Value>().await.unwrap(),
        )
    };
    let sandbox = app.url("/sandbox/graph");
    let (status, body) = connect(Some("https://graph.facebook.com".to_string())).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains(&sandbox),
        "the refusal names the sandbox's address: {body}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM channels").await,
        0,
        "nothing was connected"
    );
    let (status, body) = connect(None).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["api_base_url"].as_str().unwrap().starts_with(&sandbox),
        "a channel connected without an address talks to the sandbox: {body}"
    );
}

#[tokio::test]
async fn sandbox_endpoints_are_not_found_outside_demo_mode() {
    let app = spawn_app(Db::Sqlite).await;
    let client = reqwest::Client::new();
    let graph = client
        .post(app.url("/sandbox/graph/v23.0/100000000000001/messages"))
        .bearer_auth("anything")
        .json(&json!({ "messaging_product": "whatsapp", "to": "15550100", "type": "text" }))
        .send()
        .await
        .unwrap();
    assert_eq!(graph.status(), 404);
    let twilio = client
        .post(app.url(
            "/sandbox/twilio/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json",
        ))
        .basic_auth("AC00000000000000000000000000000001", Some("x"))
        .form(&[("To", "+15550100"), ("Body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(twilio.status(), 404);
    let other = client
        .post(app.url("/sandbox/graph/v23.0/200000000000001/message_templates"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

on_both_databases!(
    the_demo_loads_a_lived_in_inbox_once,
    a_demo_reply_is_read_and_answered_through_the_sandbox,
    demo_mode_refuses_to_start_beside_a_real_channel,
);
