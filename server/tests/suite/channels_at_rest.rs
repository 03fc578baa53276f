//! Secrets at rest: channel credentials are stored sealed (a database copied without the key
//! reveals none), still used to send, refused clearly under a wrong key, re-sealed by
//! `switchboard secrets rotate`; session ids are stored hashed.

use crate::common;

use std::process::{Command, Output};

use app::model::{ChannelInput, ChannelKind, Role};
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app};
use serde_json::json;
use server::config::Secret;
use server::secrets::{KeySource, Keyring, SealError, Sealer, SecretKey, is_sealed};
use server::services::Services;
use server::services::secrets_at_rest::AtRestError;
use server::store::Store;
use sha2::{Digest, Sha256};
use sqlx::Row;

const ACCESS_TOKEN: &str = "EAAG-at-rest-4b1d9c";
const APP_SECRET: &str = "app-secret-at-rest-77e0";

/// Creates a WhatsApp channel through the API as an admin would; returns its id.
/// Connects a WhatsApp channel through the API, with credentials the strict fake expects.
async fn create_channel(app: &TestApp, fake: &FakeProvider) -> i64 {
    let registered = fake.channel(ChannelInput {
        kind: Some(ChannelKind::WhatsApp),
        phone_number_id: Some("1000".into()),
        waba_id: Some("2000".into()),
        access_token: Some(ACCESS_TOKEN.into()),
        ..ChannelInput::default()
    });
    let api_base_url = registered.api_base_url.expect("the fake's address");
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let created = reqwest::Client::new()
        .post(app.url("/api/v1/channels"))
        .bearer_auth(&admin)
        .json(&json!({
            "kind": "whatsapp", "name": "Helpline", "phone_number_id": "1000",
            "waba_id": "2000", "access_token": ACCESS_TOKEN, "app_secret": APP_SECRET,
            "verify_token": "verify-123", "api_base_url": api_base_url,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Every text of every column of every table, searched for `needle`: what a copy of the
/// database would reveal. Returns the `table.column`s it is found in.
async fn columns_containing(app: &TestApp, needle: &str) -> Vec<String> {
    let pool = app.sql().await;
    let postgres = app.db.url.starts_with("postgres");
    let columns: Vec<(String, String)> = if postgres {
        sqlx::query(
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, column_name",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
    } else {
        sqlx::query(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' ORDER BY m.name, p.name",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
    };
    assert!(columns.len() > 20, "the schema was read: {columns:?}");
    let mut found = Vec::new();
    for (table, column) in columns {
        let count: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1"
        ))
        .bind(format!("%{needle}%"))
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
        if count > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

/// The raw bytes of a SQLite database (and its write-ahead log), as a copied file would be.
fn sqlite_files_contain(app: &TestApp, needle: &str) -> bool {
    ["switchboard.db", "switchboard.db-wal"].iter().any(|name| {
        std::fs::read(app.db.scratch.path().join(name)).is_ok_and(|bytes| {
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
    })
}

async fn stored_secrets(app: &TestApp, id: i64) -> String {
    sqlx::query("SELECT secrets FROM channels WHERE id = $1")
        .bind(id)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
        .get(0)
}

/// Services on the test's database sealing with `source`, as another instance would.
async fn services_with(app: &TestApp, source: KeySource) -> Services {
    let store = Store::connect(&app.db.url).await.unwrap();
    let settings = server::services::ServiceSettings {
        sealer: Sealer::new(source),
        ..app.settings()
    };
    Services::new(store, settings)
}

fn key_file(app: &TestApp) -> std::path::PathBuf {
    std::path::PathBuf::from(app.db.key_file())
}

async fn credentials_are_stored_sealed_and_still_send(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let id = create_channel(&app, &fake).await;

    for secret in [ACCESS_TOKEN, APP_SECRET] {
        assert_eq!(
            columns_containing(&app, secret).await,
            Vec::<String>::new(),
            "no column holds {secret}"
        );
        if matches!(db, Db::Sqlite) {
            assert!(!sqlite_files_contain(&app, secret), "nor the files");
        }
    }
    let stored = stored_secrets(&app, id).await;
    assert!(stored.starts_with("sealed:v1:"), "{stored}");

    // Inbound is verified with the sealed app secret, outbound sent with the sealed token.
    let conversation = app
        .whatsapp_text_arrives(
            APP_SECRET,
            "2000",
            "1000",
            "+15551234567",
            "wamid.in1",
            now_secs() - 60,
            "Hello",
        )
        .await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let replied = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(&volunteer)
        .json(&json!({ "body": "We can help" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 202);
    assert!(app.services.deliver_next("worker-1").await.unwrap());
    let received = fake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
}

async fn a_wrong_key_does_not_open_them_and_says_so(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let id = create_channel(&app, &fake).await;
    let wrong = SecretKey::generate().to_base64();
    let services = services_with(&app, KeySource::Environment(Secret::new(wrong.as_str()))).await;

    let error = services.seal_stored_secrets().await.unwrap_err();
    assert!(
        matches!(
            error,
            AtRestError::Seal {
                source: SealError::UnknownKey { .. },
                ..
            }
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("SWITCHBOARD_SECRET_KEY"),
        "{error}"
    );
    assert!(
        services.connected_channel(id).await.is_err(),
        "an error, not a panic"
    );

    // An instance started with the wrong key refuses to start, naming the problem.
    let config = common::config(&app.db, |name| {
        (name == "SWITCHBOARD_SECRET_KEY").then(|| wrong.to_string())
    });
    let refused = server::startup::Application::build(config).await;
    let message = refused.err().expect("the start is refused").to_string();
    assert!(message.contains("sealed under secret key"), "{message}");
}

async fn plain_text_credentials_from_before_are_sealed_at_start(db: Db) {
    let app = spawn_app(db).await;
    // A channel as an older version stored it.
    let row = app
        .services
        .store()
        .insert_channel(server::store::ChannelWrite {
            kind: "whatsapp",
            name: "Old",
            route_key: "1000",
            api_base_url: "https://graph.facebook.com/v23.0",
            settings: r#"{"phone_number_id":"1000","waba_id":"2000","verify_token":"v"}"#,
            secrets: &json!({ "access_token": ACCESS_TOKEN, "app_secret": APP_SECRET }).to_string(),
            send_rate_per_second: 80,
        })
        .await
        .unwrap();
    assert!(!is_sealed(&stored_secrets(&app, row.id).await));
    assert_eq!(
        columns_containing(&app, ACCESS_TOKEN).await,
        ["channels.secrets"],
        "the scan finds plain text where it is"
    );

    app.another_instance().await;
    let sealed = stored_secrets(&app, row.id).await;
    assert!(is_sealed(&sealed), "sealed at start");
    assert_eq!(
        columns_containing(&app, ACCESS_TOKEN).await,
        Vec::<String>::new()
    );
    let channel = app.services.connected_channel(row.id).await.unwrap();
    assert_eq!(
        channel.config.secrets.access_token.as_deref(),
        Some(ACCESS_TOKEN)
    );

    app.another_instance().await;
    assert_eq!(stored_secrets(&app, row.id).await, sealed, "idempotent");
}

fn switchboard(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("SWITCHBOARD_LOG", "warn")
        .env("SWITCHBOARD_SECRET_KEY_FILE", app.db.key_file())
        .env_remove("SWITCHBOARD_SECRET_KEY");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the switchboard binary runs")
}

async fn rotation_reseals_under_a_new_key(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let id = create_channel(&app, &fake).await;
    let before = stored_secrets(&app, id).await;
    let old_key = std::fs::read_to_string(key_file(&app)).unwrap();

    let rotated = switchboard(&app, &["secrets", "rotate"], &[]);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let output = String::from_utf8_lossy(&rotated.stdout).to_string();
    let new_key = std::fs::read_to_string(key_file(&app)).unwrap();
    assert_ne!(new_key, old_key);
    assert!(
        !output.contains(new_key.trim()),
        "a key file's key is not printed"
    );
    assert!(!std::path::Path::new(&format!("{}.new", app.db.key_file())).exists());
    let after = stored_secrets(&app, id).await;
    assert_ne!(after, before);
    assert!(is_sealed(&after));
    assert_eq!(
        columns_containing(&app, ACCESS_TOKEN).await,
        Vec::<String>::new()
    );

    let place = server::services::channels::secrets_place(id);
    let old = Keyring::new(SecretKey::parse(&old_key, "old").unwrap());
    assert!(matches!(
        old.open(&place, &after),
        Err(SealError::UnknownKey { .. })
    ));
    // A fresh instance reads the new key file and opens them.
    let services = services_with(&app, KeySource::File(key_file(&app))).await;
    let channel = services.connected_channel(id).await.unwrap();
    assert_eq!(
        channel.config.secrets.access_token.as_deref(),
        Some(ACCESS_TOKEN)
    );

    // With the key in the environment, the new one is printed to be set there.
    let rotated = switchboard(
        &app,
        &["secrets", "rotate"],
        &[("SWITCHBOARD_SECRET_KEY", new_key.trim())],
    );
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let output = String::from_utf8_lossy(&rotated.stdout).to_string();
    let printed = output
        .lines()
        .find_map(|line| SecretKey::parse(line, "printed").ok())
        .expect("the new key is printed");
    assert_eq!(
        std::fs::read_to_string(key_file(&app)).unwrap(),
        new_key,
        "the key file is left alone"
    );
    let services = services_with(
        &app,
        KeySource::Environment(Secret::new(printed.to_base64().as_str())),
    )
    .await;
    assert_eq!(
        services
            .connected_channel(id)
            .await
            .unwrap()
            .config
            .secrets
            .access_token
            .as_deref(),
        Some(ACCESS_TOKEN)
    );
    let previous = services_with(&app, KeySource::File(key_file(&app))).await;
    assert!(previous.connected_channel(id).await.is_err());
}

async fn sessions_are_stored_under_a_hash_of_their_id(db: Db) {
    let app = spawn_app(db).await;
    app.add("ada@example.org", Role::Admin).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = app
        .sign_in(&client, "ada@example.org", common::PASSWORD)
        .await;
    assert_eq!(common::location(&response), "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    let session_id = pair.split_once('=').unwrap().1.to_string();
    assert!(!session_id.is_empty());

    let stored: Vec<String> = sqlx::query("SELECT id FROM sessions")
        .fetch_all(&app.sql().await)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(stored, [hex::encode(Sha256::digest(session_id.as_bytes()))]);
    assert_eq!(
        columns_containing(&app, &session_id).await,
        Vec::<String>::new()
    );

    // The cookie still signs in.
    let page = client
        .get(app.url("/api/v1/me"))
        .header("Cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

on_both_databases!(
    credentials_are_stored_sealed_and_still_send,
    a_wrong_key_does_not_open_them_and_says_so,
    plain_text_credentials_from_before_are_sealed_at_start,
    rotation_reseals_under_a_new_key,
    sessions_are_stored_under_a_hash_of_their_id,
);
