//! Inbound webhook benchmark: how many signed WhatsApp Cloud API text webhooks the real
//! application stores per second, and how long each one waits for its 200.
//!
//! The application runs in this process exactly as the tests start it (port 0, real HTTP over
//! loopback), so the figures include the database and the HTTP stack but also the load
//! generator, which shares the same cores and memory.
//!
//! Two parts:
//! - Throughput: rounds of webhooks from 300 senders (contacts and conversations both created
//!   and reused), each round sent to the application and then to a minimal correct receiver on
//!   the same database (`minimal.rs`), so the two are compared on the same machine in the same
//!   minutes.
//! - Growth (`growth.rs`): contacts are added up to each of `--sizes`, and at each size
//!   messages from new and from known people are timed, and searches by phone digits.
//!
//! ```sh
//! cargo bench -p server --bench webhooks                       # fresh SQLite file
//! cargo bench -p server --bench webhooks -- --database-url postgres://…/fresh_db
//! ```

#[path = "../support/bulk_insert.rs"]
mod bulk_insert;
mod growth;
mod load;
mod minimal;

use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use app::model::{ChannelInput, ChannelKind};
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};
use clap::Parser;
use server::config::Config;
use server::services::channels::WHATSAPP_WEBHOOK;
use server::services::{ServiceSettings, Services};
use server::startup::Application;
use server::store::Store;

use load::{Outcome, http_client, send_all};

const APP_SECRET: &str = "bench-app-secret";
const WABA_ID: &str = "419561257915477";
const PHONE_NUMBER_ID: &str = "106540352242922";
const DISPLAY_NUMBER: &str = "15550100000";
/// Enough distinct senders that most requests reuse an existing contact and conversation,
/// while the first few hundred create them.
const SENDERS: usize = 300;
/// What people write to a helpline, of the usual lengths (a few words to a paragraph).
const TEXTS: [&str; 5] = [
    "Hi, is the food bank open on Saturday?",
    "Thank you so much 🙏",
    "Hello, my landlord says we have to leave by Friday and I don't know where to go with \
     two kids. Can someone call me back this afternoon? I'm free after 3pm.",
    "Can I bring my neighbour's ID to pick up her parcel? She can't walk that far.",
    "ok",
];

#[derive(Parser, Debug)]
#[command(about = "Throughput and latency of signed WhatsApp webhooks through the real app")]
struct Options {
    /// Database to run against; must be fresh. Default: a new SQLite file in a temp directory.
    #[arg(long, env = "BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Timed requests per round, to the application and to the minimal receiver each.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Rounds of the throughput comparison (0: growth only).
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Concurrent senders, each with its own keep-alive connection.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// Untimed requests sent first (connections, caches, database pages warm up).
    #[arg(long, default_value_t = 500)]
    warmup: usize,
    /// Contact counts to grow to and measure at, in order (`--sizes 0`: none).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<usize>,
    /// Messages from new senders, and as many from known ones, at each size.
    #[arg(long, default_value_t = 2_000)]
    per_size: usize,
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

    fn backend(&self) -> &'static str {
        if self.url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    }
}

/// Signs webhooks, each message with an id never used before in the run.
pub struct Signer {
    sent: usize,
}

impl Signer {
    /// `count` messages, the `i`th from `senders[i % senders.len()]`, signed up front so HMAC
    /// and JSON encoding stay outside the timed loop.
    pub fn sign(&mut self, senders: &[E164], count: usize) -> Vec<SignedWebhook> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs() as i64;
        let first = self.sent;
        self.sent += count;
        (0..count)
            .map(|i| {
                let sender = i % senders.len();
                let id = first + i;
                simulate::whatsapp_text(
                    APP_SECRET,
                    WABA_ID,
                    PHONE_NUMBER_ID,
                    DISPLAY_NUMBER,
                    &senders[sender],
                    &format!("Contact {sender}"),
                    &format!("wamid.HBgLMTY1MDU1NTAwMDAVAgASGBQ{id:020}"),
                    now - (count - i) as i64,
                    TEXTS[id % TEXTS.len()],
                )
            })
            .collect()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    let database = Database::choose(options.database_url.clone());
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let (base, settings) = start_app(&database.url, scratch.path()).await;
    let channel_id = connect_whatsapp(&database.url, settings).await;
    let (minimal_url, minimal_pool) = minimal::start(&database.url, APP_SECRET).await;

