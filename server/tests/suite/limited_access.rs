//! Volunteers' access to a conversation ends the set number of days after it was resolved:
//! lists, the conversation API and thread page, the contact, search, mentions and media all
//! hide it from them; coordinators and admins keep it; reopening gives it back.

use crate::common;

use app::model::Role;
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const WORDS: &str = "Question about rent arrears";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What a volunteer can reach of the conversation, surface by surface.
#[derive(Debug, PartialEq, Eq)]
struct Reach {
    listed: bool,
    api: u16,
    page_shows_it: bool,
    contact: u16,
    found: bool,
    mentioned: bool,
    media: u16,
}

struct Setup {
    conversation: i64,
    contact: i64,
    attachment: i64,
}

async fn volunteer_reach(
    app: &TestApp,
    token: &str,
    browser: &reqwest::Client,
    setup: &Setup,
    status: &str,
) -> Reach {
    let json = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()
    };
    let list = json(
        app.get_as(
            token,
            &format!("/api/v1/conversations?view=unassigned&status={status}"),
        )
        .await,
    )
    .await;
    let found = json(app.get_as(token, "/api/v1/search?q=arrears").await).await;
    let mentions = json(app.get_as(token, "/api/v1/mentions").await).await;
    let page = browser
        .get(app.url(&format!("/conversations/{}", setup.conversation)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let status_of = |path: String| async move { app.get_as(token, &path).await.status().as_u16() };
    Reach {
        listed: list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["id"] == setup.conversation),
        api: status_of(format!("/api/v1/conversations/{}", setup.conversation)).await,
        page_shows_it: page.contains(WORDS),
        contact: status_of(format!("/api/v1/contacts/{}", setup.contact)).await,
        found: found
            .as_array()
            .unwrap()
            .iter()
            .any(|hit| hit["conversation_id"] == setup.conversation),
        mentioned: mentions
            .as_array()
            .unwrap()
            .iter()
            .any(|mention| mention["conversation_id"] == setup.conversation),
        media: browser
            .get(app.url(&format!("/media/{}", setup.attachment)))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
    }
}

const EVERYWHERE: Reach = Reach {
    listed: true,
    api: 200,
    page_shows_it: true,
    contact: 200,
    found: true,
    mentioned: true,
    media: 200,
};

const NOWHERE: Reach = Reach {
    listed: false,
    api: 404,
    page_shows_it: false,
    contact: 404,
    found: false,
    mentioned: false,
    media: 404,
};

async fn set_status(app: &TestApp, token: &str, conversation: i64, status: &str) {
    let (code, body) = app
        .api(
            token,
            Method::POST,
            &format!("/conversations/{conversation}/status"),
            Some(json!({ "status": status })),
        )
        .await;
    assert!(code < 300, "{code} {body}");
}

/// Moves the conversation's resolution `days` into the past.
async fn resolved_days_ago(app: &TestApp, conversation: i64, days: i64) {
    sqlx::query("UPDATE conversations SET resolved_at = $1 WHERE id = $2")
        .bind(server::store::now_ms() - days * DAY_MS)
        .bind(conversation)
        .execute(&app.sql().await)
        .await
        .unwrap();
}

async fn volunteers_lose_access_days_after_resolution(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (cora, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (vic, _) = app.token("vic@example.org", Role::Volunteer).await;
    let vic_browser = app.browser();
    let response = app
        .sign_in(&vic_browser, "vic@example.org", common::PASSWORD)
        .await;
    assert_eq!(common::location(&response), "/");

    app.whatsapp_channel().await;
    app.whatsapp_text_from("+15551234567", "Dana", "wamid.a1", now_secs(), WORDS)
        .await;
    let conversation = app.conversation_with("+15551234567").await;
    let contact: i64 = sqlx::query_scalar("SELECT contact_id FROM conversations WHERE id = $1")
        .bind(conversation)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    app.stored_picture(conversation, b"a picture", server::store::now_ms())
        .await;
    let attachment: i64 = sqlx::query_scalar("SELECT MAX(id) FROM attachments")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let (status, _) = app
        .api(
            &cora,
            Method::POST,
            &format!("/conversations/{conversation}/notes"),
            Some(json!({ "body": "@vic can you follow this up?" })),
        )
        .await;
    assert_eq!(status, 201);
    let setup = Setup {
        conversation,
        contact,
        attachment,
    };

    // Off by default.
    let (status, setting) = app
        .api(&admin, Method::GET, "/settings/volunteer-access", None)
        .await;
    assert_eq!(
        (status, setting),
        (200, json!({ "days_after_resolution": null }))
    );
    let (status, _) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/volunteer-access",
            Some(json!({ "days_after_resolution": 0 })),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .api(
            &cora,
            Method::PUT,
            "/settings/volunteer-access",
            Some(json!({ "days_after_resolution": 30 })),
        )
        .await;
    assert_eq!(status, 403, "admins decide");
    set_status(&app, &cora, conversation, "resolved").await;
    resolved_days_ago(&app, conversation, 90).await;
    assert_eq!(
        volunteer_reach(&app, &vic, &vic_browser, &setup, "resolved").await,
        EVERYWHERE,
        "no limit set"
    );

    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/volunteer-access",
            Some(json!({ "days_after_resolution": 30 })),
        )
        .await;
    assert_eq!(
        (status, saved),
        (200, json!({ "days_after_resolution": 30 }))
    );
    resolved_days_ago(&app, conversation, 29).await;
    assert_eq!(
        volunteer_reach(&app, &vic, &vic_browser, &setup, "resolved").await,
        EVERYWHERE,
        "resolved 29 days ago"
    );
    resolved_days_ago(&app, conversation, 31).await;
    assert_eq!(
        volunteer_reach(&app, &vic, &vic_browser, &setup, "resolved").await,
        NOWHERE,
        "resolved 31 days ago"
    );

    // Coordinators keep access.
    let path = format!("/api/v1/conversations/{conversation}");
    assert_eq!(app.get_as(&cora, &path).await.status(), 200);
    let found: Value = app
        .get_as(&cora, "/api/v1/search?q=arrears")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["conversation_id"], conversation);

    // Reopened, it is theirs to answer again.
    set_status(&app, &cora, conversation, "open").await;
    assert_eq!(
        volunteer_reach(&app, &vic, &vic_browser, &setup, "open").await,
        EVERYWHERE,
        "reopened"
    );
    // Resolved again, the days count from the new resolution.
    set_status(&app, &cora, conversation, "resolved").await;
    assert_eq!(
        volunteer_reach(&app, &vic, &vic_browser, &setup, "resolved").await,
        EVERYWHERE,
        "resolved just now"
    );
}

on_both_databases!(volunteers_lose_access_days_after_resolution);
