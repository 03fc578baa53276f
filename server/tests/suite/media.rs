//! Media sent by contacts: fetched from a local fake provider that checks credentials like the
//! real ones, stored by content hash, served only to signed-in people.

use crate::common;

use app::model::{ChannelInput, Role};
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use common::conversations::{TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, twilio_number};
use common::{Db, TestApp, location, spawn_app_with};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const TOKEN: &str = "graph-token";
const APP_SECRET: &str = "secret";
/// The business number of the recorded WhatsApp messages.
const PHONE_NUMBER_ID: &str = "106540352242922";
const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 pretend this is a JPEG";

fn authorised(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(expected)
}

/// A picture that carries a script.
const DRAWING: &str = r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;

/// What the fake's download URL for `media_id` serves: its MIME type and bytes; any other id
/// is a file the CDN cannot serve right now (503). "flaky" is unavailable the first time.
fn download(media_id: &str) -> Option<(&'static str, Vec<u8>)> {
    match media_id {
        "photo" | "flaky" => Some(("image/jpeg", PHOTO.to_vec())),
        "page" => Some(("text/html", b"<script>x</script>".to_vec())),
        "drawing" => Some(("image/svg+xml", DRAWING.as_bytes().to_vec())),
        "huge" => Some(("image/png", vec![0u8; 4096])),
        _ => None,
    }
}

