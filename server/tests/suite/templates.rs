//! Message templates: admins write WhatsApp templates that are submitted to a fake Meta in the
//! official shape and followed through review; new versions instead of edits; Twilio Content
//! templates registered by ContentSid; volunteers send approved templates after the 24-hour
//! window. Media headers are submitted with a sample through the Resumable Upload API and sent
//! with the volunteer's file; link buttons take their variable and quick replies a payload;
//! templates made in WhatsApp Manager are imported by the sync. Also: opening a WhatsApp
//! conversation marks its messages read at Meta.

use crate::common;

use app::model::{ChannelInput, Role};
use common::conversations::{
    TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, WA_ACCOUNT_ID, WA_NUMBER_ID, twilio_number,
    whatsapp_number,
};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use serde_json::{Value, json};

const CONTENT_SID: &str = "HXb5b62575e6e4ff6129ad7c8efe1f983e";
const APP_ID: &str = "634974688087057";
/// The eight-byte signature a PNG file starts with, and a little more.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-sample-picture";

struct Setup {
    app: TestApp,
    fake: FakeProvider,
    channel_id: i64,
    conversation_id: i64,
    admin: String,
    volunteer: String,
}

/// A WhatsApp channel at the fake provider and a conversation whose last inbound message was
/// `hours_ago` hours ago.
async fn whatsapp_setup(db: Db, hours_ago: i64) -> Setup {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let channel_id = app.connect(fake.channel(whatsapp_number())).await;
    // The channel's Meta app, once a test gives its id.
    fake.meta_app(APP_ID, "token");
    let conversation_id = app.dana_writes(&fake, now_secs() - hours_ago * 3600).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    Setup {
        app,
        fake,
        channel_id,
        conversation_id,
        admin,
        volunteer,
    }
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::POST, path, token, Some(body)).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, reqwest::Method::GET, path, token, None).await
}

/// A multipart form: `json` in the part `json_part`, and a file.
fn form_with_file(
    json_part: &str,
    json: &Value,
    file_part: &str,
    bytes: &'static [u8],
    filename: &str,
    mime: &str,
) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text(json_part.to_string(), json.to_string())
        .part(
            file_part.to_string(),
            reqwest::multipart::Part::bytes(bytes)
                .file_name(filename.to_string())
                .mime_str(mime)
                .unwrap(),
        )
}

