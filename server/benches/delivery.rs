//! Delivery benchmark: how fast the durable outbox drains against a provider that never slows
//! it down, and proof that a channel's configured send rate holds.
//!
//! Everything runs in this process on the real services, as the tests use them: replies are
//! queued with `Services::send_reply` (reply rules checked, message and job committed together)
//! into conversations whose 24-hour window was opened by a signed inbound WhatsApp webhook, and
//! delivery workers call `Services::deliver_next` in a loop as `startup.rs` does, until no job is
//! left. The provider is an in-process fake of the Graph API `/{phone-number-id}/messages`
//! endpoint that answers at once like the real one and records each request's arrival instant.
//!
//! 1. Throughput: a channel whose stored send rate is raised past any real limit (the admin
//!    form allows 1..=1000 per second; the benchmark writes 1,000,000 straight into the row so the
//!    pacer waits at most a microsecond), `--replies` queued, then drained by each `--workers`
//!    count in turn. Each round checks exactly-once delivery: the fake got exactly one request per
//!    queued reply, each message ended `sent` with a distinct provider id, and each job was
//!    claimed once.
//! 2. Rate: a channel at `--rate` per second, `--rate-replies` queued and drained by the largest
//!    worker count. Each send first reserves the channel's next slot (in the database, shared
//!    by every worker and instance), `1/rate` after the one before and never in the past, and
//!    waits for it; so no half-open one-second window `[t, t + 1 s)` of arrivals at the provider
//!    may hold more than `rate + 1` requests (`rate` slots fit exactly; the `+ 1` absorbs the
//!    rounding of the interval to whole microseconds and a send that left a little after its
//!    slot). The run panics if one does. There is no burst allowance: an idle channel's next
//!    slot is simply "now".
//!
//! The figures include the fake provider and the benchmark itself, which share the same cores.
//!
//! ```sh
//! cargo bench -p server --bench delivery                                       # fresh SQLite file
//! SWITCHBOARD_BENCH_DATABASE=postgres cargo bench -p server --bench delivery   # scratch PostgreSQL database
//! cargo bench -p server --bench delivery -- --replies 20000 --workers 1,8
//! ```

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::model::{ChannelInput, ChannelKind, Role};
use app::ports::Actor;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::routing::post;
use channels::phone::E164;
use channels::signature::META_HEADER;
use channels::simulate;
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use server::config::Config;
use server::services::Services;
use server::services::channels::WHATSAPP_WEBHOOK;
use server::store::{Store, now_ms};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor, PgConnection};

const WABA_ID: &str = "419561257915477";
/// The unpaced channel's phone number id, and the paced one's.
const FAST_NUMBER_ID: &str = "106540352242922";
const PACED_NUMBER_ID: &str = "106540352242923";
const APP_SECRET: &str = "bench-app-secret";
/// Stored straight into the unpaced channel's row: one send slot per microsecond.
const UNPACED_RATE: i64 = 1_000_000;
/// People answering at the same time while a round's replies are queued.
const QUEUEING_WRITERS: usize = 8;
/// Conversations the paced channel's replies go to.
const PACED_CONVERSATIONS: usize = 20;
/// What volunteers answer, of the usual lengths.
const REPLIES: [&str; 4] = [
    "Hi, yes, the food bank is open on Saturday from 9 to 12. Bring a bag if you can.",
    "Thank you for writing. Someone from the housing team will call you back this afternoon.",
    "You can pick up her parcel with her ID and a short note signed by her.",
    "Ok 👍",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Parser, Debug)]