    let client = http_client();
    let app_url = format!("{base}{WHATSAPP_WEBHOOK}");
    let concurrency = usize::from(options.concurrency);
    let senders: Vec<E164> = (0..SENDERS)
        .map(|n| E164::parse(&format!("+1650555{n:04}")).expect("a valid number"))
        .collect();
    let mut signer = Signer { sent: 0 };

    let mut errors = 0;
    for url in [&app_url, &minimal_url] {
        let warmup = signer.sign(&senders, options.warmup);
        errors += send_all(&client, url, warmup, concurrency).await.errors;
    }
    let mut rounds = Vec::new();
    for _ in 0..options.rounds {
        let to_app = signer.sign(&senders, options.requests);
        let to_minimal = signer.sign(&senders, options.requests);
        let app = send_all(&client, &app_url, to_app, concurrency).await;
        let minimal = send_all(&client, &minimal_url, to_minimal, concurrency).await;
        errors += app.errors + minimal.errors;
        rounds.push((app, minimal));
    }
    let expected = (options.warmup + options.rounds * options.requests) as i64;
    let stored = count_stored(&database.url).await;
    let minimal_stored = minimal::stored(&minimal_pool).await;
    minimal_pool.close().await;
    let report = Report {
        backend: database.backend(),
        options: &options,
        rounds: &rounds,
        errors,
        stored,
        minimal_stored,
        expected,
    };
    report.print();
    let mut ok = report.errors == 0 && report.all_stored_once();

    let growth = growth::Growth {
        database_url: &database.url,
        webhook_url: &app_url,
        client: &client,
        concurrency,
        per_size: options.per_size,
        channel_id,
    };
    let sizes: Vec<usize> = options
        .sizes
        .iter()
        .copied()
        .filter(|&size| size > 0)
        .collect();
    let steps = growth.run(&sizes, &mut signer).await;
    if !steps.is_empty() {
        println!();
        println!(
            "growth ({} messages from new senders, then {0} from known ones, at each size):",
            options.per_size
        );
    }
    for step in &steps {
        step.print();
        ok &= step.checked.is_ok() && step.new_contacts.errors + step.known_contacts.errors == 0;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Builds and serves the application as the tests do, returning its base URL and the
/// settings its services run with. Files it may write go under `scratch`.
async fn start_app(database_url: &str, scratch: &Path) -> (String, ServiceSettings) {
    let media_dir = scratch.join("media");
    // Background workers keep their default (on), as in production: their polling is part of
    // the load a real instance carries.
    let config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(database_url.to_string()),
        "SWITCHBOARD_ADDR" => Some("127.0.0.1:0".to_string()),
        "SWITCHBOARD_LOG" => Some("warn".to_string()),
        "SWITCHBOARD_SITE_ROOT" => Some(scratch.display().to_string()),
        "SWITCHBOARD_MEDIA_DIR" => Some(media_dir.display().to_string()),
        // The fake provider listens on loopback over plain http.
        "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS" => Some("true".to_string()),
        _ => None,
    })
    .expect("benchmark configuration");
    let settings = config.service_settings();
    // Warnings and errors (a refused signature, a store failure) explain a non-200.
    server::telemetry::init(&config.log_filter, config.log_format);
    let application = Application::build(config)
        .await
        .expect("the application starts; the database must be reachable and fresh");
    let base = format!("http://{}", application.local_addr());
    tokio::spawn(application.run_until_stopped());
    let settings = ServiceSettings {
        public_url: base.parse().expect("base URL"),
        ..settings
    };
    (base, settings)
}

