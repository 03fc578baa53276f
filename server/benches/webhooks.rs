//! Inbound webhook benchmark: how many signed WhatsApp Cloud API text webhooks the real
//! application stores per second, and how long each one waits for its 200.
//!
//! The application runs in this process exactly as the tests start it (port 0, real HTTP over
//! loopback), so the figures include the database and the HTTP stack but also the load
//! generator, which shares the same cores and memory.
//!
//! ```sh
//! cargo bench -p server --bench webhooks                       # fresh SQLite file
//! cargo bench -p server --bench webhooks -- --database-url postgres://…/fresh_db
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::model::{ChannelInput, ChannelKind};
use channels::phone::E164;
use channels::simulate::{self, SignedWebhook};
use clap::Parser;
use server::config::Config;
use server::services::channels::WHATSAPP_WEBHOOK;
use server::services::{ServiceSettings, Services};
use server::startup::Application;
use server::store::Store;

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
    /// Timed requests.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Concurrent senders, each with its own keep-alive connection.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// Untimed requests sent first (connections, caches, database pages warm up).
    #[arg(long, default_value_t = 500)]
    warmup: usize,
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

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    let database = Database::choose(options.database_url.clone());
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let (base, settings) = start_app(&database.url, scratch.path()).await;
    connect_whatsapp(&database.url, settings).await;

    let webhooks = build_webhooks(options.warmup + options.requests);
    let body_bytes: usize = webhooks.iter().map(|webhook| webhook.body.len()).sum();
    let (warmup, timed) = split_at(webhooks, options.warmup);
    let client = http_client();
    let url = format!("{base}{WHATSAPP_WEBHOOK}");
    let concurrency = usize::from(options.concurrency);

    let warmup = send_all(&client, &url, warmup, concurrency).await;
    let run = send_all(&client, &url, timed, concurrency).await;

    let stored = count_stored(&database.url).await;
    let expected = options.warmup + options.requests;
    let errors = warmup.errors + run.errors;
    let report = Report {
        backend: database.backend(),
        requests: options.requests,
        concurrency,
        run: &run,
        errors,
        body_bytes,
        stored,
        expected,
    };
    report.print();
    if report.errors == 0 && report.all_stored_once() {
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
/// admin page uses.
async fn connect_whatsapp(database_url: &str, settings: ServiceSettings) {
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
    services
        .create_channel(None, &input)
        .await
        .expect("the WhatsApp channel connects (is the database fresh?)");
    // Only the application's own pool should be busy during the run.
    store.close().await;
}

/// Signs every request up front so HMAC and JSON encoding stay outside the timed loop.
fn build_webhooks(count: usize) -> Vec<SignedWebhook> {
    let senders: Vec<E164> = (0..SENDERS)
        .map(|n| E164::parse(&format!("+1650555{n:04}")).expect("a valid number"))
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    (0..count)
        .map(|i| {
            let sender = i % SENDERS;
            simulate::whatsapp_text(
                APP_SECRET,
                WABA_ID,
                PHONE_NUMBER_ID,
                DISPLAY_NUMBER,
                &senders[sender],
                &format!("Contact {sender}"),
                &format!("wamid.HBgLMTY1MDU1NTAwMDAVAgASGBQ{i:020}"),
                now - (count - i) as i64,
                TEXTS[i % TEXTS.len()],
            )
        })
        .collect()
}

fn split_at(
    mut webhooks: Vec<SignedWebhook>,
    at: usize,
) -> (Vec<SignedWebhook>, Vec<SignedWebhook>) {
    let rest = webhooks.split_off(at);
    (webhooks, rest)
}

/// One client for all senders: it pools one keep-alive connection per concurrent request.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        // Loopback only, whatever HTTP_PROXY says.
        .no_proxy()
        // Bounds the run even if the server stops answering.
        .timeout(Duration::from_secs(30))
        .build()
        .expect("the HTTP client builds")
}

/// What one phase measured.
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