#[command(about = "Outbox delivery throughput against a fake provider, and the per-channel rate")]
struct Options {
    /// Database kind; PostgreSQL gets a scratch database, dropped at the end.
    #[arg(
        long,
        value_enum,
        env = "SWITCHBOARD_BENCH_DATABASE",
        default_value = "sqlite"
    )]
    database: Backend,
    /// A fresh database of your own instead (kept afterwards); overrides `--database`.
    #[arg(long, env = "BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// The PostgreSQL server the scratch database is created on.
    #[arg(
        long,
        env = "SWITCHBOARD_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    postgres: String,
    /// Conversations with an open window the throughput replies are spread over.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..10_000))]
    conversations: u32,
    /// Replies queued and delivered in each throughput round.
    #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u32).range(1..))]
    replies: u32,
    /// Concurrent delivery workers of each throughput round, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    workers: Vec<u16>,
    /// The paced channel's send rate, per second (the admin form allows 1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    rate: u32,
    /// Replies queued on the paced channel.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(2..))]
    rate_replies: u32,
    /// `cargo bench` passes `--bench` to every bench binary; accepted and ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The database the run uses, and how to get rid of it afterwards.
enum Database {
    /// Lives as long as the temporary directory.
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    /// Created for this run, dropped at the end.
    Scratch {
        url: String,
        admin: String,
        name: String,
    },
    /// Given by the caller, left as it is.
    Given { url: String },
}

impl Database {
    async fn choose(options: &Options) -> Database {
        if let Some(url) = &options.database_url {
            return Database::Given { url: url.clone() };
        }
        match options.database {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/bench.db", dir.path().display());
                Database::Sqlite { url, _dir: dir }
            }
            Backend::Postgres => {
                let admin = options.postgres.trim_end_matches('/').to_string();
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .expect("clock after 1970")
                    .subsec_nanos();
                let name = format!("sb_bench_delivery_{}_{nanos}", std::process::id());
                let mut connection = PgConnection::connect(&format!("{admin}/postgres"))
                    .await
                    .expect("PostgreSQL answers at --postgres / SWITCHBOARD_BENCH_POSTGRES");
                connection
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create the scratch database");
                connection.close().await.ok();
                Database::Scratch {
                    url: format!("{admin}/{name}"),
                    admin,
                    name,
                }
            }
        }
    }

    fn url(&self) -> &str {
        match self {
            Database::Sqlite { url, .. }
            | Database::Scratch { url, .. }
            | Database::Given { url } => url,
        }
    }

    fn label(&self) -> &'static str {
        if self.url().starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    }

    /// Drops a scratch database; every pool on it must be closed.
    async fn remove(self) {
        if let Database::Scratch { admin, name, .. } = self {
            match PgConnection::connect(&format!("{admin}/postgres")).await {
                Ok(mut connection) => {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(error) = connection.execute(drop.as_str()).await {
                        eprintln!("could not drop the scratch database {name}: {error}");
                    }
                    connection.close().await.ok();
                }
                Err(error) => eprintln!("could not drop the scratch database {name}: {error}"),
            }
        }
    }
}

