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
                "{}: {} ({} s)",
                row["contact_name"].as_str().unwrap(),
                row["detail"].as_str().unwrap(),
                row["seconds"].as_i64().unwrap()
            )
        })
        .collect();
    details.sort();
    assert_eq!(
        details,
        [
            "Ana: First response 10 min (600 s)",
            "Ana: First response 5 min (300 s)",
            "Ben: First response 2 d 18 h (237600 s)"
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

/// A person's reply written at `when` that waits for a coordinator's approval: not a reply yet.
async fn reply_awaiting_approval(app: &TestApp, seed: &Seed, conversation: i64, when: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, channel_id, direction, author_id, kind, body, status, \
         created_at, updated_at) VALUES ($1, $2, 'outbound', $3, 'text', 'x', 'awaiting_approval', $4, $4) \
         RETURNING id",
    )
    .bind(conversation)
    .bind(seed.channel)
    .bind(seed.volunteer)
    .bind(when)
    .fetch_one(&app.sql().await)
    .await
    .unwrap()
}

async fn reopened(app: &TestApp, seed: &Seed, conversation: i64, when: i64) {
    let pool = app.sql().await;
    sqlx::query(
        "INSERT INTO conversation_events (conversation_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, 'status', '{\"status\":\"open\"}', $3)",
    )
    .bind(conversation)
    .bind(seed.coordinator)
    .bind(when)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE conversations SET status = 'open' WHERE id = $1")
        .bind(conversation)
        .execute(&pool)
        .await
        .unwrap();
}

