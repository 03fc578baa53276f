//! Sign-in throttling, sessions and tokens ending when they should, the one-time password, and
//! the size limits of uploaded forms, through real HTTP on SQLite and PostgreSQL.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use app::model::Role;
use common::{Db, PASSWORD, location, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use server::auth::throttle::{MAX_FAILURES_PER_ACCOUNT, ManualClock, WINDOW};
use server::services::{Services, SignInError};

async fn sign_in_from(
    app: &common::TestApp,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> String {
    let response = app
        .browser()
        .post(app.url("/auth/login"))
        .header("Origin", &app.base)
        .header("X-Forwarded-For", forwarded_for)
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("sign-in request");
    location(&response)
}

async fn counted_addresses(app: &common::TestApp) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT key FROM login_throttle WHERE key LIKE 'address:%' ORDER BY key")
            .fetch_all(&app.sql().await)
            .await
            .unwrap();
    rows.into_iter().map(|(key,)| key).collect()
}

async fn parallel_guesses_are_throttled_before_they_are_hashed(db: Db) {
    let app = spawn_app(db).await;
    app.add("ana@example.org", Role::Volunteer).await;
    let before = app.app_services.password_hashes();
    let client = app.browser();
    let attempts = (0..50).map(|_| app.sign_in(&client, "ana@example.org", "a-wrong-guess"));
    let answers: Vec<String> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(location)
        .collect();
    let hashes = app.app_services.password_hashes() - before;
    assert!(
        hashes <= MAX_FAILURES_PER_ACCOUNT as u64,
        "{hashes} hashes ran for 50 parallel guesses"
    );
    let throttled = answers
        .iter()
        .filter(|answer| *answer == "/login?error=throttled&next=%2F")
        .count();
    let invalid = answers
        .iter()
        .filter(|answer| *answer == "/login?error=invalid&next=%2F")
        .count();
    assert_eq!(invalid as u64, hashes, "{answers:?}");
    assert_eq!(throttled + invalid, 50, "{answers:?}");
    assert_eq!(
        location(&app.sign_in(&client, "ana@example.org", PASSWORD).await),
        "/login?error=throttled&next=%2F",
        "the right password waits for the window too"
    );
}

async fn forwarded_for_counts_only_from_trusted_proxies(db: Db) {
    let direct = spawn_app(db).await;
    assert_eq!(
        sign_in_from(&direct, "203.0.113.7", "ana@example.org", "guess").await,
        "/login?error=invalid&next=%2F"
    );
    assert_eq!(
        counted_addresses(&direct).await,
        ["address:127.0.0.1"],
        "a client cannot pick its own address"
    );

    let proxied = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_TRUSTED_PROXIES").then(|| "10.0.0.0/8, 127.0.0.1".to_string())
    })
    .await;
    sign_in_from(
        &proxied,
        "198.51.100.9, 203.0.113.7",
        "ana@example.org",
        "guess",
    )
    .await;
    assert_eq!(
        counted_addresses(&proxied).await,
        ["address:203.0.113.7"],
        "the address our proxy saw, not what the client wrote before it"
    );
}

async fn the_throttle_releases_after_its_window(db: Db) {
    let (store, test_db) = common::store(db).await;
    let clock = Arc::new(ManualClock::starting_now());
    let settings = common::config(&test_db, |_| None).service_settings();
    let services = Services::new(store, settings).with_clock(clock.clone());
    services
        .add_person_with_password(None, "ana@example.org", "Ana", Role::Volunteer, PASSWORD)
        .await
        .unwrap();
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        assert_eq!(
            services
                .sign_in("ana@example.org", "wrong", "10.0.0.1")
                .await
                .unwrap_err(),
            SignInError::Invalid
        );
    }
    let sign_in = || services.sign_in("ana@example.org", PASSWORD, "10.0.0.1");
    assert_eq!(sign_in().await.unwrap_err(), SignInError::Throttled);
    clock.advance(WINDOW - Duration::from_secs(1));
    assert_eq!(sign_in().await.unwrap_err(), SignInError::Throttled);
    clock.advance(Duration::from_secs(2));
    assert_eq!(sign_in().await.unwrap().email, "ana@example.org");
}