fn main() -> ExitCode {
    let options = Options::parse();
    if options.workers.is_empty() || options.workers.contains(&0) {
        eprintln!("--workers takes counts of at least 1, e.g. 1,4,16");
        return ExitCode::FAILURE;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    runtime.block_on(async move {
        let database = Database::choose(&options).await;
        let url = database.url().to_string();
        let label = database.label();
        // Run in a task so that a panic (a broken invariant) still drops the scratch database.
        let outcome = tokio::spawn(run(options, url, label)).await;
        database.remove().await;
        match outcome {
            Ok(failures) if failures.is_empty() => ExitCode::SUCCESS,
            Ok(failures) => panic!("delivery benchmark failed:\n  {}", failures.join("\n  ")),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    })
}

/// Runs both measurements, prints them, and returns what went wrong.
async fn run(options: Options, url: String, label: &'static str) -> Vec<String> {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let config = config(&url, scratch.path());
    server::telemetry::init(&config.log_filter, config.log_format);
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrations apply");
    let services = Services::new(store.clone(), config.service_settings());
    sqlx::any::install_default_drivers();
    let sql = AnyPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("the benchmark's own connection");
    let fake = FakeGraph::start().await;

    let actor = coordinator(&services).await;
    let fast = connect(&services, &fake, FAST_NUMBER_ID, 1000).await;
    sqlx::query("UPDATE channels SET send_rate_per_second = $1 WHERE id = $2")
        .bind(UNPACED_RATE)
        .bind(fast)
        .execute(&sql)
        .await
        .expect("raise the unpaced channel's rate");
    let paced = connect(&services, &fake, PACED_NUMBER_ID, options.rate).await;
    let started = Instant::now();
    let fast_conversations = open_windows(
        &services,
        &sql,
        fast,
        FAST_NUMBER_ID,
        options.conversations as usize,
        555,
    )
    .await;
    let paced_conversations = open_windows(
        &services,
        &sql,
        paced,
        PACED_NUMBER_ID,
        PACED_CONVERSATIONS,
        556,
    )
    .await;
    eprintln!(
        "{} conversations opened by signed webhooks in {:.1} s",
        fast_conversations.len() + paced_conversations.len(),
        started.elapsed().as_secs_f64()
    );

    let mut failures = Vec::new();
    let mut rounds = Vec::new();
    for (index, &workers) in options.workers.iter().enumerate() {
        let round = Round {
            services: &services,
            sql: &sql,
            fake: &fake,
            actor: &actor,
            channel: fast,
            number_id: FAST_NUMBER_ID,
            conversations: &fast_conversations,
            tag: format!("t{index}"),
            replies: options.replies as usize,
            workers: usize::from(workers),
        };
        let measured = round.run().await;
        eprintln!(
            "{workers} worker(s): {} sends in {:.2} s",
            measured.arrivals.len(),
            measured.elapsed.as_secs_f64()
        );
        failures.extend(
            measured
                .failures
                .iter()
                .map(|f| format!("{workers} workers: {f}")),
        );
        rounds.push(measured);
    }

    let rate_workers = usize::from(*options.workers.iter().max().expect("at least one"));
    let paced_round = Round {
        services: &services,
        sql: &sql,
        fake: &fake,
        actor: &actor,
        channel: paced,
        number_id: PACED_NUMBER_ID,
        conversations: &paced_conversations,
        tag: "r".into(),
        replies: options.rate_replies as usize,
        workers: rate_workers,
    }
    .run()
    .await;
    failures.extend(
        paced_round
            .failures
            .iter()
            .map(|f| format!("paced channel: {f}")),
    );
    let pacing = Pacing::of(&paced_round.arrivals, options.rate);

    sql.close().await;
    store.close().await;

    print_report(label, &options, &rounds, &paced_round, &pacing);
    if pacing.busiest_second > pacing.allowed {
        failures.push(format!(
            "rate limit broken: {} requests reached the provider within one second \
             ({:.3} s to {:.3} s after the first) on a channel configured at {}/s; \
             at most {} are allowed",
            pacing.busiest_second,
            pacing.busiest_from.as_secs_f64(),
            (pacing.busiest_from + Duration::from_secs(1)).as_secs_f64(),
            options.rate,
            pacing.allowed,
        ));
    }
    failures
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

/// The person every reply is written by: a coordinator sees and may answer every conversation.
async fn coordinator(services: &Services) -> Actor {
    let person = services
        .add_person_with_password(
            None,
            "coordinator@bench.example",
            "Coordinator",
            Role::Coordinator,
            "bench-harbour-lantern-2026",
        )
        .await
        .expect("a person is added (is the database fresh?)");
    services
        .actor_by_id(person.id)
        .await
        .expect("read the person")
        .expect("an active person")
}

/// Connects a WhatsApp number whose Graph API is the fake, through the admin's service.
async fn connect(services: &Services, fake: &FakeGraph, number_id: &str, rate: u32) -> i64 {
    let input = ChannelInput {
        kind: Some(ChannelKind::WhatsApp),
        name: Some(format!("Helpline {number_id}")),
        phone_number_id: Some(number_id.into()),
        waba_id: Some(WABA_ID.into()),
        display_number: Some("15550100000".into()),
        access_token: Some("bench-access-token".into()),
        app_secret: Some(APP_SECRET.into()),
        verify_token: Some("bench-verify-token".into()),
        api_base_url: Some(format!("{}/v23.0", fake.base)),
        send_rate_per_second: Some(rate),
        ..ChannelInput::default()
    };
    services
        .create_channel(None, &input)
        .await
        .expect("the WhatsApp channel connects (is the database fresh?)")
        .id
}

/// Receives one signed inbound message from each of `count` contacts, a minute ago, so every
/// conversation's 24-hour window is open; returns the conversations' ids.
async fn open_windows(
    services: &Services,
    sql: &AnyPool,
    channel: i64,
    number_id: &str,
    count: usize,
    exchange: u32,
) -> Vec<i64> {
    let sent_at = now_ms() / 1000 - 60;
    for n in 0..count {
        let from = E164::parse(&format!("+1650{exchange}{n:04}")).expect("a valid number");
        let webhook = simulate::whatsapp_text(
            APP_SECRET,
            WABA_ID,
            number_id,
            "15550100000",
            &from,
            &format!("Contact {n}"),
            &format!("wamid.in.{number_id}.{n}"),
            sent_at,
            "Hello, is anyone there?",
        );
        let signature = webhook
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(META_HEADER))
            .map(|(_, value)| value.as_str());
        services
            .receive_webhook(WHATSAPP_WEBHOOK, &webhook.body, signature)
            .await
            .expect("the signed webhook is stored");
    }
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE channel_id = $1 ORDER BY id")
            .bind(channel)
            .fetch_all(sql)
            .await
            .expect("the new conversations");
    assert_eq!(ids.len(), count, "one conversation per contact");
    ids
}

/// One request the fake Graph API answered.
#[derive(Clone, Debug)]
struct Arrival {
    at: Instant,
    number_id: String,
    text: String,
    wamid: String,
}

/// A local stand-in for the Graph API's send endpoint: answers every request at once as the
/// real one answers a text that was accepted, and records it.
#[derive(Clone)]
struct FakeGraph {
    base: String,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    issued: Arc<AtomicU64>,
}

impl FakeGraph {
    async fn start() -> FakeGraph {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the fake provider");
        let fake = FakeGraph {
            base: format!("http://{}", listener.local_addr().expect("an address")),
            arrivals: Arc::default(),
            issued: Arc::default(),
        };
        let app = Router::new()
            .route("/v23.0/{number_id}/messages", post(send_message))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    fn received(&self) -> usize {
        self.arrivals.lock().expect("arrivals lock").len()
    }

    fn received_since(&self, first: usize) -> Vec<Arrival> {
        self.arrivals.lock().expect("arrivals lock")[first..].to_vec()
    }
}

async fn send_message(
    State(fake): State<FakeGraph>,
    UrlPath(number_id): UrlPath<String>,
    body: Bytes,
) -> axum::Json<Value> {
    let at = Instant::now();
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    if request["status"] == "read" {
        // A read receipt, not a message: answered as Meta does, and not counted.
        return axum::Json(json!({ "success": true }));
    }
    let to = request["to"].as_str().unwrap_or_default().to_string();
    let text = request["text"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let n = fake.issued.fetch_add(1, Ordering::Relaxed);
    let wamid = format!("wamid.HBgLMTU1NTAxMDAwMDAVAgARGBI{n:020}");
    fake.arrivals.lock().expect("arrivals lock").push(Arrival {
        at,
        number_id,
        text,
        wamid: wamid.clone(),
    });
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to }],
        "messages": [{ "id": wamid }]
    }))
}

