//! Failure paths, exercised rather than assumed: one refused delivery in a group commit, SIGTERM
//! with requests and deliveries in flight, `/readyz` while the database is gone, idle sessions,
//! the send rate with two instances sending at once, a shared link past its week, and a kept
//! delivery processed again after a secret changed. On SQLite and PostgreSQL.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::model::{ChannelInput, Role};
use channels::phone::E164;
use channels::simulate;
use common::provider::FakeProvider;
use common::{Db, PASSWORD, TestApp, TestDb, location, spawn_app, spawn_app_with};
use server::config::Config;
use server::services::Services;
use server::store::{
    Change, ChannelWrite, Delivery, NewInbound, Processing, Recorded, Store, now_ms, now_us,
};
use sqlx::{Connection, Executor, PgConnection};

const APP_SECRET: &str = "failure-app-secret";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "twilio-auth-token";
const TWILIO_NUMBER: &str = "+15550001111";
const CONTACT: &str = "+15552223333";

async fn sql(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .expect("test database connection")
}

async fn count(url: &str, query: &str) -> i64 {
    sqlx::query_scalar(query)
        .fetch_one(&sql(url).await)
        .await
        .unwrap()
}

async fn texts(url: &str, query: &str) -> Vec<String> {
    sqlx::query_scalar(query)
        .fetch_all(&sql(url).await)
        .await
        .unwrap()
}

/// Services of an instance of our own on `test_db`, sealing with its key file (as an instance
/// started now would).
async fn services_on(test_db: &TestDb) -> Services {
    let url = test_db.url.clone();
    let key_file = test_db.key_file();
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "SWITCHBOARD_SECRET_KEY_FILE" => Some(key_file.clone()),
        "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS" => Some("true".to_string()),
        _ => None,
    })
    .expect("test configuration");
    let store = Store::connect(&test_db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    Services::new(store, config.service_settings())
}

async fn admin_of(services: &Services, email: &str) -> app::ports::Actor {
    let id = services
        .add_person_with_password(None, email, "Admin", Role::Admin, PASSWORD)
        .await
        .expect("add person")
        .id;
    services.actor_by_id(id).await.unwrap().unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. Group commit: one refused member fails alone.

/// Makes the database refuse any message with the text `body`, as a constraint or a full disk
/// would refuse one write.
async fn refuse_messages_saying(url: &str, db: Db, body: &str) {
    let statements = match db {
        Db::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages WHEN NEW.body = '{body}' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        Db::Postgres => vec![
            "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                .to_string(),
            format!(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW \
                 WHEN (NEW.body = '{body}') EXECUTE FUNCTION refuse_poison()"
            ),
        ],
    };
    let pool = sql(url).await;
    for statement in statements {
        sqlx::raw_sql(&statement).execute(&pool).await.unwrap();
    }
}

/// The `n`th SMS delivery of a group, saying `body`, as ingest hands it to the store.
fn sms_delivery(channel_id: i64, n: usize, body: &str) -> (Delivery, Processing) {
    let sid = format!("SM{n:032x}");
    let delivery = Delivery {
        provider: "twilio",
        channel_id: Some(channel_id),
        dedupe_key: format!("group-{n}"),
        body: format!("MessageSid={sid}&Body={body}"),
        signature: None,
        request_path: "/webhooks/twilio".to_string(),
    };
    let change = Change::Inbound(NewInbound {
        address: format!("+1555000{n:04}"),
        address_is_phone: true,
        two_networks: true,
        profile_name: None,
        provider_message_id: sid,
        sent_at: 1_800_000_000_000,
        kind: "text".to_string(),
        body: body.to_string(),
        content: "[]".to_string(),
        reply_to: None,
        attachments: Vec::new(),
        consent: None,
        risk_word: None,
        erasure_answer: None,
        survey_input: None,
    });
    let processing = Processing {
        changes: vec![(channel_id, change)],
        ..Processing::default()
    };
    (delivery, processing)
}

async fn a_refused_delivery_in_a_group_commit_fails_alone(db: Db) {
    let (store, test_db) = common::store(db).await;
    let channel = store
        .insert_channel(ChannelWrite {
            kind: "twilio",
            name: "SMS",
            route_key: TWILIO_NUMBER,
            api_base_url: "https://api.twilio.com",
            settings: "{}",
            secrets: "{}",
            send_rate_per_second: 1,
        })
        .await
        .unwrap()
        .id;
    refuse_messages_saying(&test_db.url, db, "poison").await;
    let bodies = ["one", "two", "poison", "four", "five"];
    // All are handed over in one poll, before the writer task next runs (the test runtime has
    // one thread): on SQLite they queue as one group and are tried in one transaction first.
    let record_all = || {
        futures::future::join_all(bodies.iter().enumerate().map(|(n, body)| {
            let (delivery, processing) = sms_delivery(channel, n, body);
            store.record_webhook(delivery, processing)
        }))
    };

    let outcomes = record_all().await;
    for (n, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Ok(Recorded::Stored { .. }) => assert_ne!(bodies[n], "poison"),
            Err(error) => {
                assert_eq!(bodies[n], "poison", "{} failed: {error}", bodies[n]);
                assert!(
                    error.to_string().contains("refused by the test"),
                    "the refused delivery gets its own error: {error}"
                );
            }
            Ok(Recorded::Duplicate) => panic!("{} was taken for a duplicate", bodies[n]),
        }
    }
    let url = &test_db.url;
    assert_eq!(
        texts(url, "SELECT body FROM messages ORDER BY body").await,
        ["five", "four", "one", "two"]
    );
    assert_eq!(
        texts(
            url,
            "SELECT dedupe_key FROM webhook_events ORDER BY dedupe_key"
        )
        .await,
        ["group-0", "group-1", "group-3", "group-4"],
        "nothing of the refused delivery is kept"
    );

    // The provider sends them all again: the stored ones are recognised, none is stored twice.
    let again = record_all().await;
    let recognised: Vec<bool> = again
        .iter()
        .map(|outcome| matches!(outcome, Ok(Recorded::Duplicate)))
        .collect();
    assert_eq!(recognised, [true, true, false, true, true]);
    assert!(again[2].is_err());
    assert_eq!(count(url, "SELECT COUNT(*) FROM messages").await, 4);
    assert_eq!(count(url, "SELECT COUNT(*) FROM webhook_events").await, 4);
}

