//! The cost meter through the real paths: replies sent to the fake providers, priced from the
//! signed status webhooks (Meta's `pricing`, Twilio's `Price`) or by SMS segments, shown in the
//! thread and the report, held against budgets, and priced again by a newer rate table.

use crate::common;

use app::model::Role;
use common::conversations::{TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, WA_NUMBER_ID, WA_SECRET};
use common::provider::FakeProvider;
use common::webhooks::whatsapp_fixture;
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn reply(app: &TestApp, token: &str, conversation: i64, body: &str) {
    let (status, answer) = app
        .api(
            token,
            Method::POST,
            &format!("/conversations/{conversation}/messages"),
            Some(json!({ "body": body })),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    assert!(app.services.deliver_next("worker").await.unwrap());
}

/// The provider's id of the last reply sent.
async fn last_sent(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT provider_message_id FROM messages WHERE direction = 'outbound' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.sql().await)
    .await
    .unwrap()
}

/// Meta reports `status` of `message_id` to Dana with per-message `pricing` (REFERENCE.md
/// §1.2's status shape, the recorded delivered status with today's time and PMP pricing).
async fn meta_reports(app: &TestApp, message_id: &str, status: &str, category: &str) {
    let mut payload = whatsapp_fixture("status_delivered.json", WA_NUMBER_ID);
    let reported = &mut payload["entry"][0]["changes"][0]["value"]["statuses"][0];
    reported["id"] = json!(message_id);
    reported["status"] = json!(status);
    reported["timestamp"] = json!(now_secs().to_string());
    reported["recipient_id"] = json!("15551234567");
    reported["pricing"] = json!({
        "billable": true, "pricing_model": "PMP", "type": "regular", "category": category
    });
    let response = app.post_whatsapp(WA_SECRET, &payload).await;
    assert_eq!(response.status(), 200);
}

fn outbound_costs(detail: &Value) -> Vec<Value> {
    detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["direction"] == "outbound")
        .map(|message| message["cost"].clone())
        .collect()
}

async fn a_whatsapp_reply_costs_what_meta_reports_once(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    reply(&app, &volunteer, conversation, "Our offices open at nine").await;
    let detail = app.conversation_detail(&volunteer, conversation).await;
    assert_eq!(
        outbound_costs(&detail),
        [Value::Null],
        "unpriced until Meta says"
    );
    assert_eq!(detail["cost"], Value::Null);

    // Meta repeats the pricing on each status of the message: it is counted once.
    let sent = last_sent(&app).await;
    for status in ["sent", "delivered", "read"] {
        meta_reports(&app, &sent, status, "marketing").await;
    }
    let detail = app.conversation_detail(&volunteer, conversation).await;
    let cost = &outbound_costs(&detail)[0];
    // +1 555… is in North America: marketing at $0.0250 (the shipped table, 2026-01-01).
    assert_eq!(cost["micro_usd"], 25_000);
    assert_eq!(cost["amount"], "$0.025");
    assert_eq!(
        cost["explanation"],
        "WhatsApp marketing: Meta's pricing category times the rate table"
    );
    assert_eq!(detail["cost"], "$0.03 for 1 message");

    let (status, report) = app
        .api(&coordinator, Method::GET, "/reports/costs", None)
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["total_micro_usd"], 25_000);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1);
    assert_eq!(report["rows"][0]["category"], "marketing");
    assert_eq!(report["rows"][0]["messages"], 1);
    let (status, _) = app
        .api(&volunteer, Method::GET, "/reports/costs", None)
        .await;
    assert_eq!(status, 403, "volunteers see no reports");
    let (status, refused) = app
        .api(
            &coordinator,
            Method::GET,
            "/reports/costs?from=2026-05-01&to=2026-04-01",
            None,
        )
        .await;
    assert_eq!(
        (status, refused["message"].as_str()),
        (422, Some("“to” is before “from”."))
    );
    fake.assert_all_valid();
}

async fn an_sms_costs_its_segments_until_twilio_says_what_it_charged(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.sms_conversation(&fake).await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    // 161 GSM-7 characters: two segments of 153 at $0.0083.
    reply(&app, &volunteer, conversation, &"a".repeat(161)).await;
    let detail = app.conversation_detail(&volunteer, conversation).await;
    let estimate = &outbound_costs(&detail)[0];
    assert_eq!(estimate["micro_usd"], 16_600);
    assert_eq!(
        estimate["explanation"],
        "SMS: SMS segments times the price of a segment"
    );

    let sid = last_sent(&app).await;
    let callback = |price: &'static str| {
        [
            ("SmsSid", sid.clone()),
            ("SmsStatus", "delivered".to_owned()),
            ("MessageStatus", "delivered".to_owned()),
            ("To", "+15552223333".to_owned()),
            ("MessageSid", sid.clone()),
            ("AccountSid", TWILIO_SID.to_owned()),
            ("From", TWILIO_NUMBER.to_owned()),
            ("ApiVersion", "2010-04-01".to_owned()),
            ("Price", price.to_owned()),
            ("PriceUnit", "USD".to_owned()),
        ]
    };
    for price in ["-0.01580", "-0.09000"] {
        let params = callback(price);
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = app
            .post_twilio(TWILIO_TOKEN, "/webhooks/twilio/status", &params)
            .await;
        assert_eq!(response.status(), 200);
    }
    let detail = app.conversation_detail(&volunteer, conversation).await;
    let charged = &outbound_costs(&detail)[0];
    assert_eq!(
        charged["micro_usd"], 15_800,
        "Twilio's first price replaces the estimate and stays"
    );
    assert_eq!(charged["explanation"], "SMS: as the provider charged it");
}