async fn a_password_change_ends_other_sessions_and_may_revoke_tokens(db: Db) {
    let app = spawn_app(db).await;
    let (here, ana) = app.signed_in("ana@example.org", Role::Volunteer).await;
    let elsewhere = app.browser();
    app.sign_in(&elsewhere, "ana@example.org", PASSWORD).await;
    let actor = app.services.actor_by_id(ana).await.unwrap().unwrap();
    let token = app
        .services
        .create_token(&actor, "script")
        .await
        .unwrap()
        .secret;
    assert_eq!(app.me_status(&elsewhere).await, 200);

    let changed = app
        .server_fn(
            &here,
            "account/password",
            &[("current", PASSWORD), ("new", "orchid-meadow-canal-7")],
        )
        .await;
    assert!(changed.status().is_success());
    assert_eq!(
        app.me_status(&here).await,
        200,
        "the changing session stays"
    );
    assert_eq!(
        app.me_status(&elsewhere).await,
        401,
        "every other session ends"
    );
    assert_eq!(
        app.services.store().count_sessions_of(ana).await.unwrap(),
        1
    );
    assert_eq!(
        app.token_status(&token).await,
        200,
        "tokens stay unless asked"
    );

    let changed = app
        .server_fn(
            &here,
            "account/password",
            &[
                ("current", "orchid-meadow-canal-7"),
                ("new", "lantern-quarry-violet-3"),
                ("revoke_tokens", "true"),
            ],
        )
        .await;
    assert!(changed.status().is_success());
    assert_eq!(
        app.token_status(&token).await,
        401,
        "tokens revoked on request"
    );
    assert_eq!(app.me_status(&here).await, 200);
}

