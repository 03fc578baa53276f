//! Reads in the audit log: a coordinator or admin opening a conversation or a contact is
//! recorded once per person, subject and hour, from the API and the server-rendered thread
//! page alike; volunteers' reads are not; the Audit page's filters find them.

use crate::common;

use app::model::{InboxSettings, Role};
use common::{Db, TestApp, spawn_app};
use serde_json::Value;

/// Dana's WhatsApp conversation, and her contact id.
async fn danas_conversation(app: &TestApp) -> (i64, i64) {
    app.whatsapp_channel().await;
    app.whatsapp_text_from(
        "+15551234567",
        "Dana",
        "wamid.read1",
        common::now_secs(),
        "Hello",
    )
    .await;
    let conversation = app.conversation_with("+15551234567").await;
    let contact: i64 = sqlx::query_scalar("SELECT contact_id FROM conversations WHERE id = $1")
        .bind(conversation)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    (conversation, contact)
}

async fn status_of(app: &TestApp, token: &str, path: &str) -> u16 {
    app.get_as(token, path).await.status().as_u16()
}

/// The audit page the admin's API answers for `query`: (action, subject, actor id) of each
/// entry, newest first.
async fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<(String, String, i64)> {
    let response = app.get_as(admin, &format!("/api/v1/audit{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.unwrap();
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["subject"].as_str().unwrap().to_owned(),
                entry["actor_id"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

/// Moves every entry of `action` an hour into the past, as if it had been made then.
async fn an_hour_passes_for(app: &TestApp, action: &str) {
    sqlx::query(
        "UPDATE audit_log SET hour_bucket = hour_bucket - 1, created_at = created_at - 3600000 \
         WHERE action = $1",
    )
    .bind(action)
    .execute(&app.sql().await)
    .await
    .unwrap();
}

async fn reads_are_recorded_once_an_hour(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (cora, cora_id) = app.token("cora@example.org", Role::Coordinator).await;
    let (conversation, contact) = danas_conversation(&app).await;
    let read = "conversation.read";
    let subject = format!("conversation:{conversation}");

    for _ in 0..2 {
        let path = format!("/api/v1/conversations/{conversation}");
        assert_eq!(status_of(&app, &cora, &path).await, 200);
    }
    assert_eq!(
        app.audited(read, &subject).await,
        [Some(cora_id)],
        "two reads within the hour are one entry"
    );

    an_hour_passes_for(&app, read).await;
    let path = format!("/api/v1/conversations/{conversation}");
    assert_eq!(status_of(&app, &cora, &path).await, 200);
    assert_eq!(
        app.audited(read, &subject).await,
        [Some(cora_id), Some(cora_id)],
        "a read in the next hour is a second entry"
    );

    // Many reads at once, as from several tabs or instances, are still one entry.
    let contact_path = format!("/api/v1/contacts/{contact}");
    let reads = (0..8).map(|_| status_of(&app, &cora, &contact_path));
    assert_eq!(futures::future::join_all(reads).await, [200; 8]);
    let contact_subject = format!("contact:{contact}");
    assert_eq!(
        app.audited("contact.read", &contact_subject).await,
        [Some(cora_id)]
    );

    // The Audit page's filters find them: by contact (subject), by person and action, by day.
    let by_contact = audit(&app, &admin, &format!("?subject=contact:{contact}")).await;
    assert_eq!(
        by_contact,
        [("contact.read".to_owned(), contact_subject.clone(), cora_id)]
    );
    let by_person = audit(
        &app,
        &admin,
        &format!("?actor_id={cora_id}&action=conversation.read"),
    )
    .await;
    assert_eq!(
        by_person,
        [
            (read.to_owned(), subject.clone(), cora_id),
            (read.to_owned(), subject.clone(), cora_id)
        ]
    );
    let today = time::OffsetDateTime::now_utc().date();
    let long_ago = audit(&app, &admin, "?action=conversation.read&to=2001-01-01").await;
    assert!(long_ago.is_empty(), "{long_ago:?}");
    let on_the_day = audit(
        &app,
        &admin,
        &format!("?subject={subject}&from={today}&to={today}"),
    )
    .await;
    assert!(!on_the_day.is_empty(), "today's read is found by day");
}

async fn volunteers_reads_are_not_recorded(db: Db) {
    let app = spawn_app(db).await;
    let (vic, _) = app.token("vic@example.org", Role::Volunteer).await;
    let (conversation, contact) = danas_conversation(&app).await;
    let path = format!("/api/v1/conversations/{conversation}");
    assert_eq!(status_of(&app, &vic, &path).await, 200);
    let path = format!("/api/v1/contacts/{contact}");
    assert_eq!(status_of(&app, &vic, &path).await, 200);
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('conversation.read', 'contact.read')",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap();
    assert_eq!(recorded, 0, "volunteers see only what is theirs to answer");
}

async fn the_thread_page_is_a_read_and_reveals_each_number_once(db: Db) {
    let app = spawn_app(db).await;
    let (browser, admin_id) = app.signed_in("ada@example.org", Role::Admin).await;
    app.set_inbox_settings(
        admin_id,
        InboxSettings {
            mask_numbers_for_volunteers: true,
            ..InboxSettings::default()
        },
    )
    .await;
    let (conversation, contact) = danas_conversation(&app).await;

    let page = app
        .page(&browser, &format!("/conversations/{conversation}"))
        .await;
    assert!(page.contains("+15551234567"), "the admin sees the number");
    // Reloading within the hour adds nothing.
    app.page(&browser, &format!("/conversations/{conversation}"))
        .await;

    assert_eq!(
        app.audited("conversation.read", &format!("conversation:{conversation}"))
            .await,
        [Some(admin_id)]
    );
    assert_eq!(
        app.audited("contact.number_revealed", &format!("contact:{contact}"))
            .await,
        [Some(admin_id)],
        "the list, the thread and the contact panel showed the number: one entry an hour"
    );
}

on_both_databases!(
    reads_are_recorded_once_an_hour,
    volunteers_reads_are_not_recorded,
    the_thread_page_is_a_read_and_reveals_each_number_once,
);