async fn post_form(
    app: &TestApp,
    path: &str,
    token: &str,
    form: reqwest::multipart::Form,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Has the fake's Meta approve a template and syncs, so it can be sent.
async fn approve(setup: &Setup, name: &str) {
    setup.fake.review(name, "APPROVED", None);
    let (status, synced) = post(
        &setup.app,
        &format!("/api/v1/channels/{}/templates/sync", setup.channel_id),
        &setup.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{synced}");
}

fn reminder(channel_id: i64) -> Value {
    json!({
        "channel_id": channel_id,
        "name": "visit_reminder",
        "language": "en",
        "category": "utility",
        "content": {
            "header": "Hello {{1}}",
            "header_sample": "Ana",
            "body": "Your visit is on {{1}} at {{2}}.",
            "body_samples": ["Monday", "10:00"],
            "footer": "Reply STOP to opt out",
            "buttons": [{ "type": "quick_reply", "text": "I'll be there" }]
        }
    })
}

/// Creates the reminder template and has the fake's Meta approve it; returns its id.
async fn approved_reminder(setup: &Setup) -> i64 {
    let (status, created) = post(
        &setup.app,
        "/api/v1/templates",
        &setup.admin,
        reminder(setup.channel_id),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    setup.fake.review("visit_reminder", "APPROVED", None);
    let (status, synced) = post(
        &setup.app,
        &format!("/api/v1/channels/{}/templates/sync", setup.channel_id),
        &setup.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{synced}");
    created["id"].as_i64().unwrap()
}

async fn admins_submit_templates_and_follow_their_review(db: Db) {
    let setup = whatsapp_setup(db, 1).await;
    let app = &setup.app;

    let (status, _) = post(
        app,
        "/api/v1/templates",
        &setup.volunteer,
        reminder(setup.channel_id),
    )
    .await;
    assert_eq!(status, 403, "only admins write templates");
    let mut bad_name = reminder(setup.channel_id);
    bad_name["name"] = json!("Visit Reminder");
    let (status, refused) = post(app, "/api/v1/templates", &setup.admin, bad_name).await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "A template name has 1 to 512 lower-case letters, digits and underscores, for example appointment_reminder."
    );
    let mut missing_sample = reminder(setup.channel_id);
    missing_sample["content"]["body_samples"] = json!(["Monday"]);
    let (status, refused) = post(app, "/api/v1/templates", &setup.admin, missing_sample).await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "Give a sample value for every variable: Meta reviews the template with them."
    );
    assert!(
        setup.fake.received().is_empty(),
        "nothing invalid reaches Meta"
    );

    let (status, created) = post(
        app,
        "/api/v1/templates",
        &setup.admin,
        reminder(setup.channel_id),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["version"], 1);
    let submitted = setup.fake.received();
    assert_eq!(submitted.len(), 1);
    assert_eq!(
        submitted[0].path,
        format!("/v23.0/{WA_ACCOUNT_ID}/message_templates")
    );
    assert_eq!(submitted[0].authorization.as_deref(), Some("Bearer token"));
    let request = submitted[0].json();
    assert_eq!(request["name"], "visit_reminder");
    assert_eq!(request["language"], "en");
    assert_eq!(request["category"], "UTILITY");
    let component = |kind: &str| {
        request["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} in {request}"))
    };
    assert_eq!(component("HEADER")["format"], "TEXT");
    assert_eq!(component("HEADER")["text"], "Hello {{1}}");
    assert_eq!(
        component("HEADER")["example"]["header_text"],
        json!(["Ana"])
    );
    assert_eq!(
        component("BODY")["text"],
        "Your visit is on {{1}} at {{2}}."
    );
    assert_eq!(
        component("BODY")["example"]["body_text"],
        json!([["Monday", "10:00"]])
    );
    assert_eq!(component("FOOTER")["text"], "Reply STOP to opt out");
    assert_eq!(
        component("BUTTONS")["buttons"],
        json!([{ "type": "QUICK_REPLY", "text": "I'll be there" }])
    );

    let (_, listed) = get(app, "/api/v1/templates", &setup.volunteer).await;
    assert_eq!(listed, json!([]), "volunteers only see approved templates");

    setup
        .fake
        .review("visit_reminder", "REJECTED", Some("INCORRECT_CATEGORY"));
    let sync = format!("/api/v1/channels/{}/templates/sync", setup.channel_id);
    let (status, synced) = post(app, &sync, &setup.admin, json!({})).await;
    assert_eq!(
        (status, synced),
        (200, json!({ "changed": 1, "imported": 0 }))
    );
    let (_, listed) = get(app, "/api/v1/templates", &setup.admin).await;
    assert_eq!(listed[0]["status"], "rejected");
    assert_eq!(listed[0]["rejection_reason"], "INCORRECT_CATEGORY");
    let (_, synced) = post(app, &sync, &setup.admin, json!({})).await;
    assert_eq!(
        synced,
        json!({ "changed": 0, "imported": 0 }),
        "a sync changes only what changed"
    );

    // A change is a new version, submitted on its own; the first stays as Meta judged it.
    let id = created["id"].as_i64().unwrap();
    let mut content = reminder(setup.channel_id)["content"].clone();
    content["body"] = json!("Reminder: your appointment is on {{1}} at {{2}}.");
    let (status, version) = post(
        app,
        &format!("/api/v1/templates/{id}/versions"),
        &setup.admin,
        json!({ "category": "utility", "content": content }),
    )
    .await;
    assert_eq!(status, 201, "{version}");
    assert_eq!(version["name"], "visit_reminder_v2");
    assert_eq!(version["family"], "visit_reminder");
    assert_eq!(version["version"], 2);
    assert_eq!(version["status"], "pending");
    let (_, listed) = get(app, "/api/v1/templates", &setup.admin).await;
    let statuses: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("visit_reminder_v2", "pending"),
            ("visit_reminder", "rejected")
        ]
    );
    let (status, _) = call(
        app,
        reqwest::Method::DELETE,
        &format!("/api/v1/templates/{id}"),
        &setup.admin,
        None,
    )
    .await;
    assert_eq!(status, 409, "a submitted template stays on record");

    // When Meta refuses the submission itself, the template is kept as a draft with why.
    setup.fake.then_answer(
        400,
        vec![],
        json!({ "error": { "message": "Invalid parameter", "type": "OAuthException", "code": 100,
            "error_user_msg": "The language is not supported", "fbtrace_id": "x" } }),
    );
    let mut other = reminder(setup.channel_id);
    other["name"] = json!("opening_hours");
    let (status, draft) = post(app, "/api/v1/templates", &setup.admin, other).await;
    assert_eq!(status, 201);
    assert_eq!(draft["status"], "draft");
    assert!(
        draft["rejection_reason"]
            .as_str()
            .unwrap()
            .contains("Meta refused"),
        "{draft}"
    );
    let draft_id = draft["id"].as_i64().unwrap();
    let (status, resubmitted) = post(
        app,
        &format!("/api/v1/templates/{draft_id}/submit"),
        &setup.admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(resubmitted["status"], "pending");
    assert_eq!(resubmitted["rejection_reason"], Value::Null);
}

