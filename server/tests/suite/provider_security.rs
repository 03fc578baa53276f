//! Provider credentials stay with the provider: they travel in headers only, so no error text,
//! stored reason or log line carries them; a channel's API address must be https to a public
//! address, a new address needs the credentials entered again, and media is fetched with
//! credentials only from the provider's media hosts.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::model::{ChannelInput, Role};
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use channels::simulate;
use common::{Db, TestApp, spawn_app, spawn_app_with};
use serde_json::json;
use tokio::io::AsyncReadExt;

const SECRET: &str = "page-app-secret";
const PAGE_TOKEN: &str = "EAAPageToken-must-stay-secret-7731";

/// What a test's tracing subscriber wrote.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A Graph API that reads each request whole, keeps it, and closes the connection without
/// answering. Returns the requests kept and the base URL.
async fn hanging_up_graph_api() -> (Arc<Mutex<Vec<String>>>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let kept = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // Headers, then as much body as they announce.
            while let Ok(read) = socket.read(&mut buffer).await {
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
            }
            kept.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&request).into_owned());
            drop(socket);
        }
    });
    (requests, base)
}

async fn a_dropped_connection_leaks_no_token_to_the_thread_the_api_or_the_log(db: Db) {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runs on one thread, and so do the application's tasks it starts.
    let _logging = tracing::subscriber::set_default(subscriber);

    let app = spawn_app(db).await;
    let (requests, graph) = hanging_up_graph_api().await;
    app.connect(ChannelInput {
        api_base_url: Some(format!("{graph}/v23.0")),
        page_access_token: Some(PAGE_TOKEN.into()),
        ..common::messenger("3000", SECRET)
    })
    .await;
    let message = simulate::messenger_text(
        SECRET,
        "3000",
        "psid-1",
        "m_in",
        server::store::now_ms() - 60_000,
        "hello page",
    );
    assert_eq!(
        app.post_signed("/webhooks/messenger", message)
            .await
            .status(),
        200
    );
    let conversation = app.conversation_with("psid-1").await;
    let (token, _) = app.token("cora@example.org", Role::Coordinator).await;
    let queued = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(&token)
        .json(&json!({ "body": "We are here" }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    assert!(app.services.deliver_next("w").await.unwrap());

    let received = requests.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "the send reached the Graph API once");
    let request_line = received[0].lines().next().unwrap_or_default();
    assert!(
        !request_line.contains(PAGE_TOKEN),
        "the token is not in the URL: {request_line}"
    );
    assert!(
        received[0].to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            PAGE_TOKEN.to_ascii_lowercase()
        )),
        "the token travels as a Bearer header"
    );

    let reason = "The connection to Facebook was closed before it answered";
    let (status, title): (String, Option<String>) =
        sqlx::query_as("SELECT status, error_title FROM messages WHERE direction = 'outbound'")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(status, "unknown");
    assert_eq!(title.as_deref(), Some(reason), "a plain reason is stored");

    let api = app.conversation_detail(&token, conversation).await;
    let reply = &api["messages"][1];
    assert_eq!(reply["body"], "We are here");
    assert_eq!(
        reply["error_explanation"], reason,
        "the API shows the reason"
    );
    assert!(
        !api.to_string().contains(PAGE_TOKEN),
        "the API shows no token"
    );

    let (browser, _) = app.signed_in("vic@example.org", Role::Coordinator).await;
    let page = app
        .page(&browser, &format!("/conversations/{conversation}"))
        .await;
    assert!(page.contains(reason), "the page shows the reason");
    assert!(!page.contains(PAGE_TOKEN), "the page shows no token");

    let logged = logs.text();
    assert!(
        logged.contains("delivery outcome unknown"),
        "the log captured the failed delivery: {logged}"
    );
    assert!(!logged.contains(PAGE_TOKEN), "the log holds no token");
}

/// The application as deployed: private provider addresses not allowed.
async fn spawn_strict_app(db: Db) -> TestApp {
    spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS").then(|| "false".to_string())
    })
    .await
}

async fn channel_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM channels")
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

