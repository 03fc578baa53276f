//! Reports against hand-computed figures on a seeded timeline: a reopened conversation, a
//! person who only wrote a note, a wait across a weekend counted in business hours, a reply
//! that arrives after a report was read, and the conversations behind each figure.

use crate::common;

use app::model::Role;
use common::{Db, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// Epoch ms of 2026-11-`day` at `hour`:`minute` UTC (2 November 2026 is a Monday).
fn at(day: i64, hour: i64, minute: i64) -> i64 {
    let november_1 = 1_793_491_200_000; // 2026-11-01T00:00:00Z
    november_1 + ((day - 1) * 24 * 60 + hour * 60 + minute) * 60_000
}

struct Seed {
    volunteer: i64,
    coordinator: i64,
    channel: i64,
}

async fn conversation(app: &TestApp, seed: &Seed, name: &str, opened: i64) -> i64 {
    let pool = app.sql().await;
    let contact: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
    )
    .bind(name)
    .bind(opened)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query_scalar(
        "INSERT INTO conversations (channel_id, contact_id, status, assignee_id, last_message_at, \
         created_at, updated_at) VALUES ($1, $2, 'open', $3, $4, $4, $4) RETURNING id",
    )
    .bind(seed.channel)
    .bind(contact)
    .bind(seed.volunteer)
    .bind(opened)
    .fetch_one(&pool)
    .await
    .unwrap()
}

/// A message in (`author` None) or a person's reply, at `when`.
async fn message(app: &TestApp, seed: &Seed, conversation: i64, author: Option<i64>, when: i64) {
    let direction = if author.is_some() {
        "outbound"
    } else {
        "inbound"
    };
    sqlx::query(
        "INSERT INTO messages (conversation_id, channel_id, direction, author_id, kind, body, status, \
         provider_timestamp, created_at, updated_at) VALUES ($1, $2, $3, $4, 'text', 'x', 'delivered', $5, $5, $5)",
    )
    .bind(conversation)
    .bind(seed.channel)
    .bind(direction)
    .bind(author)
    .bind(when)
    .execute(&app.sql().await)
    .await
    .unwrap();
}

async fn resolved(app: &TestApp, seed: &Seed, conversation: i64, when: i64) {
    let pool = app.sql().await;
    sqlx::query(
        "INSERT INTO conversation_events (conversation_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, 'status', '{\"status\":\"resolved\"}', $3)",
    )
    .bind(conversation)
    .bind(seed.coordinator)
    .bind(when)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE conversations SET status = 'resolved' WHERE id = $1")
        .bind(conversation)
        .execute(&pool)
        .await
        .unwrap();
}

fn figure(summary: &Value, name: &str) -> (Value, Value, Value) {
    (
        summary[name]["median"].clone(),
        summary[name]["p90"].clone(),
        summary[name]["count"].clone(),
    )
}