async fn approved_templates_are_sent_after_the_window_in_the_official_shape(db: Db) {
    let setup = whatsapp_setup(db, 30).await;
    let app = &setup.app;
    let messages = format!("/api/v1/conversations/{}/messages", setup.conversation_id);
    let (status, _) = post(app, &messages, &setup.volunteer, json!({ "body": "Hi" })).await;
    assert_eq!(status, 422, "free text is refused after 24 hours");

    let (_, created) = post(
        app,
        "/api/v1/templates",
        &setup.admin,
        reminder(setup.channel_id),
    )
    .await;
    let pending_id = created["id"].as_i64().unwrap();
    let send = |template_id: i64, header: Value, body: Value| json!({ "template": { "template_id": template_id, "values": { "header": header, "body": body } } });
    let (status, refused) = post(
        app,
        &messages,
        &setup.volunteer,
        send(pending_id, json!(["Dana"]), json!(["Friday", "9:30"])),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "This template is pending: only an approved template can be sent."
    );

    setup.fake.review("visit_reminder", "APPROVED", None);
    post(
        app,
        &format!("/api/v1/channels/{}/templates/sync", setup.channel_id),
        &setup.admin,
        json!({}),
    )
    .await;
    let (_, detail) = get(
        app,
        &format!("/api/v1/conversations/{}", setup.conversation_id),
        &setup.volunteer,
    )
    .await;
    assert_eq!(
        detail["templates"][0]["name"], "visit_reminder",
        "the composer offers it"
    );
    // A utility template outside the window costs Meta's North American rate, $0.0034.
    assert_eq!(
        detail["template_estimates"][0]["estimate"],
        json!({ "micro_usd": 3_400, "sentence": "This will cost less than $0.01 (utility template to US)." })
    );

    for (header, body) in [
        (json!(["Dana"]), json!(["Friday"])),
        (json!([]), json!(["Friday", "9:30"])),
        (json!(["Dana"]), json!(["Friday", "line\nbreak"])),
    ] {
        let (status, _) = post(
            app,
            &messages,
            &setup.volunteer,
            send(pending_id, header, body),
        )
        .await;
        assert_eq!(status, 422);
    }
    let (status, both) = post(
        app,
        &messages,
        &setup.volunteer,
        json!({ "body": "Hi", "template": { "template_id": pending_id } }),
    )
    .await;
    assert_eq!(status, 400, "{both}");

    let (status, _) = post(
        app,
        &messages,
        &setup.volunteer,
        send(pending_id, json!(["Dana"]), json!(["Friday", "9:30"])),
    )
    .await;
    assert_eq!(status, 202);
    let before = setup.fake.received().len();
    assert!(setup.app.services.deliver_next("w").await.unwrap());
    let sent = &setup.fake.received()[before];
    assert_eq!(sent.path, format!("/v23.0/{WA_NUMBER_ID}/messages"));
    assert_eq!(
        sent.json(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "15551234567",
            "type": "template",
            "template": {
                "name": "visit_reminder",
                "language": { "code": "en" },
                "components": [
                    { "type": "header", "parameters": [{ "type": "text", "text": "Dana" }] },
                    { "type": "body", "parameters": [
                        { "type": "text", "text": "Friday" },
                        { "type": "text", "text": "9:30" }
                    ] },
                    { "type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [
                        { "type": "payload", "payload": "I'll be there" }
                    ] }
                ]
            }
        })
    );
    let (kind, body, status): (String, String, String) =
        sqlx::query_as("SELECT kind, body, status FROM messages WHERE direction = 'outbound'")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(kind, "template");
    assert_eq!(
        body, "Hello Dana\n\nYour visit is on Friday at 9:30.\n\nReply STOP to opt out",
        "the thread shows what the contact reads"
    );
    assert_eq!(status, "sent");

    sqlx::query("UPDATE contacts SET opted_out_at = 1")
        .execute(&app.sql().await)
        .await
        .unwrap();
    let (status, refused) = post(
        app,
        &messages,
        &setup.volunteer,
        send(pending_id, json!(["Dana"]), json!(["Friday", "9:30"])),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "This contact has opted out of messages. They must opt back in (for example by sending START) before anyone can message them."
    );
}