/// Sends every webhook once from `concurrency` senders that take the next request from a
/// shared queue as soon as their previous one is answered (a closed loop).
async fn send_all(
    client: &reqwest::Client,
    url: &str,
    webhooks: Vec<SignedWebhook>,
    concurrency: usize,
) -> Outcome {
    let queue = Arc::new(Mutex::new(webhooks.into_iter()));
    let started = Instant::now();
    let senders: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(sender(client.clone(), url.to_string(), queue.clone())))
        .collect();
    let mut outcome = Outcome::default();
    for handle in senders {
        let part = handle.await.expect("a sender does not panic");
        outcome.latencies.extend(part.latencies);
        outcome.errors += part.errors;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

async fn sender(
    client: reqwest::Client,
    url: String,
    queue: Arc<Mutex<std::vec::IntoIter<SignedWebhook>>>,
) -> Outcome {
    let mut outcome = Outcome::default();
    loop {
        // The guard is dropped before awaiting, so senders never wait on each other's I/O.
        let next = queue.lock().expect("queue lock").next();
        let Some(webhook) = next else {
            return outcome;
        };
        let started = Instant::now();
        let ok = post(&client, &url, webhook).await;
        outcome.latencies.push(started.elapsed());
        if !ok {
            outcome.errors += 1;
        }
    }
}

/// Posts one webhook as Meta does; true on a 200. The body is read to the end so the
/// connection goes back to the pool for reuse.
async fn post(client: &reqwest::Client, url: &str, webhook: SignedWebhook) -> bool {
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, webhook.content_type)
        .body(webhook.body);
    for (name, value) in webhook.headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            if status != reqwest::StatusCode::OK {
                eprintln!("{status}: {}", String::from_utf8_lossy(&body));
            }
            status == reqwest::StatusCode::OK
        }
        Err(error) => {
            eprintln!("request failed: {error}");
            false
        }
    }
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
    requests: usize,
    concurrency: usize,
    run: &'a Outcome,
    errors: usize,
    body_bytes: usize,
    stored: Stored,
    expected: usize,
}

impl Report<'_> {
    /// Every message sent (warm-up included) is stored exactly once.
    fn all_stored_once(&self) -> bool {
        self.stored.messages == self.expected as i64
    }

    /// Prints the figures, one labelled line each.
    fn print(&self) {
        let run = self.run;
        let mut latencies = run.latencies.clone();
        latencies.sort_unstable();
        let seconds = run.elapsed.as_secs_f64();
        println!("backend:       {}", self.backend);
        println!("requests:      {} (timed)", self.requests);
        println!("concurrency:   {}", self.concurrency);
        println!("elapsed:       {seconds:.2} s");
        println!("throughput:    {:.0} req/s", self.requests as f64 / seconds);
        println!(
            "latency (ms):  p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
            millis(percentile(&latencies, 50.0)),
            millis(percentile(&latencies, 95.0)),
            millis(percentile(&latencies, 99.0)),
            millis(latencies.last().copied().unwrap_or_default()),
        );
        println!(
            "errors:        {} (non-200 or failed, warm-up included)",
            self.errors
        );
        println!(
            "memory:        peak {} MiB, now {} MiB (VmHWM / VmRSS of the whole process: server, \
         load generator and its {:.1} MiB of pre-built request bodies)",
            proc_status_mib("VmHWM").map_or("?".into(), |v| format!("{v:.1}")),
            proc_status_mib("VmRSS").map_or("?".into(), |v| format!("{v:.1}")),
            self.body_bytes as f64 / (1024.0 * 1024.0),
        );
        let stored = &self.stored;
        let verdict = if self.all_stored_once() {
            "ok"
        } else {
            "MISMATCH (lost or duplicated)"
        };
        println!(
            "stored:        {} messages, expected {} (warm-up + timed): {verdict}",
            stored.messages, self.expected
        );
        println!(
            "               {} contacts, {} conversations ({SENDERS} senders)",
            stored.contacts, stored.conversations
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

/// A `kB` line of `/proc/self/status`, in MiB; `None` off Linux.
fn proc_status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
