//! A contact's requests about their data. Export: one ZIP with everything held about them, in
//! the documented shape, with their files. Erasure: afterwards no table and no file holds their
//! number, name or words; a tombstone stays; a later message starts a new contact. Only admins
//! do either, and erasure needs the name or number typed out — on SQLite and PostgreSQL.

use crate::common;

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

/// Their picture, kept on disk; returns its bytes.
async fn picture_on(app: &TestApp, conversation: i64) -> Vec<u8> {
    let picture = format!("{WORDS} picture bytes").into_bytes();
    app.stored_picture(conversation, &picture, 0).await;
    picture
}

/// Their conversation and someone else's, on the WhatsApp number; the admin's view of whose
/// contact is whose.
struct TwoContacts {
    /// When their first message was sent (epoch seconds).
    sent: i64,
    conversation: i64,
    contact: i64,
    other_conversation: i64,
}

/// They write "my … story"; another person writes "another story".
async fn they_and_another_write(app: &TestApp, admin: &str) -> TwoContacts {
    app.whatsapp_channel().await;
    let sent = common::now_secs();
    app.whatsapp_text_from(
        NUMBER,
        NAME,
        "wamid.theirs.1",
        sent,
        &format!("my {WORDS} story"),
    )
    .await;
    app.whatsapp_text_from(
        "+447700900999",
        "Other Person",
        "wamid.other.1",
        sent,
        "another story",
    )
    .await;
    let conversation = app.conversation_with(NUMBER).await;
    let contact = app.conversation_detail(admin, conversation).await["summary"]["contact_id"]
        .as_i64()
        .unwrap();
    TwoContacts {
        sent,
        conversation,
        contact,
        other_conversation: app.conversation_with("+447700900999").await,
    }
}

async fn an_export_holds_everything_about_the_contact_and_nothing_else(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    let TwoContacts {
        conversation,
        contact,
        ..
    } = they_and_another_write(&app, &admin).await;
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            &format!("/contacts/{contact}/notes"),
            Some(json!({ "body": "Prefers mornings" })),
        )
        .await;
    assert_eq!(status, 201);
    let picture = picture_on(&app, conversation).await;
    sqlx::query(
        "INSERT INTO consent_events (contact_id, channel_id, kind, source, created_at) \
         SELECT contact_id, channel_id, 'opt_out', 'keyword', 0 FROM conversations WHERE id = $1",
    )
    .bind(conversation)
    .execute(&app.sql().await)
    .await
    .unwrap();
    let attachment =
        app.conversation_detail(&admin, conversation).await["messages"][0]["attachments"][0]["id"]
            .as_i64()
            .unwrap();

    let (status, body) = app
        .api(
            &volunteer,
            Method::GET,
            &format!("/contacts/{contact}/export"),
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));

    let response = app
        .get_as(&admin, &format!("/api/v1/contacts/{contact}/export"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"contact-{contact}.zip\"").as_str()
    );
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_string).collect();
    names.sort();
    let file_path = format!("attachments/{attachment}-photo_1.jpg");
    assert_eq!(names, [file_path.clone(), "contact.json".to_string()]);
    let mut read = |name: &str| {
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut content).unwrap();
        content
    };
    assert_eq!(read(&file_path), picture);
    let json_text = read("contact.json");
    assert!(!String::from_utf8_lossy(&json_text).contains("another story"));
    let document: Value = serde_json::from_slice(&json_text).unwrap();
    assert_eq!(document["format"], "switchboard.contact-export/1");
    assert_eq!(document["contact"]["id"], contact);
    assert_eq!(document["contact"]["name"], NAME);
    assert_eq!(document["contact"]["addresses"][0]["address"], NUMBER);
    assert_eq!(document["contact"]["notes"][0]["body"], "Prefers mornings");
    let consent: Vec<&str> = document["consent_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(consent, ["opt_out"]);
    assert_eq!(document["consent_events"][0]["source"], "keyword");
    assert_eq!(document["consent_events"][0]["at"], "1970-01-01T00:00:00Z");
    let conversations = document["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1, "only their own conversation");
    let bodies: Vec<&str> = conversations[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["direction"] == "inbound")
        .map(|message| message["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, [format!("my {WORDS} story").as_str()]);
    assert_eq!(
        document["files"],
        json!([{ "attachment_id": attachment, "path": file_path, "mime_type": "image/jpeg" }])
    );
    assert_eq!(
        app.audited("contact.exported", &format!("contact:{contact}"))
            .await,
        [Some(admin_id)]
    );
}

async fn an_erased_contact_leaves_nothing_behind_but_a_tombstone(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    let TwoContacts {
        sent,
        conversation,
        contact,
        other_conversation: kept,
    } = they_and_another_write(&app, &admin).await;
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
    // A translation of their words, kept for the next reader.
    sqlx::query(
        "INSERT INTO message_translations (message_id, target_language, source_language, body, created_at) \
         SELECT MIN(id), 'fr', 'en', $1, 0 FROM messages WHERE conversation_id = $2",
    )
    .bind(format!("mon histoire {WORDS}"))
    .bind(conversation)
    .execute(&app.sql().await)
    .await
    .expect("a translation is kept");
    // A picture they sent, kept on disk.
    picture_on(&app, conversation).await;
    let media_dir = app.db.scratch.path().join("media");
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
    an_export_holds_everything_about_the_contact_and_nothing_else,
    an_erased_contact_leaves_nothing_behind_but_a_tombstone,
    only_admins_erase,
);
