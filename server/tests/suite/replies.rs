//! Replies: queued with the channel's rules checked, delivered once in the provider's official
//! wire format to a local fake provider, retried or failed as the provider answers.

use crate::common;

use app::model::Role;
use channels::simulate;
use common::conversations::{
    TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, WA_ACCOUNT_ID, WA_SECRET, twilio_number,
};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use serde_json::{Value, json};

/// Why a free-form WhatsApp reply is refused a day after the contact last wrote.
const WINDOW_CLOSED: &str = "The 24-hour window has closed: only an approved template can be sent until the contact writes again.";

/// The Messenger Page's app secret.
const SECRET: &str = "reply-secret";

async fn reply(app: &TestApp, token: &str, conversation: i64, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(token)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap()
}

async fn outbound(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT status, provider_message_id, error_code FROM messages WHERE direction = 'outbound' ORDER BY id")
        .fetch_all(&app.sql().await)
        .await
        .unwrap()
}

async fn a_whatsapp_reply_is_sent_once_in_the_official_shape(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    assert_eq!(
        reply(&app, &volunteer, conversation, "Hi Dana, <we> can help")
            .await
            .status(),
        202
    );
    assert_eq!(
        outbound(&app).await,
        [("pending".to_string(), None, None)],
        "committed before sending"
    );

    assert!(app.services.deliver_next("worker-1").await.unwrap());
    assert!(
        !app.services.deliver_next("worker-1").await.unwrap(),
        "nothing left to send"
    );
    let received = fake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v23.0/1000/messages");
    assert_eq!(received[0].authorization.as_deref(), Some("Bearer token"));
    let sent: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        sent,
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15551234567",
            "type": "text", "text": { "body": "Hi Dana, <we> can help", "preview_url": false }
        })
    );
    assert_eq!(
        outbound(&app).await,
        [("sent".to_string(), Some("wamid.sent1".to_string()), None)]
    );
    let detail = app.conversation_detail(&volunteer, conversation).await;
    assert_eq!(detail["messages"][1]["author_name"], "vol");
    assert_eq!(
        detail["summary"]["unread_count"], 0,
        "answering reads the conversation"
    );
}

async fn closed_windows_and_opted_out_contacts_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app
        .whatsapp_conversation(&fake, now_secs() - 25 * 3600)
        .await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let late = reply(&app, &volunteer, conversation, "Sorry for the delay").await;
    assert_eq!(late.status(), 422);
    assert_eq!(
        late.json::<Value>().await.unwrap()["message"],
        WINDOW_CLOSED
    );
    let detail = app.conversation_detail(&volunteer, conversation).await;
    assert_eq!(
        detail["reply_blocked"], WINDOW_CLOSED,
        "the composer can say why"
    );

    sqlx::query("UPDATE conversations SET last_inbound_at = $1")
        .bind(server::store::now_ms())
        .execute(&app.sql().await)
        .await
        .unwrap();
    sqlx::query("UPDATE contacts SET opted_out_at = 1")
        .execute(&app.sql().await)
        .await
        .unwrap();
    let opted_out = reply(&app, &volunteer, conversation, "Hello?").await;
    assert_eq!(opted_out.status(), 422);
    assert_eq!(
        opted_out.json::<Value>().await.unwrap()["message"],
        "This contact has opted out of messages. They must opt back in (for example by sending START) before anyone can message them."
    );
    let empty = reply(&app, &volunteer, conversation, "   ").await;
    assert_eq!(empty.status(), 422);
    assert!(outbound(&app).await.is_empty());
    assert!(!app.services.deliver_next("worker-1").await.unwrap());
    assert!(
        fake.received()
            .iter()
            .all(|request| request.json()["status"] == "read"),
        "nothing but the read receipt of opening it reached the provider"
    );
}

