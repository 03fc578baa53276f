//! Inbox benchmark: with a large inbox (by default 100,000 conversations and 1,000,000 messages),
//! how long the server takes to render the inbox page and a thread, to answer the conversation
//! list and to search.
//!
//! People and channels are added through the services, as an admin would; contacts,
//! conversations and messages are generated with a fixed seed and written straight to the
//! database in large multi-row INSERTs, so the full size loads in a few minutes. The application
//! then runs in this process as the tests start it, and every request goes over loopback HTTP one
//! at a time: each figure is the latency of one request on an otherwise idle server.
//!
//! ```sh
//! cargo bench -p server --bench inbox                                  # fresh SQLite file
//! cargo bench -p server --bench inbox -- --conversations 10000 --messages 100000
//! cargo bench -p server --bench inbox -- --database-url postgres://…/fresh_db
//! ```
//!
//! It also writes one audit log entry per message (reads, reveals and assignments by the team
//! over two years) and times the Audit page's queries: unfiltered, by person, action, subject,
//! a month's range, and a page deep in the log.
//!
//! Then it times the Reports page and API for the last 90 days (about a quarter of the
//! generated year), once the reports' rollup has read every conversation.
//!
//! Last, it times retention at this size: the preview admins see and one run that deletes what
//! a 90-day period expires (most of the generated data, so it comes after everything else).

use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::model::{AuditQuery, ChannelInput, ChannelKind, RetentionSettings, Role};
use clap::Parser;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use server::config::Config;
use server::services::Services;
use server::startup::Application;
use server::store::Store;
use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

#[path = "support/bulk_insert.rs"]
mod bulk_insert;
use bulk_insert::{Value, insert};

const PASSWORD: &str = "bench-harbour-lantern-2026";
const COORDINATOR: &str = "coordinator@bench.example";
const VOLUNTEERS: usize = 20;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Parser, Debug)]
#[command(about = "Inbox page, thread, conversation list and search latency on a large inbox")]
struct Options {
    /// Database to run against; must be fresh. Default: a new SQLite file in a temp directory.
    #[arg(long, env = "BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Conversations to generate, one per contact.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
    conversations: u32,
    /// Messages to generate; every conversation has at least one.
    #[arg(long, default_value_t = 1_000_000)]
    messages: u32,
    /// Timed requests per measurement.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    samples: u32,
    /// Untimed requests before each measurement (connections and caches warm up).
    #[arg(long, default_value_t = 20)]
    warmup: u32,
    /// `cargo bench` passes `--bench` to every bench binary; accepted and ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The database the run uses; a temporary SQLite directory lives as long as this does.
struct Database {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    fn choose(url: Option<String>) -> Database {
        match url {
            Some(url) => Database { url, _dir: None },
            None => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/bench.db", dir.path().display());
                Database {
                    url,
                    _dir: Some(dir),
                }
            }
        }
    }

    fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    if options.messages < options.conversations {
        eprintln!("--messages must be at least --conversations: every conversation has one");
        return ExitCode::FAILURE;
    }
    let database = Database::choose(options.database_url.clone());
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let config = config(&database.url, scratch.path());
    server::telemetry::init(&config.log_filter, config.log_format);

    let store = Store::connect(&database.url).await.expect("connect");
    store.migrate().await.expect("migrations apply");
    let services = Services::new(store.clone(), config.service_settings());
    let team = Team::add(&services).await;
    let channels = connect_channels(&services).await;
    store.close().await;

    let started = Instant::now();
    let inbox = generate(&database, &options, &team, channels).await;
    let generated_in = started.elapsed();

