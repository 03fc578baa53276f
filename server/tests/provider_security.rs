//! Provider credentials stay with the provider: they travel in headers only, so no error text,
//! stored reason or log line carries them.

#[macro_use]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::model::{ChannelInput, Role};
use channels::simulate;
use common::{Db, spawn_app};
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
            loop {
                let Ok(read) = socket.read(&mut buffer).await else {
                    break;
                };
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
    let conversation: i64 = sqlx::query_scalar("SELECT id FROM conversations")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
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

    let api = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/conversations/{conversation}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(api.contains(reason), "the API shows the reason: {api}");
    assert!(!api.contains(PAGE_TOKEN), "the API shows no token");

    let (browser, _) = app.signed_in("vic@example.org", Role::Coordinator).await;
    let page = browser
        .get(app.url(&format!("/conversations/{conversation}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(reason), "the page shows the reason");
    assert!(!page.contains(PAGE_TOKEN), "the page shows no token");

    let logged = logs.text();
    assert!(
        logged.contains("delivery outcome unknown"),
        "the log captured the failed delivery: {logged}"
    );
    assert!(!logged.contains(PAGE_TOKEN), "the log holds no token");
}

on_both_databases!(a_dropped_connection_leaks_no_token_to_the_thread_the_api_or_the_log);