async fn csv(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let response = app.get_as(token, &format!("/api/v1/reports/{path}")).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Changes that reach the rollup late: a reply approved after the report was read, a
/// resolution recorded afterwards with an earlier time, and a reopening. The report's figures,
/// read from the database's ranks, follow each one; the page's tables come as CSV too.
async fn late_changes_and_the_tables_as_csv(db: Db) {
    let app = spawn_app(db).await;
    let channel = app.whatsapp_channel().await;
    let (token, coordinator) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer_token, volunteer) = app.token("vic@example.org", Role::Volunteer).await;
    let seed = Seed {
        volunteer,
        coordinator,
        channel,
    };
    let range = "from=2026-11-04&to=2026-11-04&tz=UTC";
    let summary = || async {
        let (status, summary) = app
            .api(
                &token,
                Method::GET,
                &format!("/reports/summary?{range}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{summary}");
        summary
    };

    // Eve writes Wednesday 10:00; Vic's reply at 10:20 waits for approval.
    let eve = conversation(&app, &seed, "Eve", at(4, 10, 0)).await;
    message(&app, &seed, eve, None, at(4, 10, 0)).await;
    let held = reply_awaiting_approval(&app, &seed, eve, at(4, 10, 20)).await;
    let first = summary().await;
    assert_eq!(
        first["unanswered"], 1,
        "a reply awaiting approval is no reply"
    );
    assert_eq!(first["first_response"]["count"], 0);

    // Approved: the status changes late, and the reply counts from when it was written.
    sqlx::query("UPDATE messages SET status = 'delivered' WHERE id = $1")
        .bind(held)
        .execute(&app.sql().await)
        .await
        .unwrap();
    let approved = summary().await;
    assert_eq!(approved["unanswered"], 0);
    assert_eq!(
        figure(&approved, "first_response"),
        (json!("20 min"), json!("20 min"), json!(1))
    );

    // Resolved at 11:00, recorded after the report was read; reopened at 12:00 when Eve
    // writes again, answered at 12:30.
    resolved(&app, &seed, eve, at(4, 11, 0)).await;
    let resolved_late = summary().await;
    assert_eq!(resolved_late["conversations_resolved"], 1);
    assert_eq!(resolved_late["still_open"], 0);
    reopened(&app, &seed, eve, at(4, 12, 0)).await;
    message(&app, &seed, eve, None, at(4, 12, 0)).await;
    let after_reopening = summary().await;
    assert_eq!(after_reopening["unanswered"], 1, "the second period");
    message(&app, &seed, eve, Some(volunteer), at(4, 12, 30)).await;
    let last = summary().await;
    assert_eq!(last["unanswered"], 0);
    assert_eq!(last["still_open"], 1);
    assert_eq!(
        figure(&last, "first_response"),
        (json!("20 min"), json!("30 min"), json!(2)),
        "20 and 30 min: the lower middle, and the longer for 90 %"
    );
    assert_eq!(
        figure(&last, "resolution"),
        (json!("1 h"), json!("1 h"), json!(1))
    );
    assert_eq!(
        (last["messages_in"].clone(), last["messages_out"].clone()),
        (json!(2), json!(2))
    );

    // The page's tables as CSV.
    let (status, daily) = csv(&app, &token, &format!("daily.csv?{range}")).await;
    assert_eq!(status, 200, "{daily}");
    let lines: Vec<&str> = daily.lines().collect();
    assert_eq!(lines.len(), 2, "{daily}");
    assert!(
        lines[0].starts_with(
            "date,messages_in,messages_out,first_response_median_seconds,messages_in "
        ),
        "{daily}"
    );
    assert_eq!(lines[1], "2026-11-04,2,2,1200,2");

    let (status, people) = csv(&app, &token, &format!("people.csv?{range}")).await;
    assert_eq!(status, 200, "{people}");
    let lines: Vec<&str> = people.lines().collect();
    assert_eq!(
        lines[0],
        "user_id,person,first_responses,first_response_median_seconds,first_response_p90_seconds,replies,resolutions"
    );
    assert_eq!(lines.len(), 3, "Vic answered, Cora resolved: {people}");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with(&format!("{volunteer},"))
                && line.ends_with(",2,1200,1800,0,0")),
        "{people}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with(&format!("{coordinator},")) && line.ends_with(",0,,,0,1")),
        "{people}"
    );

    let (status, hours) = csv(&app, &token, &format!("hours.csv?{range}")).await;
    assert_eq!(status, 200, "{hours}");
    let lines: Vec<&str> = hours.lines().collect();
    assert_eq!(lines.len(), 1 + 7 * 24);
    assert_eq!(lines[0], "weekday,hour,messages_in");
    assert_eq!(lines[1], "Monday,00:00,0");
    assert_eq!(lines[1 + 2 * 24 + 10], "Wednesday,10:00,1");
    assert_eq!(lines[1 + 2 * 24 + 12], "Wednesday,12:00,1");
    // In Paris (UTC+1 in November) the same messages fall an hour later.
    let (_, paris) = csv(
        &app,
        &token,
        "hours.csv?from=2026-11-04&to=2026-11-04&tz=Europe/Paris",
    )
    .await;
    assert_eq!(
        paris.lines().nth(1 + 2 * 24 + 11),
        Some("Wednesday,11:00,1")
    );

    let (status, costs) = csv(&app, &token, "costs.csv?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(status, 200, "{costs}");
    assert_eq!(
        costs, "month,channel,category,messages,micro_usd,cost\n",
        "nothing priced"
    );

    for path in ["daily.csv", "people.csv", "hours.csv", "costs.csv"] {
        let (status, _) = csv(&app, &volunteer_token, path).await;
        assert_eq!(status, 403, "{path}: volunteers see no reports");
        let (status, _) = csv(
            &app,
            &token,
            &format!("{path}?from=2026-11-10&to=2026-11-01"),
        )
        .await;
        assert_eq!(status, 422, "{path}: a range that ends before it starts");
    }
    let (status, _) = csv(&app, &token, "daily.csv?tz=Nowhere/City").await;
    assert_eq!(status, 422);
}

