//! Upgrades keep data: today's schema starts on databases an earlier release wrote, and what
//! that release stored is still served. One fixture per released schema, made by that release's
//! own binary with `server/tests/fixtures/upgrade/make.sh`.

use crate::common;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use common::{Db, TestApp, database, spawn_app_on};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Schema 0010, written by the release at commit 18e2f95.
const SQLITE_0010: &[u8] = include_bytes!("../fixtures/upgrade/0010.sqlite");
const POSTGRES_0010: &str = include_str!("../fixtures/upgrade/0010.postgres.sql");

/// A WhatsApp Cloud API that records the Authorization header of each send.
async fn recording_provider() -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = Router::new().route(
        "/v23.0/{phone_number_id}/messages",
        post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                record.lock().unwrap().push((auth, body.0));
                axum::Json(json!({
                    "messaging_product": "whatsapp",
                    "contacts": [{ "input": "15550009999", "wa_id": "15550009999" }],
                    "messages": [{ "id": "wamid.upgraded" }]
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// Writes the fixture into a fresh test database, returns the WhatsApp channel's access token
/// as that release stored it, and points the channel at `provider`.
async fn load_fixture(db: Db, test_db: &common::TestDb, provider: &str) -> String {
    sqlx::any::install_default_drivers();
    if let Db::Sqlite = db {
        let path = test_db.url.trim_start_matches("sqlite://");
        std::fs::write(path, SQLITE_0010).unwrap();
    }
    let pool = sqlx::AnyPool::connect(&test_db.url).await.unwrap();
    if let Db::Postgres = db {
        sqlx::raw_sql(POSTGRES_0010).execute(&pool).await.unwrap();
    }
    let secrets: String =
        sqlx::query_scalar("SELECT secrets FROM channels WHERE kind = 'whatsapp'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let secrets: Value = serde_json::from_str(&secrets).unwrap();
    sqlx::query("UPDATE channels SET api_base_url = $1 WHERE kind = 'whatsapp'")
        .bind(format!("{provider}/v23.0"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    secrets["access_token"]
        .as_str()
        .expect("the release kept the WhatsApp token")
        .to_string()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn an_upgraded_database_serves_what_the_release_stored(db: Db) {
    let (provider, sent) = recording_provider().await;
    let test_db = database(db).await;
    let channel_token = load_fixture(db, &test_db, &provider).await;
    let app = spawn_app_on(test_db, |_| None).await;

    // The release's people sign in with the password it gave them.
    let admin = app.browser();
    let signed_in = app
        .sign_in(&admin, "admin@example.org", "switchboard-demo-2026")
        .await;
    assert_eq!(common::location(&signed_in), "/");
    let admin_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@example.org'")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    let actor = app.services.actor_by_id(admin_id).await.unwrap().unwrap();
    let token = app.services.create_token(&actor, "upgrade").await;
    let token = match token {
        Ok(created) => created.secret,
        Err(error) => panic!("a token for the upgraded admin: {error:?}"),
    };

    let channels = get(&app, &token, "/api/v1/channels").await;
    let kinds: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|channel| channel["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 3, "{channels}");
    let tags = get(&app, &token, "/api/v1/tags").await;
    let first_tag = tags[0]["name"].as_str().unwrap().to_string();
    let templates = get(&app, &token, "/api/v1/templates").await;
    assert!(!templates.as_array().unwrap().is_empty(), "{templates}");

    let list = get(&app, &token, "/api/v1/conversations?view=all").await;
    let conversation = &list["conversations"][0];
    assert_eq!(conversation["contact_name"], "Upgrade Fixture");
    let id = conversation["id"].as_i64().unwrap();
    let detail = get(&app, &token, &format!("/api/v1/conversations/{id}")).await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Is the food bank open on Sunday?", "Yes, from 10 until 2."]
    );
    assert_eq!(detail["notes"][0]["body"], "Called back, needs a parcel");
    assert_eq!(detail["summary"]["tags"][0]["name"], first_tag);
    let hits = get(&app, &token, "/api/v1/search?q=food%20bank").await;
    assert_eq!(
        hits[0]["conversation_id"], id,
        "the search index came along"
    );
    let hits = get(&app, &token, "/api/v1/search?q=0009999").await;
    assert_eq!(
        hits[0]["conversation_id"], id,
        "the stored numbers can be searched by their digits"
    );

    // The reply the release queued goes out now, with the channel secret it stored.
    assert!(app.services.deliver_next("upgrade").await.unwrap());
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, format!("Bearer {channel_token}"));
    assert_eq!(sent[0].1["text"]["body"], "Yes, from 10 until 2.");
}

on_both_databases!(an_upgraded_database_serves_what_the_release_stored);