/// A fake Graph API and Twilio media host, answering like the real ones.
async fn fake_provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let lookup_base = base.clone();
    let basic = format!(
        "Basic {}",
        base64_encode(format!("{TWILIO_SID}:{TWILIO_TOKEN}").as_bytes())
    );
    // Whether "flaky" was asked for yet: unavailable the first time, there afterwards.
    let flaky_seen = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .route(
            "/v23.0/{media_id}",
            get(move |Path(media_id): Path<String>, headers: HeaderMap| {
                let base = lookup_base.clone();
                async move {
                    if !authorised(&headers, &format!("Bearer {TOKEN}")) {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    // The official answer (`retrieve_media_url.response.json`), with the
                    // hash and size of what the URL serves.
                    let served = download(&media_id).unwrap_or(("image/jpeg", Vec::new()));
                    axum::Json(json!({
                        "messaging_product": "whatsapp",
                        "url": format!("{base}/download/{media_id}"),
                        "mime_type": served.0,
                        "sha256": hex::encode(Sha256::digest(&served.1)),
                        "file_size": served.1.len(),
                        "id": media_id
                    }))
                    .into_response()
                }
            }),
        )
        .route(
            "/download/{what}",
            get(move |Path(what): Path<String>, headers: HeaderMap| {
                let flaky_seen = flaky_seen.clone();
                async move {
                    if !authorised(&headers, &format!("Bearer {TOKEN}")) {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    if what == "flaky" && !flaky_seen.swap(true, Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    match download(&what) {
                        Some((mime_type, bytes)) => {
                            ([(header::CONTENT_TYPE, mime_type)], bytes).into_response()
                        }
                        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    }
                }
            }),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}",
            get(move |headers: HeaderMap| {
                let basic = basic.clone();
                async move {
                    if !authorised(&headers, &basic) {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    (
                        [(header::CONTENT_TYPE, "application/pdf")],
                        "%PDF-1.4 letter",
                    )
                        .into_response()
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn connect(app: &TestApp, provider: &str) {
    app.connect(ChannelInput {
        access_token: Some(TOKEN.into()),
        api_base_url: Some(format!("{provider}/v23.0")),
        ..common::whatsapp(PHONE_NUMBER_ID, "419561257915477", APP_SECRET)
    })
    .await;
    app.connect(ChannelInput {
        api_base_url: Some(provider.to_string()),
        ..twilio_number()
    })
    .await;
}

/// A photo with WhatsApp media id `media_id` arrives in message `message_id`.
async fn send_image(app: &TestApp, media_id: &str, message_id: &str) {
    app.whatsapp_image_arrives(APP_SECRET, PHONE_NUMBER_ID, media_id, message_id)
        .await;
}

async fn fetch_all(app: &TestApp) {
    while app.services.fetch_next_attachment().await.unwrap() {}
}

async fn attachment_states(app: &TestApp) -> Vec<(String, i64, Option<String>)> {
    sqlx::query_as("SELECT fetch_state, fetch_attempts, fetch_error FROM attachments ORDER BY id")
        .fetch_all(&app.sql().await)
        .await
        .unwrap()
}

async fn whatsapp_media_is_fetched_stored_by_hash_and_served_to_signed_in_people(db: Db) {
    let app = spawn_app_with(db, |_| None).await;
    let provider = fake_provider().await;
    connect(&app, &provider).await;
    send_image(&app, "photo", "wamid.photo1").await;
    send_image(&app, "photo", "wamid.photo2").await;
    fetch_all(&app).await;
    let states = attachment_states(&app).await;
    assert_eq!(
        states.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["stored", "stored"]
    );

    let hashes: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM attachments")
        .fetch_all(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(hashes[0], hashes[1], "the same content is one file");
    let stored = std::fs::read(
        app.db
            .scratch
            .path()
            .join("media")
            .join(&hashes[0][..2])
            .join(&hashes[0]),
    )
    .unwrap();
    assert_eq!(stored, PHOTO);

    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM attachments")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let conversation = app.conversation_with("+16505551234").await;
    let first = &app.conversation_detail(&coordinator, conversation).await["messages"][0];
    assert_eq!(first["body"], "📷 Photo: Taj Mahal");
    assert_eq!(
        first["attachments"],
        json!([{
            "id": id, "kind": "image", "mime_type": "image/jpeg", "filename": null,
            "state": "stored", "url": format!("/media/{id}")
        }]),
        "the thread links the stored file"
    );
    let anonymous = app
        .browser()
        .get(app.url(&format!("/media/{id}")))
        .send()
        .await
        .unwrap();
    assert!(
        location(&anonymous).starts_with("/login"),
        "signed-out visitors are sent to sign in"
    );
    let (volunteer, volunteer_id) = app.signed_in("vol@example.org", Role::Volunteer).await;
    let (other, _) = app.signed_in("other@example.org", Role::Volunteer).await;
    sqlx::query("UPDATE conversations SET assignee_id = $1")
        .bind(volunteer_id)
        .execute(&app.sql().await)
        .await
        .unwrap();
    let hidden = other
        .get(app.url(&format!("/media/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        hidden.status(),
        404,
        "media of another volunteer's conversation stays hidden"
    );
    let served = volunteer
        .get(app.url(&format!("/media/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert!(
        served.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(
        served.headers()["cache-control"],
        "private, no-store",
        "contacts' files are kept by no cache"
    );
    assert!(
        served.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox"),
        "a file from outside never runs as a page of this site"
    );
    assert_eq!(served.bytes().await.unwrap().as_ref(), PHOTO);
}

/// An SVG is a picture that can carry scripts: it downloads, in a sandbox, like a document.
async fn active_pictures_download_in_a_sandbox(db: Db) {
    let app = spawn_app_with(db, |_| None).await;
    let provider = fake_provider().await;
    connect(&app, &provider).await;
    send_image(&app, "drawing", "wamid.drawing").await;
    fetch_all(&app).await;
    let (admin, _) = app.signed_in("ada@example.org", Role::Admin).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM attachments")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let served = admin
        .get(app.url(&format!("/media/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/svg+xml");
    let disposition = served.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(
        served.headers()["content-security-policy"],
        "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    );
}

async fn refused_types_and_oversized_files_fail_for_good(db: Db) {
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_MEDIA_MAX_BYTES").then(|| "1024".to_string())
    })
    .await;
    let provider = fake_provider().await;
    connect(&app, &provider).await;
    send_image(&app, "page", "wamid.page").await;
    send_image(&app, "huge", "wamid.huge").await;
    fetch_all(&app).await;
    let states = attachment_states(&app).await;
    assert_eq!(
        states,
        [
            (
                "failed".to_string(),
                1,
                Some("files of type text/html are not accepted".to_string())
            ),
            (
                "failed".to_string(),
                1,
                Some("the file is larger than 1024 bytes".to_string())
            ),
        ]
    );
}

async fn a_failing_download_stays_pending_and_is_retried_later(db: Db) {
    let app = spawn_app_with(db, |_| None).await;
    let provider = fake_provider().await;
    connect(&app, &provider).await;
    send_image(&app, "flaky", "wamid.flaky").await;
    fetch_all(&app).await;
    let states = attachment_states(&app).await;
    assert_eq!(states[0].0, "pending", "shown as pending, not lost");
    assert_eq!(states[0].1, 1);
    assert_eq!(
        states[0].2.as_deref(),
        Some("the provider answered 503 Service Unavailable")
    );
    assert!(
        !app.services.fetch_next_attachment().await.unwrap(),
        "not retried before its back-off"
    );
    let next: i64 = sqlx::query_scalar("SELECT next_fetch_at FROM attachments")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert!(next > server::store::now_ms() + 20_000);

    // Once its back-off has passed, the next step fetches it again, and now it is there.
    sqlx::query("UPDATE attachments SET next_fetch_at = 0")
        .execute(&app.sql().await)
        .await
        .unwrap();
    fetch_all(&app).await;
    let states = attachment_states(&app).await;
    assert_eq!(states[0].0, "stored", "{states:?}");
}

async fn twilio_media_is_fetched_with_account_credentials(db: Db) {
    let app = spawn_app_with(db, |_| None).await;
    let provider = fake_provider().await;
    connect(&app, &provider).await;
    let media_url = format!("{provider}/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM1/Media/ME1");
    let params = [
        ("MessageSid", "MM1"),
        ("AccountSid", TWILIO_SID),
        ("From", "+15552223333"),
        ("To", TWILIO_NUMBER),
        ("Body", ""),
        ("NumMedia", "1"),
        ("MediaUrl0", media_url.as_str()),
        ("MediaContentType0", "application/pdf"),
    ];
    let response = app
        .post_twilio(TWILIO_TOKEN, "/webhooks/twilio", &params)
        .await;
    assert_eq!(response.status(), 200);
    fetch_all(&app).await;
    assert_eq!(attachment_states(&app).await[0].0, "stored");
    let id: i64 = sqlx::query_scalar("SELECT id FROM attachments")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let (admin, _) = app.signed_in("admin@example.org", Role::Admin).await;
    let served = admin
        .get(app.url(&format!("/media/{id}")))
        .send()
        .await
        .unwrap();
    assert!(
        served.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "documents download"
    );
    assert_eq!(served.text().await.unwrap(), "%PDF-1.4 letter");
}

on_both_databases!(
    whatsapp_media_is_fetched_stored_by_hash_and_served_to_signed_in_people,
    refused_types_and_oversized_files_fail_for_good,
    a_failing_download_stays_pending_and_is_retried_later,
    twilio_media_is_fetched_with_account_credentials,
    active_pictures_download_in_a_sandbox,
);
