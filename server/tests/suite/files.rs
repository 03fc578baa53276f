//! Files sent to contacts: checked, kept, queued like replies, uploaded to WhatsApp and sent by
//! media id, or offered to Twilio and Messenger through a shared link that needs no sign-in.

use crate::common;

use app::model::Role;
use common::conversations::TWILIO_NUMBER;
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// Why an HTML file is not sent.
const HTML_REFUSED: &str = "Files of type text/html cannot be sent: send pictures, sound, video, PDF, Office documents or text.";
/// The eight-byte signature a PNG file starts with, and a little more.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-picture-bytes";

fn form(
    bytes: &'static [u8],
    filename: &str,
    mime: &str,
    caption: &str,
) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(filename.to_string())
                .mime_str(mime)
                .unwrap(),
        )
        .text("caption", caption.to_string())
}

async fn send_file(
    app: &TestApp,
    token: &str,
    conversation: i64,
    form: reqwest::multipart::Form,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/files")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn whatsapp_files_are_uploaded_then_sent_by_media_id(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;

    let (status, _) = send_file(
        &app,
        &volunteer,
        conversation,
        form(PNG, "map.png", "image/png", "The way to the hall"),
    )
    .await;
    assert_eq!(status, 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent: Vec<_> = fake
        .received()
        .into_iter()
        .filter(|request| request.json_or_null()["status"] != "read")
        .collect();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[0].path, "/v23.0/1000/media");
    assert_eq!(sent[0].authorization.as_deref(), Some("Bearer token"));
    let upload = String::from_utf8_lossy(&sent[0].body);
    for part in [
        "name=\"messaging_product\"\r\n\r\nwhatsapp",
        "name=\"type\"\r\n\r\nimage/png",
        "name=\"file\"; filename=\"map.png\"",
        "Content-Type: image/png",
        "-picture-bytes",
    ] {
        assert!(upload.contains(part), "the upload holds {part:?}: {upload}");
    }
    assert_eq!(sent[1].path, "/v23.0/1000/messages");
    assert_eq!(
        sent[1].json(),
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15551234567",
            "type": "image", "image": { "id": "media-1", "caption": "The way to the hall" }
        })
    );
    let detail = app.conversation_detail(&volunteer, conversation).await;
    let message = &detail["messages"][1];
    assert_eq!(message["kind"], "image");
    assert_eq!(message["body"], "The way to the hall");
    assert_eq!(message["status"], "sent");
    let url = message["attachments"][0]["url"].as_str().unwrap();
    let picture = reqwest::Client::new()
        .get(app.url(url))
        .bearer_auth(&volunteer)
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(
        picture.bytes().await.unwrap().as_ref(),
        PNG,
        "the team sees what was sent"
    );
}

async fn twilio_fetches_sent_files_through_a_shared_link(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.sms_conversation(&fake).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let (status, _) = send_file(
        &app,
        &volunteer,
        conversation,
        form(PNG, "map.png", "image/png", ""),
    )
    .await;
    assert_eq!(status, 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let sent = fake.received();
    assert_eq!(sent.len(), 1);
    let form = sent[0].form();
    assert_eq!(form.field("Body"), None, "no empty text");
    assert_eq!(form.field("From"), Some(TWILIO_NUMBER));
    let link = form.field("MediaUrl").expect("a MediaUrl");
    let path = link
        .strip_prefix(app.url("").trim_end_matches('/'))
        .unwrap_or_else(|| panic!("{link} is under the public URL"))
        .to_string();
    assert!(path.starts_with("/media/shared/"), "{path}");

    // Twilio fetches it without credentials; nobody guesses another link.
    let fetched = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(
        fetched.headers()["content-type"],
        "image/png",
        "served with the type it was sent with"
    );
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), PNG);
    let guessed = reqwest::get(app.url("/media/shared/not-a-real-token"))
        .await
        .unwrap();
    assert_eq!(guessed.status(), 404);
    let signed_out = app.browser().get(app.url("/media/1")).send().await.unwrap();
    assert!(
        common::location(&signed_out).starts_with("/login"),
        "other media still needs a sign-in"
    );
}

async fn unsafe_or_oversized_files_are_refused_with_a_reason(db: Db) {
    let app = spawn_app_with(db, |key| {
        (key == "SWITCHBOARD_MEDIA_MAX_BYTES").then(|| "1000".to_string())
    })
    .await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let (status, refused) = send_file(
        &app,
        &volunteer,
        conversation,
        form(b"<script>alert(1)</script>", "page.html", "text/html", ""),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["message"], HTML_REFUSED);
    let (status, refused) = send_file(
        &app,
        &volunteer,
        conversation,
        form(&[b'x'; 2000], "big.txt", "text/plain", ""),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(refused["message"], "The file is larger than 1 KB.");
    let (status, _) = send_file(
        &app,
        &volunteer,
        conversation,
        reqwest::multipart::Form::new().text("caption", "no file"),
    )
    .await;
    assert_eq!(status, 400);

    // The browser's form comes back to the conversation, with the reason when refused.
    let (browser, _) = app.signed_in("cora@example.org", Role::Coordinator).await;
    let refused = browser
        .post(app.url(&format!("/conversations/{conversation}/files")))
        .header("origin", app.url("").trim_end_matches('/'))
        .multipart(form(b"<html>", "page.html", "text/html", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    let location = common::location(&refused);
    let (path, query) = location.split_once('?').expect("a query with the reason");
    assert_eq!(path, format!("/conversations/{conversation}"));
    assert_eq!(
        common::provider::Form::parse(query.as_bytes()).field("file_error"),
        Some(HTML_REFUSED)
    );
    let shown = app.page(&browser, &location).await;
    assert!(
        shown.contains(HTML_REFUSED),
        "the page shows the reason: {shown}"
    );
    let sent = browser
        .post(app.url(&format!("/conversations/{conversation}/files")))
        .header("origin", app.url("").trim_end_matches('/'))
        .multipart(form(PNG, "map.png", "image/png", "Here"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    assert_eq!(
        common::location(&sent),
        format!("/conversations/{conversation}")
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM messages WHERE direction = 'outbound'")
            .fetch_all(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(kinds, ["image"], "only the acceptable file was queued");
    assert!(
        fake.received()
            .iter()
            .all(|request| request.json_or_null()["status"] == "read"),
        "nothing was sent yet"
    );
}

on_both_databases!(
    whatsapp_files_are_uploaded_then_sent_by_media_id,
    twilio_fetches_sent_files_through_a_shared_link,
    unsafe_or_oversized_files_are_refused_with_a_reason,
);