async fn transient_failures_are_retried_and_permanent_ones_shown(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    fake.then_answer(
        503,
        vec![],
        json!({ "error": { "message": "Service temporarily unavailable", "code": 2 } }),
    );
    fake.then_answer(
        429,
        vec![("retry-after", "7")],
        json!({ "error": { "message": "Too many calls", "code": 130429 } }),
    );
    reply(&app, &volunteer, conversation, "First").await;

    let pool = app.sql().await;
    let due_now = || {
        sqlx::query("UPDATE outbound_jobs SET next_attempt_at = 0 WHERE state = 'pending'")
            .execute(&pool)
    };
    assert!(app.services.deliver_next("w").await.unwrap());
    assert_eq!(outbound(&app).await[0].0, "pending", "a 503 is retried");
    assert!(
        !app.services.deliver_next("w").await.unwrap(),
        "not before its back-off"
    );
    due_now().await.unwrap();
    assert!(app.services.deliver_next("w").await.unwrap());
    let next: i64 = sqlx::query_scalar("SELECT next_attempt_at FROM outbound_jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    let wait = next - server::store::now_ms();
    assert!(
        (6_000..=7_500).contains(&wait),
        "Retry-After is honoured: {wait} ms"
    );
    due_now().await.unwrap();
    assert!(app.services.deliver_next("w").await.unwrap());
    assert_eq!(outbound(&app).await[0].0, "sent");
    assert_eq!(fake.received().len(), 3);

    fake.then_answer(400, vec![], json!({ "error": {
        "message": "Re-engagement message", "type": "OAuthException", "code": 131047,
        "error_data": { "messaging_product": "whatsapp", "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
    }}));
    reply(&app, &volunteer, conversation, "Second").await;
    assert!(app.services.deliver_next("w").await.unwrap());
    assert_eq!(
        outbound(&app).await[1],
        ("failed".to_string(), None, Some("131047".to_string())),
        "refused at once, with the code"
    );
    let failed = &app.conversation_detail(&volunteer, conversation).await["messages"][2];
    assert_eq!(failed["status"], "failed");
    assert_eq!(
        failed["error_explanation"],
        "More than 24 hours have passed since this person last wrote, so only an approved template message can be sent. Send a template to restart the conversation.",
        "the thread says in plain words why it failed"
    );
    assert!(
        !app.services.deliver_next("w").await.unwrap(),
        "a permanent failure is not retried"
    );
}

async fn a_retrying_reply_says_why_and_when_then_fails_with_the_reason(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    // The provider's own text may quote the request (here its token): it is never shown.
    fake.then_answer(
        503,
        vec![],
        json!({ "error": { "message": "Backend error for access token token", "code": 2 } }),
    );
    // A proxy's page instead of a Graph error: only the HTTP status says what happened.
    fake.then_answer(502, vec![], json!({}));
    reply(&app, &volunteer, conversation, "Are you there?").await;
    let pool = app.sql().await;
    let retry =
        || async { app.conversation_detail(&volunteer, conversation).await["messages"][1].clone() };

    assert!(app.services.deliver_next("w").await.unwrap());
    let pending = retry().await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        pending["delivery_retry"]["reason"],
        "Facebook had a temporary problem (error 2)"
    );
    assert_eq!(pending["delivery_retry"]["attempt"], 2);
    assert_eq!(pending["delivery_retry"]["last_attempt"], 8);
    let next = time::OffsetDateTime::parse(
        pending["delivery_retry"]["next_attempt_at"]
            .as_str()
            .unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(next > time::OffsetDateTime::now_utc(), "{pending}");

    sqlx::query("UPDATE outbound_jobs SET next_attempt_at = 0")
        .execute(&pool)
        .await
        .unwrap();
    assert!(app.services.deliver_next("w").await.unwrap());
    let pending = retry().await;
    assert_eq!(
        pending["delivery_retry"]["reason"],
        "Facebook could not be reached"
    );
    assert_eq!(pending["delivery_retry"]["attempt"], 3);

    // The last attempt fails too: the reply fails, with the same plain reason.
    sqlx::query("UPDATE outbound_jobs SET next_attempt_at = 0, attempts = 7")
        .execute(&pool)
        .await
        .unwrap();
    fake.then_answer(502, vec![], json!({}));
    assert!(app.services.deliver_next("w").await.unwrap());
    let failed = retry().await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["delivery_retry"], Value::Null);
    assert_eq!(failed["error_explanation"], "Facebook could not be reached");
    assert!(!failed.to_string().contains("token"), "{failed}");
}

async fn an_unknown_outcome_waits_for_a_person(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    fake.then_answer(200, vec![], json!({ "unexpected": true }));
    reply(&app, &volunteer, conversation, "Did this arrive?").await;
    assert!(app.services.deliver_next("w").await.unwrap());
    assert_eq!(outbound(&app).await[0].0, "unknown");
    assert!(
        !app.services.deliver_next("w").await.unwrap(),
        "not blindly repeated"
    );

    reply(&app, &volunteer, conversation, "Interrupted").await;
    sqlx::query(
        "UPDATE outbound_jobs SET state = 'sending', claimed_at = 1 WHERE state = 'pending'",
    )
    .execute(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(
        app.services.recover_interrupted_deliveries().await.unwrap(),
        1
    );
    assert_eq!(
        outbound(&app).await[1].0,
        "unknown",
        "a send cut off by a stopped worker is not repeated"
    );
    assert_eq!(fake.received().len(), 1);

    // A person decides to send the first one again: one click, one more send.
    let first: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM messages WHERE direction = 'outbound'")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    let retry = |id: i64| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/messages/{id}/retry")))
            .bearer_auth(&volunteer)
            .send()
    };
    assert_eq!(retry(first).await.unwrap().status(), 202);
    assert_eq!(outbound(&app).await[0].0, "pending");
    assert_eq!(
        retry(first).await.unwrap().status(),
        409,
        "a message already on its way is not queued twice"
    );
    assert!(app.services.deliver_next("w").await.unwrap());
    assert_eq!(outbound(&app).await[0].0, "sent");
    assert_eq!(fake.received().len(), 2);
    assert_eq!(retry(424_242).await.unwrap().status(), 404);
}