async fn budgets_alert_admins_and_a_newer_rate_table_prices_its_days_again(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    let conversation = app.whatsapp_conversation(&fake, now_secs() - 60).await;
    let channel: i64 = sqlx::query_scalar("SELECT id FROM channels")
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let budget = format!("/channels/{channel}/budget");
    for (amount, status) in [("abc", 422), ("0", 422), ("-3", 422)] {
        let (got, _) = app
            .api(
                &admin,
                Method::PUT,
                &budget,
                Some(json!({ "monthly": amount })),
            )
            .await;
        assert_eq!(got, status, "{amount}");
    }
    let (status, _) = app
        .api(
            &coordinator,
            Method::PUT,
            &budget,
            Some(json!({ "monthly": "1" })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api(
            &admin,
            Method::PUT,
            "/channels/999/budget",
            Some(json!({ "monthly": "1" })),
        )
        .await;
    assert_eq!(status, 404);
    let (status, settings) = app
        .api(
            &admin,
            Method::PUT,
            &budget,
            Some(json!({ "monthly": "0.04" })),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["budgets"][0]["monthly"], "0.04");

    reply(&app, &admin, conversation, "First").await;
    meta_reports(&app, &last_sent(&app).await, "delivered", "marketing").await;
    let alerts = || async { app.api(&admin, Method::GET, "/costs/alerts", None).await };
    assert_eq!(
        alerts().await,
        (200, json!([])),
        "$0.025 of $0.04 is under 80 %"
    );
    reply(&app, &admin, conversation, "Second").await;
    meta_reports(&app, &last_sent(&app).await, "delivered", "marketing").await;
    let (_, raised) = alerts().await;
    let thresholds: Vec<i64> = raised
        .as_array()
        .unwrap()
        .iter()
        .map(|alert| alert["threshold"].as_i64().unwrap())
        .collect();
    assert_eq!(thresholds, [100, 80], "$0.05 passed both");
    assert_eq!(raised[0]["spent"], "$0.05");
    assert_eq!(raised[0]["budget"], "$0.04");
    let (status, _) = app
        .api(&coordinator, Method::GET, "/costs/alerts", None)
        .await;
    assert_eq!(status, 403);
    let month = raised[0]["month"].as_str().unwrap().to_owned();
    let dismissal = json!({ "channel_id": channel, "month": month });
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            "/costs/alerts/dismiss",
            Some(dismissal.clone()),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(alerts().await, (200, json!([])));
    let (status, _) = app
        .api(
            &admin,
            Method::POST,
            "/costs/alerts/dismiss",
            Some(dismissal),
        )
        .await;
    assert_eq!(status, 404, "nothing left to dismiss");

    let today = time::OffsetDateTime::now_utc().date();
    let (status, refused) = app
        .api(
            &admin,
            Method::POST,
            "/costs/rate-cards",
            Some(json!({ "effective_from": today.to_string(), "csv": "country_or_region,marketing_usd\nBrazil,0.07\n" })),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no “iso_codes_if_known” column"),
        "{refused}"
    );
    let newer = "country_or_region,iso_codes_if_known,marketing_usd,utility_usd,authentication_usd,authentication_international_usd,effective_date\n\
                 North America,CA;US,0.0300,0.0040,0.0040,,2026-01-01\n\
                 Other,,0.0600,0.0080,0.0080,,2026-01-01\n";
    let (status, settings) = app
        .api(
            &admin,
            Method::POST,
            "/costs/rate-cards",
            Some(json!({ "effective_from": today.to_string(), "csv": newer })),
        )
        .await;
    assert_eq!(status, 201, "{settings}");
    assert_eq!(settings["rate_cards"].as_array().unwrap().len(), 2);
    assert_eq!(settings["rate_cards"][1]["markets"], 2);
    let (_, report) = app
        .api(&coordinator, Method::GET, "/reports/costs", None)
        .await;
    assert_eq!(
        report["total_micro_usd"], 60_000,
        "today's two messages at the newer $0.03"
    );
    assert_eq!(report["spending"][0]["percent_of_budget"], 150);
    assert_eq!(app.audited("costs.rate_card", "rate_card:1").await.len(), 1);
}

on_both_databases!(
    a_whatsapp_reply_costs_what_meta_reports_once,
    an_sms_costs_its_segments_until_twilio_says_what_it_charged,
    budgets_alert_admins_and_a_newer_rate_table_prices_its_days_again,
);
