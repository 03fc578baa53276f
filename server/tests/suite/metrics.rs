//! `GET /metrics`: absent unless `SWITCHBOARD_METRICS_TOKEN` is set, then only for that bearer
//! token; its series count what the instance did (webhooks, sends, HTTP requests) and read the
//! outbox, the pools and the live streams at scrape time. Each test's application has its own
//! registry, so values are exact.

use crate::common;

use app::model::Role;
use common::conversations::{DANA, WA_ACCOUNT_ID, WA_NUMBER_ID};
use common::live::open_stream;
use common::provider::FakeProvider;
use common::{Db, TestApp, now_secs, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const TOKEN: &str = "scrape-token-for-the-tests";

async fn spawn_with_metrics(db: Db) -> TestApp {
    spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_METRICS_TOKEN").then(|| TOKEN.to_string())
    })
    .await
}

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let request = reqwest::Client::new().get(app.url("/metrics"));
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

async fn metrics_text(app: &TestApp) -> String {
    let response = scrape(app, Some(TOKEN)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.unwrap()
}

/// The value of one sample: `series` is the name with its labels as the text writes them.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn value(text: &str, series: &str) -> f64 {
    sample(text, series).unwrap_or_else(|| panic!("{series} is missing from\n{text}"))
}

async fn metrics_do_not_exist_without_a_token(db: Db) {
    let app = spawn_app(db).await;
    let response = scrape(&app, Some(TOKEN)).await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}

async fn metrics_answer_only_to_their_token(db: Db) {
    let app = spawn_with_metrics(db).await;
    let (admin_api_token, _) = app.token("admin@example.org", Role::Admin).await;
    for (token, what) in [
        (None, "no token"),
        (Some("scrape-token-for-the-test"), "a wrong token"),
        (Some(admin_api_token.as_str()), "an admin's API token"),
    ] {
        let response = scrape(&app, token).await;
        assert_eq!(response.status(), 401, "{what}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated", "{what}");
    }
    metrics_text(&app).await;
}

async fn metrics_count_webhooks_replies_and_requests(db: Db) {
    let app = spawn_with_metrics(db).await;
    let (fake, _) = FakeProvider::start().await;
    let wrote_at = now_secs() - 60;
    let conversation = app.whatsapp_conversation(&fake, wrote_at).await;
    // Meta delivers the same message again, and someone posts one without the app secret.
    app.whatsapp_text_from(DANA, "Dana", "wamid.in1", wrote_at, "Hello")
        .await;
    let forged = channels::simulate::whatsapp_text(
        "not-the-app-secret",
        WA_ACCOUNT_ID,
        WA_NUMBER_ID,
        "+1 555 0000",
        &channels::phone::E164::parse(DANA).unwrap(),
        "Dana",
        "wamid.forged",
        wrote_at,
        "Hello",
    );
    assert_eq!(
        app.post_signed("/webhooks/whatsapp", forged).await.status(),
        401
    );
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let _live = open_stream(&app.base, &volunteer).await;
    let replied = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/messages")))
        .bearer_auth(&volunteer)
        .json(&json!({ "body": "Hi Dana" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 202);

    let queued = metrics_text(&app).await;
    assert_eq!(
        value(&queued, "switchboard_outbox_jobs{state=\"pending\"}"),
        1.0
    );
    assert!(value(&queued, "switchboard_outbox_oldest_job_age_seconds") >= 0.0);
    assert_eq!(value(&queued, "switchboard_live_streams_open"), 1.0);

    assert!(app.app_services.deliver_next("metrics").await.unwrap());
    let text = metrics_text(&app).await;
    for (series, expected) in [
        (
            "switchboard_webhooks_received_total{provider=\"whatsapp\"}",
            3.0,
        ),
        (
            "switchboard_webhooks_rejected_total{provider=\"whatsapp\",reason=\"signature\"}",
            1.0,
        ),
        (
            "switchboard_webhooks_kept_total{provider=\"whatsapp\",result=\"applied\"}",
            1.0,
        ),
        (
            "switchboard_webhooks_kept_total{provider=\"whatsapp\",result=\"duplicate\"}",
            1.0,
        ),
        (
            "switchboard_webhook_ingest_duration_seconds_count{provider=\"whatsapp\"}",
            2.0,
        ),
        (
            "switchboard_sends_total{provider=\"whatsapp\",outcome=\"accepted\"}",
            1.0,
        ),
        (
            "switchboard_delivery_duration_seconds_count{provider=\"whatsapp\"}",
            1.0,
        ),
        ("switchboard_outbox_jobs{state=\"pending\"}", 0.0),
        ("switchboard_outbox_jobs{state=\"sending\"}", 0.0),
        ("switchboard_outbox_oldest_job_age_seconds", 0.0),
        (
            "switchboard_http_requests_total{route=\"/webhooks/whatsapp\",method=\"POST\",status=\"200\"}",
            2.0,
        ),
        (
            "switchboard_http_requests_total{route=\"/webhooks/whatsapp\",method=\"POST\",status=\"401\"}",
            1.0,
        ),
        (
            "switchboard_http_requests_total{route=\"/api/v1/conversations/{id}/messages\",method=\"POST\",status=\"202\"}",
            1.0,
        ),
        (
            "switchboard_http_request_duration_seconds_count{route=\"/api/v1/conversations/{id}/messages\",method=\"POST\",status=\"202\"}",
            1.0,
        ),
        (
            "switchboard_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"200\"}",
            1.0,
        ),
    ] {
        assert_eq!(value(&text, series), expected, "{series}");
    }
    let pool_max = match db {
        Db::Sqlite => 8.0,
        Db::Postgres => 16.0,
    };
    assert_eq!(
        value(&text, "switchboard_db_pool_max_connections{pool=\"main\"}"),
        pool_max
    );
    assert!(
        value(
            &text,
            "switchboard_db_pool_connections{pool=\"main\",state=\"idle\"}"
        ) >= 1.0
    );
    // Labels name routes, never the conversation or the person.
    assert!(!text.contains(&format!("/conversations/{conversation}/")));
    assert!(!text.contains(&DANA[1..]));
    the_dashboard_asks_only_for_series_that_exist(&text);
}

/// Every series the Grafana dashboard queries is one `text` declares.
fn the_dashboard_asks_only_for_series_that_exist(text: &str) {
    let dashboard = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/grafana/switchboard.json"
    ))
    .unwrap();
    let mut queried = 0;
    for (at, _) in dashboard.match_indices("switchboard_") {
        let name: String = dashboard[at..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        let family = name.strip_suffix("_bucket").unwrap_or(&name);
        if family == "switchboard_" {
            continue;
        }
        queried += 1;
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "the dashboard queries {name}, which /metrics does not have"
        );
    }
    assert!(queried > 10, "the dashboard queries the series");
}

on_both_databases!(
    metrics_do_not_exist_without_a_token,
    metrics_answer_only_to_their_token,
    metrics_count_webhooks_replies_and_requests,
);