async fn report_figures_match_the_hand_computed_timeline(db: Db) {
    let app = spawn_app(db).await;
    let channel = app.whatsapp_channel().await;
    let (token, coordinator) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer_token, volunteer) = app.token("vic@example.org", Role::Volunteer).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let (admin_browser, _) = app.signed_in("ada@example.org", Role::Admin).await;
    let seed = Seed {
        volunteer,
        coordinator,
        channel,
    };

    // Ana, Monday: answered in 10 min; writes twice, answered 30 min after the first; resolved
    // at 10:00; writes again at 11:00 (reopening it), answered in 5 min, resolved at 12:00.
    // Cora only adds a note: that is no reply.
    let ana = conversation(&app, &seed, "Ana", at(2, 9, 0)).await;
    message(&app, &seed, ana, None, at(2, 9, 0)).await;
    sqlx::query(
        "INSERT INTO notes (conversation_id, author_id, body, created_at) VALUES ($1, $2, 'seen', $3)",
    )
    .bind(ana)
    .bind(coordinator)
    .bind(at(2, 9, 5))
    .execute(&app.sql().await)
    .await
    .unwrap();
    message(&app, &seed, ana, Some(volunteer), at(2, 9, 10)).await;
    message(&app, &seed, ana, None, at(2, 9, 20)).await;
    message(&app, &seed, ana, None, at(2, 9, 25)).await;
    message(&app, &seed, ana, Some(volunteer), at(2, 9, 50)).await;
    resolved(&app, &seed, ana, at(2, 10, 0)).await;
    message(&app, &seed, ana, None, at(2, 11, 0)).await;
    message(&app, &seed, ana, Some(volunteer), at(2, 11, 5)).await;
    resolved(&app, &seed, ana, at(2, 12, 0)).await;
    // Ben writes Friday 16:00 and is answered Monday 10:00: 66 hours, 2 business hours.
    let ben = conversation(&app, &seed, "Ben", at(6, 16, 0)).await;
    message(&app, &seed, ben, None, at(6, 16, 0)).await;
    message(&app, &seed, ben, Some(volunteer), at(9, 10, 0)).await;
    // Cleo writes Tuesday 08:00 and has no reply yet.
    let cleo = conversation(&app, &seed, "Cleo", at(3, 8, 0)).await;
    message(&app, &seed, cleo, None, at(3, 8, 0)).await;

    let range = "from=2026-11-01&to=2026-11-10&tz=UTC";
    let (status, summary) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/summary?{range}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["conversations_opened"], 3);
    assert_eq!(summary["conversations_resolved"], 2);
    assert_eq!(summary["still_open"], 2, "Ben and Cleo");
    assert_eq!(summary["unanswered"], 1, "Cleo");
    assert_eq!(
        (
            summary["messages_in"].clone(),
            summary["messages_out"].clone()
        ),
        (json!(6), json!(4))
    );
    // First responses 5 min, 10 min and 66 h: the middle one, and the third for 90 %.
    assert_eq!(
        figure(&summary, "first_response"),
        (json!("10 min"), json!("2 d 18 h"), json!(3))
    );
    assert_eq!(summary["first_response"]["median_seconds"], 600);
    assert_eq!(
        figure(&summary, "reply"),
        (json!("30 min"), json!("30 min"), json!(1))
    );
    assert_eq!(
        figure(&summary, "resolution"),
        (json!("1 h"), json!("1 h"), json!(2))
    );

    // Business hours, Monday to Friday 09:00–17:00 UTC: Ben's wait is 16:00–17:00 on Friday and
    // 09:00–10:00 on Monday.
    let weekdays: Vec<Value> = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        .map(|day| json!({ "weekday": day, "opens": "09:00", "closes": "17:00" }))
        .to_vec();
    let hours = json!({ "time_zone": "UTC", "opening_hours": weekdays, "holidays": [] });
    let (status, _) = app
        .api(
            &token,
            Method::PUT,
            "/settings/business-hours",
            Some(hours.clone()),
        )
        .await;
    assert_eq!(status, 403, "only admins set the hours");
    let (status, saved) = app
        .api(&admin, Method::PUT, "/settings/business-hours", Some(hours))
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, refused) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/business-hours",
            Some(json!({ "time_zone": "Mars/Olympus", "opening_hours": [] })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    // The settings form writes the same hours one interval per line.
    let shown = app
        .server_fn(&admin_browser, "settings/business-hours", &[])
        .await;
    assert_eq!(shown.status(), 200);
    let form: Value = shown.json().await.unwrap();
    assert_eq!(
        form["opening_hours"].as_str().unwrap().lines().next(),
        Some("Monday 09:00-17:00")
    );
    let refused = app
        .server_fn(
            &admin_browser,
            "settings/business-hours/save",
            &[
                ("form[time_zone]", "UTC"),
                ("form[opening_hours]", "Monday 9 to 5"),
                ("form[holidays]", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422, "{:?}", refused.text().await);
    let (_, business) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/summary?{range}&business_hours=true"),
            None,
        )
        .await;
    assert_eq!(business["business_hours"], true);
    assert_eq!(
        figure(&business, "first_response"),
        (json!("10 min"), json!("2 h"), json!(3))
    );

    // Drill-down: the conversations behind the first response time.
    let (_, behind) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/conversations?{range}&show=first_response"),
            None,
        )
        .await;
    let mut details: Vec<String> = behind
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            format!(
                "{}: {}",
                row["contact_name"].as_str().unwrap(),
                row["detail"].as_str().unwrap()
            )
        })
        .collect();
    details.sort();
    assert_eq!(
        details,
        [
            "Ana: First response 10 min",
            "Ana: First response 5 min",
            "Ben: First response 2 d 18 h"
        ]
    );
    let (status, _) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/conversations?{range}&show=nonsense"),
            None,
        )
        .await;
    assert_eq!(status, 400, "not a figure of the report");

    // Per day and per person.
    let (_, daily) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/daily?{range}"),
            None,
        )
        .await;
    assert_eq!(daily["days"].as_array().unwrap().len(), 10);
    assert_eq!(daily["days"][1]["messages_in"], json!([4]), "Monday's four");
    assert_eq!(
        daily["days"][1]["first_response_median_seconds"], 300,
        "5 and 10 min: the lower middle"
    );
    // Monday 09:00 is hour 9 of the week; Friday 16:00 hour 4 * 24 + 16.
    assert_eq!(daily["load_by_hour"][0][9], 3);
    assert_eq!(daily["load_by_hour"][4][16], 1);

    // A reply that arrives after the report was read: Cleo answered after an hour.
    message(&app, &seed, cleo, Some(volunteer), at(3, 9, 0)).await;
    let (_, later) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/summary?{range}"),
            None,
        )
        .await;
    assert_eq!(later["unanswered"], 0);
    assert_eq!(
        figure(&later, "first_response"),
        (json!("10 min"), json!("2 d 18 h"), json!(4)),
        "5 min, 10 min, 1 h, 66 h: the lower middle one"
    );

    let csv = app
        .get_as(
            &token,
            &format!("/api/v1/reports/conversations.csv?{range}"),
        )
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("conversation_id,contact,channel,status"));
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with(&format!("{ana},Ana,"))
                && line.ends_with(",2,300,1,1800,2,3600")),
        "{csv}"
    );

    let (status, _) = app
        .api(
            &volunteer_token,
            Method::GET,
            &format!("/reports/summary?{range}"),
            None,
        )
        .await;
    assert_eq!(status, 403, "volunteers see no reports");
    for bad in [
        "tz=Nowhere/City",
        "from=2026-11-10&to=2026-11-01",
        "from=yesterday",
    ] {
        let (status, _) = app
            .api(
                &token,
                Method::GET,
                &format!("/reports/summary?{bad}"),
                None,
            )
            .await;
        assert_eq!(status, 422, "{bad}");
    }
}

on_both_databases!(report_figures_match_the_hand_computed_timeline);
