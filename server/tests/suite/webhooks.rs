//! Inbound webhooks from WhatsApp, Twilio and Messenger, signed exactly as the providers sign
//! them, through real HTTP on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use channels::phone::E164;
use channels::signature::{meta_signature, twilio_signature};
use channels::simulate;
use common::webhooks::whatsapp_fixture;
use common::{Db, TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const APP_SECRET: &str = "test-app-secret";
const AUTH_TOKEN: &str = "twilio-auth-token";
const PHONE_NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "419561257915477";
const TWILIO_NUMBER: &str = "+15550001111";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const PAGE_ID: &str = "300000000000042";

/// A recorded WhatsApp webhook addressed to our test number.
fn fixture(name: &str) -> Value {
    whatsapp_fixture(name, PHONE_NUMBER_ID)
}

/// The fixtures come from several sources that reuse message ids; give each its own.
fn with_message_id(mut payload: Value, id: &str) -> Value {
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = json!(id);
    payload
}

async fn connect_channels(app: &TestApp) -> (i64, i64, i64) {
    (
        app.connect(common::whatsapp(PHONE_NUMBER_ID, WABA_ID, APP_SECRET))
            .await,
        app.connect(common::twilio(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER))
            .await,
        app.connect(common::messenger(PAGE_ID, APP_SECRET)).await,
    )
}

async fn post_meta(
    app: &TestApp,
    path: &str,
    body: &[u8],
    signature: Option<String>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("X-Hub-Signature-256", signature);
    }
    request.send().await.unwrap()
}

fn sms<'a>(sid: &'a str, from: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", from),
        ("To", TWILIO_NUMBER),
        ("Body", body),
        ("NumMedia", "0"),
        ("SmsStatus", "received"),
        ("ApiVersion", "2010-04-01"),
    ]
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

async fn texts(app: &TestApp, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql)
        .fetch_all(&app.sql().await)
        .await
        .unwrap()
}