/// Queue a batch of replies on one channel, then drain it with some workers.
struct Round<'a> {
    services: &'a Services,
    sql: &'a AnyPool,
    fake: &'a FakeGraph,
    actor: &'a Actor,
    channel: i64,
    number_id: &'a str,
    conversations: &'a [i64],
    /// Marks this round's reply texts, so each can be traced to the provider.
    tag: String,
    replies: usize,
    workers: usize,
}

/// What a round measured and found.
struct Measured {
    workers: usize,
    replies: usize,
    queued_in: Duration,
    elapsed: Duration,
    /// Requests the provider received during the drain.
    arrivals: Vec<Arrival>,
    /// One `deliver_next` call that sent a job (claim, send, record), sorted.
    step_latencies: Vec<Duration>,
    /// From the reply's commit to the provider's id being stored (`messages.created_at` to
    /// `updated_at`, milliseconds), sorted. Includes the wait behind the whole backlog.
    queue_to_accepted: Vec<i64>,
    /// `deliver_next` found nothing although due jobs were still pending.
    missed_claims: usize,
    failures: Vec<String>,
}

impl Round<'_> {
    async fn run(&self) -> Measured {
        let last_before: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(id), 0) FROM messages WHERE direction = 'outbound'",
        )
        .fetch_one(self.sql)
        .await
        .expect("the last outbound message");
        let texts: Vec<String> = (0..self.replies)
            .map(|i| format!("[{}.{i}] {}", self.tag, REPLIES[i % REPLIES.len()]))
            .collect();

        let started = Instant::now();
        let texts = Arc::new(texts);
        let next = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..QUEUEING_WRITERS)
            .map(|_| {
                let (services, actor) = (self.services.clone(), self.actor.clone());
                let (texts, next) = (texts.clone(), next.clone());
                let conversations = self.conversations.to_vec();
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(text) = texts.get(i) else { return };
                        let conversation = conversations[i % conversations.len()];
                        services
                            .send_reply(&actor, conversation, text)
                            .await
                            .expect("the reply is queued (open window, coordinator)");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("a writer does not panic");
        }
        let queued_in = started.elapsed();

        let first_arrival = self.fake.received();
        let started = Instant::now();
        let handles: Vec<_> = (0..self.workers)
            .map(|n| {
                tokio::spawn(deliver_until_done(
                    self.services.clone(),
                    self.sql.clone(),
                    format!("bench-{}-{n}", self.tag),
                ))
            })
            .collect();
        let mut drained = Drained::default();
        for handle in handles {
            let part = handle.await.expect("a worker does not panic");
            drained.latencies.extend(part.latencies);
            drained.missed += part.missed;
            drained.errors += part.errors;
        }
        let elapsed = started.elapsed();
        drained.latencies.sort_unstable();
        let arrivals = self.fake.received_since(first_arrival);

        let mut failures = Vec::new();
        if drained.errors > 0 {
            failures.push(format!("{} delivery steps failed", drained.errors));
        }
        let mut measured = Measured {
            workers: self.workers,
            replies: self.replies,
            queued_in,
            elapsed,
            step_latencies: drained.latencies,
            queue_to_accepted: Vec::new(),
            missed_claims: drained.missed,
            failures,
            arrivals: Vec::new(),
        };
        self.check_exactly_once(&texts, &arrivals, last_before, &mut measured)
            .await;
        measured.arrivals = arrivals;
        measured
    }

    /// Every reply reached the provider once, and ended `sent` with the id it answered.
    async fn check_exactly_once(
        &self,
        texts: &[String],
        arrivals: &[Arrival],
        last_before: i64,
        measured: &mut Measured,
    ) {
        let failures = &mut measured.failures;
        if arrivals.len() != texts.len() {
            failures.push(format!(
                "the provider received {} requests for {} replies",
                arrivals.len(),
                texts.len()
            ));
        }
        if let Some(stray) = arrivals.iter().find(|a| a.number_id != self.number_id) {
            failures.push(format!("a request went to number {}", stray.number_id));
        }
        let mut times_received: HashMap<&str, usize> = HashMap::new();
        for arrival in arrivals {
            *times_received.entry(arrival.text.as_str()).or_default() += 1;
        }
        let twice = times_received.values().filter(|&&n| n > 1).count();
        let never = texts
            .iter()
            .filter(|text| !times_received.contains_key(text.as_str()))
            .count();
        if twice > 0 || never > 0 {
            failures.push(format!(
                "{twice} replies reached the provider more than once, {never} never"
            ));
        }

        let rows: Vec<(String, Option<String>, i64, String, i64)> = sqlx::query_as(
            "SELECT m.status, m.provider_message_id, m.updated_at - m.created_at, j.state, \
                    j.attempts \
             FROM messages m JOIN outbound_jobs j ON j.message_id = m.id \
             WHERE m.direction = 'outbound' AND m.id > $1 AND m.channel_id = $2 ORDER BY m.id",
        )
        .bind(last_before)
        .bind(self.channel)
        .fetch_all(self.sql)
        .await
        .expect("this round's messages");
        if rows.len() != texts.len() {
            failures.push(format!(
                "{} outbound messages stored for {} replies",
                rows.len(),
                texts.len()
            ));
        }
        let mut not_sent: HashMap<String, usize> = HashMap::new();
        for (status, _, _, state, attempts) in &rows {
            if status != "sent" || state != "done" || *attempts != 1 {
                let outcome = format!("message {status}, job {state} after {attempts} claims");
                *not_sent.entry(outcome).or_default() += 1;
            }
        }
        if !not_sent.is_empty() {
            let mut outcomes: Vec<String> = not_sent
                .into_iter()
                .map(|(outcome, count)| format!("{count} × {outcome}"))
                .collect();
            outcomes.sort();
            failures.push(format!(
                "not `sent` after exactly one claimed attempt: {}",
                outcomes.join(", ")
            ));
        }
        let issued: HashSet<&str> = arrivals.iter().map(|a| a.wamid.as_str()).collect();
        let stored: HashSet<&str> = rows.iter().filter_map(|row| row.1.as_deref()).collect();
        if stored.len() != rows.len() || stored != issued {
            failures.push(format!(
                "{} distinct provider ids stored for {} messages; {} issued by the provider",
                stored.len(),
                rows.len(),
                issued.len()
            ));
        }
        measured.queue_to_accepted = rows.iter().map(|row| row.2).collect();
        measured.queue_to_accepted.sort_unstable();
    }
}