async fn stored_api_base_url(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT api_base_url FROM channels WHERE id = $1")
        .bind(id)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

/// Addresses a stored token must never follow when the setting is off.
const REFUSED_ADDRESSES: &[&str] = &[
    "http://graph.facebook.com/v23.0",
    "https://127.0.0.1/v23.0",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.8/v23.0",
    "https://[::1]/v23.0",
    // A name that resolves to loopback.
    "https://localhost:8443/v23.0",
];

async fn private_and_plain_http_api_addresses_are_refused_and_nothing_stored(db: Db) {
    let app = spawn_strict_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let client = reqwest::Client::new();
    let whatsapp = |api_base_url: Option<&str>| {
        json!({
            "kind": "whatsapp", "name": "Helpline", "phone_number_id": "1000",
            "waba_id": "2000", "access_token": PAGE_TOKEN, "app_secret": SECRET,
            "verify_token": "verify-123", "api_base_url": api_base_url,
        })
    };
    for address in REFUSED_ADDRESSES {
        let response = client
            .post(app.url("/api/v1/channels"))
            .bearer_auth(&admin)
            .json(&whatsapp(Some(address)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{address} is refused");
        let error: serde_json::Value = response.json().await.unwrap();
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("api_base_url")),
            "the message names the field: {error}"
        );
        assert_eq!(channel_count(&app).await, 0, "nothing stored for {address}");
    }

    let created = client
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&whatsapp(None))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "the provider's own address is fine");
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    for address in REFUSED_ADDRESSES {
        let response = client
            .patch(app.url(&format!("/api/v1/channels/{id}")))
            .bearer_auth(&admin)
            .json(&json!({ "api_base_url": address, "access_token": "EAAG-entered-again" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{address} is refused on change");
        assert_eq!(
            stored_api_base_url(&app, id).await,
            "https://graph.facebook.com/v23.0",
            "nothing changed for {address}"
        );
    }
}

async fn an_address_stored_before_the_rules_is_not_called(db: Db) {
    let app = spawn_strict_app(db).await;
    let (requests, graph) = hanging_up_graph_api().await;
    let id = app
        .connect(ChannelInput {
            page_access_token: Some(PAGE_TOKEN.into()),
            ..common::messenger("3000", SECRET)
        })
        .await;
    // As if saved by an older version, or while the setting was on: https, but to a name that
    // resolves to loopback, where the fake listens.
    let stored = graph.replace("http://127.0.0.1", "https://localhost");
    sqlx::query("UPDATE channels SET api_base_url = $1 WHERE id = $2")
        .bind(format!("{stored}/v23.0"))
        .bind(id)
        .execute(&app.sql().await)
        .await
        .unwrap();
    let message = simulate::messenger_text(
        SECRET,
        "3000",
        "psid-1",
        "m_in",
        server::store::now_ms() - 60_000,
        "hello page",
    );
    assert_eq!(
        app.post_signed("/webhooks/messenger", message)
            .await
            .status(),
        200
    );
    let conversation = app.conversation_with("psid-1").await;
    let (token, _) = app.token("cora@example.org", Role::Coordinator).await;
    let queued = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(&token)
        .json(&json!({ "body": "We are here" }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    assert!(
        requests.lock().unwrap().is_empty(),
        "no connection reached the address"
    );
    let last_error: Option<String> = sqlx::query_scalar("SELECT last_error FROM outbound_jobs")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert!(
        last_error
            .as_deref()
            .is_some_and(|e| e.contains("private address")),
        "the reason says why: {last_error:?}"
    );
}

async fn a_changed_api_address_needs_the_credentials_again(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let id = app
        .connect(ChannelInput {
            api_base_url: Some("http://127.0.0.1:9/v23.0".into()),
            ..common::whatsapp("1000", "2000", SECRET)
        })
        .await;
    let client = reqwest::Client::new();
    let change = |body: serde_json::Value| {
        client
            .patch(app.url(&format!("/api/v1/channels/{id}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let moved = change(json!({ "api_base_url": "http://127.0.0.1:10/v23.0" }))
        .await
        .unwrap();
    assert_eq!(moved.status(), 422);
    let error: serde_json::Value = moved.json().await.unwrap();
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("access_token")),
        "the message says which secret to enter: {error}"
    );
    assert_eq!(
        stored_api_base_url(&app, id).await,
        "http://127.0.0.1:9/v23.0"
    );

    // The same address sent back (as the edit form does) needs nothing more.
    let renamed = change(json!({ "name": "Renamed", "api_base_url": "http://127.0.0.1:9/v23.0" }))
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);

    let with_token = change(json!({
        "api_base_url": "http://127.0.0.1:10/v23.0", "access_token": "EAAG-entered-again"
    }))
    .await
    .unwrap();
    assert_eq!(with_token.status(), 200);
    assert_eq!(
        stored_api_base_url(&app, id).await,
        "http://127.0.0.1:10/v23.0"
    );
}

/// Another host than the provider's: it records the Authorization header of every request.
async fn elsewhere() -> (Arc<Mutex<Vec<Option<String>>>>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = Router::new().fallback(move |headers: HeaderMap| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(
                headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            );
            ([(header::CONTENT_TYPE, "image/jpeg")], "stolen").into_response()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (seen, base)
}

/// A Graph API whose media lookups answer with a URL on `elsewhere`, directly or by a
/// redirect from its own download address.
async fn graph_pointing_at(elsewhere: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let own = base.clone();
    let target = elsewhere.clone();
    let app = Router::new()
        .route(
            "/v23.0/{media_id}",
            get(move |Path(media_id): Path<String>| {
                let (own, elsewhere) = (own.clone(), elsewhere.clone());
                async move {
                    let url = match media_id.as_str() {
                        "redirected" => format!("{own}/download/redirected"),
                        _ => format!("{elsewhere}/steal/{media_id}"),
                    };
                    axum::Json(json!({
                        "messaging_product": "whatsapp", "url": url,
                        "mime_type": "image/jpeg", "id": media_id,
                    }))
                }
            }),
        )
        .route(
            "/download/redirected",
            get(move || {
                let target = target.clone();
                async move { Redirect::temporary(&format!("{target}/steal/redirected")) }
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn a_media_lookup_pointing_elsewhere_is_not_fetched_with_the_token(db: Db) {
    let app = spawn_app(db).await;
    let (seen, other_host) = elsewhere().await;
    let graph = graph_pointing_at(other_host).await;
    app.connect(ChannelInput {
        api_base_url: Some(format!("{graph}/v23.0")),
        access_token: Some(PAGE_TOKEN.into()),
        ..common::whatsapp("1000", "2000", SECRET)
    })
    .await;
    app.whatsapp_image_arrives(SECRET, "1000", "direct", "wamid.direct")
        .await;
    app.whatsapp_image_arrives(SECRET, "1000", "redirected", "wamid.redirected")
        .await;
    while app.services.fetch_next_attachment().await.unwrap() {}

    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(Option::is_none),
        "no token went to the other host: {seen:?}"
    );
    assert!(seen.is_empty(), "nothing was fetched from it at all");
    let states: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT fetch_state, fetch_error FROM attachments ORDER BY id")
            .fetch_all(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(states.len(), 2);
    for (state, error) in states {
        assert_eq!(state, "failed");
        assert!(
            error.is_some_and(|e| e.contains("media hosts")),
            "the reason says why"
        );
    }
}

async fn the_channels_page_warns_while_private_addresses_are_allowed(db: Db) {
    let warning = "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS is on";
    let sandbox = spawn_app(db).await;
    let (admin, _) = sandbox.signed_in("ada@example.org", Role::Admin).await;
    let page = admin
        .get(sandbox.url("/channels"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(warning), "the sandbox setting is shown");

    let deployed = spawn_strict_app(db).await;
    let (admin, _) = deployed.signed_in("ada@example.org", Role::Admin).await;
    let page = admin
        .get(deployed.url("/channels"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Connected channels"), "the page rendered");
    assert!(!page.contains(warning), "no warning when it is off");
}

on_both_databases!(
    the_channels_page_warns_while_private_addresses_are_allowed,
    a_dropped_connection_leaks_no_token_to_the_thread_the_api_or_the_log,
    private_and_plain_http_api_addresses_are_refused_and_nothing_stored,
    an_address_stored_before_the_rules_is_not_called,
    a_changed_api_address_needs_the_credentials_again,
    a_media_lookup_pointing_elsewhere_is_not_fetched_with_the_token,
);