/// The database ranks the waits: its medians and 90th percentiles are the domain's nearest
/// ranks, per day and per person too, on the wall clock and in business hours.
async fn ranked_figures_match_the_domain_percentiles(db: Db) {
    let app = spawn_app(db).await;
    let channel = app.whatsapp_channel().await;
    let (token, coordinator) = app.token("cora@example.org", Role::Coordinator).await;
    let (_, volunteer) = app.token("vic@example.org", Role::Volunteer).await;
    let (admin, _) = app.token("admin@example.org", Role::Admin).await;
    let seed = Seed {
        volunteer,
        coordinator,
        channel,
    };
    // 23 first responses on Monday and Tuesday, from 1 to 300 minutes, in no order.
    let mut monday = Vec::new();
    let mut all = Vec::new();
    for index in 0..23_i64 {
        let minutes = (index * 137) % 300 + 1;
        let day = 2 + index % 2;
        let opened = at(day, 8, index);
        let id = conversation(&app, &seed, &format!("Contact {index}"), opened).await;
        message(&app, &seed, id, None, opened).await;
        message(&app, &seed, id, Some(volunteer), opened + minutes * 60_000).await;
        all.push(minutes * 60);
        if day == 2 {
            monday.push(minutes * 60);
        }
    }
    let nearest = |values: &[i64], percent: usize| {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        sorted[(percent * sorted.len()).div_ceil(100).max(1) - 1]
    };
    let range = "from=2026-11-02&to=2026-11-03&tz=UTC";
    let (_, summary) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/summary?{range}"),
            None,
        )
        .await;
    assert_eq!(summary["first_response"]["count"], 23);
    assert_eq!(
        summary["first_response"]["median_seconds"],
        nearest(&all, 50)
    );
    assert_eq!(summary["first_response"]["p90_seconds"], nearest(&all, 90));
    let (_, daily) = app
        .api(
            &token,
            Method::GET,
            &format!("/reports/daily?{range}"),
            None,
        )
        .await;
    assert_eq!(
        daily["days"][0]["first_response_median_seconds"],
        nearest(&monday, 50)
    );
    let (_, people) = csv(&app, &token, &format!("people.csv?{range}")).await;
    assert!(
        people
            .lines()
            .any(|line| line.starts_with(&format!("{volunteer},"))
                && line.ends_with(&format!(
                    ",23,{},{},0,0",
                    nearest(&all, 50),
                    nearest(&all, 90)
                ))),
        "{people}"
    );

    // Every hour counts in business hours open all week; then only 08:00 to 09:00, which
    // the waits from 08:xx are cut at.
    let every_hour: Vec<Value> = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .map(|day| json!({ "weekday": day, "opens": "00:00", "closes": "24:00" }))
    .to_vec();
    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/business-hours",
            Some(json!({ "time_zone": "UTC", "opening_hours": every_hour, "holidays": [] })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let business = format!("/reports/summary?{range}&business_hours=true");
    let (_, open_all_week) = app.api(&token, Method::GET, &business, None).await;
    assert_eq!(
        open_all_week["first_response"]["median_seconds"],
        nearest(&all, 50)
    );
    let (status, saved) = app
        .api(
            &admin,
            Method::PUT,
            "/settings/business-hours",
            Some(json!({ "time_zone": "UTC", "opening_hours": [
                { "weekday": "Monday", "opens": "08:00", "closes": "09:00" },
                { "weekday": "Tuesday", "opens": "08:00", "closes": "09:00" }
            ], "holidays": [] })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let cut: Vec<i64> = (0..23_i64)
        .map(|index| ((index * 137) % 300 + 1).min(60 - index) * 60)
        .collect();
    let (_, early) = app.api(&token, Method::GET, &business, None).await;
    assert_eq!(
        early["first_response"]["median_seconds"],
        nearest(&cut, 50),
        "the new hours count for waits measured before they were saved"
    );
    assert_eq!(early["first_response"]["p90_seconds"], nearest(&cut, 90));
}

on_both_databases!(
    report_figures_match_the_hand_computed_timeline,
    late_changes_and_the_tables_as_csv,
    ranked_figures_match_the_domain_percentiles,
);