#[derive(Default)]
struct Drained {
    latencies: Vec<Duration>,
    missed: usize,
    errors: usize,
}

/// A delivery worker as `startup.rs` runs one: `deliver_next` in a loop while it finds a job.
/// Where production then waits for a wake-up (or a second), this one stops once no due job is
/// pending; an empty answer while jobs are still pending is counted and tried again.
async fn deliver_until_done(services: Services, sql: AnyPool, worker: String) -> Drained {
    let mut drained = Drained::default();
    loop {
        let started = Instant::now();
        match services.deliver_next(&worker).await {
            Ok(true) => drained.latencies.push(started.elapsed()),
            Ok(false) => {
                let due: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM outbound_jobs WHERE state = 'pending' \
                     AND next_attempt_at <= $1",
                )
                .bind(now_ms())
                .fetch_one(&sql)
                .await
                .expect("count pending jobs");
                if due == 0 {
                    return drained;
                }
                drained.missed += 1;
                tokio::task::yield_now().await;
            }
            Err(error) => {
                eprintln!("{worker}: delivery step failed: {}", error.message);
                drained.errors += 1;
                if drained.errors >= 20 {
                    return drained;
                }
            }
        }
    }
}

/// How the paced channel's requests were spread over time at the provider.
struct Pacing {
    requests: usize,
    span: Duration,
    /// Most requests in any window `[t, t + 1 s)`.
    busiest_second: usize,
    /// Where that window starts, after the first request.
    busiest_from: Duration,
    allowed: usize,
    shortest_gap: Duration,
}