async fn a_one_time_password_must_be_changed_before_anything_else(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let added: Value = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({ "email": "ben@example.org", "name": "Ben", "role": "coordinator" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let one_time = added["one_time_password"].as_str().unwrap().to_string();
    let ben_id = added["person"]["id"].as_i64().unwrap();
    let ben = app.browser();
    assert_eq!(
        location(&app.sign_in(&ben, "ben@example.org", &one_time).await),
        "/account"
    );

    assert_eq!(app.me_status(&ben).await, 200, "who am I stays open");
    let refused = [
        ben.get(app.url("/api/v1/conversations"))
            .send()
            .await
            .unwrap(),
        app.server_fn(&ben, "tokens/list", &[]).await,
        app.server_fn(&ben, "tokens/create", &[("name", "x")]).await,
    ];
    for response in refused {
        assert_eq!(response.status(), 403);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "password_change_required", "{body}");
        assert!(body["message"].as_str().unwrap().contains("password"));
    }
    let page = ben.get(app.url("/inbox")).send().await.unwrap();
    assert_eq!(location(&page), "/account", "pages send them to choose one");
    // A token made for them some other way is held to the same rule.
    let actor = app.services.actor_by_id(ben_id).await.unwrap().unwrap();
    let token = app.services.create_token(&actor, "x").await.unwrap().secret;
    let by_token = reqwest::Client::new()
        .get(app.url("/api/v1/conversations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 403);

    let changed = app
        .server_fn(
            &ben,
            "account/password",
            &[("current", &one_time), ("new", "orchid-meadow-canal-7")],
        )
        .await;
    assert!(changed.status().is_success());
    let listed = app.server_fn(&ben, "tokens/list", &[]).await;
    assert_eq!(listed.status(), 200);
    let conversations = ben
        .get(app.url("/api/v1/conversations"))
        .send()
        .await
        .unwrap();
    assert_eq!(conversations.status(), 200);
}

async fn tokens_expire_and_need_a_recent_sign_in(db: Db) {
    let app = spawn_app(db).await;
    let (browser, ana) = app.signed_in("ana@example.org", Role::Volunteer).await;
    let created: Value = app
        .server_fn(
            &browser,
            "tokens/create",
            &[("name", "monthly report"), ("expires_in_days", "30")],
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let id = created["token"]["id"].as_i64().unwrap();
    assert!(created["token"]["expires_at"].is_string(), "{created}");
    assert_eq!(app.token_status(&secret).await, 200);
    let sql = app.sql().await;
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(server::store::now_ms() - 1)
        .bind(id)
        .execute(&sql)
        .await
        .unwrap();
    assert_eq!(
        app.token_status(&secret).await,
        401,
        "refused after it expires"
    );

    let by_token = app
        .server_fn_with_token(
            &app.token("ben@example.org", Role::Admin).await.0,
            "tokens/create",
            &[("name", "x")],
        )
        .await;
    let body: Value = by_token.json().await.unwrap();
    assert_eq!(body["code"], "reauthentication_required", "{body}");

    // The session signed in 16 minutes ago.
    let (session_id, data): (String, String) =
        sqlx::query_as("SELECT id, data FROM sessions WHERE user_id = $1")
            .bind(ana)
            .fetch_one(&sql)
            .await
            .unwrap();
    let mut data: Value = serde_json::from_str(&data).unwrap();
    let signed_in_at = data["auth"]["signed_in_at"].as_i64().unwrap();
    data["auth"]["signed_in_at"] = json!(signed_in_at - 16 * 60 * 1000);
    sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
        .bind(data.to_string())
        .bind(session_id)
        .execute(&sql)
        .await
        .unwrap();
    let stale = app
        .server_fn(&browser, "tokens/create", &[("name", "later")])
        .await;
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["code"], "reauthentication_required", "{body}");
    assert!(body["message"].as_str().unwrap().contains("Sign in again"));
    assert_eq!(
        app.me_status(&browser).await,
        200,
        "the session itself goes on"
    );
}

/// Opens `/live` as `client`; the returned task finishes when the server ends the stream.
async fn open_live(app: &common::TestApp, client: &reqwest::Client) -> tokio::task::JoinHandle<()> {
    let mut response = client.get(app.url("/live")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    tokio::spawn(async move { while let Ok(Some(_)) = response.chunk().await {} })
}

async fn assert_closes(stream: tokio::task::JoinHandle<()>, why: &str) {
    tokio::time::timeout(Duration::from_secs(5), stream)
        .await
        .unwrap_or_else(|_| panic!("the live stream stayed open after {why}"))
        .unwrap();
}

async fn live_streams_close_when_access_ends(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let http = reqwest::Client::new();

    let (ana, _) = app.signed_in("ana@example.org", Role::Volunteer).await;
    let stream = open_live(&app, &ana).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stream.is_finished(), "an untouched stream stays open");
    ana.post(app.url("/auth/logout"))
        .header("Origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_closes(stream, "signing out").await;

    let (ben, ben_id) = app.signed_in("ben@example.org", Role::Coordinator).await;
    let stream = open_live(&app, &ben).await;
    let changed = http
        .patch(app.url(&format!("/api/v1/users/{ben_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "role": "volunteer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_closes(stream, "a role change").await;

    let (vic, vic_id) = app.signed_in("vic@example.org", Role::Volunteer).await;
    let stream = open_live(&app, &vic).await;
    let changed = http
        .patch(app.url(&format!("/api/v1/users/{vic_id}")))
        .bearer_auth(&admin)
        .json(&json!({ "active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_closes(stream, "deactivation").await;

    // A session ended by a password change elsewhere.
    let (here, _) = app.signed_in("wan@example.org", Role::Volunteer).await;
    let elsewhere = app.browser();
    app.sign_in(&elsewhere, "wan@example.org", PASSWORD).await;
    let stream = open_live(&app, &elsewhere).await;
    app.server_fn(
        &here,
        "account/password",
        &[("current", PASSWORD), ("new", "orchid-meadow-canal-7")],
    )
    .await;
    assert_closes(stream, "a password change elsewhere").await;
}

/// A caption just over the limit of a text part.
fn long_caption() -> String {
    "x".repeat(server::http::media::MAX_TEXT_PART_BYTES + 1)
}

async fn oversized_form_parts_are_refused_with_413_and_a_reason(db: Db) {
    let app = spawn_app(db).await;
    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let file = || {
        reqwest::multipart::Part::bytes(b"hello".to_vec())
            .file_name("note.txt")
            .mime_str("text/plain")
            .unwrap()
    };
    let api = reqwest::Client::new()
        .post(app.url("/api/v1/conversations/1/files"))
        .bearer_auth(&token)
        .multipart(
            reqwest::multipart::Form::new()
                .part("file", file())
                .text("caption", long_caption()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 413);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("\"caption\" is longer than 64 KB"),
        "{body}"
    );

    let template_api = reqwest::Client::new()
        .post(app.url("/api/v1/templates"))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().text("template", long_caption()))
        .send()
        .await
        .unwrap();
    assert_eq!(template_api.status(), 413);

    let many_parts = (0..=server::http::media::MAX_PARTS)
        .fold(reqwest::multipart::Form::new(), |form, n| {
            form.text(format!("part{n}"), "x")
        });
    let too_many = reqwest::Client::new()
        .post(app.url("/api/v1/conversations/1/files"))
        .bearer_auth(&token)
        .multipart(many_parts)
        .send()
        .await
        .unwrap();
    assert_eq!(too_many.status(), 413);

    let (browser, _) = app.signed_in("cora@example.org", Role::Coordinator).await;
    for (path, back) in [
        ("/conversations/1/files", "/conversations/1"),
        ("/templates/form", "/templates"),
    ] {
        let page = browser
            .post(app.url(path))
            .header("Origin", &app.base)
            .multipart(
                reqwest::multipart::Form::new()
                    .part("file", file())
                    .text("caption", long_caption())
                    .text("template", long_caption()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 413, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("is longer than 64 KB"), "{html}");
        assert!(html.contains(&format!("href=\"{back}\"")), "{html}");
    }
}

async fn form_bodies_over_the_limit_are_refused_before_they_are_read(db: Db) {
    let app = spawn_app_with(db, |key| {
        (key == "SWITCHBOARD_MEDIA_MAX_BYTES").then(|| "1000".to_string())
    })
    .await;
    let (token, _) = app.token("admin@example.org", Role::Admin).await;
    let limit = 1000 + server::http::media::FORM_TEXT_ALLOWANCE as usize;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/conversations/1/files"))
        .bearer_auth(&token)
        .header("Content-Type", "multipart/form-data; boundary=b")
        .body(vec![b'x'; limit + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");
}

async fn failed_sign_ins(app: &common::TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, detail FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id",
    )
    .fetch_all(&app.sql().await)
    .await
    .unwrap()
}

/// A failed sign-in that reached the password check is audited, for admins to see; one the
/// throttle refused is not, so guessing cannot flood the log.
async fn failed_sign_ins_are_audited_but_throttled_ones_are_not(db: Db) {
    let app = spawn_app(db).await;
    let ana = app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();
    app.sign_in(&client, "ana@example.org", "wrong-password-1")
        .await;
    app.sign_in(&client, "nobody@example.org", "wrong-password-2")
        .await;
    let failed = failed_sign_ins(&app).await;
    let subjects: Vec<&str> = failed.iter().map(|(subject, _)| subject.as_str()).collect();
    assert_eq!(subjects, [format!("user:{ana}").as_str(), "user:unknown"]);
    let detail: Value = serde_json::from_str(&failed[0].1).unwrap();
    assert_eq!(detail["reason"], "password");
    assert_eq!(detail["address"], "127.0.0.1");
    assert!(
        !failed[1].1.contains("nobody@example.org"),
        "what was typed as the address is not kept"
    );

    for attempt in 0..MAX_FAILURES_PER_ACCOUNT + 3 {
        app.sign_in(&client, "ana@example.org", &format!("wrong-{attempt}"))
            .await;
    }
    let for_ana = failed_sign_ins(&app)
        .await
        .into_iter()
        .filter(|(subject, _)| *subject == format!("user:{ana}"))
        .count();
    assert_eq!(
        for_ana as i64, MAX_FAILURES_PER_ACCOUNT,
        "attempts past the throttle are refused before the password check, unaudited"
    );
}

/// Server functions answered every refusal with 500; now with the status of its code.
async fn server_function_refusals_carry_their_status(db: Db) {
    let app = spawn_app(db).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    let refused = app
        .server_fn_with_token(&volunteer, "people/list", &[])
        .await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/people/list"))
        .header("Origin", &app.base)
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

on_both_databases!(
    failed_sign_ins_are_audited_but_throttled_ones_are_not,
    server_function_refusals_carry_their_status,
    oversized_form_parts_are_refused_with_413_and_a_reason,
    form_bodies_over_the_limit_are_refused_before_they_are_read,
    parallel_guesses_are_throttled_before_they_are_hashed,
    forwarded_for_counts_only_from_trusted_proxies,
    the_throttle_releases_after_its_window,
    a_password_change_ends_other_sessions_and_may_revoke_tokens,
    a_one_time_password_must_be_changed_before_anything_else,
    tokens_expire_and_need_a_recent_sign_in,
    live_streams_close_when_access_ends,
);