async fn a_queued_reply_is_sent_once_by_two_fresh_instances_racing_for_it(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    reply(&app, &volunteer, conversation, "Once only").await;
    // Two fresh instances (as after a restart) race for the job.
    let first = app.fresh_services().await;
    let second = app.fresh_services().await;
    let (a, b) = tokio::join!(
        first.deliver_next("instance-a"),
        second.deliver_next("instance-b")
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|sent| **sent)
            .count(),
        1
    );
    assert_eq!(fake.received().len(), 1);
    assert_eq!(outbound(&app).await[0].0, "sent");
}

async fn a_status_that_arrives_before_the_send_returns_is_kept(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let status = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "2000", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550000", "phone_number_id": "1000" },
            "statuses": [{ "id": "wamid.sent1", "status": "delivered", "timestamp": "1749416383", "recipient_id": "15551234567" }]
        }}]}]
    });
    let body = serde_json::to_vec(&status).unwrap();
    reqwest::Client::new()
        .post(app.url("/webhooks/whatsapp"))
        .header(
            "X-Hub-Signature-256",
            channels::signature::meta_signature(WA_SECRET, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    reply(&app, &volunteer, conversation, "Quick").await;
    app.services.deliver_next("w").await.unwrap();
    assert_eq!(outbound(&app).await[0].0, "delivered");
}

async fn twilio_and_messenger_replies_use_their_formats(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    app.sms_conversation(&fake).await;
    app.connect(fake.channel(common::messenger("3000", SECRET)))
        .await;
    let day_and_a_half_ago = server::store::now_ms() - 36 * 3600 * 1000;
    fake.contact_wrote("psid-1", day_and_a_half_ago);
    let messenger = simulate::messenger_text(
        SECRET,
        "3000",
        "psid-1",
        "m_in",
        day_and_a_half_ago,
        "hello page",
    );
    app.post_signed("/webhooks/messenger", messenger).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let conversations: Vec<i64> = sqlx::query_scalar("SELECT id FROM conversations ORDER BY id")
        .fetch_all(&app.sql().await)
        .await
        .unwrap();
    for conversation in &conversations {
        assert_eq!(
            reply(&app, &coordinator, *conversation, "We are here")
                .await
                .status(),
            202
        );
    }
    while app.services.deliver_next("w").await.unwrap() {}
    let received = fake.received();
    assert_eq!(received.len(), 2);

    let twilio = &received[0];
    assert_eq!(
        twilio.path,
        format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
    );
    assert!(
        twilio
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Basic ")
    );
    let form = twilio.form();
    assert_eq!(form.field("To"), Some("+15552223333"));
    assert_eq!(form.field("From"), Some(TWILIO_NUMBER));
    assert_eq!(form.field("Body"), Some("We are here"));
    assert_eq!(
        form.field("StatusCallback").map(str::to_string),
        Some(app.url("/webhooks/twilio/status"))
    );

    let page = &received[1];
    assert_eq!(page.path, "/v23.0/3000/messages");
    // The Page token travels in a header only: a URL ends up in error texts and logs.
    assert_eq!(page.query, None);
    assert_eq!(page.authorization.as_deref(), Some("Bearer page-token"));
    let sent: Value = serde_json::from_slice(&page.body).unwrap();
    assert_eq!(sent["recipient"]["id"], "psid-1");
    assert_eq!(
        sent["messaging_type"], "MESSAGE_TAG",
        "after 24 hours a human reply is tagged"
    );
    assert_eq!(sent["tag"], "HUMAN_AGENT");
    assert_eq!(sent["message"]["text"], "We are here");
    let statuses: Vec<String> = outbound(&app).await.into_iter().map(|m| m.0).collect();
    assert_eq!(statuses, ["queued", "sent"]);
}

async fn twilio_whatsapp_keeps_the_24_hour_window_and_replies_on_whatsapp(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    app.connect(fake.channel(twilio_number())).await;
    let whatsapp = app
        .twilio_text_from(
            "+15552223333",
            "SM00000000000000000000000000000001",
            "hi",
            true,
        )
        .await;
    let sms = app
        .twilio_text_from(
            "+15554445555",
            "SM00000000000000000000000000000002",
            "hi",
            false,
        )
        .await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;

    let detail = app.conversation_detail(&volunteer, whatsapp).await;
    assert!(
        detail["window_closes_at"].is_string(),
        "the thread counts down the window: {detail}"
    );
    assert!(app.conversation_detail(&volunteer, sms).await["window_closes_at"].is_null());
    assert_eq!(
        reply(&app, &volunteer, whatsapp, "Inside the window")
            .await
            .status(),
        202
    );
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake.received()[0].form();
    assert_eq!(sent.field("To"), Some("whatsapp:+15552223333"));
    assert_eq!(sent.field("From"), Some("whatsapp:+15550001111"));
    assert_eq!(sent.field("Body"), Some("Inside the window"));

    let day_and_an_hour_ago = server::store::now_ms() - 25 * 3600 * 1000;
    sqlx::query("UPDATE conversations SET last_inbound_at = $1")
        .bind(day_and_an_hour_ago)
        .execute(&app.sql().await)
        .await
        .unwrap();
    let late = reply(&app, &volunteer, whatsapp, "Too late").await;
    assert_eq!(late.status(), 422);
    assert_eq!(
        late.json::<Value>().await.unwrap()["message"],
        WINDOW_CLOSED
    );
    assert_eq!(
        app.conversation_detail(&volunteer, whatsapp).await["reply_blocked"],
        WINDOW_CLOSED
    );

    assert_eq!(
        reply(&app, &volunteer, sms, "SMS has no window")
            .await
            .status(),
        202,
        "SMS on the same number has no window"
    );
    assert!(app.services.deliver_next("w").await.unwrap());
    let received = fake.received();
    assert_eq!(received.len(), 2, "the late WhatsApp reply never left");
    let sent = received[1].form();
    assert_eq!(sent.field("To"), Some("+15554445555"));
    assert_eq!(sent.field("From"), Some(TWILIO_NUMBER));
}

async fn a_number_is_one_person_whichever_network_it_writes_on(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    // +15551234567 on the WhatsApp Cloud API number, then through Twilio's WhatsApp.
    app.whatsapp_conversation(&fake, now_secs() - 60).await;
    app.connect(fake.channel(twilio_number())).await;
    app.twilio_text_from(
        "+15551234567",
        "SM00000000000000000000000000000001",
        "hi",
        true,
    )
    .await;
    // +15554445555 texts, then writes on WhatsApp to the same Twilio number (as does a person
    // whose identity was stored before WhatsApp addresses kept their prefix).
    app.twilio_text_from(
        "+15554445555",
        "SM00000000000000000000000000000002",
        "hi",
        false,
    )
    .await;
    app.twilio_text_from(
        "+15554445555",
        "SM00000000000000000000000000000003",
        "hi",
        true,
    )
    .await;
    let pool = app.sql().await;
    let count = async |sql: &'static str| -> i64 {
        sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
    };
    assert_eq!(count("SELECT COUNT(*) FROM contacts").await, 2);
    assert_eq!(count("SELECT COUNT(*) FROM conversations").await, 3);
    let identities: Vec<String> =
        sqlx::query_scalar("SELECT address FROM contact_identities ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        identities,
        [
            "+15551234567",
            "whatsapp:+15551234567",
            "whatsapp:+15554445555"
        ],
        "one identity per number and channel, on the network last written on"
    );

    let switched = app.conversation_with("whatsapp:+15554445555").await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    assert_eq!(
        reply(&app, &volunteer, switched, "Hello").await.status(),
        202
    );
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake
        .received()
        .into_iter()
        .find(|request| request.path.contains("/Accounts/"))
        .unwrap();
    assert_eq!(
        sent.form().field("To"),
        Some("whatsapp:+15554445555"),
        "the reply follows them to WhatsApp"
    );
}