async fn twilio_content_templates_are_registered_and_sent_by_content_sid(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let channel_id = app.connect(fake.channel(twilio_number())).await;
    let conversation_id = app
        .sms_arrives(
            TWILIO_TOKEN,
            TWILIO_SID,
            TWILIO_NUMBER,
            "+15552223333",
            "hi",
        )
        .await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let register = |content_sid: &str| {
        json!({
            "channel_id": channel_id, "name": "Pick-up ready", "language": "en",
            "content_sid": content_sid, "body": "Hi {{1}}, your parcel is ready at {{2}}."
        })
    };
    let (status, refused) = post(&app, "/api/v1/templates/twilio", &admin, register("HX123")).await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "A Twilio ContentSid is HX followed by 32 letters and digits."
    );
    let (status, _) = post(
        &app,
        "/api/v1/templates/twilio",
        &volunteer,
        register(CONTENT_SID),
    )
    .await;
    assert_eq!(status, 403);
    let (status, template) = post(
        &app,
        "/api/v1/templates/twilio",
        &admin,
        register(CONTENT_SID),
    )
    .await;
    assert_eq!(status, 201, "{template}");
    assert_eq!(template["status"], "approved");

    let (status, _) = post(
        &app,
        &format!("/api/v1/conversations/{conversation_id}/messages"),
        &volunteer,
        json!({ "template": { "template_id": template["id"], "values": { "body": ["Ana", "the hall"] } } }),
    )
    .await;
    assert_eq!(status, 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].path,
        format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
    );
    let form = sent[0].form();
    assert_eq!(form.field("ContentSid"), Some(CONTENT_SID));
    let variables: Value = serde_json::from_str(form.field("ContentVariables").unwrap()).unwrap();
    assert_eq!(variables, json!({ "1": "Ana", "2": "the hall" }));
    assert_eq!(
        form.field("Body"),
        None,
        "a template text in Body fails with 63016"
    );
    assert_eq!(form.field("To"), Some("+15552223333"));
    assert_eq!(form.field("From"), Some(TWILIO_NUMBER));
    assert!(
        form.field("StatusCallback")
            .unwrap()
            .ends_with("/webhooks/twilio/status")
    );
}