impl Pacing {
    fn of(arrivals: &[Arrival], rate: u32) -> Pacing {
        let mut times: Vec<Instant> = arrivals.iter().map(|a| a.at).collect();
        times.sort_unstable();
        let first = times.first().copied().unwrap_or_else(Instant::now);
        let mut busiest_second = 0;
        let mut busiest_from = Duration::ZERO;
        let mut end = 0;
        // The busiest window starts at a request: slide its start over each one in turn.
        for (start, &at) in times.iter().enumerate() {
            while end < times.len() && times[end] < at + Duration::from_secs(1) {
                end += 1;
            }
            if end - start > busiest_second {
                busiest_second = end - start;
                busiest_from = at - first;
            }
        }
        Pacing {
            requests: times.len(),
            span: times.last().map_or(Duration::ZERO, |&last| last - first),
            busiest_second,
            busiest_from,
            allowed: rate as usize + 1,
            shortest_gap: times
                .windows(2)
                .map(|pair| pair[1] - pair[0])
                .min()
                .unwrap_or_default(),
        }
    }

    fn achieved_rate(&self) -> f64 {
        (self.requests.saturating_sub(1)) as f64 / self.span.as_secs_f64().max(f64::EPSILON)
    }
}

fn print_report(
    label: &str,
    options: &Options,
    rounds: &[Measured],
    paced: &Measured,
    pacing: &Pacing,
) {
    println!(
        "\n{label}: {} replies per round over {} conversations, fake Graph API on loopback, \
         channel rate {UNPACED_RATE}/s (unpaced)\n",
        options.replies, options.conversations
    );
    println!(
        "| workers | queued ({QUEUEING_WRITERS} writers, replies/s) | drained in | sends/s | deliver_next p50 / p95 / p99 ms \
         | queue→accepted p50 / p95 / p99 ms | empty claims | exactly once |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for round in rounds {
        println!(
            "| {} | {:.0} | {:.2} s | {:.0} | {:.2} / {:.2} / {:.2} | {} / {} / {} | {} | {} |",
            round.workers,
            round.replies as f64 / round.queued_in.as_secs_f64(),
            round.elapsed.as_secs_f64(),
            round.arrivals.len() as f64 / round.elapsed.as_secs_f64(),
            millis(percentile(&round.step_latencies, 50.0)),
            millis(percentile(&round.step_latencies, 95.0)),
            millis(percentile(&round.step_latencies, 99.0)),
            percentile(&round.queue_to_accepted, 50.0),
            percentile(&round.queue_to_accepted, 95.0),
            percentile(&round.queue_to_accepted, 99.0),
            round.missed_claims,
            verdict(round),
        );
    }
    println!(
        "\nqueue→accepted runs from the reply's commit to the provider id's, so it includes the \
         wait behind the whole backlog (all replies are queued before the workers start)."
    );
    println!(
        "empty claims: `deliver_next` found no job while due jobs were still pending \
         (production would wait for a wake-up or up to 1 s)."
    );
    println!(
        "\npaced channel at {}/s: {} replies, {} workers: {} requests over {:.2} s = {:.2}/s; \
         busiest 1-second window {} requests (at most {} allowed), shortest gap {:.1} ms, {}",
        options.rate,
        paced.replies,
        paced.workers,
        pacing.requests,
        pacing.span.as_secs_f64(),
        pacing.achieved_rate(),
        pacing.busiest_second,
        pacing.allowed,
        millis(pacing.shortest_gap),
        verdict(paced),
    );
    println!(
        "memory: peak {} MiB (VmHWM of the whole process: services, fake provider, benchmark)",
        proc_status_mib("VmHWM").map_or("?".into(), |v| format!("{v:.1}")),
    );
}

fn verdict(round: &Measured) -> String {
    if round.failures.is_empty() {
        "ok".into()
    } else {
        format!("NO: {}", round.failures.join("; "))
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile<T: Copy + Default>(sorted: &[T], percent: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A `kB` line of `/proc/self/status`, in MiB; `None` off Linux.
fn proc_status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