async fn the_meta_handshake_answers_only_a_known_verify_token(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let ask = |path: &str, token: &str| {
        reqwest::get(app.url(&format!(
            "{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        )))
    };
    let ok = ask("/webhooks/whatsapp", "verify-123").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    assert_eq!(
        ask("/webhooks/whatsapp", "wrong").await.unwrap().status(),
        403
    );
    assert_eq!(
        ask("/webhooks/whatsapp", "verify-page")
            .await
            .unwrap()
            .status(),
        403,
        "tokens are per kind"
    );
    assert_eq!(
        ask("/webhooks/messenger", "verify-page")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "1158201444"
    );
}

async fn a_whatsapp_message_lands_once_in_one_conversation(db: Db) {
    let app = spawn_app(db).await;
    let (whatsapp, _, _) = connect_channels(&app).await;
    let payload = fixture("inbound_text.json");
    for _ in 0..3 {
        assert_eq!(app.post_whatsapp(APP_SECRET, &payload).await.status(), 200);
    }
    // The same message in a differently formatted delivery is still one message.
    let body = serde_json::to_vec_pretty(&payload).unwrap();
    assert_eq!(
        post_meta(
            &app,
            "/webhooks/whatsapp",
            &body,
            Some(meta_signature(APP_SECRET, &body))
        )
        .await
        .status(),
        200
    );

    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_events").await, 2);
    let pool = app.sql().await;
    let (body, kind, direction, channel): (String, String, String, i64) =
        sqlx::query_as("SELECT body, kind, direction, channel_id FROM messages")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (body.as_str(), kind.as_str(), direction.as_str(), channel),
        (
            "Does it come in another color?",
            "text",
            "inbound",
            whatsapp
        )
    );
    let (status, last_inbound, unread): (String, i64, i64) =
        sqlx::query_as("SELECT status, last_inbound_at, unread_count FROM conversations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "open");
    assert_eq!(
        last_inbound, 1_749_416_383_000,
        "the window runs from the provider's timestamp"
    );
    assert_eq!(unread, 1);
    let (name, address): (String, String) = sqlx::query_as(
        "SELECT c.name, i.address FROM contacts c JOIN contact_identities i ON i.contact_id = c.id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), address.as_str()),
        ("Sheena Nelson", "+16505551234")
    );
}

async fn forged_and_missing_signatures_store_nothing(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let body = serde_json::to_vec(&fixture("inbound_text.json")).unwrap();
    let missing = post_meta(&app, "/webhooks/whatsapp", &body, None).await;
    assert_eq!(missing.status(), 401);
    let wrong = post_meta(
        &app,
        "/webhooks/whatsapp",
        &body,
        Some(meta_signature("not-the-secret", &body)),
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["code"],
        "unauthenticated"
    );
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let replayed = post_meta(
        &app,
        "/webhooks/whatsapp",
        &tampered,
        Some(meta_signature(APP_SECRET, &body)),
    )
    .await;
    assert_eq!(replayed.status(), 401);

    let params: Vec<(String, String)> = sms("SM1", "+15552223333", "hi")
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    let forged = reqwest::Client::new()
        .post(app.url("/webhooks/twilio"))
        .header(
            "X-Twilio-Signature",
            twilio_signature("wrong-token", &app.url("/webhooks/twilio"), &params),
        )
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_events").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 0);
}

async fn malformed_bodies_get_a_reason_and_unknown_shapes_are_kept(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let truncated = b"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\"";
    let response = post_meta(
        &app,
        "/webhooks/whatsapp",
        truncated,
        Some(meta_signature(APP_SECRET, truncated)),
    )
    .await;
    assert_eq!(response.status(), 400);
    let reason: Value = response.json().await.unwrap();
    assert_eq!(reason["code"], "bad_request");
    assert_eq!(
        reason["message"],
        "The payload cannot be read: webhook body is not a readable payload: EOF while parsing an object at line 1 column 52"
    );

    let mut unknown = fixture("inbound_text.json");
    unknown["entry"][0]["changes"][0]["field"] = json!("group_lifecycle_update");
    unknown["entry"][0]["changes"][0]["value"]["brand_new_field"] = json!({ "x": 1 });
    assert_eq!(app.post_whatsapp(APP_SECRET, &unknown).await.status(), 200);
    let mut elsewhere = fixture("inbound_text.json");
    elsewhere["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("999");
    assert_eq!(
        app.post_whatsapp(APP_SECRET, &elsewhere).await.status(),
        200
    );

    let errors = texts(
        &app,
        "SELECT error FROM webhook_events WHERE error IS NOT NULL ORDER BY id",
    )
    .await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors,
        [
            r#"WhatsApp webhook field "group_lifecycle_update" is not handled"#,
            r#"no connected channel for WhatsApp { phone_number_id: "999" }"#,
        ]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 0);

    let (admin, _) = app.signed_in("admin@example.org", Role::Admin).await;
    let listed: Vec<Value> = app
        .server_fn(&admin, "webhook-events/list", &[("only_failed", "true")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "admins see what was not understood");
    let (volunteer, _) = app.signed_in("vol@example.org", Role::Volunteer).await;
    let refused: Value = app
        .server_fn(
            &volunteer,
            "webhook-events/list",
            &[("only_failed", "false")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["code"], "forbidden");
}

/// The first message of the conversation with `address`, as the API shows it to `token`.
async fn first_message(app: &TestApp, token: &str, address: &str) -> Value {
    let conversation = app.conversation_with(address).await;
    app.conversation_detail(token, conversation).await["messages"][0].clone()
}

/// A message's attachments as the API shows them, without their ids.
fn attachments(message: &Value) -> Value {
    let mut attachments = message["attachments"].clone();
    for attachment in attachments.as_array_mut().unwrap() {
        attachment.as_object_mut().unwrap().remove("id");
    }
    attachments
}

/// A pending attachment as the API shows it: not downloaded yet, so no link to it.
fn pending(kind: &str, mime_type: &str, filename: Option<&str>) -> Value {
    json!({ "kind": kind, "mime_type": mime_type, "filename": filename, "state": "pending", "url": null })
}

/// Where the attachments of the message `provider_message_id` are fetched from, in order.
async fn sources(app: &TestApp, provider_message_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.source FROM attachments a JOIN messages m ON m.id = a.message_id \
         WHERE m.provider_message_id = $1 ORDER BY a.id",
    )
    .bind(provider_message_id)
    .fetch_all(&app.sql().await)
    .await
    .unwrap()
}

/// Every WhatsApp message type a contact can send reaches the thread with the exact text a
/// volunteer reads, and its media with the exact reference it is fetched by.
async fn every_whatsapp_message_type_lands_with_its_exact_text_and_media(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;

    let video = {
        let mut payload = fixture("inbound_image.json");
        let message = &mut payload["entry"][0]["changes"][0]["value"]["messages"][0];
        message["type"] = json!("video");
        message["video"] = json!({ "caption": "Our street", "mime_type": "video/mp4", "sha256": "c2hhMjU2", "id": "2233445566" });
        message.as_object_mut().unwrap().remove("image");
        payload
    };
    let audio = {
        let mut payload = fixture("inbound_audio_voice_note.json");
        let audio = &mut payload["entry"][0]["changes"][0]["value"]["messages"][0]["audio"];
        audio["voice"] = json!(false);
        audio["mime_type"] = json!("audio/mpeg");
        payload
    };
    let contacts = {
        let mut payload = fixture("inbound_text.json");
        let message = &mut payload["entry"][0]["changes"][0]["value"]["messages"][0];
        message["type"] = json!("contacts");
        message.as_object_mut().unwrap().remove("text");
        message["contacts"] = json!([{
            "name": { "formatted_name": "Barbara Johnson", "first_name": "Barbara", "last_name": "Johnson" },
            "phones": [{ "phone": "+1 (940) 555-1234", "type": "HOME", "wa_id": "19405551234" }]
        }]);
        payload
    };
    // (payload, kind, body, attachments, where they are fetched from)
    let cases = [
        (
            fixture("inbound_text.json"),
            "text",
            "Does it come in another color?",
            json!([]),
            vec![],
        ),
        (
            fixture("inbound_image.json"),
            "image",
            "📷 Photo: Taj Mahal",
            json!([pending("image", "image/jpeg", None)]),
            vec!["whatsapp-media:1003383421387256"],
        ),
        (
            video,
            "video",
            "🎬 Video: Our street",
            json!([pending("video", "video/mp4", None)]),
            vec!["whatsapp-media:2233445566"],
        ),
        (
            fixture("inbound_audio_voice_note.json"),
            "voice",
            "🎤 Voice message",
            json!([pending("voice", "audio/ogg; codecs=opus", None)]),
            vec!["whatsapp-media:1234567890987654321"],
        ),
        (
            audio,
            "audio",
            "🎵 Audio",
            json!([pending("audio", "audio/mpeg", None)]),
            vec!["whatsapp-media:1234567890987654321"],
        ),
        (
            fixture("inbound_document.json"),
            "document",
            "📄 Document: caption",
            json!([pending("document", "application/pdf", Some("filename.pdf"))]),
            vec!["whatsapp-media:1234567890987654321"],
        ),
        (
            fixture("inbound_sticker.json"),
            "sticker",
            "Sticker",
            json!([pending("sticker", "image/webp", None)]),
            vec!["whatsapp-media:1234567890987654321"],
        ),
        (
            fixture("inbound_location.json"),
            "location",
            "📍 Location: Philz Coffee",
            json!([]),
            vec![],
        ),
        (
            contacts,
            "contacts",
            "👤 Contact: Barbara Johnson",
            json!([]),
            vec![],
        ),
        (
            fixture("inbound_interactive_button_reply.json"),
            "interactive_reply",
            "Chose “Cancel”",
            json!([]),
            vec![],
        ),
        (
            fixture("inbound_interactive_list_reply.json"),
            "interactive_reply",
            "Chose “Priority Mail Express”",
            json!([]),
            vec![],
        ),
        (
            fixture("inbound_button.json"),
            "button_reply",
            "Tapped “Unsubscribe”",
            json!([]),
            vec![],
        ),
        (
            fixture("inbound_unsupported.json"),
            "unsupported",
            "Unsupported message type: unsupported (Message type unknown)",
            json!([]),
            vec![],
        ),
    ];
    for (index, (payload, kind, body, expected_attachments, expected_sources)) in
        cases.into_iter().enumerate()
    {
        // Each from a contact of its own, so each is the first message of its conversation.
        let sender = format!("1555000{index:04}");
        let id = format!("wamid.case{index}");
        let mut payload = with_message_id(payload, &id);
        let value = &mut payload["entry"][0]["changes"][0]["value"];
        value["messages"][0]["from"] = json!(sender);
        value["contacts"][0]["wa_id"] = json!(sender);
        assert_eq!(
            app.post_whatsapp(APP_SECRET, &payload).await.status(),
            200,
            "{kind}"
        );

        let message = first_message(&app, &cora, &format!("+{sender}")).await;
        assert_eq!(
            (message["kind"].as_str(), message["body"].as_str()),
            (Some(kind), Some(body)),
            "{message}"
        );
        assert_eq!(attachments(&message), expected_attachments, "{body}");
        assert_eq!(sources(&app, &id).await, expected_sources, "{body}");
    }
}

/// A Messenger webhook carrying one event from the person `psid` to our Page.
fn messenger_event(psid: &str, event: Value) -> Value {
    let mut messaging = json!({
        "sender": { "id": psid }, "recipient": { "id": PAGE_ID }, "timestamp": 1_749_416_383_000_i64
    });
    messaging
        .as_object_mut()
        .unwrap()
        .extend(event.as_object().unwrap().clone());
    json!({
        "object": "page",
        "entry": [{ "id": PAGE_ID, "time": 1_749_416_383_000_i64, "messaging": [messaging] }]
    })
}

/// Every Messenger message a person can send (text, attachments, quick replies, postbacks)
/// reaches the thread with the exact text a volunteer reads, and its media with the exact URL
/// it is fetched from.
async fn every_messenger_message_type_lands_with_its_exact_text_and_media(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let cdn = "https://scontent.xx.fbcdn.net/v/t1.15752-9";
    let attachment = |kind: &str, name: &str| json!({ "type": kind, "payload": { "url": format!("{cdn}/{name}") } });
    let unfetched = |kind: &str| json!({ "kind": kind, "mime_type": null, "filename": null, "state": "pending", "url": null });
    // (event, kind, body, attachments, where they are fetched from)
    let cases = [
        (
            json!({ "message": { "mid": "m_text", "text": "Hi from Messenger" } }),
            "text",
            "Hi from Messenger",
            json!([]),
            vec![],
        ),
        (
            json!({ "message": { "mid": "m_photo", "text": "Look at this",
                "attachments": [attachment("image", "photo.jpg")] } }),
            "text",
            "Look at this · 📷 Photo",
            json!([unfetched("image")]),
            vec![format!("{cdn}/photo.jpg")],
        ),
        (
            json!({ "message": { "mid": "m_file", "attachments": [attachment("file", "letter.pdf")] } }),
            "document",
            "📄 Document",
            json!([unfetched("document")]),
            vec![format!("{cdn}/letter.pdf")],
        ),
        (
            json!({ "message": { "mid": "m_video", "attachments": [attachment("video", "clip.mp4")] } }),
            "video",
            "🎬 Video",
            json!([unfetched("video")]),
            vec![format!("{cdn}/clip.mp4")],
        ),
        (
            json!({ "message": { "mid": "m_audio", "attachments": [attachment("audio", "voice.mp4")] } }),
            "audio",
            "🎵 Audio",
            json!([unfetched("audio")]),
            vec![format!("{cdn}/voice.mp4")],
        ),
        (
            json!({ "message": { "mid": "m_sticker", "attachments": [{ "type": "image",
                "payload": { "url": format!("{cdn}/thumbs.png"), "sticker_id": 369_239_263_222_822_i64 } }] } }),
            "sticker",
            "Sticker",
            json!([unfetched("sticker")]),
            vec![format!("{cdn}/thumbs.png")],
        ),
        (
            json!({ "message": { "mid": "m_place", "attachments": [{ "type": "location", "title": "Our hall",
                "payload": { "coordinates": { "lat": 52.37, "long": 4.89 } } }] } }),
            "location",
            "📍 Location: Our hall",
            json!([]),
            vec![],
        ),
        (
            json!({ "message": { "mid": "m_link", "attachments": [{ "type": "fallback", "title": "Shelter list",
                "payload": { "url": "https://example.org/shelters" } }] } }),
            "text",
            "Shelter list https://example.org/shelters",
            json!([]),
            vec![],
        ),
        (
            json!({ "message": { "mid": "m_quick", "text": "Tomorrow", "quick_reply": { "payload": "button-2" } } }),
            "quick_reply",
            "Tomorrow",
            json!([]),
            vec![],
        ),
        (
            json!({ "postback": { "mid": "m_postback", "title": "Get started", "payload": "GET_STARTED" } }),
            "postback",
            "Tapped “Get started”",
            json!([]),
            vec![],
        ),
        (
            json!({ "message": { "mid": "m_template", "attachments": [{ "type": "template", "payload": { "template_type": "generic" } }] } }),
            "unsupported",
            "Unsupported message type: template",
            json!([]),
            vec![],
        ),
    ];
    for (index, (event, kind, body, expected_attachments, expected_sources)) in
        cases.into_iter().enumerate()
    {
        let psid = format!("psid-{index}");
        let mid = event
            .pointer("/message/mid")
            .or(event.pointer("/postback/mid"))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        let body_bytes = serde_json::to_vec(&messenger_event(&psid, event)).unwrap();
        let response = post_meta(
            &app,
            "/webhooks/messenger",
            &body_bytes,
            Some(meta_signature(APP_SECRET, &body_bytes)),
        )
        .await;
        assert_eq!(response.status(), 200, "{body}");

        let message = first_message(&app, &cora, &psid).await;
        assert_eq!(
            (message["kind"].as_str(), message["body"].as_str()),
            (Some(kind), Some(body)),
            "{message}"
        );
        assert_eq!(attachments(&message), expected_attachments, "{body}");
        assert_eq!(sources(&app, &mid).await, expected_sources, "{body}");
    }
}

/// Every Twilio message a contact can send (SMS, MMS with and without text, WhatsApp locations
/// and quick-reply taps) reaches the thread with the exact text a volunteer reads, and its
/// media with the exact URL it is fetched from.
async fn every_twilio_message_type_lands_with_its_exact_text_and_media(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let media = |sid: &str, name: &str| {
        format!(
            "https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media/{name}"
        )
    };
    let unfetched = |kind: &str, mime_type: &str| json!({ "kind": kind, "mime_type": mime_type, "filename": null, "state": "pending", "url": null });
    let with = |mut form: Vec<(String, String)>, extra: &[(&str, String)]| {
        form.retain(|(name, _)| !extra.iter().any(|(added, _)| added == name));
        form.extend(
            extra
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone())),
        );
        form
    };
    let message = |sid: &str, from: &str, body: &str| -> Vec<(String, String)> {
        sms(sid, from, body)
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    };
    let whatsapp = |sid: &str, from: &str| {
        with(
            message(sid, &format!("whatsapp:{from}"), ""),
            &[
                ("To", format!("whatsapp:{TWILIO_NUMBER}")),
                ("ProfileName", "Dana".into()),
            ],
        )
    };
    // (form, contact address, kind, body, attachments, where they are fetched from)
    let cases = [
        (
            message("SM100", "+15552220001", "Hello, I need help"),
            "+15552220001",
            "text",
            "Hello, I need help",
            json!([]),
            vec![],
        ),
        (
            with(
                message("MM101", "+15552220002", "Here are the papers"),
                &[
                    ("NumMedia", "2".into()),
                    ("MediaUrl0", media("MM101", "ME1")),
                    ("MediaContentType0", "image/jpeg".into()),
                    ("MediaUrl1", media("MM101", "ME2")),
                    ("MediaContentType1", "application/pdf".into()),
                ],
            ),
            "+15552220002",
            "text",
            "Here are the papers · 📷 Photo · 📄 Document",
            json!([
                unfetched("image", "image/jpeg"),
                unfetched("document", "application/pdf")
            ]),
            vec![media("MM101", "ME1"), media("MM101", "ME2")],
        ),
        (
            with(
                message("MM102", "+15552220003", ""),
                &[
                    ("NumMedia", "1".into()),
                    ("MediaUrl0", media("MM102", "ME3")),
                    ("MediaContentType0", "video/mp4".into()),
                ],
            ),
            "+15552220003",
            "video",
            "🎬 Video",
            json!([unfetched("video", "video/mp4")]),
            vec![media("MM102", "ME3")],
        ),
        (
            with(
                whatsapp("SM103", "+15552220004"),
                &[
                    ("MessageType", "location".into()),
                    ("Latitude", "52.37".into()),
                    ("Longitude", "4.89".into()),
                ],
            ),
            "whatsapp:+15552220004",
            "location",
            "📍 Location: 52.37000, 4.89000",
            json!([]),
            vec![],
        ),
        (
            with(
                whatsapp("SM104", "+15552220005"),
                &[
                    ("MessageType", "button".into()),
                    ("ButtonText", "Yes, tomorrow".into()),
                    ("ButtonPayload", "visit-yes".into()),
                ],
            ),
            "whatsapp:+15552220005",
            "button_reply",
            "Tapped “Yes, tomorrow”",
            json!([]),
            vec![],
        ),
    ];
    for (form, address, kind, body, expected_attachments, expected_sources) in cases {
        let sid = form
            .iter()
            .find(|(name, _)| name == "MessageSid")
            .unwrap()
            .1
            .clone();
        let params: Vec<(&str, &str)> = form
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let response = app
            .post_twilio(AUTH_TOKEN, "/webhooks/twilio", &params)
            .await;
        assert_eq!(response.status(), 200, "{body}");

        let message = first_message(&app, &cora, address).await;
        assert_eq!(
            (message["kind"].as_str(), message["body"].as_str()),
            (Some(kind), Some(body)),
            "{message}"
        );
        assert_eq!(attachments(&message), expected_attachments, "{body}");
        assert_eq!(sources(&app, &sid).await, expected_sources, "{body}");
    }
}

async fn reactions_show_on_their_message_and_can_be_removed(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let text = fixture("inbound_text.json");
    app.post_whatsapp(APP_SECRET, &text).await;
    let target = text["entry"][0]["changes"][0]["value"]["messages"][0]["id"].clone();
    let mut reaction = with_message_id(fixture("inbound_reaction.json"), "wamid.reaction1");
    reaction["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["message_id"] = target;
    assert_eq!(app.post_whatsapp(APP_SECRET, &reaction).await.status(), 200);
    assert_eq!(
        texts(&app, "SELECT emoji FROM message_reactions").await,
        ["👍"]
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM messages").await,
        1,
        "a reaction is not a message"
    );

    let mut removal = with_message_id(reaction.clone(), "wamid.reaction2");
    removal["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["emoji"] = json!("");
    app.post_whatsapp(APP_SECRET, &removal).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM message_reactions").await,
        0
    );
}

async fn statuses_move_forward_and_wait_for_their_message(db: Db) {
    let app = spawn_app(db).await;
    let (whatsapp, _, _) = connect_channels(&app).await;
    let status_id = fixture("status_delivered.json")["entry"][0]["changes"][0]["value"]["statuses"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before the send call has returned the id, the status waits.
    app.post_whatsapp(APP_SECRET, &fixture("status_delivered.json"))
        .await;
    assert_eq!(
        texts(&app, "SELECT status FROM early_statuses").await,
        ["delivered"]
    );

    let pool = app.sql().await;
    app.post_whatsapp(APP_SECRET, &fixture("inbound_text.json"))
        .await;
    let conversation = app.conversation_with("+16505551234").await;
    sqlx::query(
        "INSERT INTO messages (conversation_id, channel_id, direction, kind, body, provider_message_id, status, created_at, updated_at) \
         VALUES ($1, $2, 'outbound', 'text', 'Yes, in blue', $3, 'sent', 0, 0)",
    )
    .bind(conversation)
    .bind(whatsapp)
    .bind(&status_id)
    .execute(&pool)
    .await
    .unwrap();
    let status_of = || {
        texts(
            &app,
            "SELECT status FROM messages WHERE direction = 'outbound'",
        )
    };
    app.post_whatsapp(
        APP_SECRET,
        &with_status_id(fixture("status_read.json"), &status_id, "read"),
    )
    .await;
    assert_eq!(status_of().await, ["read"]);
    app.post_whatsapp(
        APP_SECRET,
        &with_status_id(fixture("status_delivered.json"), &status_id, "late"),
    )
    .await;
    assert_eq!(
        status_of().await,
        ["read"],
        "a late 'delivered' never moves a read message back"
    );
    app.post_whatsapp(
        APP_SECRET,
        &with_status_id(fixture("status_failed.json"), &status_id, "failed"),
    )
    .await;
    let (status, code, title): (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT status, error_code, error_title FROM messages WHERE direction = 'outbound'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "failed");
    assert_eq!(
        code.as_deref(),
        Some("130472"),
        "the provider's code is kept"
    );
    assert_eq!(
        title.as_deref(),
        Some("User's number is part of an experiment")
    );
}

fn with_status_id(mut payload: Value, id: &str, variant: &str) -> Value {
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = json!(id);
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
        json!(variant);
    payload
}

async fn template_status_webhooks_update_the_template(db: Db) {
    let app = spawn_app(db).await;
    let (whatsapp, _, _) = connect_channels(&app).await;
    let path = format!(
        "{}/../channels/tests/fixtures/whatsapp/templates/message_template_status_update_rejected.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut update: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    update["entry"][0]["id"] = json!(WABA_ID);
    let value = &update["entry"][0]["changes"][0]["value"];
    let name = value["message_template_name"].as_str().unwrap().to_string();
    let language = value["message_template_language"]
        .as_str()
        .unwrap()
        .to_string();
    sqlx::query(
        "INSERT INTO message_templates (channel_id, name, language, category, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'UTILITY', 'pending', 0, 0)",
    )
    .bind(whatsapp)
    .bind(&name)
    .bind(&language)
    .execute(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(app.post_whatsapp(APP_SECRET, &update).await.status(), 200);
    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, rejection_reason FROM message_templates")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(status, "rejected");
    assert_eq!(
        reason.as_deref(),
        Some(
            "Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them."
        ),
        "Meta's own explanation, which says what to change"
    );
}

async fn a_twilio_json_body_is_checked_through_its_hash(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let body = br#"{"MessageSid":"SM1"}"#;
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body));
    let path = format!("/webhooks/twilio?bodySHA256={hash}");
    let signature = twilio_signature(AUTH_TOKEN, &app.url(&path), &[]);
    let send = |body: &'static [u8]| {
        reqwest::Client::new()
            .post(app.url(&path))
            .header("content-type", "application/json")
            .header("X-Twilio-Signature", signature.clone())
            .body(body)
            .send()
    };
    let tampered = send(br#"{"MessageSid":"SM2"}"#).await.unwrap();
    assert_eq!(
        tampered.status(),
        401,
        "a body that does not match its hash is refused"
    );
    let genuine = send(body).await.unwrap();
    assert_eq!(
        genuine.status(),
        400,
        "signed, but not a message webhook: refused with a reason"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_events").await, 0);
}

async fn twilio_sms_lands_and_keywords_record_consent(db: Db) {
    let app = spawn_app(db).await;
    let (_, twilio, _) = connect_channels(&app).await;
    let hello = app
        .post_twilio(
            AUTH_TOKEN,
            "/webhooks/twilio",
            &sms("SM001", "+15552223333", "Hello, I need help"),
        )
        .await;
    assert_eq!(hello.status(), 200);
    assert_eq!(hello.text().await.unwrap(), "<Response/>");
    app.post_twilio(
        AUTH_TOKEN,
        "/webhooks/twilio",
        &sms("SM001", "+15552223333", "Hello, I need help"),
    )
    .await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM messages").await,
        1,
        "a retried delivery is one message"
    );

    app.post_twilio(
        AUTH_TOKEN,
        "/webhooks/twilio",
        &sms("SM002", "+15552223333", "STOP"),
    )
    .await;
    assert_eq!(
        texts(&app, "SELECT kind FROM consent_events").await,
        ["opt_out"]
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM contacts WHERE opted_out_at IS NOT NULL"
        )
        .await,
        1
    );
    app.post_twilio(
        AUTH_TOKEN,
        "/webhooks/twilio",
        &sms("SM003", "+15552223333", "start"),
    )
    .await;
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM contacts WHERE opted_out_at IS NOT NULL"
        )
        .await,
        0
    );
    app.post_twilio(
        AUTH_TOKEN,
        "/webhooks/twilio",
        &sms("SM004", "+15552223333", "HELP"),
    )
    .await;
    assert_eq!(
        texts(&app, "SELECT kind FROM consent_events ORDER BY id").await,
        ["opt_out", "opt_in", "help"]
    );

    let mut mms = sms("MM005", "+15552223333", "Here are the papers");
    mms.retain(|(name, _)| *name != "NumMedia");
    mms.extend([
        ("NumMedia", "2"),
        (
            "MediaUrl0",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM005/Media/ME1",
        ),
        ("MediaContentType0", "image/jpeg"),
        (
            "MediaUrl1",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM005/Media/ME2",
        ),
        ("MediaContentType1", "application/pdf"),
    ]);
    assert_eq!(
        app.post_twilio(AUTH_TOKEN, "/webhooks/twilio", &mms)
            .await
            .status(),
        200
    );
    assert_eq!(
        texts(&app, "SELECT kind FROM attachments ORDER BY id").await,
        ["image", "document"]
    );

    let status = [
        ("MessageSid", "SM999"),
        ("MessageStatus", "failed"),
        ("ErrorCode", "21610"),
        ("AccountSid", ACCOUNT_SID),
        ("From", TWILIO_NUMBER),
        ("To", "+15552223333"),
        ("ApiVersion", "2010-04-01"),
    ];
    assert_eq!(
        app.post_twilio(AUTH_TOKEN, "/webhooks/twilio/status", &status)
            .await
            .status(),
        200
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM contacts WHERE opted_out_at IS NOT NULL"
        )
        .await,
        1,
        "21610 means they opted out"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM conversations WHERE channel_id = {twilio}")
        )
        .await,
        1
    );
}