// ---------------------------------------------------------------------------------------------
// 2. SIGTERM with webhooks, a live stream and deliveries in flight.

/// How long a stopping instance may take: well inside the 30 seconds orchestrators give by
/// default before they kill.
const GRACE: Duration = Duration::from_secs(10);

/// The real binary serving `test_db`, with its background workers.
struct Serving {
    child: Child,
    base: String,
}

impl Serving {
    fn start(test_db: &TestDb) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("serve")
            .env("DATABASE_URL", &test_db.url)
            .env("SWITCHBOARD_ADDR", "127.0.0.1:0")
            .env("SWITCHBOARD_SITE_ROOT", std::env::temp_dir())
            .env(
                "SWITCHBOARD_MEDIA_DIR",
                test_db.scratch.path().join("media"),
            )
            .env("SWITCHBOARD_SECRET_KEY_FILE", test_db.key_file())
            .env_remove("SWITCHBOARD_SECRET_KEY")
            .env_remove("SWITCHBOARD_PUBLIC_URL")
            .env("SWITCHBOARD_BACKGROUND_WORKERS", "true")
            .env("SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS", "true")
            .env("SWITCHBOARD_LOG", "info")
            .env("SWITCHBOARD_LOG_FORMAT", "json")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the switchboard binary runs");
        // The log names the port it bound; the rest of the log is drained so it never blocks.
        let stdout = child.stdout.take().unwrap();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if entry["fields"]["message"] == "Switchboard is listening" {
                    let _ = addr_tx.send(entry["fields"]["addr"].as_str().unwrap().to_string());
                }
            }
        });
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server says where it listens");
        Serving {
            child,
            base: format!("http://{addr}"),
        }
    }

    /// Sends SIGTERM and waits for the process to end; fails the test (and kills it) if it
    /// takes longer than [`GRACE`].
    async fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = tokio::time::Instant::now() + GRACE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server was still running {GRACE:?} after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A test that fails half-way leaves no server running.