/// Connects the WhatsApp channel the webhooks are signed for, through the same service the
/// admin page uses; returns its id.
async fn connect_whatsapp(database_url: &str, settings: ServiceSettings) -> i64 {
    let store = Store::connect(database_url).await.expect("connect");
    let services = Services::new(store.clone(), settings);
    let input = ChannelInput {
        kind: Some(ChannelKind::WhatsApp),
        name: Some("Helpline".into()),
        phone_number_id: Some(PHONE_NUMBER_ID.into()),
        waba_id: Some(WABA_ID.into()),
        display_number: Some(DISPLAY_NUMBER.into()),
        access_token: Some("bench-access-token".into()),
        app_secret: Some(APP_SECRET.into()),
        verify_token: Some("bench-verify-token".into()),
        // Keeps any outbound provider call on loopback (the discard port), never Meta's API.
        api_base_url: Some("http://127.0.0.1:9".into()),
        ..ChannelInput::default()
    };
    let channel = services
        .create_channel(None, &input)
        .await
        .expect("the WhatsApp channel connects (is the database fresh?)");
    // Only the application's own pool should be busy during the run.
    store.close().await;
    channel.id
}

/// What the application stored, counted through a connection of the benchmark's own.
struct Stored {
    messages: i64,
    contacts: i64,
    conversations: i64,
}

async fn count_stored(database_url: &str) -> Stored {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(database_url)
        .await
        .expect("a connection to check what was stored");
    let count = |table: &str| {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let pool = &pool;
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(pool)
                .await
                .expect("count stored rows")
        }
    };
    let stored = Stored {
        messages: count("messages").await,
        contacts: count("contacts").await,
        conversations: count("conversations").await,
    };
    pool.close().await;
    stored
}

struct Report<'a> {
    backend: &'static str,
    options: &'a Options,
    rounds: &'a [(Outcome, Outcome)],
    errors: usize,
    stored: Stored,
    minimal_stored: i64,
    expected: i64,
}

impl Report<'_> {
    /// Every message sent (warm-up included) is stored exactly once, by both receivers.
    fn all_stored_once(&self) -> bool {
        self.stored.messages == self.expected && self.minimal_stored == self.expected
    }

    /// Prints the figures, one labelled line each.
    fn print(&self) {
        println!("backend:       {}", self.backend);
        println!(
            "requests:      {} timed per round, {} rounds, {} senders' connections",
            self.options.requests, self.options.rounds, self.options.concurrency
        );
        for (round, (app, minimal)) in self.rounds.iter().enumerate() {
            println!("round {}:", round + 1);
            println!("  application: {}", app.summary());
            println!("  minimal:     {}", minimal.summary());
            println!(
                "  ratio:       {:.2}× the minimal receiver",
                app.throughput() / minimal.throughput()
            );
        }
        println!(
            "errors:        {} (non-200 or failed, warm-up included)",
            self.errors
        );
        println!(
            "memory:        peak {} MiB (VmHWM of the whole process: server, minimal receiver, \
             load generator and its pre-built request bodies)",
            proc_status_mib("VmHWM").map_or("?".into(), |v| format!("{v:.1}")),
        );
        let stored = &self.stored;
        let verdict = if self.all_stored_once() {
            "ok"
        } else {
            "MISMATCH (lost or duplicated)"
        };
        println!(
            "stored:        {} messages, minimal receiver {} deliveries, expected {} each: {verdict}",
            stored.messages, self.minimal_stored, self.expected
        );
        println!(
            "               {} contacts, {} conversations ({SENDERS} senders)",
            stored.contacts, stored.conversations
        );
    }
}

/// A `kB` line of `/proc/self/status`, in MiB; `None` off Linux.
fn proc_status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
