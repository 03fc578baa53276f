//! Satisfaction surveys through the real paths: an admin switches a channel's survey on, a
//! person resolves a conversation, the survey goes to the fake provider in that network's
//! shape, the contact's answer and comment come back through the signed webhooks without
//! reopening the conversation, and Reports count them.

use crate::common;

use app::model::Role;
use channels::signature::meta_signature;
use common::conversations::{DANA, WA_NUMBER_ID, WA_SECRET, whatsapp_number};
use common::provider::FakeProvider;
use common::webhooks::whatsapp_fixture;
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const PAGE_ID: &str = "3000";
const PAGE_SECRET: &str = "survey-page-secret";
const PSID: &str = "psid-survey";

async fn switch_on(app: &TestApp, admin: &str, channel: i64, thanks: &str) {
    let (status, saved) = app
        .api(
            admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(json!({ "channels": [{
                "channel_id": channel,
                "enabled": true,
                "question": "How did we do?",
                "thanks": thanks,
            }] })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let saved = saved["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|survey| survey["channel_id"] == channel)
        .cloned()
        .unwrap();
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["question"], "How did we do?");
}

async fn resolve(app: &TestApp, token: &str, conversation: i64) {
    let (status, answer) = app
        .api(
            token,
            Method::POST,
            &format!("/conversations/{conversation}/status"),
            Some(json!({ "status": "resolved" })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

/// The last request the fake provider received at `path`, as JSON.
fn last_sent_to(fake: &FakeProvider, path: &str) -> Value {
    fake.received()
        .into_iter()
        .rfind(|request| request.path == path)
        .unwrap_or_else(|| panic!("nothing was sent to {path}"))
        .json()
}

/// The conversation's status and unread count: Dana's first message left one unread, which an
/// answer or a comment does not add to.
async fn status_of(app: &TestApp, token: &str, conversation: i64) -> (String, i64) {
    let detail = app.conversation_detail(token, conversation).await;
    (
        detail["summary"]["status"].as_str().unwrap().to_owned(),
        detail["summary"]["unread_count"].as_i64().unwrap_or(0),
    )
}

/// Each message's part in the survey, as the thread labels it, oldest first.
async fn survey_labels(app: &TestApp, token: &str, conversation: i64) -> Vec<Value> {
    app.conversation_detail(token, conversation).await["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["survey"].clone())
        .collect()
}

/// What Reports count of open periods and waits: resolutions, still open, unanswered, first
/// responses and replies.
async fn waits(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, summary) = app.api(token, Method::GET, "/reports/summary", None).await;
    assert_eq!(status, 200, "{summary}");
    vec![
        summary["conversations_resolved"].clone(),
        summary["still_open"].clone(),
        summary["unanswered"].clone(),
        summary["first_response"]["count"].clone(),
        summary["reply"]["count"].clone(),
    ]
}

async fn csat(app: &TestApp, token: &str) -> Value {
    let (status, report) = app.api(token, Method::GET, "/reports/csat", None).await;
    assert_eq!(status, 200, "{report}");
    report
}

/// Dana taps a row of the WhatsApp list (REFERENCE §1.1, the recorded `list_reply`).
async fn dana_taps(app: &TestApp, row_id: &str, title: &str, message_id: &str, at_secs: i64) {
    let mut payload = whatsapp_fixture("inbound_interactive_list_reply.json", WA_NUMBER_ID);
    let value = &mut payload["entry"][0]["changes"][0]["value"];
    value["contacts"][0]["wa_id"] = json!(DANA.trim_start_matches('+'));
    let message = &mut value["messages"][0];
    message["from"] = json!(DANA.trim_start_matches('+'));
    message["id"] = json!(message_id);
    message["timestamp"] = json!(at_secs.to_string());
    message["interactive"]["list_reply"] = json!({ "id": row_id, "title": title });
    let response = app.post_whatsapp(WA_SECRET, &payload).await;
    assert_eq!(response.status(), 200);
}

async fn whatsapp_list_answer_and_comment_stay_out_of_the_queue(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let channel = app.connect(fake.channel(whatsapp_number())).await;
    let now = now_secs();
    let conversation = app.dana_writes(&fake, now - 60).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (status, _) = app
        .api(&volunteer, Method::GET, "/settings/satisfaction", None)
        .await;
    assert_eq!(status, 403, "only admins see the survey settings");
    switch_on(
        &app,
        &admin,
        channel,
        "Thank you! Tell us more if you like.",
    )
    .await;
    assert_eq!(
        app.audited("settings.satisfaction", "settings").await.len(),
        1
    );

    resolve(&app, &volunteer, conversation).await;
    assert!(app.services.deliver_next("w").await.unwrap());
    let survey = last_sent_to(&fake, &format!("/v23.0/{WA_NUMBER_ID}/messages"));
    let rows: Vec<(String, String)> = [5, 4, 3, 2, 1]
        .into_iter()
        .zip(["Very good", "Good", "Fair", "Poor", "Very poor"])
        .map(|(rating, words)| (format!("csat:{rating}"), format!("{rating} – {words}")))
        .collect();
    assert_eq!(
        survey["interactive"],
        json!({
            "type": "list",
            "body": { "text": "How did we do?" },
            "action": {
                "button": "Choose a rating",
                "sections": [{ "rows": rows.iter().map(|(id, title)| json!({ "id": id, "title": title })).collect::<Vec<_>>() }]
            }
        })
    );
    // Resolving again while the survey waits asks nothing more.
    let reopen = app
        .api(
            &volunteer,
            Method::POST,
            &format!("/conversations/{conversation}/status"),
            Some(json!({ "status": "open" })),
        )
        .await;
    assert_eq!(reopen.0, 200);
    resolve(&app, &volunteer, conversation).await;
    assert!(!app.services.deliver_next("w").await.unwrap());
    let before = waits(&app, &coordinator).await;

    // WhatsApp dates messages in whole seconds: a second later, each answer is after the
    // survey.
    let at = now_secs() + 1;
    dana_taps(&app, "csat:4", "4 – Good", "wamid.answer", at).await;
    assert_eq!(
        status_of(&app, &volunteer, conversation).await,
        ("resolved".to_owned(), 1),
        "an answer does not reopen the conversation"
    );
    // The thank-you goes once.
    assert!(app.services.deliver_next("w").await.unwrap());
    let thanks = last_sent_to(&fake, &format!("/v23.0/{WA_NUMBER_ID}/messages"));
    assert_eq!(
        thanks["text"]["body"],
        "Thank you! Tell us more if you like."
    );
    app.whatsapp_text_from(
        DANA,
        "Dana",
        "wamid.comment",
        at + 1,
        "Very kind, thank you",
    )
    .await;
    assert_eq!(
        status_of(&app, &volunteer, conversation).await,
        ("resolved".to_owned(), 1),
        "nor does the comment"
    );
    dana_taps(&app, "csat:5", "5 – Very good", "wamid.changed", at + 2).await;
    assert!(
        !app.services.deliver_next("w").await.unwrap(),
        "a changed rating is not thanked again"
    );

    let labels = survey_labels(&app, &volunteer, conversation).await;
    assert_eq!(
        labels,
        [
            Value::Null,
            json!("Satisfaction survey"),
            json!("Rating"),
            json!("Thank-you for the rating"),
            json!("Comment on the rating"),
            json!("Rating"),
        ]
    );
    let report = csat(&app, &coordinator).await;
    assert_eq!(report["surveys_sent"], 1);
    assert_eq!(report["responses"], 1);
    assert_eq!(report["score_percent"], 100);
    assert_eq!(report["response_rate_percent"], 100);
    assert_eq!(report["distribution"], json!([0, 0, 0, 0, 1]));
    assert_eq!(report["comments"][0]["comment"], "Very kind, thank you");
    assert_eq!(report["comments"][0]["rating"], 5);
    assert_eq!(report["comments"][0]["conversation_id"], conversation);
    assert_eq!(
        waits(&app, &coordinator).await,
        before,
        "the answer and the comment ask nothing of anyone"
    );

    // Anything more is a new request.
    app.whatsapp_text_from(DANA, "Dana", "wamid.again", at + 3, "I need help again")
        .await;
    assert_eq!(
        status_of(&app, &volunteer, conversation).await,
        ("open".to_owned(), 2)
    );
    let (status, _) = app
        .api(&volunteer, Method::GET, "/reports/csat", None)
        .await;
    assert_eq!(status, 403, "volunteers see no reports");
    fake.assert_all_valid();
}

/// A Messenger message event from the survey's contact, with a quick reply's payload when
/// given (REFERENCE §3.1), signed as Meta signs it.
async fn contact_writes_on_messenger(
    app: &TestApp,
    mid: &str,
    at_ms: i64,
    text: &str,
    payload: Option<&str>,
) {
    let webhook = channels::simulate::messenger_text(PAGE_SECRET, PAGE_ID, PSID, mid, at_ms, text);
    let mut event: Value = serde_json::from_slice(&webhook.body).unwrap();
    if let Some(payload) = payload {
        event["entry"][0]["messaging"][0]["message"]["quick_reply"] = json!({ "payload": payload });
    }
    let body = serde_json::to_vec(&event).unwrap();
    let response = reqwest::Client::new()
        .post(app.url("/webhooks/messenger"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", meta_signature(PAGE_SECRET, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn messenger_quick_replies_are_read_back(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let channel = app
        .connect(fake.channel(common::messenger(PAGE_ID, PAGE_SECRET)))
        .await;
    contact_writes_on_messenger(&app, "m_first", now_secs() * 1000 - 60_000, "Hello", None).await;
    let conversation = app.conversation_with(PSID).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    // The settings card saves through its server function, as the page does.
    let (admin_browser, _) = app.signed_in("ada@example.org", Role::Admin).await;
    let channel_id = channel.to_string();
    let saved = app
        .server_fn(
            &admin_browser,
            "settings/satisfaction/save",
            &[
                ("settings[channels][0][channel_id]", &channel_id),
                ("settings[channels][0][enabled]", "true"),
                ("settings[channels][0][question]", "How did we do?"),
                ("settings[channels][0][thanks]", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    let shown: Value = app
        .server_fn(&admin_browser, "settings/satisfaction", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["channels"][0]["enabled"], true);
    assert_eq!(shown["channels"][0]["channel_kind"], "messenger");

    resolve(&app, &coordinator, conversation).await;
    assert!(app.services.deliver_next("w").await.unwrap());
    let survey = last_sent_to(&fake, &format!("/v23.0/{PAGE_ID}/messages"));
    assert_eq!(survey["messaging_type"], "RESPONSE");
    let quick_replies: Vec<Value> = survey["message"]["quick_replies"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(quick_replies.len(), 5);
    assert_eq!(
        quick_replies[0],
        json!({ "content_type": "text", "title": "1 – Very poor", "payload": "csat:1" })
    );
    assert_eq!(quick_replies[4]["payload"], "csat:5");
    assert_eq!(survey["message"]["text"], "How did we do?");

    let at_ms = now_secs() * 1000 + 1000;
    contact_writes_on_messenger(&app, "m_answer", at_ms, "2 – Poor", Some("csat:2")).await;
    assert_eq!(
        status_of(&app, &coordinator, conversation).await,
        ("resolved".to_owned(), 1)
    );
    assert!(
        !app.services.deliver_next("w").await.unwrap(),
        "no thank-you is set on this channel"
    );
    let report = csat(&app, &coordinator).await;
    assert_eq!(report["distribution"], json!([0, 1, 0, 0, 0]));
    assert_eq!(report["score_percent"], 0);
    assert_eq!(report["comments"], json!([]));
    fake.assert_all_valid();
}

async fn sms_asks_for_a_number_and_stop_is_never_a_comment(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.sms_conversation(&fake).await;
    let channel: i64 = sqlx::query_scalar("SELECT channel_id FROM conversations WHERE id = $1")
        .bind(conversation)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;

    let (status, refused) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(json!({ "channels": [{ "channel_id": channel, "enabled": true, "question": "How did we do? “Honestly”" }] })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("““”"),
        "the character that would change the SMS encoding is named: {refused}"
    );
    let (status, refused) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(json!({ "channels": [{ "channel_id": channel, "question": "Rate us", "template_name": "csat_survey", "template_language": "en_US" }] })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let (status, _) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(json!({ "channels": [{ "channel_id": 999_999, "question": "Rate us" }] })),
        )
        .await;
    assert_eq!(status, 422, "an unknown channel is refused");
    switch_on(&app, &admin, channel, "Thanks! Anything to add?").await;

    resolve(&app, &coordinator, conversation).await;
    assert!(app.services.deliver_next("w").await.unwrap());
    let sms = fake
        .received()
        .into_iter()
        .rfind(|request| request.path.ends_with("/Messages.json"))
        .unwrap()
        .form();
    assert_eq!(
        sms.field("Body"),
        Some("How did we do?\nReply with a number from 1 (poor) to 5 (very good).")
    );
    app.twilio_text_from(
        "+15552223333",
        "SM00000000000000000000000000000002",
        " 5! ",
        false,
    )
    .await;
    assert_eq!(
        status_of(&app, &coordinator, conversation).await,
        ("resolved".to_owned(), 1)
    );
    assert!(app.services.deliver_next("w").await.unwrap(), "thanked");
    app.twilio_text_from(
        "+15552223333",
        "SM00000000000000000000000000000003",
        "STOP",
        false,
    )
    .await;
    let report = csat(&app, &coordinator).await;
    assert_eq!(report["distribution"], json!([0, 0, 0, 0, 1]));
    assert_eq!(
        report["comments"],
        json!([]),
        "an opt-out is consent, never a comment"
    );
    // Nobody who opted out is asked again.
    app.api(
        &coordinator,
        Method::POST,
        &format!("/conversations/{conversation}/status"),
        Some(json!({ "status": "resolved" })),
    )
    .await;
    assert!(!app.services.deliver_next("w").await.unwrap());
    assert_eq!(csat(&app, &coordinator).await["surveys_sent"], 1);
    fake.assert_all_valid();
}

/// An approved template of `channel` at Meta, as a template synchronised from Meta is kept.
async fn approved_template(app: &TestApp, channel: i64, name: &str, category: &str, body: &str) {
    let components = json!({ "body": body }).to_string();
    app.services
        .store()
        .create_template(server::store::NewTemplate {
            channel_id: channel,
            name,
            language: "en_US",
            category,
            status: "approved",
            components: &components,
            content_sid: None,
            family: name,
            version: 1,
            created_by: None,
        })
        .await
        .unwrap();
}

async fn whatsapp_outside_the_window_asks_through_the_template(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let channel = app.connect(fake.channel(whatsapp_number())).await;
    let conversation = app.dana_writes(&fake, now_secs() - 2 * 24 * 60 * 60).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    approved_template(
        &app,
        channel,
        "spring_offer",
        "marketing",
        "Our spring offer",
    )
    .await;
    approved_template(
        &app,
        channel,
        "service_rating",
        "utility",
        "How did we do? Reply with a number from 1 to 5.",
    )
    .await;
    let survey = |template: &str| {
        json!({ "channels": [{
            "channel_id": channel, "enabled": true, "question": "How did we do?",
            "template_name": template, "template_language": "en_US",
        }] })
    };
    let (status, refused) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(survey("spring_offer")),
        )
        .await;
    assert_eq!(
        status, 422,
        "a marketing template does not ask for a rating: {refused}"
    );
    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/satisfaction",
            Some(survey("service_rating")),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["channels"][0]["template_name"], "service_rating");

    resolve(&app, &coordinator, conversation).await;
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = last_sent_to(&fake, &format!("/v23.0/{WA_NUMBER_ID}/messages"));
    assert_eq!(sent["type"], "template");
    assert_eq!(
        sent["template"],
        json!({ "name": "service_rating", "language": { "code": "en_US" } })
    );
    let detail = app.conversation_detail(&coordinator, conversation).await;
    assert_eq!(
        detail["messages"][1]["body"],
        "How did we do? Reply with a number from 1 to 5."
    );

    let at = now_secs() + 1;
    fake.contact_wrote(DANA, at * 1000);
    app.whatsapp_text_from(DANA, "Dana", "wamid.rating", at, "4")
        .await;
    assert_eq!(
        status_of(&app, &coordinator, conversation).await,
        ("resolved".to_owned(), 1)
    );
    let report = csat(&app, &coordinator).await;
    assert_eq!(report["distribution"], json!([0, 0, 0, 1, 0]));
    assert_eq!(report["score_percent"], 100);
    fake.assert_all_valid();
}

on_both_databases!(
    whatsapp_list_answer_and_comment_stay_out_of_the_queue,
    whatsapp_outside_the_window_asks_through_the_template,
    messenger_quick_replies_are_read_back,
    sms_asks_for_a_number_and_stop_is_never_a_comment,
);
