//! Volunteer wellbeing: contacts' pictures and videos blurred for volunteers only while the
//! setting is on (in the API and the server-rendered thread), time answering counted once per
//! minute however many clients tell it, people over their limits listed for coordinators with
//! their exact minutes and told live, and the settings validated — on SQLite and PostgreSQL.

use crate::common;

use app::model::Role;
use app::ports::Actor;
use common::conversations::DANA;
use common::live::{events_until, open_stream};
use common::{Db, TestApp, now_secs, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use server::services::Services;

const MINUTE_MS: i64 = 60_000;
const DAY_MINUTES: i64 = 24 * 60;

fn now_ms() -> i64 {
    server::store::now_ms()
}

async fn actor(app: &TestApp, id: i64) -> Actor {
    app.services
        .actor_by_id(id)
        .await
        .expect("the person")
        .expect("an active person")
}

/// Heartbeats for `person` at each of `minutes_ago` (minutes before `now`), through `services`.
async fn beats(
    services: &Services,
    person: &Actor,
    now: i64,
    minutes_ago: impl Iterator<Item = i64>,
) {
    for ago in minutes_ago {
        services
            .record_activity_at(person, now - ago * MINUTE_MS)
            .await
            .expect("the heartbeat is counted");
    }
}

async fn put_settings(app: &TestApp, admin: &str, settings: Value) -> (u16, Value) {
    app.api(admin, Method::PUT, "/settings/wellbeing", Some(settings))
        .await
}

async fn blur_is_for_volunteers_while_the_setting_is_on(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (volunteer, _) = app.token("vic@example.org", Role::Volunteer).await;
    let (volunteer_browser, _) = app.signed_in("val@example.org", Role::Volunteer).await;
    let (coordinator_browser, _) = app.signed_in("cole@example.org", Role::Coordinator).await;
    app.whatsapp_channel().await;
    app.whatsapp_text_from(DANA, "Dana", "wamid.blur1", now_secs(), "look at this")
        .await;
    let conversation = app.conversation_with(DANA).await;
    app.stored_picture(conversation, b"a picture from Dana", now_ms())
        .await;

    let blurred = |token: String| {
        let app = &app;
        async move { app.conversation_detail(&token, conversation).await["blur_media"].clone() }
    };
    let (status, defaults) = app
        .api(&admin, Method::GET, "/settings/wellbeing", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        defaults,
        json!({ "blur_media": true, "daily_limit_minutes": 240, "weekly_limit_minutes": 960 })
    );
    assert_eq!(blurred(volunteer.clone()).await, json!(true));
    assert_eq!(blurred(coordinator.clone()).await, json!(false));
    assert_eq!(blurred(admin.clone()).await, json!(false));

    // The server renders the thread blurred, so nothing shows before the page's code runs.
    let thread = app
        .page(
            &volunteer_browser,
            &format!("/conversations/{conversation}"),
        )
        .await;
    assert!(
        thread.contains(r#"class="blurred-media blurred""#),
        "the volunteer's thread shows the picture blurred: {thread}"
    );
    assert!(thread.contains("Show picture"), "{thread}");
    let unblurred = app
        .page(
            &coordinator_browser,
            &format!("/conversations/{conversation}"),
        )
        .await;
    assert!(
        unblurred.contains(r#"alt="Photo from Dana""#),
        "{unblurred}"
    );
    assert!(!unblurred.contains("blurred-media"), "{unblurred}");

    let off =
        json!({ "blur_media": false, "daily_limit_minutes": 240, "weekly_limit_minutes": 960 });
    assert_eq!(put_settings(&app, &admin, off.clone()).await, (200, off));
    assert_eq!(blurred(volunteer.clone()).await, json!(false));
    assert_eq!(blurred(coordinator.clone()).await, json!(false));
    let thread = app
        .page(
            &volunteer_browser,
            &format!("/conversations/{conversation}"),
        )
        .await;
    assert!(thread.contains(r#"alt="Photo from Dana""#), "{thread}");
    assert!(!thread.contains("blurred-media"), "{thread}");
    assert_eq!(
        app.audited("settings.wellbeing", "settings").await.len(),
        1,
        "the change is in the audit log"
    );
}

async fn heartbeats_in_the_same_minute_count_once(db: Db) {
    let app = spawn_app(db).await;
    let (first_tab, vic_id) = app.token("vic@example.org", Role::Volunteer).await;
    let vic = actor(&app, vic_id).await;
    let second_tab = app
        .services
        .create_token(&vic, "second tab")
        .await
        .unwrap()
        .secret;

    // Two clients of one person beat in the same minute: one minute. Should the minute turn
    // between the two calls, the try does not tell, so it is made again.
    loop {
        let minute = now_ms() / MINUTE_MS;
        let (first_status, first) = app
            .api(&first_tab, Method::POST, "/me/activity", None)
            .await;
        let (second_status, second) = app
            .api(&second_tab, Method::POST, "/me/activity", None)
            .await;
        assert_eq!((first_status, second_status), (200, 200));
        if now_ms() / MINUTE_MS == minute {
            assert_eq!(first["minutes_last_24h"], 1, "{first}");
            assert_eq!(second["minutes_last_24h"], 1, "{second}");
            assert_eq!(second["minutes_last_7d"], 1, "{second}");
            assert_eq!(second["warning"], Value::Null);
            break;
        }
        sqlx::query("DELETE FROM active_minutes")
            .execute(&app.sql().await)
            .await
            .unwrap();
    }

    // With the clock in hand: beats 0 and 59 seconds into a minute are one minute, the next
    // minute is another.
    let start = (now_ms() / MINUTE_MS + 10) * MINUTE_MS;
    let figures = |services: &Services, at: i64| {
        let services = services.clone();
        let vic = vic.clone();
        async move {
            let mine = services.record_activity_at(&vic, at).await.unwrap();
            (mine.minutes_last_24h, mine.minutes_last_7d)
        }
    };
    assert_eq!(figures(&app.services, start).await, (2, 2));
    assert_eq!(figures(&app.services, start + 59_999).await, (2, 2));
    assert_eq!(figures(&app.services, start + MINUTE_MS).await, (3, 3));
    // A day later the day's window has let them go, the week's has not.
    assert_eq!(
        figures(&app.services, start + (DAY_MINUTES + 2) * MINUTE_MS).await,
        (1, 4)
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM active_minutes WHERE user_id = $1")
        .bind(vic_id)
        .fetch_one(&app.sql().await)
        .await
        .unwrap();
    assert_eq!(rows, 4, "one row per person per minute");
}

async fn people_over_their_limits_are_listed_with_their_minutes(db: Db) {
    let app = spawn_app(db).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (volunteer, vic_id) = app.token("vic@example.org", Role::Volunteer).await;
    let (_, wes_id) = app.token("wes@example.org", Role::Volunteer).await;
    let vic = actor(&app, vic_id).await;
    let wes = actor(&app, wes_id).await;
    let now = now_ms();

    // Vic: 241 minutes in the last 24 hours, 720 more two days ago, and one nine days ago that
    // no window counts and that is deleted as newer minutes arrive. Wes: an hour.
    beats(&app.services, &vic, now, [9 * DAY_MINUTES].into_iter()).await;
    beats(
        &app.services,
        &vic,
        now,
        2 * DAY_MINUTES..2 * DAY_MINUTES + 720,
    )
    .await;
    beats(&app.services, &vic, now, 0..241).await;
    beats(&app.services, &wes, now, 0..60).await;
    let oldest: i64 =
        sqlx::query_scalar("SELECT MIN(minute) FROM active_minutes WHERE user_id = $1")
            .bind(vic_id)
            .fetch_one(&app.sql().await)
            .await
            .unwrap();
    assert_eq!(
        oldest,
        now / MINUTE_MS - 2 * DAY_MINUTES - 719,
        "older minutes are deleted"
    );

    let expected = json!({
        "daily_limit_minutes": 240,
        "weekly_limit_minutes": 960,
        "people": [{
            "person_id": vic_id,
            "name": "vic",
            "minutes_last_24h": 241,
            "minutes_last_7d": 961,
            "over_daily_limit": true,
            "over_weekly_limit": true,
        }],
    });
    for token in [&coordinator, &admin] {
        assert_eq!(
            app.api(token, Method::GET, "/wellbeing", None).await,
            (200, expected.clone())
        );
    }
    let (status, refused) = app.api(&volunteer, Method::GET, "/wellbeing", None).await;
    assert_eq!(
        (status, &refused["code"]),
        (403, &json!("forbidden")),
        "{refused}"
    );

    assert_eq!(
        app.api(&volunteer, Method::GET, "/me/wellbeing", None)
            .await,
        (
            200,
            json!({
                "minutes_last_24h": 241,
                "minutes_last_7d": 961,
                "daily_limit_minutes": 240,
                "weekly_limit_minutes": 960,
                "warning": "You have been answering for over 4 hours today. Please take a break.",
            })
        )
    );

    // A higher daily limit leaves only the week's passed.
    let (status, _) = put_settings(
        &app,
        &admin,
        json!({ "blur_media": true, "daily_limit_minutes": 300, "weekly_limit_minutes": 960 }),
    )
    .await;
    assert_eq!(status, 200);
    let (_, mine) = app
        .api(&volunteer, Method::GET, "/me/wellbeing", None)
        .await;
    assert_eq!(
        mine["warning"],
        "You have been answering for over 16 hours this week. Please take a break."
    );
    let (_, overview) = app.api(&coordinator, Method::GET, "/wellbeing", None).await;
    assert_eq!(
        overview["people"][0]["over_daily_limit"], false,
        "{overview}"
    );
    assert_eq!(
        overview["people"][0]["over_weekly_limit"], true,
        "{overview}"
    );
}

async fn passing_a_limit_is_told_live_to_the_person_and_coordinators_only(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    let (_, vic_id) = app.token("vic@example.org", Role::Volunteer).await;
    let (wes_token, wes_id) = app.token("wes@example.org", Role::Volunteer).await;
    let (status, _) = put_settings(
        &app,
        &admin,
        json!({ "blur_media": true, "daily_limit_minutes": 2, "weekly_limit_minutes": 10 }),
    )
    .await;
    assert_eq!(status, 200);
    let mut coordinators_browser = open_stream(&app.base, &coordinator).await;
    let mut wes_browser = open_stream(&app.base, &wes_token).await;

    // Through the running instance's services, whose streams are open. Vic passes the day's
    // limit with his third minute, oldest first as a clock runs; then Wes does.
    let now = now_ms();
    let vic = actor(&app, vic_id).await;
    let wes = actor(&app, wes_id).await;
    beats(&app.app_services, &vic, now, (0..3).rev()).await;
    beats(&app.app_services, &wes, now, (0..3).rev()).await;

    let over_limit = |person: i64| {
        move |event: &Value| event["type"] == "over_limit" && event["person_id"] == person
    };
    let told = events_until(&mut coordinators_browser, over_limit(wes_id)).await;
    let passings: Vec<&Value> = told
        .iter()
        .filter(|event| event["type"] == "over_limit")
        .collect();
    assert_eq!(
        passings,
        [
            &json!({ "type": "over_limit", "person_id": vic_id, "person_name": "vic" }),
            &json!({ "type": "over_limit", "person_id": wes_id, "person_name": "wes" }),
        ],
        "coordinators are told once per person passing"
    );
    let told = events_until(&mut wes_browser, over_limit(wes_id)).await;
    assert!(
        told.iter().all(|event| event["person_id"] != vic_id),
        "another volunteer's time is not told to Wes: {told:?}"
    );
}

async fn settings_are_validated_and_for_admins_only(db: Db) {
    let app = spawn_app(db).await;
    let (admin, _) = app.token("ada@example.org", Role::Admin).await;
    let (coordinator, _) = app.token("cora@example.org", Role::Coordinator).await;
    for (settings, reason) in [
        (
            json!({ "daily_limit_minutes": 0 }),
            "The daily limit must be between 1 and 1440 minutes (24 hours).",
        ),
        (
            json!({ "daily_limit_minutes": 1441, "weekly_limit_minutes": 2000 }),
            "The daily limit must be between 1 and 1440 minutes (24 hours).",
        ),
        (
            json!({ "weekly_limit_minutes": 10081 }),
            "The weekly limit must be between 1 and 10080 minutes (7 days).",
        ),
        (
            json!({ "weekly_limit_minutes": -1 }),
            "The weekly limit must be between 1 and 10080 minutes (7 days).",
        ),
        (
            json!({ "daily_limit_minutes": 600, "weekly_limit_minutes": 500 }),
            "The weekly limit cannot be less than the daily limit.",
        ),
    ] {
        let (status, refused) = put_settings(&app, &admin, settings.clone()).await;
        assert_eq!(status, 422, "{settings}: {refused}");
        assert_eq!(refused["message"], reason, "{settings}");
    }
    let (status, _) = put_settings(&app, &admin, json!({ "blur_media": "yes" })).await;
    assert_eq!(status, 422, "a flag that is not a boolean");
    let (_, unchanged) = app
        .api(&admin, Method::GET, "/settings/wellbeing", None)
        .await;
    assert_eq!(
        unchanged["daily_limit_minutes"], 240,
        "nothing refused was saved"
    );

    // Omitted fields take their defaults.
    assert_eq!(
        put_settings(&app, &admin, json!({ "daily_limit_minutes": 90 })).await,
        (
            200,
            json!({ "blur_media": true, "daily_limit_minutes": 90, "weekly_limit_minutes": 960 })
        )
    );
    for (method, body) in [(Method::GET, None), (Method::PUT, Some(json!({})))] {
        let (status, _) = app
            .api(&coordinator, method.clone(), "/settings/wellbeing", body)
            .await;
        assert_eq!(status, 403, "{method} by a coordinator");
    }
}

on_both_databases!(
    blur_is_for_volunteers_while_the_setting_is_on,
    heartbeats_in_the_same_minute_count_once,
    people_over_their_limits_are_listed_with_their_minutes,
    passing_a_limit_is_told_live_to_the_person_and_coordinators_only,
    settings_are_validated_and_for_admins_only,
);