/// Waits until the outbound messages, oldest first, have `wanted` statuses: the provider
/// reports them by webhooks in the background.
async fn wait_for_statuses(app: &TestApp, wanted: &[&str]) {
    let pool = app.sql().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let statuses: Vec<String> = sqlx::query_scalar(
            "SELECT status FROM messages WHERE direction = 'outbound' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        if statuses == wanted {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reported statuses never arrived: {statuses:?}, wanted {wanted:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn statuses_the_providers_report_back_reach_the_thread(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    fake.report_whatsapp_statuses(&app.url("/webhooks/whatsapp"), WA_ACCOUNT_ID, WA_SECRET);
    fake.report_twilio_statuses(TWILIO_TOKEN);
    let whatsapp = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let sms = app.sms_conversation(&fake).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    for conversation in [whatsapp, sms] {
        assert_eq!(
            reply(&app, &volunteer, conversation, "On its way")
                .await
                .status(),
            202
        );
    }
    while app.services.deliver_next("w").await.unwrap() {}

    wait_for_statuses(&app, &["read", "delivered"]).await;
    for (conversation, status) in [(whatsapp, "read"), (sms, "delivered")] {
        let detail = app.conversation_detail(&volunteer, conversation).await;
        let outbound: Vec<&Value> = detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|message| message["direction"] == "outbound")
            .collect();
        assert_eq!(outbound.len(), 1);
        assert_eq!(outbound[0]["status"], status);
    }
    let problems: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_events WHERE processed_at IS NULL OR error IS NOT NULL",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(problems, 0, "every report was understood and routed");
}

on_both_databases!(
    a_whatsapp_reply_is_sent_once_in_the_official_shape,
    closed_windows_and_opted_out_contacts_are_refused,
    transient_failures_are_retried_and_permanent_ones_shown,
    a_retrying_reply_says_why_and_when_then_fails_with_the_reason,
    an_unknown_outcome_waits_for_a_person,
    a_queued_reply_is_sent_once_by_two_fresh_instances_racing_for_it,
    a_status_that_arrives_before_the_send_returns_is_kept,
    twilio_and_messenger_replies_use_their_formats,
    twilio_whatsapp_keeps_the_24_hour_window_and_replies_on_whatsapp,
    a_number_is_one_person_whichever_network_it_writes_on,
    statuses_the_providers_report_back_reach_the_thread,
);