impl Drop for Serving {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Posts an inbound SMS, signed for `base`, as Twilio would; the status, or `None` when the
/// server could not be reached or dropped the connection.
async fn post_sms(client: &reqwest::Client, base: &str, sid: &str, text: &str) -> Option<u16> {
    let from = E164::parse(CONTACT).unwrap();
    let url = format!("{base}/webhooks/twilio");
    let webhook = simulate::twilio_message(
        AUTH_TOKEN,
        &url,
        ACCOUNT_SID,
        TWILIO_NUMBER,
        &from,
        "",
        sid,
        text,
        false,
    );
    let mut request = client
        .post(&url)
        .header("content-type", webhook.content_type)
        .body(webhook.body);
    for (name, value) in webhook.headers {
        request = request.header(name, value);
    }
    request
        .send()
        .await
        .ok()
        .map(|response| response.status().as_u16())
}

/// Waits until `done` holds, checking every 20 ms, for at most `within`.
async fn eventually(within: Duration, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many times the fake provider was sent each reply text.
fn sends_of(fake: &FakeProvider) -> std::collections::BTreeMap<String, usize> {
    let mut sends = std::collections::BTreeMap::new();
    for request in fake.received() {
        let body = url::form_urlencoded::parse(&request.body)
            .find(|(key, _)| key == "Body")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        *sends.entry(body).or_insert(0) += 1;
    }
    sends
}

async fn sigterm_keeps_what_was_acknowledged_and_loses_no_reply(db: Db) {
    const REPLIES: usize = 40;
    let test_db = common::database(db).await;
    let url = test_db.url.clone();
    let services = services_on(&test_db).await;
    let (fake, _) = FakeProvider::start().await;
    let mut sms = fake.channel(common::twilio(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER));
    // Slow enough that replies are still going out when the signal comes.
    sms.send_rate_per_second = Some(20);
    services.create_channel(None, &sms).await.unwrap();
    let admin = admin_of(&services, "admin@example.org").await;
    let token = services.create_token(&admin, "live").await.unwrap().secret;

    let server = Serving::start(&test_db);
    let client = reqwest::Client::new();
    let first = post_sms(&client, &server.base, &format!("SM{:032x}", 0), "hello").await;
    assert_eq!(first, Some(200));
    let conversation = count(&url, "SELECT MAX(id) FROM conversations").await;
    for n in 0..REPLIES {
        services
            .send_reply(&admin, conversation, &format!("reply {n}"))
            .await
            .unwrap();
    }
    // A browser keeps the inbox open.
    let live = client
        .get(format!("{}/live", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    // Contacts keep writing, four at a time, until the server stops taking webhooks.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (1..=4)
        .map(|writer| {
            let (client, base, acknowledged) =
                (client.clone(), server.base.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let sid = format!("SM{writer:08x}{n:024x}");
                    match post_sms(&client, &base, &sid, &format!("message {writer}.{n}")).await {
                        Some(200) => acknowledged.lock().unwrap().push(sid),
                        Some(status) => panic!("a webhook was answered {status}"),
                        None => break,
                    }
                }
            })
        })
        .collect();
    eventually(
        Duration::from_secs(20),
        "replies and webhooks flow",
        async || fake.received().len() >= 3 && acknowledged.lock().unwrap().len() >= 20,
    )
    .await;

    let status = server.terminate().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
    for writer in writers {
        writer.await.unwrap();
    }
    drop(live);

    // Every acknowledged webhook is stored, once.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let stored = texts(
        &url,
        "SELECT provider_message_id FROM messages WHERE direction = 'inbound'",
    )
    .await;
    for sid in &acknowledged {
        let copies = stored.iter().filter(|id| *id == sid).count();
        assert_eq!(copies, 1, "acknowledged webhook {sid} is stored once");
    }
    // No reply was left half-sent: each went out once, or is still waiting its turn.
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM outbound_jobs WHERE state NOT IN ('done', 'pending')"
        )
        .await,
        0,
        "{:?}",
        texts(&url, "SELECT state FROM outbound_jobs").await
    );
    let sent_before = sends_of(&fake);
    assert!(
        sent_before.values().all(|&sends| sends == 1),
        "{sent_before:?}"
    );
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM outbound_jobs WHERE state = 'done'"
        )
        .await,
        sent_before.len() as i64
    );

    // Started again, it sends the rest, and nothing twice.
    let again = Serving::start(&test_db);
    eventually(Duration::from_secs(20), "the rest is sent", async || {
        fake.received().len() >= REPLIES
    })
    .await;
    assert!(again.terminate().await.success());
    let sent = sends_of(&fake);
    let expected: std::collections::BTreeMap<String, usize> =
        (0..REPLIES).map(|n| (format!("reply {n}"), 1)).collect();
    assert_eq!(sent, expected);
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM outbound_jobs WHERE state = 'done'"
        )
        .await,
        REPLIES as i64
    );
}

