//! Backups taken while the server takes webhooks, and restoring them into an empty place.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Db, TestApp, TestDb, now_secs, spawn_app, spawn_app_on};
use server::backup::{self, BackupError, Copied};
use server::secrets::KeySource;
use server::store::Store;
use tokio::sync::Mutex;

const PICTURE: &[u8] = b"\xff\xd8\xff\xe0 a picture kept on disk";

fn key_source(test_db: &TestDb) -> KeySource {
    KeySource::File(test_db.key_file().into())
}

fn media_dir(test_db: &TestDb) -> std::path::PathBuf {
    test_db.scratch.path().join("media")
}

/// An empty data directory laid out as the test instances expect theirs.
fn empty_place() -> TestDb {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}/switchboard.db", scratch.path().display());
    TestDb { url, scratch }
}

/// A conversation with a picture on disk, on a channel whose secret is sealed in the key file.
async fn an_installation_with_a_picture(db: Db) -> TestApp {
    let app = spawn_app(db).await;
    app.whatsapp_channel().await;
    app.whatsapp_text_from("+15551230000", "Rosa", "wamid.first", now_secs(), "Hello")
        .await;
    let conversation = app.conversation_with("+15551230000").await;
    app.stored_picture(conversation, PICTURE, server::store::now_ms())
        .await;
    app
}

async fn message_ids(url: &str) -> BTreeSet<String> {
    let store = Store::connect(url)
        .await
        .expect("the restored database opens");
    store.migrate().await.expect("and is brought up to date");
    store.close().await;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("a connection of the test's own");
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT provider_message_id FROM messages WHERE provider_message_id IS NOT NULL",
    )
    .fetch_all(&pool)
    .await
    .expect("messages");
    ids.into_iter().collect()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_message() {
    let app = Arc::new(an_installation_with_a_picture(Db::Sqlite).await);
    let acknowledged = Arc::new(Mutex::new(vec!["wamid.first".to_string()]));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (app, acknowledged, stop) = (app.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut sent = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("wamid.load.{writer}.{sent}");
                let from = format!("+1555400{writer}{:03}", sent % 1000);
                app.whatsapp_text_from(&from, "Load", &id, now_secs(), "Under load")
                    .await;
                acknowledged.lock().await.push(id);
                sent += 1;
            }
        }));
    }
    while acknowledged.lock().await.len() < 40 {
        tokio::task::yield_now().await;
    }

    let archive = app.db.scratch.path().join("backup.zip");
    let taken_after: Vec<String> = acknowledged.lock().await.clone();
    let copied = backup::create(
        &app.services.store().clone(),
        Some(&media_dir(&app.db)),
        &key_source(&app.db),
        &archive,
    )
    .await
    .expect("the backup is written while webhooks arrive");
    let acknowledged_during = acknowledged.lock().await.len() - taken_after.len();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("the writer ends");
    }
    assert_eq!(
        copied,
        Copied {
            database: true,
            media_files: 1,
            secret_key: true,
        }
    );
    assert!(
        acknowledged_during > 0,
        "webhooks were still being taken while the backup ran"
    );

    let place = empty_place();
    let restored = backup::restore(
        &place.url,
        &media_dir(&place),
        &key_source(&place),
        &archive,
    )
    .await
    .expect("the backup restores into an empty place");
    assert_eq!(restored, copied);
    let ids = message_ids(&place.url).await;
    let missing: Vec<&String> = taken_after.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not restored: {missing:?}"
    );

    let picture = std::fs::read_dir(media_dir(&place))
        .unwrap()
        .flat_map(|prefix| std::fs::read_dir(prefix.unwrap().path()).unwrap())
        .map(|file| std::fs::read(file.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(picture, vec![PICTURE.to_vec()]);
    assert_eq!(
        std::fs::read(place.key_file()).unwrap(),
        std::fs::read(app.db.key_file()).unwrap()
    );

    // The restored installation starts, opens its channel's sealed secret, and takes webhooks.
    let restored_app = spawn_app_on(place, |_| None).await;
    restored_app
        .whatsapp_text_from("+15551230000", "Rosa", "wamid.after", now_secs(), "Again")
        .await;
    let conversation = restored_app.conversation_with("+15551230000").await;
    let (token, _) = restored_app
        .token("admin@example.org", app::model::Role::Admin)
        .await;
    let detail = restored_app.conversation_detail(&token, conversation).await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Hello", "Again"]);
}

#[tokio::test]
async fn restoring_refuses_a_place_in_use_and_what_is_not_a_backup() {
    let app = an_installation_with_a_picture(Db::Sqlite).await;
    let archive = app.db.scratch.path().join("backup.zip");
    backup::create(
        app.services.store(),
        Some(&media_dir(&app.db)),
        &key_source(&app.db),
        &archive,
    )
    .await
    .unwrap();
    let again = backup::create(
        app.services.store(),
        Some(&media_dir(&app.db)),
        &key_source(&app.db),
        &archive,
    )
    .await;
    assert!(
        matches!(again, Err(BackupError::NotEmpty(ref path)) if path == &archive),
        "an existing archive is not replaced: {again:?}"
    );

    let in_use = backup::restore(
        &app.db.url,
        &media_dir(&app.db),
        &key_source(&app.db),
        &archive,
    )
    .await;
    assert!(
        matches!(in_use, Err(BackupError::NotEmpty(_))),
        "{in_use:?}"
    );

    let place = empty_place();
    let not_zip = place.scratch.path().join("notes.txt");
    std::fs::write(&not_zip, "shopping list").unwrap();
    let refused = backup::restore(
        &place.url,
        &media_dir(&place),
        &key_source(&place),
        &not_zip,
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "{} is not a Switchboard backup: not a ZIP",
            not_zip.display()
        )
    );
    assert!(!Path::new(&place.scratch.path().join("switchboard.db")).exists());

    let to_postgres = backup::restore(
        "postgres://127.0.0.1/x",
        &media_dir(&place),
        &key_source(&place),
        &archive,
    )
    .await;
    assert!(
        matches!(to_postgres, Err(BackupError::NotSqlite)),
        "{to_postgres:?}"
    );
}

#[tokio::test]
async fn on_postgresql_the_archive_holds_the_media_and_the_key() {
    let app = an_installation_with_a_picture(Db::Postgres).await;
    let archive = app.db.scratch.path().join("backup.zip");
    let copied = backup::create(
        app.services.store(),
        Some(&media_dir(&app.db)),
        &key_source(&app.db),
        &archive,
    )
    .await
    .unwrap();
    assert_eq!(
        copied,
        Copied {
            database: false,
            media_files: 1,
            secret_key: true,
        }
    );
    let place = tempfile::tempdir().unwrap();
    let key = KeySource::File(place.path().join("secret.key"));
    let restored = backup::restore(&app.db.url, &place.path().join("media"), &key, &archive)
        .await
        .unwrap();
    assert_eq!(restored, copied);
}
