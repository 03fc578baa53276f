//! The yardstick: a minimal correct webhook receiver on the same database, served from this
//! process beside the application. It does what any correct receiver must and nothing more:
//! check the signature, read the payload, store the delivery once (de-duplicated on a hash of
//! its body) and answer 200 only once that row is committed. The application's rate over this
//! one's, measured in the same run, is what everything else it does per message costs.

use std::str::FromStr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::serve::ListenerExt;
use channels::{signature, whatsapp};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

/// Where the minimal receiver keeps deliveries; a table of its own in the benchmark's database.
const TABLE: &str = "bench_minimal_webhooks";

#[derive(Clone)]
struct Receiver {
    pool: AnyPool,
    app_secret: &'static str,
}

/// Serves the receiver on a loopback port; returns its webhook URL and its pool (to count
/// what it stored).
pub async fn start(database_url: &str, app_secret: &'static str) -> (String, AnyPool) {
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(database_url)
        .expect("a database URL")
        .disable_statement_logging();
    // As the application's store connects: one writer on SQLite, in WAL mode with
    // synchronous = NORMAL; 16 connections on PostgreSQL, commits with its defaults.
    let pool = if database_url.starts_with("sqlite:") {
        AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA busy_timeout = 5000",
                    ] {
                        connection.execute(pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
    } else {
        AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
    }
    .expect("the minimal receiver connects");
    sqlx::query(&format!(
        "CREATE TABLE {TABLE} (dedupe_key TEXT PRIMARY KEY, body TEXT NOT NULL, received_at BIGINT NOT NULL)"
    ))
    .execute(&pool)
    .await
    .expect("the minimal receiver's table");
    let receiver = Receiver {
        pool: pool.clone(),
        app_secret,
    };
    let router = Router::new()
        .route("/webhook", post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/webhook", listener.local_addr().expect("address"));
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, pool)
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signed = headers
        .get("x-hub-signature-256")
        .and_then(|value| value.to_str().ok());
    if signature::verify_meta(receiver.app_secret, &body, signed).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    if whatsapp::parse_webhook(&body).is_err() {
        return StatusCode::BAD_REQUEST;
    }
    let received_at = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    // One statement outside a transaction: it is committed, durably, before it returns.
    let stored = sqlx::query(&format!(
        "INSERT INTO {TABLE} (dedupe_key, body, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (dedupe_key) DO NOTHING"
    ))
    .bind(hex::encode(Sha256::digest(&body)))
    .bind(String::from_utf8_lossy(&body).into_owned())
    .bind(received_at as i64)
    .execute(&receiver.pool)
    .await;
    match stored {
        Ok(_) => StatusCode::OK,
        Err(error) => {
            eprintln!("minimal receiver: {error}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Deliveries the receiver stored.
pub async fn stored(pool: &AnyPool) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {TABLE}"))
        .fetch_one(pool)
        .await
        .expect("count the minimal receiver's rows")
}