// ---------------------------------------------------------------------------------------------
// 3. `/readyz` while the database is gone.

async fn status_of(app: &TestApp, path: &str) -> u16 {
    reqwest::get(app.url(path)).await.unwrap().status().as_u16()
}

async fn readiness_fails_once_its_database_connections_are_closed(db: Db) {
    let app = spawn_app(db).await;
    assert_eq!(status_of(&app, "/readyz").await, 200);
    app.app_services.store().close().await;
    assert_eq!(status_of(&app, "/readyz").await, 503);
    assert_eq!(status_of(&app, "/healthz").await, 200, "the process is up");
}

#[tokio::test]
async fn readiness_follows_postgresql_refusing_then_taking_connections() {
    let app = spawn_app(Db::Postgres).await;
    assert_eq!(status_of(&app, "/readyz").await, 200);
    let (admin, name) = app.db.url.rsplit_once('/').unwrap();
    let mut postgres = PgConnection::connect(&format!("{admin}/postgres"))
        .await
        .unwrap();
    postgres
        .execute(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false").as_str())
        .await
        .unwrap();
    let terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1";
    sqlx::query(terminate)
        .bind(name)
        .execute(&mut postgres)
        .await
        .unwrap();
    eventually(Duration::from_secs(10), "connections end", async || {
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(name)
                .fetch_one(&mut postgres)
                .await
                .unwrap();
        left == 0
    })
    .await;

    assert_eq!(status_of(&app, "/readyz").await, 503);
    assert_eq!(status_of(&app, "/healthz").await, 200, "the process is up");

    postgres
        .execute(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true").as_str())
        .await
        .unwrap();
    assert_eq!(status_of(&app, "/readyz").await, 200, "ready again");
}

// ---------------------------------------------------------------------------------------------
// 4. The idle session timeout.

/// Moves every stored session `by` closer to its expiry, as if that much time had passed
/// without their use (sessions expire by the `expires_at` each use moves forward).
async fn sessions_unused_for(app: &TestApp, by: Duration) {
    sqlx::query("UPDATE sessions SET expires_at = expires_at - $1")
        .bind(by.as_millis() as i64)
        .execute(&app.sql().await)
        .await
        .unwrap();
}

async fn an_idle_session_is_refused_while_one_in_use_stays(db: Db) {
    let app = spawn_app_with(db, |name| {
        (name == "SWITCHBOARD_SESSION_IDLE_MINUTES").then(|| "30".to_string())
    })
    .await;
    app.add("ana@example.org", Role::Volunteer).await;
    let (in_use, idle) = (app.browser(), app.browser());
    for client in [&in_use, &idle] {
        let signed_in = app.sign_in(client, "ana@example.org", PASSWORD).await;
        assert_eq!(location(&signed_in), "/");
        assert_eq!(app.me_status(client).await, 200);
    }
    let minute = Duration::from_secs(60);

    sessions_unused_for(&app, 29 * minute).await;
    assert_eq!(app.me_status(&in_use).await, 200, "29 minutes idle");
    sessions_unused_for(&app, 2 * minute).await;
    assert_eq!(app.me_status(&idle).await, 401, "31 minutes idle");
    assert_eq!(
        app.me_status(&in_use).await,
        200,
        "31 minutes after signing in, used 2 minutes ago"
    );
    assert_eq!(app.me_status(&idle).await, 401, "it stays ended");
}

// ---------------------------------------------------------------------------------------------
// 5. The send rate with two instances sending at once.

/// A Twilio Messages API stand-in that notes when each send arrived (epoch µs) and accepts it.
async fn twilio_noting_arrivals() -> (Arc<Mutex<Vec<i64>>>, String) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let noted = arrivals.clone();
    let api = axum::Router::new().route(
        "/2010-04-01/Accounts/{sid}/Messages.json",
        axum::routing::post(move || {
            let noted = noted.clone();
            async move {
                let mut arrivals = noted.lock().unwrap();
                arrivals.push(now_us());
                let sid = format!("SMf{:031x}", arrivals.len());
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(serde_json::json!({ "sid": sid, "status": "queued" })),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
    (arrivals, base)
}

/// One instance's delivery worker, until nothing is due; returns how many it sent.
async fn deliver_all(services: &Services, worker: &str) -> usize {
    let mut sent = 0;
    while services.deliver_next(worker).await.unwrap() {
        sent += 1;
    }
    sent
}

async fn two_instances_sending_at_once_keep_the_channel_rate_together(db: Db) {
    const RATE: u32 = 20;
    const SENDS: usize = 12;
    let app = spawn_app(db).await;
    let (arrivals, api) = twilio_noting_arrivals().await;
    app.connect(ChannelInput {
        api_base_url: Some(api),
        send_rate_per_second: Some(RATE),
        ..common::twilio(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER)
    })
    .await;
    let conversation = app
        .sms_arrives(AUTH_TOKEN, ACCOUNT_SID, TWILIO_NUMBER, CONTACT, "hi")
        .await;
    let admin = admin_of(&app.services, "admin@example.org").await;
    for n in 0..SENDS {
        app.services
            .send_reply(&admin, conversation, &format!("reply {n}"))
            .await
            .unwrap();
    }

    // The running instance and a second one on the same database, each with its own
    // connections, send at the same time.
    let start = now_us();
    let (first, second) = tokio::join!(
        deliver_all(&app.app_services, "instance-1"),
        deliver_all(&app.services, "instance-2"),
    );
    assert_eq!(first + second, SENDS);
    assert!(
        first > 0 && second > 0,
        "both instances sent: {first} and {second}"
    );

    // No send leaves before its slot, and the slots of both instances are 1/rate apart from the
    // first: however late any send ran, at most k arrive within the first k intervals.
    let mut arrivals = arrivals.lock().unwrap().clone();
    arrivals.sort_unstable();
    assert_eq!(arrivals.len(), SENDS);
    let interval = 1_000_000 / i64::from(RATE);
    for windows in 1..=SENDS {
        let end = start + windows as i64 * interval;
        let within = arrivals.iter().filter(|&&at| at < end).count();
        assert!(
            within <= windows,
            "{within} sends arrived within the first {windows} intervals of {interval} µs: \
             {:?}",
            arrivals.iter().map(|at| at - start).collect::<Vec<_>>()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 6. A shared link past its week.

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-picture-bytes";

async fn a_shared_link_is_refused_after_its_week(db: Db) {
    let app = spawn_app(db).await;
    let (fake, _) = FakeProvider::start().await;
    app.connect(fake.channel(common::twilio(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER)))
        .await;
    let conversation = app
        .sms_arrives(AUTH_TOKEN, ACCOUNT_SID, TWILIO_NUMBER, CONTACT, "hi")
        .await;
    let (volunteer, _) = app.token("vol@example.org", Role::Volunteer).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PNG)
            .file_name("map.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let sent = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/conversations/{conversation}/files")))
        .bearer_auth(&volunteer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    assert!(app.services.deliver_next("w").await.unwrap());
    let link = url::form_urlencoded::parse(&fake.received()[0].body)
        .find(|(key, _)| key == "MediaUrl")
        .map(|(_, value)| value.into_owned())
        .expect("a MediaUrl");
    let sent_at = |age: Duration| {
        let url = app.db.url.clone();
        async move {
            sqlx::query("UPDATE messages SET created_at = $1 WHERE direction = 'outbound'")
                .bind(now_ms() - age.as_millis() as i64)
                .execute(&sql(&url).await)
                .await
                .unwrap();
        }
    };
    let fetch = || async { reqwest::get(&link).await.unwrap().status().as_u16() };
    let minute = Duration::from_secs(60);
    let week = 7 * 24 * 60 * minute;

    assert_eq!(fetch().await, 200);
    sent_at(week - minute).await;
    assert_eq!(fetch().await, 200, "a minute before the week is over");
    sent_at(week + minute).await;
    assert_eq!(fetch().await, 404, "a minute after the week");
}

// ---------------------------------------------------------------------------------------------
// 7. Processing a kept delivery again after a secret changed.

/// A WhatsApp text to business number `phone_number_id`, signed with `app_secret`; returns
/// the id of the delivery as kept.
async fn whatsapp_text_kept(app: &TestApp, app_secret: &str, phone_number_id: &str) -> i64 {
    let webhook = simulate::whatsapp_text(
        app_secret,
        "2000",
        phone_number_id,
        "+1 555 0000",
        &E164::parse(CONTACT).unwrap(),
        "Dana",
        "wamid.kept.1",
        now_ms() / 1000 - 60,
        "Still there?",
    );
    let response = app.post_signed("/webhooks/whatsapp", webhook).await;
    assert_eq!(response.status(), 200);
    count(&app.db.url, "SELECT MAX(id) FROM webhook_events").await
}

async fn a_kept_delivery_lands_once_after_the_secret_key_is_rotated(db: Db) {
    let app = spawn_app(db).await;
    app.connect(common::whatsapp("1000", "2000", APP_SECRET))
        .await;
    // The same Meta app's second number is not connected yet: the delivery waits for it.
    let event = whatsapp_text_kept(&app, APP_SECRET, "1001").await;
    let (_, error, _, waiting) = app.kept_delivery(event).await;
    assert!(waiting && error.unwrap().contains("no connected channel"));

    let rotated = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["secrets", "rotate"])
        .env("DATABASE_URL", &app.db.url)
        .env("SWITCHBOARD_LOG", "warn")
        .env("SWITCHBOARD_SECRET_KEY_FILE", app.db.key_file())
        .env_remove("SWITCHBOARD_SECRET_KEY")
        .output()
        .unwrap();
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );

    // An instance started after the rotation (as the README asks) connects the second number;
    // the kept delivery is checked against the app secret opened with the new key, and lands.
    let restarted = services_on(&app.db).await;
    let mut second = common::whatsapp("1001", "2000", APP_SECRET);
    second.verify_token = Some("verify-1001".into());
    let second = restarted.create_channel(None, &second).await.unwrap().id;
    assert!(restarted.reprocess_due_webhook_event().await.unwrap());
    assert!(!restarted.reprocess_due_webhook_event().await.unwrap());
    assert_eq!(app.kept_delivery(event).await, (true, None, 1, false));
    let url = &app.db.url;
    assert_eq!(
        texts(
            url,
            &format!("SELECT body FROM messages WHERE channel_id = {second}")
        )
        .await,
        ["Still there?"]
    );

    // An admin processing it again stores nothing twice.
    let admin = admin_of(&restarted, "admin@example.org").await;
    let again = restarted
        .reprocess_webhook_event(&admin, event)
        .await
        .unwrap();
    assert_eq!((again.attempts, again.error), (1, None));
    assert_eq!(count(url, "SELECT COUNT(*) FROM messages").await, 1);
}

async fn a_kept_delivery_signed_with_a_replaced_app_secret_is_refused_with_the_reason(db: Db) {
    const NEW_SECRET: &str = "failure-app-secret-2";
    let app = spawn_app(db).await;
    let first = app
        .connect(common::whatsapp("1000", "2000", APP_SECRET))
        .await;
    let event = whatsapp_text_kept(&app, APP_SECRET, "1001").await;

    // The Meta app's secret is reset; both of its numbers are connected with the new one.
    let admin = admin_of(&app.services, "admin@example.org").await;
    app.services
        .update_channel(
            &admin,
            first,
            &ChannelInput {
                app_secret: Some(NEW_SECRET.into()),
                ..ChannelInput::default()
            },
        )
        .await
        .unwrap();
    let mut second = common::whatsapp("1001", "2000", NEW_SECRET);
    second.verify_token = Some("verify-1001".into());
    app.connect(second).await;

    // Kept deliveries are checked again as if they arrived now: one signed with the old secret
    // no longer proves it came from Meta.
    assert!(app.services.reprocess_due_webhook_event().await.unwrap());
    assert_eq!(
        app.kept_delivery(event).await,
        (
            true,
            Some("The X-Hub-Signature-256 signature is missing or wrong.".to_string()),
            1,
            false
        )
    );
    assert_eq!(count(&app.db.url, "SELECT COUNT(*) FROM messages").await, 0);
    assert!(!app.services.reprocess_due_webhook_event().await.unwrap());
}

on_both_databases!(
    a_refused_delivery_in_a_group_commit_fails_alone,
    sigterm_keeps_what_was_acknowledged_and_loses_no_reply,
    readiness_fails_once_its_database_connections_are_closed,
    an_idle_session_is_refused_while_one_in_use_stays,
    two_instances_sending_at_once_keep_the_channel_rate_together,
    a_shared_link_is_refused_after_its_week,
    a_kept_delivery_lands_once_after_the_secret_key_is_rotated,
    a_kept_delivery_signed_with_a_replaced_app_secret_is_refused_with_the_reason,
);
