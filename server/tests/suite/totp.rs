//! Two-factor sign-in (TOTP): enrolment over the API, the code step of the sign-in form, single
//! use of codes, recovery codes, the throttle, disabling, the admin requirement and the admin
//! reset, through real HTTP on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use common::{Db, PASSWORD, location, spawn_app};
use serde_json::json;
use server::auth::throttle::MAX_FAILURES_PER_ACCOUNT;

/// An authenticator app holding the secret the API handed out. Its codes count from the moment
/// enrolment was confirmed, so a test crossing a 30-second boundary still names the same steps
/// (the server accepts one step either side of its own clock).
struct Authenticator {
    secret: String,
    enrolled_at: u64,
}

impl Authenticator {
    /// The code shown `steps_ahead` steps after the one that confirmed enrolment.
    fn code(&self, steps_ahead: u64) -> String {
        let seed = totp_rs::Secret::try_from_base32(&self.secret).expect("base32 secret");
        let totp = totp_rs::Builder::new()
            .with_secret(seed)
            .build()
            .expect("authenticator");
        totp.generate(self.enrolled_at + 30 * steps_ahead)
            .to_string()
    }
}

/// Enrols the token's owner; returns the authenticator and the recovery codes. The code confirming
/// enrolment is the current one, so the next code a sign-in can use is one step ahead.
async fn enrol(app: &common::TestApp, token: &str) -> (Authenticator, Vec<String>) {
    let (status, started) = app
        .api(token, reqwest::Method::POST, "/me/totp", None)
        .await;
    assert_eq!(status, 200, "{started}");
    assert!(started["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(
        started["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let authenticator = Authenticator {
        secret: started["secret"].as_str().unwrap().to_string(),
        enrolled_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    };
    let (status, confirmed) = app
        .api(
            token,
            reqwest::Method::POST,
            "/me/totp/confirm",
            Some(json!({ "code": authenticator.code(0) })),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (authenticator, codes)
}

async fn send_code(app: &common::TestApp, client: &reqwest::Client, code: &str) -> String {
    let response = client
        .post(app.url("/auth/login/code"))
        .header("Origin", &app.base)
        .form(&[("code", code), ("next", "/")])
        .send()
        .await
        .unwrap();
    location(&response)
}

async fn enrolment_then_sign_in_asks_for_a_code_used_once(db: Db) {
    let app = spawn_app(db).await;
    let (token, ana) = app.token("ana@example.org", Role::Volunteer).await;
    let (authenticator, _) = enrol(&app, &token).await;
    assert_eq!(
        app.audited("totp_enabled", &format!("user:{ana}")).await,
        [Some(ana)]
    );
    let stored: String = sqlx::query_scalar("SELECT seed FROM user_totp WHERE user_id = $1")
        .bind(ana)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert!(
        stored.starts_with("sealed:v1:") && !stored.contains(&authenticator.secret),
        "the seed is sealed at rest: {stored}"
    );
    let (status, again) = app
        .api(&token, reqwest::Method::POST, "/me/totp", None)
        .await;
    assert_eq!(
        status, 409,
        "a second enrolment needs the first off: {again}"
    );

    let client = app.browser();
    let answer = location(&app.sign_in(&client, "ana@example.org", PASSWORD).await);
    assert_eq!(answer, "/login?step=code&next=%2F");
    assert_eq!(app.me_status(&client).await, 401, "not signed in yet");
    // The code that confirmed enrolment was spent then.
    assert_eq!(
        send_code(&app, &client, &authenticator.code(0)).await,
        "/login?step=code&error=invalid_code&next=%2F"
    );
    let next = authenticator.code(1);
    assert_eq!(send_code(&app, &client, &next).await, "/");
    assert_eq!(app.me_status(&client).await, 200);

    // The same code again, on another sign-in within its window, is refused.
    let other = app.browser();
    app.sign_in(&other, "ana@example.org", PASSWORD).await;
    assert_eq!(
        send_code(&app, &other, &next).await,
        "/login?step=code&error=invalid_code&next=%2F"
    );
    assert_eq!(app.me_status(&other).await, 401);
    assert!(
        !app.audited("sign_in_failed", &format!("user:{ana}"))
            .await
            .is_empty(),
        "a wrong code is a failed sign-in"
    );
}

async fn a_recovery_code_works_once(db: Db) {
    let app = spawn_app(db).await;
    let (token, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (_, recovery) = enrol(&app, &token).await;

    let client = app.browser();
    app.sign_in(&client, "ana@example.org", PASSWORD).await;
    // Typed in capitals without dashes: still the code.
    let typed = recovery[0].replace('-', "").to_uppercase();
    assert_eq!(send_code(&app, &client, &typed).await, "/");
    assert_eq!(app.me_status(&client).await, 200);

    let again = app.browser();
    app.sign_in(&again, "ana@example.org", PASSWORD).await;
    assert_eq!(
        send_code(&app, &again, &recovery[0]).await,
        "/login?step=code&error=invalid_code&next=%2F"
    );
    assert_eq!(send_code(&app, &again, &recovery[1]).await, "/");
    let (_, status) = app
        .api(&token, reqwest::Method::GET, "/me/totp", None)
        .await;
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 8);
}

async fn wrong_codes_are_throttled(db: Db) {
    let app = spawn_app(db).await;
    let (token, _) = app.token("ana@example.org", Role::Volunteer).await;
    let (authenticator, _) = enrol(&app, &token).await;
    let client = app.browser();
    app.sign_in(&client, "ana@example.org", PASSWORD).await;
    // The password took one place; the guesses take the rest.
    for _ in 1..MAX_FAILURES_PER_ACCOUNT {
        assert_eq!(
            send_code(&app, &client, "000000").await,
            "/login?step=code&error=invalid_code&next=%2F"
        );
    }
    assert_eq!(
        send_code(&app, &client, &authenticator.code(1)).await,
        "/login?error=throttled&next=%2F",
        "even the right code waits out the window"
    );
    assert_eq!(app.me_status(&client).await, 401);
    // The password alone does not open the door again either.
    assert_eq!(
        location(&app.sign_in(&client, "ana@example.org", PASSWORD).await),
        "/login?error=throttled&next=%2F"
    );
}

async fn a_current_code_turns_it_off(db: Db) {
    let app = spawn_app(db).await;
    let (token, ana) = app.token("ana@example.org", Role::Volunteer).await;
    let (authenticator, _) = enrol(&app, &token).await;
    let (status, body) = app
        .api(
            &token,
            reqwest::Method::DELETE,
            "/me/totp",
            Some(json!({ "code": "123456" })),
        )
        .await;
    assert_eq!(status, 422, "a wrong code does not turn it off: {body}");
    let (status, body) = app
        .api(
            &token,
            reqwest::Method::DELETE,
            "/me/totp",
            Some(json!({ "code": authenticator.code(1) })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        app.audited("totp_disabled", &format!("user:{ana}")).await,
        [Some(ana)]
    );
    let client = app.browser();
    assert_eq!(
        location(&app.sign_in(&client, "ana@example.org", PASSWORD).await),
        "/"
    );
}

async fn the_admin_requirement_forces_enrolment(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    let (status, body) = app
        .api(
            &admin,
            reqwest::Method::PUT,
            "/settings/security",
            Some(json!({ "require_two_factor_for_staff": true })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = app
        .api(&coordinator, reqwest::Method::GET, "/tags", None)
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "two_factor_enrolment_required");
    let (status, _) = app
        .api(&volunteer, reqwest::Method::GET, "/tags", None)
        .await;
    assert_eq!(status, 200, "volunteers are not required to enrol");
    let (status, _) = app
        .api(&coordinator, reqwest::Method::GET, "/me", None)
        .await;
    assert_eq!(status, 200);

    // Pages send them to the Account page; a page load there is fine.
    let client = app.browser();
    assert_eq!(
        location(&app.sign_in(&client, "cora@example.org", PASSWORD).await),
        "/"
    );
    let inbox = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&inbox), "/account");

    enrol(&app, &coordinator).await;
    let (status, body) = app
        .api(&coordinator, reqwest::Method::GET, "/tags", None)
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn an_admin_reset_is_audited_and_the_password_suffices_again(db: Db) {
    let app = spawn_app(db).await;
    let (admin, admin_id) = app.token("admin@example.org", Role::Admin).await;
    let (token, ana) = app.token("ana@example.org", Role::Volunteer).await;
    enrol(&app, &token).await;

    let (status, _) = app
        .api(
            &token,
            reqwest::Method::DELETE,
            &format!("/users/{admin_id}/totp"),
            None,
        )
        .await;
    assert_eq!(status, 403, "only admins reset someone's second factor");
    let (status, _) = app
        .api(
            &admin,
            reqwest::Method::DELETE,
            &format!("/users/{admin_id}/totp"),
            None,
        )
        .await;
    assert_eq!(status, 422, "an admin's own goes only with a code");
    let (status, body) = app
        .api(
            &admin,
            reqwest::Method::DELETE,
            &format!("/users/{ana}/totp"),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        app.audited("totp_reset", &format!("user:{ana}")).await,
        [Some(admin_id)]
    );
    let client = app.browser();
    assert_eq!(
        location(&app.sign_in(&client, "ana@example.org", PASSWORD).await),
        "/"
    );
    assert_eq!(app.me_status(&client).await, 200);
}

async fn the_code_step_needs_a_password_first(db: Db) {
    let app = spawn_app(db).await;
    app.add("ana@example.org", Role::Volunteer).await;
    let client = app.browser();
    assert_eq!(
        send_code(&app, &client, "123456").await,
        "/login?error=code_expired&next=%2F"
    );
    assert_eq!(app.me_status(&client).await, 401);
}

on_both_databases!(
    enrolment_then_sign_in_asks_for_a_code_used_once,
    a_recovery_code_works_once,
    wrong_codes_are_throttled,
    a_current_code_turns_it_off,
    the_admin_requirement_forces_enrolment,
    an_admin_reset_is_audited_and_the_password_suffices_again,
    the_code_step_needs_a_password_first,
);