async fn one_phone_number_is_one_person_across_spellings_and_channels(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    app.post_twilio(
        AUTH_TOKEN,
        "/webhooks/twilio",
        &sms("SM100", "+16505551234", "hi by SMS"),
    )
    .await;
    let mut whatsapp = fixture("inbound_text.json");
    whatsapp["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = json!("16505551234");
    app.post_whatsapp(APP_SECRET, &whatsapp).await;
    let via_twilio_whatsapp = simulate::twilio_message(
        AUTH_TOKEN,
        &app.url("/webhooks/twilio"),
        ACCOUNT_SID,
        TWILIO_NUMBER,
        &E164::parse("whatsapp:+16505551234").unwrap(),
        "Sheena",
        "SM101",
        "hi",
        false,
    );
    app.post_signed("/webhooks/twilio", via_twilio_whatsapp)
        .await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contacts").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM contact_identities").await,
        2
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM conversations").await,
        2,
        "one conversation per channel"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 3);
}

async fn messenger_messages_and_echoes_land_once(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let inbound = simulate::messenger_text(
        APP_SECRET,
        PAGE_ID,
        "psid-777",
        "m_first",
        1_749_416_383_000,
        "Hi from Messenger <b>bold</b>",
    );
    let signature = inbound.header("X-Hub-Signature-256").unwrap().to_string();
    for _ in 0..2 {
        let response = post_meta(
            &app,
            "/webhooks/messenger",
            &inbound.body,
            Some(signature.clone()),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let echo = json!({
        "object": "page",
        "entry": [{ "id": PAGE_ID, "time": 1_749_416_390_000_i64, "messaging": [{
            "sender": { "id": PAGE_ID }, "recipient": { "id": "psid-777" }, "timestamp": 1_749_416_390_000_i64,
            "message": { "is_echo": true, "app_id": 1234, "mid": "m_echo", "text": "Answered from Page Inbox" }
        }]}]
    });
    let body = serde_json::to_vec(&echo).unwrap();
    for _ in 0..2 {
        post_meta(
            &app,
            "/webhooks/messenger",
            &body,
            Some(meta_signature(APP_SECRET, &body)),
        )
        .await;
    }
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT direction, body FROM messages ORDER BY id")
            .fetch_all(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(
        stored,
        [
            (
                "inbound".to_string(),
                "Hi from Messenger <b>bold</b>".to_string()
            ),
            (
                "outbound".to_string(),
                "Answered from Page Inbox".to_string()
            ),
        ]
    );
}

async fn messenger_watermark_receipts_cover_earlier_messages(db: Db) {
    let app = spawn_app(db).await;
    let (_, _, messenger) = connect_channels(&app).await;
    let inbound =
        simulate::messenger_text(APP_SECRET, PAGE_ID, "psid-9", "m_in", 1_000_000, "hello");
    post_meta(
        &app,
        "/webhooks/messenger",
        &inbound.body,
        inbound.header("X-Hub-Signature-256").map(str::to_string),
    )
    .await;
    let pool = app.sql().await;
    let conversation = app.conversation_with("psid-9").await;
    for (mid, sent_at) in [("m_early", 2_000_000_i64), ("m_late", 9_000_000)] {
        sqlx::query(
            "INSERT INTO messages (conversation_id, channel_id, direction, kind, body, provider_message_id, status, provider_timestamp, created_at, updated_at) \
             VALUES ($1, $2, 'outbound', 'text', 'reply', $3, 'sent', $4, 0, 0)",
        )
        .bind(conversation)
        .bind(messenger)
        .bind(mid)
        .bind(sent_at)
        .execute(&pool)
        .await
        .unwrap();
    }
    let receipt = json!({
        "object": "page",
        "entry": [{ "id": PAGE_ID, "time": 5_000_000, "messaging": [{
            "sender": { "id": "psid-9" }, "recipient": { "id": PAGE_ID }, "timestamp": 5_000_000,
            "delivery": { "watermark": 5_000_000 }
        }]}]
    });
    let body = serde_json::to_vec(&receipt).unwrap();
    assert_eq!(
        post_meta(
            &app,
            "/webhooks/messenger",
            &body,
            Some(meta_signature(APP_SECRET, &body))
        )
        .await
        .status(),
        200
    );
    let statuses = texts(
        &app,
        "SELECT status FROM messages WHERE direction = 'outbound' ORDER BY provider_timestamp",
    )
    .await;
    assert_eq!(statuses, ["delivered", "sent"]);
}

async fn concurrent_deliveries_for_one_contact_make_one_conversation(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let deliveries = (0..24).map(|n| {
        let payload = with_message_id(
            fixture("inbound_text.json"),
            &format!("wamid.concurrent{n}"),
        );
        let app = &app;
        async move {
            app.post_whatsapp(APP_SECRET, &payload)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(deliveries).await;
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM contacts").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM conversations").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 24);
    assert_eq!(
        count(&app, "SELECT unread_count FROM conversations").await,
        24
    );
}

async fn a_resolved_conversation_reopens_on_a_new_message(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    app.post_whatsapp(
        APP_SECRET,
        &with_message_id(fixture("inbound_text.json"), "wamid.one"),
    )
    .await;
    sqlx::query("UPDATE conversations SET status = 'resolved'")
        .execute(&app.sql().await)
        .await
        .unwrap();
    app.post_whatsapp(
        APP_SECRET,
        &with_message_id(fixture("inbound_text.json"), "wamid.two"),
    )
    .await;
    assert_eq!(
        texts(&app, "SELECT status FROM conversations").await,
        ["open"]
    );
}

async fn admins_manage_channels_and_secrets_never_come_back(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let http = reqwest::Client::new();
    let input = json!({
        "kind": "whatsapp", "name": "Helpline", "phone_number_id": "111222333", "waba_id": "444555",
        "display_number": "+1 555 000 1111", "access_token": "EAAG-super-secret", "app_secret": "app-secret-value",
        "verify_token": "verify-me"
    });
    let refused = http
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&volunteer)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let created = http
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let text = created.text().await.unwrap();
    assert!(
        !text.contains("EAAG-super-secret") && !text.contains("app-secret-value"),
        "{text}"
    );
    let channel: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(channel["webhook_url"], app.url("/webhooks/whatsapp"));
    assert_eq!(channel["verify_token"], "verify-me");
    assert_eq!(
        channel["secrets_set"],
        json!(["access_token", "app_secret"])
    );
    assert_eq!(channel["send_rate_per_second"], 80);
    let id = channel["id"].as_i64().unwrap();

    let duplicate = http
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    let incomplete = http
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&json!({ "kind": "twilio", "name": "SMS", "account_sid": "AC1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(incomplete.status(), 422);
    assert_eq!(
        incomplete.json::<Value>().await.unwrap()["message"],
        "auth_token is required for this kind of channel."
    );

    let changed: Value = http
        .patch(app.url(&format!("/api/v1/channels/{id}")))
        .bearer_auth(&admin)
        .json(&json!({ "name": "Renamed", "send_rate_per_second": 20, "app_secret": "rotated" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            changed["name"].clone(),
            changed["send_rate_per_second"].clone()
        ),
        (json!("Renamed"), json!(20))
    );
    let listed = http
        .get(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listed.contains("rotated") && listed.contains("Renamed"));
    assert_eq!(
        http.get(app.url("/api/v1/channels"))
            .bearer_auth(&volunteer)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let removed = http
        .delete(app.url(&format!("/api/v1/channels/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(
        http.get(app.url(&format!("/api/v1/channels/{id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let again = http
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&input)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        201,
        "a removed channel's number can be connected again"
    );
}

async fn the_demo_tool_sends_through_the_signed_webhook_path(db: Db) {
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_DEMO_MODE").then(|| "true".to_string())
    })
    .await;
    let (whatsapp, twilio, messenger) = connect_channels(&app).await;
    let (admin, _) = app.signed_in("admin@example.org", Role::Admin).await;
    for (channel, from) in [
        (whatsapp, "+1 555 333 4444"),
        (twilio, "+15553334444"),
        (messenger, "psid-42"),
    ] {
        let response = app
            .server_fn(
                &admin,
                "demo/simulate-inbound",
                &[
                    ("channel_id", &channel.to_string()),
                    ("from", from),
                    ("name", "Dana Demo"),
                    ("text", "Hello <script>alert(1)</script>"),
                ],
            )
            .await;
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM messages WHERE body = 'Hello <script>alert(1)</script>'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM webhook_events WHERE error IS NULL"
        )
        .await,
        3
    );
    let (volunteer, _) = app.signed_in("vol@example.org", Role::Volunteer).await;
    let refused: Value = app
        .server_fn(
            &volunteer,
            "demo/simulate-inbound",
            &[
                ("channel_id", &whatsapp.to_string()),
                ("from", "+15553334444"),
                ("name", "X"),
                ("text", "x"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["code"], "forbidden");
}

async fn the_demo_tool_is_off_outside_demo_mode(db: Db) {
    let app = spawn_app(db).await;
    let (whatsapp, _, _) = connect_channels(&app).await;
    let (admin, _) = app.signed_in("admin@example.org", Role::Admin).await;
    let refused: Value = app
        .server_fn(
            &admin,
            "demo/simulate-inbound",
            &[
                ("channel_id", &whatsapp.to_string()),
                ("from", "+15553334444"),
                ("name", "X"),
                ("text", "x"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["code"], "forbidden");
}

async fn last_event(app: &TestApp) -> i64 {
    count(app, "SELECT MAX(id) FROM webhook_events").await
}

async fn reprocess_by_api(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/webhook-events/{id}/reprocess")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn a_delivery_for_a_number_connected_later_lands_once_it_is(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let mut payload = with_message_id(fixture("inbound_text.json"), "wamid.later.1");
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("777");
    assert_eq!(app.post_whatsapp(APP_SECRET, &payload).await.status(), 200);
    let event = last_event(&app).await;
    let (processed, error, attempts, waiting) = app.kept_delivery(event).await;
    assert!(processed && waiting && attempts == 0);
    assert_eq!(
        error.as_deref(),
        Some(r#"no connected channel for WhatsApp { phone_number_id: "777" }"#)
    );
    assert!(
        !app.services.reprocess_due_webhook_event().await.unwrap(),
        "its next try is not due yet"
    );

    // The same Meta app serves a second number, connected now.
    let mut second = common::whatsapp("777", "419561257915999", APP_SECRET);
    second.verify_token = Some("verify-777".into());
    let second = app.connect(second).await;
    assert!(app.services.reprocess_due_webhook_event().await.unwrap());
    assert!(!app.services.reprocess_due_webhook_event().await.unwrap());
    assert_eq!(app.kept_delivery(event).await, (true, None, 1, false));
    let stored = count(
        &app,
        &format!("SELECT COUNT(*) FROM messages WHERE channel_id = {second}"),
    )
    .await;
    assert_eq!(stored, 1);

    // Processing it again, or the provider retrying it, never stores it twice.
    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let again: Value = reprocess_by_api(&app, &token, event)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["processed"], true);
    assert_eq!(again["error"], Value::Null);
    assert_eq!(app.post_whatsapp(APP_SECRET, &payload).await.status(), 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM conversations").await, 1);
}

/// Makes storing messages fail, as a full disk would, until [`store_messages_again`].
async fn refuse_messages(app: &TestApp, db: Db) {
    let sql = app.sql().await;
    let statements: &[&str] = match db {
        Db::Sqlite => &["CREATE TRIGGER refuse_messages BEFORE INSERT ON messages \
             BEGIN SELECT RAISE(ABORT, 'no space left'); END"],
        Db::Postgres => &[
            "CREATE FUNCTION refuse_messages() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'no space left'; END $$",
            "CREATE TRIGGER refuse_messages BEFORE INSERT ON messages \
             FOR EACH ROW EXECUTE FUNCTION refuse_messages()",
        ],
    };
    for statement in statements {
        sqlx::raw_sql(statement).execute(&sql).await.unwrap();
    }
}

async fn store_messages_again(app: &TestApp, db: Db) {
    let sql = match db {
        Db::Sqlite => "DROP TRIGGER refuse_messages",
        Db::Postgres => "DROP TRIGGER refuse_messages ON messages",
    };
    sqlx::raw_sql(sql).execute(&app.sql().await).await.unwrap();
}

async fn an_admin_processes_a_kept_delivery_again_and_it_lands_once(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    refuse_messages(&app, db).await;
    let payload = with_message_id(fixture("inbound_text.json"), "wamid.kept.1");
    assert_eq!(
        app.post_whatsapp(APP_SECRET, &payload).await.status(),
        200,
        "the raw delivery is kept, so the provider need not retry"
    );
    let event = last_event(&app).await;
    let (processed, error, attempts, waiting) = app.kept_delivery(event).await;
    assert!(!processed && waiting && attempts == 0);
    assert!(error.unwrap().contains("no space left"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 0);
    store_messages_again(&app, db).await;

    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    assert_eq!(
        reprocess_by_api(&app, &volunteer, event).await.status(),
        403
    );
    assert_eq!(
        app.kept_delivery(event).await.2,
        0,
        "a refused request changes nothing"
    );
    let (admin, _) = app.signed_in("admin@example.org", Role::Admin).await;
    let done: Value = app
        .server_fn(
            &admin,
            "webhook-events/reprocess",
            &[("id", &event.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["processed"], true, "{done}");
    assert_eq!(done["error"], Value::Null);
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["next_attempt_at"], Value::Null);
    assert_eq!(
        texts(&app, "SELECT body FROM messages").await,
        ["Does it come in another color?"]
    );

    let again: Value = app
        .server_fn(
            &admin,
            "webhook-events/reprocess",
            &[("id", &event.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["attempts"], 1,
        "a processed delivery is left as it is"
    );
    assert_eq!(app.post_whatsapp(APP_SECRET, &payload).await.status(), 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 1);
    let (token, _) = app.token("owner@example.org", Role::Admin).await;
    assert_eq!(reprocess_by_api(&app, &token, 999_999).await.status(), 404);
}

async fn a_delivery_that_cannot_be_understood_stays_failed_with_its_reason(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let mut unknown = fixture("inbound_text.json");
    unknown["entry"][0]["changes"][0]["field"] = json!("group_lifecycle_update");
    assert_eq!(app.post_whatsapp(APP_SECRET, &unknown).await.status(), 200);
    let event = last_event(&app).await;
    let (processed, error, _, waiting) = app.kept_delivery(event).await;
    assert!(processed && !waiting, "no later try would understand it");
    let not_handled = r#"WhatsApp webhook field "group_lifecycle_update" is not handled"#;
    assert_eq!(error.as_deref(), Some(not_handled));

    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let again: Value = reprocess_by_api(&app, &token, event)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["error"], not_handled);
    assert_eq!(again["attempts"], 1);
    assert_eq!(again["next_attempt_at"], Value::Null);
    assert!(!app.services.reprocess_due_webhook_event().await.unwrap());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 0);
}

async fn a_kept_reaction_tried_again_never_undoes_a_newer_one(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let text = fixture("inbound_text.json");
    let target = text["entry"][0]["changes"][0]["value"]["messages"][0]["id"].clone();
    let mut early = with_message_id(fixture("inbound_reaction.json"), "wamid.reaction.early");
    early["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["message_id"] =
        target.clone();
    assert_eq!(app.post_whatsapp(APP_SECRET, &early).await.status(), 200);
    let kept_reaction = last_event(&app).await;
    let (_, error, _, waiting) = app.kept_delivery(kept_reaction).await;
    assert!(waiting, "its message may still come");
    assert_eq!(
        error,
        Some(format!(
            "reaction to unknown message {}",
            target.as_str().unwrap()
        ))
    );

    app.post_whatsapp(APP_SECRET, &text).await;
    let mut newer = with_message_id(early.clone(), "wamid.reaction.newer");
    let reacted = &mut newer["entry"][0]["changes"][0]["value"]["messages"][0];
    reacted["reaction"]["emoji"] = json!("❤️");
    reacted["timestamp"] = json!("1749419600");
    app.post_whatsapp(APP_SECRET, &newer).await;

    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let done: Value = reprocess_by_api(&app, &token, kept_reaction)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["error"], Value::Null, "{done}");
    assert_eq!(
        texts(&app, "SELECT emoji FROM message_reactions").await,
        ["❤️"]
    );
}

/// A correctly signed Twilio webhook claiming 4294967296 media once aborted the server, which
/// reserved room for that many. Twilio sends at most 10, so the claim is refused with a reason
/// and nothing is stored, and the server goes on answering.
async fn a_signed_twilio_webhook_claiming_billions_of_media_is_refused(db: Db) {
    let app = spawn_app(db).await;
    connect_channels(&app).await;
    let mut claim = sms("MM4G", "+15552223333", "hi");
    claim.retain(|(name, _)| *name != "NumMedia");
    claim.extend([
        ("NumMedia", "4294967296"),
        (
            "MediaUrl0",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM4G/Media/ME1",
        ),
    ]);
    let refused = app
        .post_twilio(AUTH_TOKEN, "/webhooks/twilio", &claim)
        .await;
    assert_eq!(refused.status(), 400);
    let reason: Value = refused.json().await.unwrap();
    assert_eq!(
        reason["message"],
        r#"The request cannot be read: parameter NumMedia has an unusable value "4294967296""#
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_events").await, 0);

    let after = app
        .post_twilio(
            AUTH_TOKEN,
            "/webhooks/twilio",
            &sms("SM4G", "+15552223333", "still there?"),
        )
        .await;
    assert_eq!(after.status(), 200, "the server still answers");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM messages").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
}

on_both_databases!(
    the_meta_handshake_answers_only_a_known_verify_token,
    a_whatsapp_message_lands_once_in_one_conversation,
    forged_and_missing_signatures_store_nothing,
    malformed_bodies_get_a_reason_and_unknown_shapes_are_kept,
    every_whatsapp_message_type_lands_with_its_exact_text_and_media,
    every_messenger_message_type_lands_with_its_exact_text_and_media,
    every_twilio_message_type_lands_with_its_exact_text_and_media,
    reactions_show_on_their_message_and_can_be_removed,
    statuses_move_forward_and_wait_for_their_message,
    template_status_webhooks_update_the_template,
    a_twilio_json_body_is_checked_through_its_hash,
    twilio_sms_lands_and_keywords_record_consent,
    one_phone_number_is_one_person_across_spellings_and_channels,
    messenger_messages_and_echoes_land_once,
    messenger_watermark_receipts_cover_earlier_messages,
    concurrent_deliveries_for_one_contact_make_one_conversation,
    a_resolved_conversation_reopens_on_a_new_message,
    admins_manage_channels_and_secrets_never_come_back,
    the_demo_tool_sends_through_the_signed_webhook_path,
    the_demo_tool_is_off_outside_demo_mode,
    a_delivery_for_a_number_connected_later_lands_once_it_is,
    an_admin_processes_a_kept_delivery_again_and_it_lands_once,
    a_delivery_that_cannot_be_understood_stays_failed_with_its_reason,
    a_kept_reaction_tried_again_never_undoes_a_newer_one,
    a_signed_twilio_webhook_claiming_billions_of_media_is_refused,
);
