//! Erasing a contact on request: afterwards no table and no file holds their number, name or
//! words; a tombstone stays; a later message starts a new contact; only admins erase, with the
//! name or number typed out — on SQLite and PostgreSQL.

#[macro_use]
mod common;

use app::model::Role;
use common::{Db, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const NUMBER: &str = "+447700900123";
const NAME: &str = "Zanele Mokoena";
const WORDS: &str = "quokka-lantern";

/// Every text column of every table of the database (full-text index shadow tables aside:
/// search is checked through the API).
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    let sql = if app.db.url.starts_with("sqlite") {
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%_fts%' \
         AND (p.type LIKE '%TEXT%' OR p.type = '')"
    } else {
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
    };
    sqlx::query_as(sql)
        .fetch_all(&app.sql().await)
        .await
        .unwrap()
}

/// Where `needle` is still found: `table.column` for each column holding it.
async fn holding(app: &TestApp, needle: &str) -> Vec<String> {
    let pool = app.sql().await;
    let mut found = Vec::new();
    for (table, column) in text_columns(app).await {
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE $1"
        ))
        .bind(format!("%{needle}%"))
        .fetch_one(&pool)
        .await
        .unwrap();
        if count > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

async fn an_erased_contact_leaves_nothing_behind_but_a_tombstone(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    app.whatsapp_channel().await;
    let sent = common::now_secs();
    app.whatsapp_text_from(
        NUMBER,
        NAME,
        "wamid.erase.1",
        sent,
        &format!("my {WORDS} story"),
    )
    .await;
    app.whatsapp_text_from(
        "+447700900999",
        "Other Person",
        "wamid.keep.1",
        sent,
        "another story",
    )
    .await;
    let conversation = app.conversation_with(NUMBER).await;
    let kept = app.conversation_with("+447700900999").await;
    let detail = app.conversation_detail(&admin, conversation).await;
    let contact = detail["summary"]["contact_id"].as_i64().unwrap();
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            &format!("/conversations/{conversation}/notes"),
            Some(json!({ "body": format!("{WORDS} note") })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/notes"),
            Some(json!({ "body": format!("{NAME} {WORDS} contact note") })),
        )
        .await;
    assert_eq!(status, 201);
    // A picture they sent, kept on disk.
    let picture = format!("{WORDS} picture bytes");
    let sha256 = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(picture.as_bytes()))
    };
    let media_dir = app.db.scratch.path().join("media");
    let file = media_dir.join(&sha256[..2]).join(&sha256);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &picture).unwrap();
    sqlx::query(
        "INSERT INTO attachments (message_id, kind, mime_type, sha256, source, fetch_state, created_at) \
         SELECT MIN(id), 'image', 'image/jpeg', $1, 'media-id', 'stored', 0 FROM messages WHERE conversation_id = $2",
    )
    .bind(&sha256)
    .bind(conversation)
    .execute(&app.sql().await)
    .await
    .unwrap();
    assert!(
        !holding(&app, WORDS).await.is_empty(),
        "the check finds what is there"
    );
    assert!(!holding(&app, &NUMBER[1..]).await.is_empty());

    let (status, refused) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/erase"),
            Some(json!({ "confirm": "Zanele" })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["message"],
        "Type the contact's name or number exactly as shown to confirm the erasure."
    );

    let (status, report) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/erase"),
            Some(json!({ "confirm": "+44 7700 900123" })),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report,
        json!({
            "conversations": 1,
            "messages": 1,
            "notes": 2,
            "media_files": 1,
            "identities": 1,
            "raw_deliveries": 1,
        })
    );

    for needle in [&NUMBER[1..], NAME, WORDS] {
        assert_eq!(
            holding(&app, needle).await,
            Vec::<String>::new(),
            "{needle} is gone from every table"
        );
    }
    assert!(
        files_under(&media_dir)
            .iter()
            .all(|path| !std::fs::read(path)
                .unwrap()
                .windows(WORDS.len())
                .any(|w| w == WORDS.as_bytes())),
        "no file on disk holds their picture"
    );
    let (status, hits) = app
        .api(&admin, Method::GET, &format!("/search?q={WORDS}"), None)
        .await;
    assert_eq!((status, hits), (200, json!([])));
    let (status, _) = app
        .api(&admin, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, 404, "an erased contact is not found");
    let (status, again) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/erase"),
            Some(json!({ "confirm": NUMBER })),
        )
        .await;
    assert_eq!(status, 404, "{again}");
    let tombstone: (String, Option<i64>) =
        sqlx::query_as("SELECT name, erased_at FROM contacts WHERE id = $1")
            .bind(contact)
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(tombstone.0, "");
    assert!(tombstone.1.is_some(), "the tombstone says when");
    assert_eq!(
        app.audited("contact.erased", &format!("contact:{contact}"))
            .await,
        [Some(admin_id)]
    );

    // Someone else's conversation is untouched; the same number writing again is a new contact.
    assert_eq!(
        app.conversation_detail(&admin, kept).await["messages"][0]["body"],
        "another story"
    );
    app.whatsapp_text_from(NUMBER, NAME, "wamid.erase.2", sent + 60, "hello again")
        .await;
    let fresh = app.conversation_with(NUMBER).await;
    let fresh_contact = app.conversation_detail(&admin, fresh).await["summary"]["contact_id"]
        .as_i64()
        .unwrap();
    assert_ne!(fresh_contact, contact);
    let thread = app.conversation_detail(&admin, fresh).await;
    let bodies: Vec<&Value> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["body"])
        .collect();
    assert_eq!(
        bodies,
        [&json!("hello again")],
        "nothing of the erased past comes back"
    );
}

async fn only_admins_erase(db: Db) {
    let app = spawn_app(db).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    app.whatsapp_channel().await;
    app.whatsapp_text_from(NUMBER, NAME, "wamid.erase.3", common::now_secs(), "hello")
        .await;
    let conversation = app.conversation_with(NUMBER).await;
    let contact =
        app.conversation_detail(&coordinator, conversation).await["summary"]["contact_id"]
            .as_i64()
            .unwrap();
    for token in [&coordinator, &volunteer] {
        let (status, body) = app
            .api(
                token,
                Method::POST,
                &format!("/contacts/{contact}/erase"),
                Some(json!({ "confirm": NAME })),
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    }
    assert_eq!(
        app.conversation_detail(&coordinator, conversation).await["messages"][0]["body"],
        "hello",
        "nothing was erased"
    );
}

on_both_databases!(
    an_erased_contact_leaves_nothing_behind_but_a_tombstone,
    only_admins_erase,
);