    let application = Application::build(config)
        .await
        .expect("the application starts");
    let base = format!("http://{}", application.local_addr());
    let app_services = application.services().clone();
    tokio::spawn(application.run_until_stopped());
    // Business hours, Monday to Friday 09:00–17:00 in Paris, so the rollup counts waits in
    // them too. Then it reads every conversation once, as after an upgrade or a bulk import;
    // timed here so the requests below are measured on a settled server.
    let weekdays: Vec<String> = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        .iter()
        .map(|day| format!(r#"{{"weekday":"{day}","opens":"09:00","closes":"17:00"}}"#))
        .collect();
    let hours = format!(
        r#"{{"time_zone":"Europe/Paris","opening_hours":[{}],"holidays":["2026-12-25"]}}"#,
        weekdays.join(",")
    );
    app_services
        .store()
        .put_setting_and_recount_waits("business_hours", &hours)
        .await
        .expect("business hours are kept");
    let rolling = Instant::now();
    let rolled_up = app_services
        .roll_up_reports()
        .await
        .expect("the reports' rollup");
    let rolled_up_in = rolling.elapsed();

    let mut rng = StdRng::seed_from_u64(7);
    let probe = Probe {
        base: &base,
        samples: options.samples as usize,
        warmup: options.warmup as usize,
    };
    let page = sign_in(&base, COORDINATOR).await;
    let api = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("the HTTP client builds");
    let coordinator = |path: &str| api.get(format!("{base}{path}")).bearer_auth(&team.tokens.0);
    let volunteer = |path: &str| api.get(format!("{base}{path}")).bearer_auth(&team.tokens.1);
    let threads: Vec<String> = (0..probe.samples + probe.warmup)
        .map(|_| {
            format!(
                "/conversations/{}",
                inbox.conversations.choose(&mut rng).unwrap()
            )
        })
        .collect();
    let search = |queries: &[&str]| -> Vec<String> {
        queries
            .iter()
            .map(|query| format!("/api/v1/search?q={}", query.replace(' ', "+")))
            .collect()
    };
    let numbers: Vec<String> = inbox
        .phone_numbers
        .choose_multiple(&mut rng, 5)
        .map(|number| format!("/api/v1/search?q={}", &number[number.len() - 7..]))
        .collect();

    let page_target = Some(Duration::from_millis(30));
    let search_target = Some(Duration::from_millis(100));
    let rows = [
        probe
            .run(
                "inbox page `GET /?view=all`",
                page_target,
                &["/?view=all".into()],
                |p| page.get(format!("{base}{p}")),
            )
            .await,
        probe
            .run(
                "thread page `GET /conversations/{id}`",
                None,
                &threads,
                |p| page.get(format!("{base}{p}")),
            )
            .await,
        probe
            .run(
                "list API, all (coordinator)",
                None,
                &["/api/v1/conversations?view=all".into()],
                coordinator,
            )
            .await,
        probe
            .run(
                "list API, mine (volunteer)",
                None,
                &["/api/v1/conversations?view=mine".into()],
                volunteer,
            )
            .await,
        probe
            .run(
                "list API, unassigned (volunteer)",
                None,
                &["/api/v1/conversations?view=unassigned".into()],
                volunteer,
            )
            .await,
        probe
            .run(
                "search, common word",
                search_target,
                &search(&COMMON[..5]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, topic word",
                search_target,
                &search(&["landlord", "shelter", "parcel", "alquiler", "logement"]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, rare word",
                search_target,
                &search(&RARE[..5]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, two words",
                search_target,
                &search(&["food bank", "rent landlord", "doctor appointment"]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, a name while typing",
                search_target,
                &search(&["ma", "oka", "nguy", "amina h", "tom be"]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, a word found nowhere",
                search_target,
                &search(&["xylophone", "quasar", "zeppelin"]),
                coordinator,
            )
            .await,
        probe
            .run(
                "search, contact name",
                search_target,
                &search(&["Okafor", "maria", "Nguyen", "Haddad Amina"]),
                coordinator,
            )
            .await,
        probe
            .run("search, phone digits", search_target, &numbers, coordinator)
            .await,
        probe
            .run(
                "search, common word (volunteer)",
                search_target,
                &search(&COMMON[..5]),
                volunteer,
            )
            .await,
        probe
            .run(
                "search, rare word (volunteer)",
                search_target,
                &search(&RARE[..5]),
                volunteer,
            )
            .await,
    ];

    println!(
        "\n{} with {} conversations and {} messages, generated in {:.1} s; {} timed requests per \
         row, one at a time, after {} untimed\n",
        if database.is_sqlite() {
            "SQLite"
        } else {
            "PostgreSQL"
        },
        options.conversations,
        options.messages,
        generated_in.as_secs_f64(),
        options.samples,
        options.warmup,
    );
    println!("| request | p50 ms | p95 ms | p99 ms | max ms | answer | target (p95) |");
    println!("|---|---|---|---|---|---|---|");
    let mut failed = false;
    for row in &rows {
        row.print();
        failed |= row.errors > 0;
    }
    println!(
        "\nReports rollup: {rolled_up} conversations read in {:.1} s before the requests above\n",
        rolled_up_in.as_secs_f64()
    );
    failed |= reports(&probe, &page, &coordinator).await;
    audit_log(&app_services, &team, &inbox, options.samples as usize).await;
    failed |= !retention(&app_services, team.admin).await;
    if failed {
        eprintln!("some requests did not answer 200 (see above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Times the Reports page and API for the last 90 days (the rollup has read every
/// conversation once, before the first request).
async fn reports(
    probe: &Probe<'_>,
    page: &reqwest::Client,
    coordinator: &impl Fn(&str) -> reqwest::RequestBuilder,
) -> bool {
    let today = time::OffsetDateTime::now_utc().date();
    let range = format!(
        "from={}&to={today}&tz=UTC",
        today - time::Duration::days(89)
    );
    let target = Some(Duration::from_millis(300));
    let rows = [
        probe
            .run(
                "Reports page, 90 days `GET /reports`",
                target,
                &[format!("/reports?{range}")],
                |p| page.get(format!("{}{p}", probe.base)),
            )
            .await,
        probe
            .run(
                "reports summary API, 90 days",
                target,
                &[format!("/api/v1/reports/summary?{range}")],
                coordinator,
            )
            .await,
        probe
            .run(
                "reports summary API, 90 days in business hours",
                target,
                &[format!(
                    "/api/v1/reports/summary?{range}&business_hours=true"
                )],
                coordinator,
            )
            .await,
    ];
    println!("| request | p50 ms | p95 ms | p99 ms | max ms | answer | target (p95) |");
    println!("|---|---|---|---|---|---|---|");
    for row in &rows {
        row.print();
    }
    rows.iter().any(|row| row.errors > 0)
}

/// Times the Audit page's queries (one page of 50, as the page asks) on the generated log.
async fn audit_log(services: &Services, team: &Team, inbox: &Inbox, samples: usize) {
    let actor = services
        .actor_by_id(team.admin)
        .await
        .unwrap()
        .expect("the admin is active");
    let day = |days_ago: i64| {
        let at = SystemTime::now() - Duration::from_secs(days_ago as u64 * 24 * 60 * 60);
        time::OffsetDateTime::from(at).date().to_string()
    };
    let queries = [
        ("newest first, no filter", AuditQuery::default()),
        (
            "one person",
            AuditQuery {
                actor_id: Some(team.assignable[0]),
                ..AuditQuery::default()
            },
        ),
        (
            "one action",
            AuditQuery {
                action: Some("contact.number_revealed".into()),
                ..AuditQuery::default()
            },
        ),
        (
            "one contact",
            AuditQuery {
                subject: Some(format!("conversation:{}", inbox.conversations[0])),
                ..AuditQuery::default()
            },
        ),
        (
            "a month a year ago",
            AuditQuery {
                from: Some(day(395)),
                to: Some(day(365)),
                ..AuditQuery::default()
            },
        ),
        (
            "a page halfway back",
            AuditQuery {
                after: Some(inbox.middle_audit_entry),
                ..AuditQuery::default()
            },
        ),
    ];
    println!("\naudit log, one page of entries ({samples} timed calls each, in process)\n");
    println!("| query | p50 ms | p95 ms | entries |");
    println!("|---|---|---|---|");
    for (name, query) in queries {
        let mut timings = Vec::with_capacity(samples);
        let mut entries = 0;
        for _ in 0..samples {
            let started = Instant::now();
            let page = services
                .audit_log(&actor, query.clone())
                .await
                .expect("the audit page answers");
            timings.push(started.elapsed());
            entries = page.entries.len();
        }
        timings.sort();
        println!(
            "| {name} | {:.1} | {:.1} | {entries} |",
            millis(percentile(&timings, 50.0)),
            millis(percentile(&timings, 95.0)),
        );
    }
}

/// Times the retention preview and a run with 90-day periods; false when the run deleted other
/// than the preview said.
async fn retention(services: &Services, admin: i64) -> bool {
    let actor = services
        .actor_by_id(admin)
        .await
        .unwrap()
        .expect("the admin is active");
    let ninety_days = RetentionSettings {
        resolved_conversations_days: Some(90),
        media_days: Some(90),
        ..RetentionSettings::default()
    };
    services
        .update_retention_settings(&actor, ninety_days)
        .await
        .expect("retention settings save");
    let started = Instant::now();
    let preview = services
        .retention_preview_for(&actor)
        .await
        .expect("the preview answers");
    let previewed_in = started.elapsed();
    let started = Instant::now();
    let deleted = services.run_retention().await.expect("retention runs");
    let ran_in = started.elapsed();
    println!(
        "\nretention, resolved conversations and media kept 90 days: preview {:.0} ms; run {:.1} s \
         deleting {} conversations, {} messages, {} notes, {} contacts",
        millis(previewed_in),
        ran_in.as_secs_f64(),
        deleted.conversations,
        deleted.messages,
        deleted.notes,
        deleted.contacts,
    );
    if preview != deleted {
        eprintln!("the run deleted {deleted:?}, the preview said {preview:?}");
    }
    preview == deleted
}

/// The application's configuration for this run; files it may write go under `scratch`.
fn config(database_url: &str, scratch: &Path) -> Config {
    Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(database_url.to_string()),
        "SWITCHBOARD_ADDR" => Some("127.0.0.1:0".to_string()),
        "SWITCHBOARD_LOG" => Some("warn".to_string()),
        "SWITCHBOARD_SITE_ROOT" => Some(scratch.display().to_string()),
        "SWITCHBOARD_MEDIA_DIR" => Some(scratch.join("media").display().to_string()),
        // The fake provider listens on loopback over plain http.
        "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS" => Some("true".to_string()),
        _ => None,
    })
    .expect("benchmark configuration")
}

/// The people conversations are assigned to, and API tokens of a coordinator and a volunteer.
struct Team {
    admin: i64,
    assignable: Vec<i64>,
    /// (coordinator, volunteer)
    tokens: (String, String),
}

impl Team {
    async fn add(services: &Services) -> Team {
        let admin = add_person(services, "admin@bench.example", Role::Admin).await;
        let coordinator = add_person(services, COORDINATOR, Role::Coordinator).await;
        let mut assignable = vec![coordinator];
        for n in 0..VOLUNTEERS {
            let email = format!("volunteer.{n}@bench.example");
            assignable.push(add_person(services, &email, Role::Volunteer).await);
        }
        let tokens = (
            token(services, coordinator).await,
            token(services, assignable[1]).await,
        );
        Team {
            admin,
            assignable,
            tokens,
        }
    }
}

async fn add_person(services: &Services, email: &str, role: Role) -> i64 {
    let name = email
        .split('@')
        .next()
        .unwrap_or_default()
        .replace('.', " ");
    services
        .add_person_with_password(None, email, &name, role, PASSWORD)
        .await
        .expect("a person is added (is the database fresh?)")
        .id
}

async fn token(services: &Services, person: i64) -> String {
    let actor = services.actor_by_id(person).await.unwrap().expect("active");
    services.create_token(&actor, "bench").await.unwrap().secret
}

/// A WhatsApp number, a Twilio SMS sender and a Messenger page, every provider call kept on
/// loopback (the discard port), never a real API.
async fn connect_channels(services: &Services) -> [(i64, ChannelKind); 3] {
    let offline = Some("http://127.0.0.1:9".to_string());
    let inputs = [
        ChannelInput {
            kind: Some(ChannelKind::WhatsApp),
            name: Some("Helpline".into()),
            phone_number_id: Some("106540352242922".into()),
            waba_id: Some("419561257915477".into()),
            display_number: Some("+1 555 010 0000".into()),
            access_token: Some("bench-access-token".into()),
            app_secret: Some("bench-app-secret".into()),
            verify_token: Some("bench-verify-token".into()),
            api_base_url: offline.clone(),
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: Some(ChannelKind::Twilio),
            name: Some("SMS".into()),
            account_sid: Some("AC00000000000000000000000000000042".into()),
            auth_token: Some("bench-auth-token".into()),
            phone_number: Some("+15550100001".into()),
            api_base_url: offline.clone(),
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: Some(ChannelKind::Messenger),
            name: Some("Page".into()),
            page_id: Some("300000000000042".into()),
            page_access_token: Some("bench-page-token".into()),
            app_secret: Some("bench-page-secret".into()),
            verify_token: Some("bench-page-verify".into()),
            api_base_url: offline,
            ..ChannelInput::default()
        },
    ];
    let mut channels = Vec::new();
    for input in inputs {
        let channel = services
            .create_channel(None, &input)
            .await
            .expect("the channel connects");
        channels.push((channel.id, channel.kind));
    }
    channels.try_into().expect("three channels")
}

/// What the requests need to know about the generated inbox.
struct Inbox {
    conversations: Vec<i64>,
    /// Contacts' numbers on the phone channels, to search for.
    phone_numbers: Vec<String>,
    /// An audit entry halfway through the log, to page from.
    middle_audit_entry: i64,
}

/// The generated audit log covers the last two years.
const AUDIT_SPAN_MS: i64 = 730 * 24 * 60 * 60 * 1000;

/// One conversation as generated, before it has an id.
struct PlannedConversation {
    channel: usize,
    status: &'static str,
    assignee: Option<i64>,
    snoozed_until: Option<i64>,
    last_message_at: i64,
    last_inbound_at: Option<i64>,
    waiting_since: Option<i64>,
    unread_count: i64,
}

/// One message as generated: when, in which conversation (by index), which way.
#[derive(Clone, Copy)]
struct PlannedMessage {
    at: i64,
    conversation: u32,
    inbound: bool,
}

async fn generate(
    database: &Database,
    options: &Options,
    team: &Team,
    channels: [(i64, ChannelKind); 3],
) -> Inbox {
    let mut rng = StdRng::seed_from_u64(42);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64;
    let count = options.conversations as usize;
    let (mut conversations, messages) = plan(&mut rng, count, options.messages as usize, now);
    for conversation in &mut conversations {
        settle(&mut rng, conversation, &team.assignable, now);
    }

    sqlx::any::install_default_drivers();
    // Every INSERT here is big; sqlx would log each as slow, with all its placeholders.
    let quiet = AnyConnectOptions::from_str(&database.url)
        .expect("a database URL")
        .disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect_with(quiet)
        .await
        .expect("a connection of the benchmark's own");
    let channel_of = |index: usize| conversations[index].channel;

    let contacts = insert(
        &pool,
        "contacts",
        &["name", "created_at", "updated_at"],
        count,
        |i| {
            let name = if i % 20 == 0 {
                String::new()
            } else {
                format!(
                    "{} {}",
                    FIRST_NAMES[i * 7 % FIRST_NAMES.len()],
                    LAST_NAMES[i * 13 % LAST_NAMES.len()]
                )
            };
            vec![Value::Text(name), Value::Int(now), Value::Int(now)]
        },
    )
    .await;
    let address = |i: usize| match channels[channel_of(i)].1 {
        ChannelKind::WhatsApp | ChannelKind::Twilio => format!("+1555{i:07}"),
        ChannelKind::Messenger => format!("{}", 7_100_000_000_000_000_u64 + i as u64),
    };
    insert(
        &pool,
        "contact_identities",
        &["contact_id", "channel_id", "address", "created_at"],
        count,
        |i| {
            vec![
                Value::Int(contacts[i]),
                Value::Int(channels[channel_of(i)].0),
                Value::Text(address(i)),
                Value::Int(now),
            ]
        },
    )
    .await;
    let conversation_ids = insert(
        &pool,
        "conversations",
        &[
            "channel_id",
            "contact_id",
            "status",
            "assignee_id",
            "snoozed_until",
            "last_inbound_at",
            "last_message_at",
            "waiting_since",
            "unread_count",
            "created_at",
            "updated_at",
        ],
        count,
        |i| {
            let c = &conversations[i];
            vec![
                Value::Int(channels[c.channel].0),
                Value::Int(contacts[i]),
                Value::Text(c.status.into()),
                Value::Maybe(c.assignee),
                Value::Maybe(c.snoozed_until),
                Value::Maybe(c.last_inbound_at),
                Value::Int(c.last_message_at),
                Value::Maybe(c.waiting_since),
                Value::Int(c.unread_count),
                Value::Int(c.last_message_at),
                Value::Int(c.last_message_at),
            ]
        },
    )
    .await;
    insert(
        &pool,
        "messages",
        &[
            "conversation_id",
            "channel_id",
            "direction",
            "author_id",
            "kind",
            "body",
            "provider_message_id",
            "status",
            "provider_timestamp",
            "created_at",
            "updated_at",
        ],
        messages.len(),
        |k| {
            let message = messages[k];
            let index = message.conversation as usize;
            let conversation = &conversations[index];
            let author = (!message.inbound).then(|| {
                conversation
                    .assignee
                    .unwrap_or(team.assignable[k % team.assignable.len()])
            });
            vec![
                Value::Int(conversation_ids[index]),
                Value::Int(channels[conversation.channel].0),
                Value::Text(
                    if message.inbound {
                        "inbound"
                    } else {
                        "outbound"
                    }
                    .into(),
                ),
                Value::Maybe(author),
                Value::Text("text".into()),
                Value::Text(body(&mut rng)),
                Value::Text(format!("bench.{k}")),
                Value::Text(if message.inbound { "received" } else { "read" }.into()),
                Value::Maybe(message.inbound.then_some(message.at)),
                Value::Int(message.at),
                Value::Int(message.at),
            ]
        },
    )
    .await;
    let audit_ids = insert(
        &pool,
        "audit_log",
        &["actor_id", "action", "subject", "detail", "created_at"],
        messages.len(),
        |k| {
            let (action, subject) = match k % 4 {
                0 => ("conversation.read", "conversation"),
                1 => ("contact.read", "contact"),
                2 => ("contact.number_revealed", "contact"),
                _ => ("conversation.assign", "conversation"),
            };
            let id = if subject == "contact" {
                contacts[k % contacts.len()]
            } else {
                conversation_ids[k % conversation_ids.len()]
            };
            vec![
                Value::Maybe(Some(team.assignable[k % team.assignable.len()])),
                Value::Text(action.into()),
                Value::Text(format!("{subject}:{id}")),
                Value::Text("{}".into()),
                Value::Int(
                    now - AUDIT_SPAN_MS + (k as i64 * AUDIT_SPAN_MS) / messages.len() as i64,
                ),
            ]
        },
    )
    .await;
    if !database.is_sqlite() {
        // What autovacuum does shortly after a load this size. SQLite keeps no statistics
        // unless asked, and the application does not ask.
        sqlx::query("VACUUM ANALYZE")
            .execute(&pool)
            .await
            .expect("VACUUM ANALYZE");
    }
    pool.close().await;

    let phone_numbers = (0..count)
        .filter(|&i| channels[channel_of(i)].1 != ChannelKind::Messenger)
        .map(address)
        .collect();
    Inbox {
        conversations: conversation_ids,
        phone_numbers,
        middle_audit_entry: audit_ids[audit_ids.len() / 2],
    }
}

/// Spreads `messages` over `count` conversations (at least one each, a few with many), each
/// conversation a burst of messages minutes to hours apart somewhere in the past year, and
/// returns the messages in time order so ids grow with time as they do in use.
fn plan(
    rng: &mut StdRng,
    count: usize,
    messages: usize,
    now: i64,
) -> (Vec<PlannedConversation>, Vec<PlannedMessage>) {
    let mut per_conversation = vec![1_u32; count];
    for _ in count..messages {
        let skewed = (count as f64 * rng.r#gen::<f64>().powf(1.5)) as usize;
        per_conversation[skewed.min(count - 1)] += 1;
    }
    per_conversation.shuffle(rng);
    let mut planned = Vec::with_capacity(messages);
    let conversations = per_conversation
        .iter()
        .enumerate()
        .map(|(index, &length)| {
            let mut at = now - rng.gen_range(DAY_MS..365 * DAY_MS);
            let mut last_inbound_at = None;
            for n in 0..length {
                // The contact writes first; after that either side, the contact a little more.
                let inbound = n == 0 || rng.gen_bool(0.55);
                planned.push(PlannedMessage {
                    at,
                    conversation: index as u32,
                    inbound,
                });
                if inbound {
                    last_inbound_at = Some(at);
                }
                at = (at + rng.gen_range(30_000..6 * 60 * 60 * 1000)).min(now - 1_000);
            }
            PlannedConversation {
                channel: match rng.gen_range(0..20) {
                    0..=9 => 0,
                    10..=16 => 1,
                    _ => 2,
                },
                status: "resolved",
                assignee: None,
                snoozed_until: None,
                last_message_at: planned.last().map_or(now, |message| message.at),
                last_inbound_at,
                waiting_since: planned
                    .last()
                    .filter(|message| message.inbound)
                    .map(|message| message.at),
                unread_count: 0,
            }
        })
        .collect();
    planned.sort_unstable_by_key(|message| (message.at, message.conversation));
    (conversations, planned)
}

/// Status and assignee: most conversations older than a month are resolved; recent ones are
/// mostly open or pending, some snoozed. About a third belong to no one.
fn settle(rng: &mut StdRng, conversation: &mut PlannedConversation, people: &[i64], now: i64) {
    let recent = now - conversation.last_message_at < 30 * DAY_MS;
    let roll = rng.gen_range(0..100);
    conversation.status = match (recent, roll) {
        (true, 0..=49) | (false, 0..=4) => "open",
        (true, 50..=69) | (false, 5..=7) => "pending",
        (true, 70..=74) => "snoozed",
        _ => "resolved",
    };
    conversation.assignee = rng
        .gen_bool(0.65)
        .then(|| *people.choose(rng).expect("people to assign"));
    if conversation.status == "snoozed" {
        conversation.snoozed_until = Some(now + rng.gen_range(DAY_MS..7 * DAY_MS));
    }
    if matches!(conversation.status, "open" | "pending") && conversation.waiting_since.is_some() {
        conversation.unread_count = rng.gen_range(1..4);
    } else {
        conversation.waiting_since = None;
    }
}

/// Words people write to a helpline, most common first, in the languages of its contacts.
const COMMON: [&str; 40] = [
    "help", "please", "thank", "you", "the", "is", "can", "my", "and", "to", "a", "i", "for",
    "hello", "hi", "we", "need", "today", "tomorrow", "when", "where", "ok", "yes", "no", "de",
    "la", "por", "favor", "merci", "bonjour", "gracias", "hola", "open", "call", "me", "with",
    "kids", "family", "week", "time",
];

const TOPICS: [&str; 60] = [
    "food",
    "bank",
    "parcel",
    "rent",
    "landlord",
    "eviction",
    "shelter",
    "housing",
    "doctor",
    "appointment",
    "clinic",
    "medicine",
    "prescription",
    "school",
    "uniform",
    "bus",
    "ticket",
    "visa",
    "asylum",
    "lawyer",
    "interpreter",
    "benefits",
    "form",
    "letter",
    "council",
    "deposit",
    "heating",
    "electricity",
    "bill",
    "debt",
    "job",
    "interview",
    "cv",
    "english",
    "class",
    "volunteer",
    "donation",
    "clothes",
    "coat",
    "baby",
    "nappies",
    "formula",
    "pharmacy",
    "hospital",
    "saturday",
    "monday",
    "friday",
    "morning",
    "afternoon",
    "address",
    "alquiler",
    "comida",
    "ayuda",
    "médico",
    "logement",
    "nourriture",
    "rendez-vous",
    "école",
    "deportation",
    "detention",
];

/// Words that appear in a few dozen of a million messages.
const RARE: [&str; 10] = [
    "tribunal",
    "okonkwo",
    "zakat",
    "wheelchair",
    "insulin",
    "citizenship",
    "scholarship",
    "fostering",
    "refrigerator",
    "ramadan",
];

const FIRST_NAMES: [&str; 24] = [
    "Maria", "Amina", "Tom", "Fatima", "José", "Olga", "Chen", "Aisha", "Luca", "Nadia", "Samuel",
    "Grace", "Ahmed", "Sofia", "Ivan", "Mei", "Kwame", "Ana", "Yusuf", "Elena", "Omar", "Léa",
    "Daniel", "Zainab",
];

const LAST_NAMES: [&str; 19] = [
    "Lopez", "Haddad", "Berg", "Okafor", "Nguyen", "Kowalski", "Silva", "Rahman", "Rossi",
    "Petrova", "Mensah", "Dubois", "Ali", "García", "Kim", "Osei", "Novak", "Hussein", "Evans",
];

/// Syllables of the long tail of words real messages have (names, places, typos). PostgreSQL's
/// planner estimates a word it has no statistics for from the rarest word it has them for: with
/// only a small vocabulary that guess is far too high, and it plans a rare word's search as if
/// the word were everywhere.
const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "ba", "de", "fu", "go", "hi", "ja", "ku", "le",
    "mo", "ni", "pa", "ze",
];

/// A message of 2 to 40 words: mostly common words, often a topic, sometimes a word of the long
/// tail, rarely a rare word.
fn body(rng: &mut StdRng) -> String {
    let length = 2 + (38.0 * rng.r#gen::<f64>().powi(3)) as usize;
    let mut text = String::new();
    if rng.gen_bool(0.1) {
        text.push_str(FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())]);
        text.push(' ');
    }
    for n in 0..length {
        if n > 0 {
            text.push(' ');
        }
        let roll = rng.gen_range(0..100_000);
        if roll < 2 {
            text.push_str(RARE[rng.gen_range(0..RARE.len())]);
        } else if roll < 8_000 {
            for _ in 0..3 {
                text.push_str(SYLLABLES[rng.gen_range(0..SYLLABLES.len())]);
            }
        } else if roll < 30_000 {
            text.push_str(zipf(rng, &TOPICS));
        } else {
            text.push_str(zipf(rng, &COMMON));
        }
    }
    text.push(if rng.gen_bool(0.3) { '?' } else { '.' });
    text
}

/// A word of `words`, the earlier ones much more often.
fn zipf<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words[(words.len() as f64 * rng.r#gen::<f64>().powi(2)) as usize]
}

/// A browser signed in through the sign-in form, keeping its session cookie.
async fn sign_in(base: &str, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds");
    let response = client
        .post(format!("{base}/auth/login"))
        .header("Origin", base)
        .form(&[("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("sign-in request");
    let location = response.headers().get("location").cloned();
    assert_eq!(
        location.as_ref().and_then(|value| value.to_str().ok()),
        Some("/"),
        "sign-in of {email} succeeds"
    );
    client
}

/// How each measurement is run.
struct Probe<'a> {
    base: &'a str,
    samples: usize,
    warmup: usize,
}

impl Probe<'_> {
    /// Requests `paths` in turn (cycling) until `warmup + samples` have answered, timing each
    /// from send until its whole body is read.
    async fn run(
        &self,
        label: &str,
        target: Option<Duration>,
        paths: &[String],
        request: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Row {
        let mut row = Row {
            label: label.to_string(),
            target,
            latencies: Vec::with_capacity(self.samples),
            bytes: 0,
            items: None,
            errors: 0,
        };
        for n in 0..self.warmup + self.samples {
            let path = &paths[n % paths.len()];
            let started = Instant::now();
            let response = request(path).send().await.expect("the server answers");
            let status = response.status();
            let body = response.bytes().await.expect("a body");
            let elapsed = started.elapsed();
            if status != StatusCode::OK {
                eprintln!("{}{path}: {status}", self.base);
                row.errors += 1;
            }
            if n >= self.warmup {
                row.latencies.push(elapsed);
                row.bytes += body.len();
                if let Some(items) = json_items(&body) {
                    *row.items.get_or_insert(0) += items;
                }
            }
        }
        row.latencies.sort_unstable();
        row
    }
}

/// How many results a JSON answer holds: a search's hits or a page of conversations.
fn json_items(body: &[u8]) -> Option<usize> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .as_array()
        .or_else(|| value["conversations"].as_array())
        .map(Vec::len)
}

/// One measured line of the report.
struct Row {
    label: String,
    target: Option<Duration>,
    /// Sorted.
    latencies: Vec<Duration>,
    bytes: usize,
    items: Option<usize>,
    errors: usize,
}

impl Row {
    fn print(&self) {
        let samples = self.latencies.len().max(1);
        let answer = match self.items {
            Some(items) => format!("results: {:.0}", items as f64 / samples as f64),
            None => format!("{:.0} KiB", self.bytes as f64 / samples as f64 / 1024.0),
        };
        let p95 = percentile(&self.latencies, 95.0);
        let target = match self.target {
            Some(target) if p95 <= target => format!("< {} ms: met", target.as_millis()),
            Some(target) => format!("< {} ms: MISSED", target.as_millis()),
            None => String::new(),
        };
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {answer} | {target} |",
            self.label,
            millis(percentile(&self.latencies, 50.0)),
            millis(p95),
            millis(percentile(&self.latencies, 99.0)),
            millis(self.latencies.last().copied().unwrap_or_default()),
        );
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], percent: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