async fn opening_a_whatsapp_conversation_marks_it_read_at_meta(db: Db) {
    let setup = whatsapp_setup(db, 1).await;
    let unread = || async {
        sqlx::query_scalar::<_, i64>("SELECT unread_count FROM conversations")
            .fetch_one(&setup.app.sql().await)
            .await
            .unwrap()
    };
    let (status, _) = get(
        &setup.app,
        &format!("/api/v1/conversations/{}", setup.conversation_id),
        &setup.volunteer,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        unread().await,
        1,
        "loading the conversation changes nothing"
    );
    let (status, _) = post(
        &setup.app,
        &format!("/api/v1/conversations/{}/read", setup.conversation_id),
        &setup.volunteer,
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    let read = setup
        .fake
        .wait_for(|request| {
            request.path == format!("/v23.0/{WA_NUMBER_ID}/messages")
                && request.json()["status"] == "read"
        })
        .await;
    assert_eq!(read.authorization.as_deref(), Some("Bearer token"));
    assert_eq!(
        read.json(),
        json!({
            "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.in1",
            "typing_indicator": { "type": "text" }
        })
    );
    assert_eq!(unread().await, 0);
}

async fn templates_need_an_approved_one_of_the_same_channel(db: Db) {
    let setup = whatsapp_setup(db, 1).await;
    let template_id = approved_reminder(&setup).await;
    let other_channel = setup
        .app
        .connect(ChannelInput {
            api_base_url: Some("http://127.0.0.1:9/v23.0".into()),
            ..common::whatsapp("1001", "2001", "other-secret")
        })
        .await;
    sqlx::query("UPDATE message_templates SET channel_id = $1")
        .bind(other_channel)
        .execute(&setup.app.sql().await)
        .await
        .unwrap();
    let (status, _) = post(
        &setup.app,
        &format!("/api/v1/conversations/{}/messages", setup.conversation_id),
        &setup.volunteer,
        json!({ "template": { "template_id": template_id,
            "values": { "header": ["Dana"], "body": ["Friday", "9:30"] } } }),
    )
    .await;
    assert_eq!(
        status, 404,
        "a template of another channel is not found here"
    );
}

/// A template with a picture header: its sample goes through the Resumable Upload API under
/// the channel's Meta app, the handle is the header's example, and sending takes the
/// volunteer's picture, uploaded and given by media id.
async fn media_headers_are_reviewed_with_a_sample_and_sent_with_a_file(db: Db) {
    let setup = whatsapp_setup(db, 30).await;
    let app = &setup.app;
    let flyer = json!({
        "channel_id": setup.channel_id, "name": "food_bank_flyer", "language": "en",
        "category": "utility",
        "content": { "header_media": "image", "body": "This week's opening hours, {{1}}.",
            "body_samples": ["Ana"] }
    });
    let (status, refused) = post_form(
        app,
        "/api/v1/templates",
        &setup.admin,
        form_with_file("template", &flyer, "sample", PNG, "flyer.png", "image/png"),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["message"],
        "Meta keeps the sample of a picture, video or document header under the Meta app: give the channel its Meta app ID on Channels first."
    );
    let (status, channel) = call(
        app,
        reqwest::Method::PATCH,
        &format!("/api/v1/channels/{}", setup.channel_id),
        &setup.admin,
        Some(json!({ "app_id": APP_ID })),
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(channel["app_id"], APP_ID);

    let (status, refused) = post(app, "/api/v1/templates", &setup.admin, flyer.clone()).await;
    assert_eq!(status, 422, "a media header needs its sample");
    assert_eq!(
        refused["message"],
        "A picture, video or document header needs a sample file of that kind for Meta's review."
    );
    let (status, _) = post_form(
        app,
        "/api/v1/templates",
        &setup.admin,
        form_with_file(
            "template",
            &flyer,
            "sample",
            b"%PDF-1.4",
            "flyer.pdf",
            "application/pdf",
        ),
    )
    .await;
    assert_eq!(status, 422, "a picture header's sample is a picture");
    assert!(
        setup.fake.received().is_empty(),
        "nothing invalid reaches Meta"
    );

    let (status, created) = post_form(
        app,
        "/api/v1/templates",
        &setup.admin,
        form_with_file("template", &flyer, "sample", PNG, "flyer.png", "image/png"),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending", "{created}");
    assert_eq!(created["content"]["header_media"], "image");
    let received = setup.fake.received();
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("/v23.0/{APP_ID}/uploads"),
            "/v23.0/upload:session-1".to_string(),
            format!("/v23.0/{WA_ACCOUNT_ID}/message_templates"),
        ]
    );
    assert_eq!(received[0].authorization.as_deref(), Some("Bearer token"));
    assert_eq!(
        received[0].query.as_deref(),
        Some(
            format!(
                "file_name=flyer.png&file_length={}&file_type=image%2Fpng",
                PNG.len()
            )
            .as_str()
        )
    );
    assert_eq!(received[1].authorization.as_deref(), Some("OAuth token"));
    assert_eq!(received[1].headers["file_offset"], "0");
    assert_eq!(received[1].body.as_ref(), PNG);
    let handles = setup.fake.upload_handles();
    assert_eq!(
        received[2].json()["components"][0],
        json!({ "type": "HEADER", "format": "IMAGE", "example": { "header_handle": [handles[0]] } })
    );

    // A new version without a new sample keeps the earlier one, uploaded again.
    let mut content = flyer["content"].clone();
    content["body"] = json!("Opening hours this week, {{1}}.");
    let (status, version) = post(
        app,
        &format!("/api/v1/templates/{}/versions", created["id"]),
        &setup.admin,
        json!({ "category": "utility", "content": content }),
    )
    .await;
    assert_eq!(status, 201, "{version}");
    assert_eq!(version["status"], "pending", "{version}");
    let resent = setup
        .fake
        .received()
        .into_iter()
        .filter(|r| r.path.starts_with("/v23.0/upload:"))
        .last()
        .unwrap();
    assert_eq!(resent.body.as_ref(), PNG);

    approve(&setup, "food_bank_flyer").await;
    let id = created["id"].as_i64().unwrap();
    let send = json!({ "template_id": id, "values": { "body": ["Dana"] } });
    let messages = format!("/api/v1/conversations/{}/messages", setup.conversation_id);
    let (status, refused) = post(
        app,
        &messages,
        &setup.volunteer,
        json!({ "template": send }),
    )
    .await;
    assert_eq!(status, 422, "the picture is required");
    assert!(
        refused["message"].as_str().unwrap().contains("picture"),
        "{refused}"
    );
    let files = format!("/api/v1/conversations/{}/files", setup.conversation_id);
    let (status, _) = post_form(
        app,
        &files,
        &setup.volunteer,
        form_with_file(
            "template",
            &send,
            "file",
            b"%PDF-1.4",
            "menu.pdf",
            "application/pdf",
        ),
    )
    .await;
    assert_eq!(status, 422, "a picture header takes a picture");
    let (status, queued) = post_form(
        app,
        &files,
        &setup.volunteer,
        form_with_file("template", &send, "file", PNG, "hours.png", "image/png"),
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let before = setup.fake.received().len();
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = &setup.fake.received()[before..];
    assert_eq!(sent[0].path, format!("/v23.0/{WA_NUMBER_ID}/media"));
    assert_eq!(sent[1].path, format!("/v23.0/{WA_NUMBER_ID}/messages"));
    let media_id = format!("media-{}", before + 1);
    assert_eq!(
        sent[1].json()["template"],
        json!({
            "name": "food_bank_flyer",
            "language": { "code": "en" },
            "components": [
                { "type": "header", "parameters": [{ "type": "image", "image": { "id": media_id } }] },
                { "type": "body", "parameters": [{ "type": "text", "text": "Dana" }] }
            ]
        })
    );
    let (status, body): (String, String) = sqlx::query_as(
        "SELECT status, body FROM messages WHERE direction = 'outbound' AND kind = 'template'",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(status, "sent");
    assert_eq!(body, "This week's opening hours, Dana.");
    let (_, detail) = get(
        app,
        &format!("/api/v1/conversations/{}", setup.conversation_id),
        &setup.volunteer,
    )
    .await;
    let shown = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "template")
        .unwrap_or_else(|| panic!("no template in {detail}"));
    assert_eq!(
        shown["attachments"][0]["kind"], "image",
        "the thread shows the header's picture"
    );

    // The browser's form comes back to the conversation with why, when refused.
    let (browser, _) = app.signed_in("vic@example.org", Role::Volunteer).await;
    let refused = browser
        .post(app.url(&format!("/conversations/{}/files", setup.conversation_id)))
        .header("origin", app.url("").trim_end_matches('/'))
        .multipart(form_with_file(
            "template",
            &send,
            "file",
            b"%PDF-1.4",
            "menu.pdf",
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    let location = common::location(&refused);
    assert!(
        location.starts_with(&format!(
            "/conversations/{}?template_error=",
            setup.conversation_id
        )),
        "{location}"
    );
}

/// The Templates page posts a template with a media header as a plain form, with its sample,
/// and comes back to the page with the outcome or why it was refused.
async fn the_templates_page_form_submits_a_media_header_with_its_sample(db: Db) {
    let setup = whatsapp_setup(db, 1).await;
    let app = &setup.app;
    call(
        app,
        reqwest::Method::PATCH,
        &format!("/api/v1/channels/{}", setup.channel_id),
        &setup.admin,
        Some(json!({ "app_id": APP_ID })),
    )
    .await;
    let receipt = json!({
        "channel_id": setup.channel_id, "name": "donation_receipt", "language": "en",
        "category": "utility",
        "content": { "header_media": "document", "body": "Thank you for your gift, {{1}}.",
            "body_samples": ["Ana"] }
    });
    let (browser, _) = app.signed_in("ada@example.org", Role::Admin).await;
    let post_page_form = |form: reqwest::multipart::Form| {
        browser
            .post(app.url("/templates/form"))
            .header("origin", app.url("").trim_end_matches('/'))
            .multipart(form)
            .send()
    };
    let refused = post_page_form(form_with_file(
        "template",
        &receipt,
        "sample",
        PNG,
        "receipt.png",
        "image/png",
    ))
    .await
    .unwrap();
    assert_eq!(refused.status(), 303);
    let location = common::location(&refused);
    assert!(
        location.starts_with("/templates?template_error="),
        "{location}"
    );
    let query: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let draft: serde_json::Value = serde_json::from_str(&query["template_draft"]).unwrap();
    assert_eq!(draft, receipt, "what was typed comes back to the page");
    assert!(!query.contains_key("version_of"), "it is a new template");

    let saved = post_page_form(form_with_file(
        "template",
        &receipt,
        "sample",
        b"%PDF-1.4 receipt",
        "receipt.pdf",
        "application/pdf",
    ))
    .await
    .unwrap();
    assert_eq!(saved.status(), 303);
    assert_eq!(
        common::location(&saved),
        "/templates?template_outcome=Submitted+donation_receipt+to+Meta+for+review."
    );
    let submitted = setup.fake.received().last().unwrap().json();
    assert_eq!(submitted["components"][0]["format"], "DOCUMENT");

    let (browser, _) = app.signed_in("val@example.org", Role::Volunteer).await;
    let forbidden = browser
        .post(app.url("/templates/form"))
        .header("origin", app.url("").trim_end_matches('/'))
        .multipart(form_with_file(
            "template",
            &receipt,
            "sample",
            b"%PDF-1.4 receipt",
            "receipt.pdf",
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    assert!(
        common::location(&forbidden).starts_with("/templates?template_error="),
        "only admins write templates"
    );
}

/// A link whose address ends with `{{1}}` is reviewed with a sample address and sent with its
/// ending; quick replies are sent with a payload, at their index among the buttons.
async fn link_and_quick_reply_buttons_are_sent_with_their_parameters(db: Db) {
    let setup = whatsapp_setup(db, 30).await;
    let app = &setup.app;
    let mut visit = reminder(setup.channel_id);
    visit["name"] = json!("visit_link");
    visit["content"]["buttons"] = json!([
        { "type": "quick_reply", "text": "I'll be there" },
        { "type": "url", "text": "See your visit", "url": "https://example.org/visits/{{1}}" },
        { "type": "quick_reply", "text": "Move it" },
    ]);
    let (status, refused) = post(app, "/api/v1/templates", &setup.admin, visit.clone()).await;
    assert_eq!(status, 422, "Meta reviews a link variable with a sample");
    assert_eq!(
        refused["message"],
        "A link button's address may end with one variable, {{1}}; then give a sample: the whole address as it will be opened, for example https://example.org/visits/A-17."
    );
    visit["content"]["buttons"][1]["example"] = json!("https://example.org/visits/A-17");
    let (status, created) = post(app, "/api/v1/templates", &setup.admin, visit).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending", "{created}");
    let submitted = setup.fake.received().last().unwrap().json();
    assert_eq!(
        submitted["components"][3]["buttons"][1],
        json!({ "type": "URL", "text": "See your visit",
            "url": "https://example.org/visits/{{1}}",
            "example": ["https://example.org/visits/A-17"] })
    );
    approve(&setup, "visit_link").await;

    let messages = format!("/api/v1/conversations/{}/messages", setup.conversation_id);
    let send = |buttons: Value| {
        json!({ "template": { "template_id": created["id"], "values": {
            "header": ["Dana"], "body": ["Friday", "9:30"], "buttons": buttons } } })
    };
    for buttons in [json!([]), json!(["B 12"])] {
        let (status, refused) = post(app, &messages, &setup.volunteer, send(buttons)).await;
        assert_eq!(status, 422, "{refused}");
    }
    let (status, _) = post(app, &messages, &setup.volunteer, send(json!(["B-12"]))).await;
    assert_eq!(status, 202);
    let before = setup.fake.received().len();
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = setup.fake.received()[before].json();
    let components = sent["template"]["components"].as_array().unwrap();
    assert_eq!(
        components[2..],
        [
            json!({ "type": "button", "sub_type": "quick_reply", "index": "0",
                "parameters": [{ "type": "payload", "payload": "I'll be there" }] }),
            json!({ "type": "button", "sub_type": "url", "index": "1",
                "parameters": [{ "type": "text", "text": "B-12" }] }),
            json!({ "type": "button", "sub_type": "quick_reply", "index": "2",
                "parameters": [{ "type": "payload", "payload": "Move it" }] }),
        ]
    );
}

/// Templates made in WhatsApp Manager come in with the sync, read back into Switchboard's
/// shape; a part Switchboard cannot fill in is kept readable and stops only that template
/// from being sent.
async fn templates_made_at_meta_are_imported_by_the_sync(db: Db) {
    let setup = whatsapp_setup(db, 30).await;
    let app = &setup.app;
    let listed: Value = serde_json::from_str(include_str!(
        "../../../channels/tests/fixtures/whatsapp/template_management/list_templates.response.json"
    ))
    .unwrap();
    for template in listed["data"].as_array().unwrap() {
        setup.fake.at_meta(template.clone());
    }
    setup.fake.at_meta(json!({
        "id": "1689556908129840", "name": "pickup_code", "language": "en_US",
        "status": "APPROVED", "category": "AUTHENTICATION",
        "components": [
            { "type": "HEADER", "format": "LOCATION" },
            { "type": "BODY", "text": "{{1}} is your code." },
            { "type": "BUTTONS", "buttons": [{ "type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code" }] }
        ]
    }));
    let sync = format!("/api/v1/channels/{}/templates/sync", setup.channel_id);
    let (status, synced) = post(app, &sync, &setup.volunteer, json!({})).await;
    assert_eq!(status, 403, "only admins sync: {synced}");
    let (status, synced) = post(app, &sync, &setup.admin, json!({})).await;
    assert_eq!(
        (status, synced),
        (200, json!({ "changed": 0, "imported": 3 }))
    );
    let (_, synced) = post(app, &sync, &setup.admin, json!({})).await;
    assert_eq!(
        synced,
        json!({ "changed": 0, "imported": 0 }),
        "imported once"
    );

    let (_, templates) = get(app, "/api/v1/templates", &setup.admin).await;
    let by_name = |name: &str| {
        templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not imported: {templates}"))
    };
    let promo = by_name("2023_april_promo");
    assert_eq!(promo["status"], "approved");
    assert_eq!(promo["category"], "marketing");
    assert_eq!(promo["language"], "en_US");
    assert_eq!(
        promo["content"],
        json!({
            "header": "Fall Sale",
            "header_sample": null,
            "body": "Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!",
            "body_samples": ["Mark", "FALL25"],
            "footer": "Not interested in any of our sales? Tap Stop Promotions",
            "buttons": [{ "type": "quick_reply", "text": "Stop promotions" }],
        })
    );
    let code = by_name("pickup_code");
    assert_eq!(
        code["content"]["unsupported"],
        json!(["LOCATION header", "OTP button “Copy code”"])
    );
    let (_, detail) = get(
        app,
        &format!("/api/v1/conversations/{}", setup.conversation_id),
        &setup.volunteer,
    )
    .await;
    let offered: Vec<&str> = detail["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        offered.contains(&"2023_april_promo") && !offered.contains(&"pickup_code"),
        "the composer offers only templates it can send: {offered:?}"
    );

    let messages = format!("/api/v1/conversations/{}/messages", setup.conversation_id);
    let (status, refused) = post(
        app,
        &messages,
        &setup.volunteer,
        json!({ "template": { "template_id": code["id"], "values": { "body": ["1234"] } } }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("LOCATION header"),
        "{refused}"
    );
    let (status, _) = post(
        app,
        &messages,
        &setup.volunteer,
        json!({ "template": { "template_id": promo["id"], "values": { "body": ["Dana", "FALL26"] } } }),
    )
    .await;
    assert_eq!(status, 202);
    let before = setup.fake.received().len();
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = setup.fake.received()[before].json();
    assert_eq!(sent["template"]["name"], "2023_april_promo");
    assert_eq!(sent["template"]["language"], json!({ "code": "en_US" }));
    assert_eq!(
        sent["template"]["components"][1],
        json!({ "type": "button", "sub_type": "quick_reply", "index": "0",
            "parameters": [{ "type": "payload", "payload": "Stop promotions" }] })
    );
}

on_both_databases!(
    admins_submit_templates_and_follow_their_review,
    approved_templates_are_sent_after_the_window_in_the_official_shape,
    twilio_content_templates_are_registered_and_sent_by_content_sid,
    opening_a_whatsapp_conversation_marks_it_read_at_meta,
    templates_need_an_approved_one_of_the_same_channel,
    media_headers_are_reviewed_with_a_sample_and_sent_with_a_file,
    the_templates_page_form_submits_a_media_header_with_its_sample,
    link_and_quick_reply_buttons_are_sent_with_their_parameters,
    templates_made_at_meta_are_imported_by_the_sync,
);
