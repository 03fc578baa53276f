//! Sign-in throttling through real HTTP on SQLite and PostgreSQL.

#[macro_use]
mod common;

use std::sync::Arc;
use std::time::Duration;

use app::model::Role;
use common::{Db, PASSWORD, location, spawn_app, spawn_app_with};
use server::auth::throttle::{MAX_FAILURES_PER_ACCOUNT, ManualClock, WINDOW};
use server::config::Config;
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
    let (store, _db) = common::store(db).await;
    let clock = Arc::new(ManualClock::starting_now());
    let settings = Config::from_lookup(|_| None).unwrap().service_settings();
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

on_both_databases!(
    parallel_guesses_are_throttled_before_they_are_hashed,
    forwarded_for_counts_only_from_trusted_proxies,
    the_throttle_releases_after_its_window,
);
