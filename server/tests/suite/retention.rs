//! Retention: what expires is deleted (rows, search entries, raw deliveries and files on disk),
//! what is fresh is kept, the preview tells the run's counts beforehand, every run is audited,
//! only admins set the periods, and of two instances one runs it — on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use common::{Db, TestApp, spawn_app, whatsapp};
use serde_json::{Value, json};

const APP_SECRET: &str = "retention-secret";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn now_ms() -> i64 {
    server::store::now_ms()
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&app.sql().await)
        .await
        .unwrap()
}

fn counts(
    conversations: i64,
    messages: i64,
    notes: i64,
    media_files: i64,
    contacts: i64,
    raw_deliveries: i64,
    audit_entries: i64,
) -> Value {
    json!({
        "conversations": conversations,
        "messages": messages,
        "notes": notes,
        "media_files": media_files,
        "contacts": contacts,
        "raw_deliveries": raw_deliveries,
        "audit_entries": audit_entries,
    })
}

async fn expired_data_is_deleted_everywhere_and_fresh_data_kept(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    app.connect(whatsapp("1001", "2001", APP_SECRET)).await;
    let sent = now_ms() / 1000;
    let old = app
        .whatsapp_text_arrives(
            APP_SECRET,
            "2001",
            "1001",
            "+447700900111",
            "wamid.old",
            sent,
            "my old secret address",
        )
        .await;
    let fresh = app
        .whatsapp_text_arrives(
            APP_SECRET,
            "2001",
            "1001",
            "+447700900222",
            "wamid.fresh",
            sent,
            "a fresh question",
        )
        .await;
    let (status, _) = app
        .api(
            &admin,
            reqwest::Method::POST,
            &format!("/conversations/{old}/notes"),
            Some(json!({ "body": "old note about them" })),
        )
        .await;
    assert_eq!(status, 201);

    // Two years and more ago: the old conversation was resolved, its contact last changed, its
    // raw delivery arrived, and an audit entry was written. A picture in the fresh
    // conversation is older than the media period; the old conversation's picture is the same
    // file as a recent one in the fresh conversation, so that file must stay.
    let long_ago = now_ms() - 800 * DAY_MS;
    let pool = app.sql().await;
    sqlx::query("UPDATE conversations SET status = 'resolved', updated_at = $1, last_message_at = $1 WHERE id = $2")
        .bind(long_ago)
        .bind(old)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE contacts SET updated_at = $1 WHERE id = (SELECT contact_id FROM conversations WHERE id = $2)")
        .bind(long_ago)
        .bind(old)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_events SET received_at = $1 WHERE body LIKE '%wamid.old%'")
        .bind(long_ago)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO audit_log (actor_id, action, subject, detail, created_at) VALUES (NULL, 'old_step', 'contact:1', '{}', $1)")
        .bind(long_ago)
        .execute(&pool)
        .await
        .unwrap();
    let shared_file = app.stored_picture(old, b"the same picture", long_ago).await;
    app.stored_picture(fresh, b"the same picture", now_ms())
        .await;
    let old_file_of_fresh = app.stored_picture(fresh, b"an old picture", long_ago).await;
    let old_only_file = app
        .stored_picture(old, b"a picture only the old one had", now_ms())
        .await;

    let expected = counts(1, 1, 1, 3, 1, 1, 1);
    let (status, preview) = app
        .api(
            &admin,
            reqwest::Method::GET,
            "/settings/retention/preview",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        preview, expected,
        "the preview tells what the run will delete"
    );

    let ran = app.services.run_retention().await.unwrap();
    assert_eq!(serde_json::to_value(&ran).unwrap(), expected);

    // Gone: the conversation, its message and note, its contact and number, the raw delivery,
    // the search entry, the old audit entry, and the files nothing else holds.
    for (sql, bind) in [
        (
            "SELECT COUNT(*) FROM messages WHERE body LIKE $1",
            "%old secret%".to_string(),
        ),
        (
            "SELECT COUNT(*) FROM notes WHERE body LIKE $1",
            "%old note%".to_string(),
        ),
        (
            "SELECT COUNT(*) FROM contact_identities WHERE address = $1",
            "+447700900111".to_string(),
        ),
        (
            "SELECT COUNT(*) FROM webhook_events WHERE body LIKE $1",
            "%old secret%".to_string(),
        ),
        (
            "SELECT COUNT(*) FROM audit_log WHERE action = $1",
            "old_step".to_string(),
        ),
    ] {
        assert_eq!(scalar(&app, sql, &bind).await, 0, "{sql} {bind}");
    }
    let (status, _) = app
        .api(
            &admin,
            reqwest::Method::GET,
            &format!("/conversations/{old}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "the conversation is gone");
    let (status, hits) = app
        .api(&admin, reqwest::Method::GET, "/search?q=secret", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(hits, json!([]), "nothing expired is found by search");
    assert!(
        !old_only_file.exists(),
        "the old conversation's own file is removed"
    );
    assert!(
        !old_file_of_fresh.exists(),
        "a file past the media period is removed"
    );
    assert!(shared_file.exists(), "a file a kept attachment holds stays");

    // Kept: the fresh conversation and its message; its expired picture says why it is gone.
    let (status, detail) = app
        .api(
            &admin,
            reqwest::Method::GET,
            &format!("/conversations/{fresh}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["body"], "a fresh question");
    let attachments = messages[0]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2, "{detail}");
    let states: Vec<(&str, &Value)> = attachments
        .iter()
        .map(|attachment| (attachment["state"].as_str().unwrap(), &attachment["url"]))
        .collect();
    assert_eq!(
        states,
        [
            ("stored", &json!(format!("/media/{}", attachments[0]["id"]))),
            ("expired", &Value::Null)
        ],
        "the picture past the media period says it was removed"
    );

    // Every run is audited with its counts; a second run finds nothing left.
    let runs: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'retention.run' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(serde_json::from_str::<Value>(&runs[0]).unwrap(), expected);
    let again = app.services.run_retention().await.unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        counts(0, 0, 0, 0, 0, 0, 0)
    );
}

async fn only_admins_set_the_periods_within_range(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("ada@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;

    let defaults = json!({
        "resolved_conversations_days": 730,
        "media_days": 365,
        "orphan_contacts_days": 30,
        "raw_deliveries_days": 30,
        "audit_log_days": 730,
    });
    assert_eq!(
        app.api(&admin, reqwest::Method::GET, "/settings/retention", None)
            .await,
        (200, defaults.clone())
    );
    for token in [&coordinator, &volunteer] {
        for (method, path, body) in [
            (reqwest::Method::GET, "/settings/retention", None),
            (reqwest::Method::GET, "/settings/retention/preview", None),
            (
                reqwest::Method::PUT,
                "/settings/retention",
                Some(json!({ "media_days": 1 })),
            ),
        ] {
            let (status, body) = app.api(token, method, path, body).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (403, Some("forbidden")),
                "{path}"
            );
        }
    }

    let (status, refused) = app
        .api(
            &admin,
            reqwest::Method::PUT,
            "/settings/retention",
            Some(json!({ "media_days": 0 })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["message"],
        "Media must be kept between 1 and 36500 days, or left empty to keep it."
    );
    assert_eq!(
        app.api(&admin, reqwest::Method::GET, "/settings/retention", None)
            .await
            .1,
        defaults,
        "a refused change changes nothing"
    );

    let chosen = json!({
        "resolved_conversations_days": 90,
        "media_days": null,
        "orphan_contacts_days": 7,
        "raw_deliveries_days": 3,
        "audit_log_days": 3650,
    });
    assert_eq!(
        app.api(
            &admin,
            reqwest::Method::PUT,
            "/settings/retention",
            Some(chosen.clone())
        )
        .await,
        (200, chosen.clone())
    );
    assert_eq!(
        app.api(&admin, reqwest::Method::GET, "/settings/retention", None)
            .await,
        (200, chosen.clone())
    );
    let changed: Vec<(Option<i64>, String)> = sqlx::query_as(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'settings.retention'",
    )
    .fetch_all(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].0, Some(admin_id));
    assert_eq!(
        serde_json::from_str::<Value>(&changed[0].1).unwrap(),
        chosen
    );
}

async fn of_two_instances_one_runs_retention_per_period(db: Db) {
    let app = spawn_app(db).await;
    let (first, second) = tokio::join!(
        app.services.run_retention_if_due("instance-a"),
        app.app_services.run_retention_if_due("instance-b"),
    );
    let ran = [first.unwrap(), second.unwrap()];
    assert_eq!(ran.iter().filter(|run| run.is_some()).count(), 1, "{ran:?}");
    assert_eq!(
        app.services
            .run_retention_if_due("instance-a")
            .await
            .unwrap(),
        None,
        "not due again within the period"
    );
    let runs: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.run'")
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(runs, 1);
}

on_both_databases!(
    expired_data_is_deleted_everywhere_and_fresh_data_kept,
    only_admins_set_the_periods_within_range,
    of_two_instances_one_runs_retention_per_period,
);
