//! Starts the built Switchboard binary with demo data (on SQLite or PostgreSQL), and ChromeDriver
//! with headless Chromium.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use sqlx::{Connection, Executor, PgConnection};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn binary() -> PathBuf {
    std::env::var_os("SWITCHBOARD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/switchboard"))
}

fn site_root() -> PathBuf {
    std::env::var_os("SWITCHBOARD_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/site"))
}

/// Polls `ready` until it holds; a process that does not come up within `limit` fails the test.
pub async fn wait_until(what: &str, limit: Duration, mut ready: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !ready().await {
        assert!(
            started.elapsed() < limit,
            "{what} did not become ready within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A child process, and every process it started, killed when the test ends, pass or fail.
struct Process(Child);

impl Process {
    /// Starts the command as the leader of a process group of its own: ChromeDriver starts
    /// Chromium, which starts helpers, and killing ChromeDriver alone left them running.
    fn spawn(command: &mut Command) -> std::io::Result<Process> {
        command.process_group(0).spawn().map(Process)
    }

    fn group(&self) -> i32 {
        i32::try_from(self.0.id()).expect("process ids fit in pid_t")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SAFETY: kill(2) only sends a signal; a negative pid names the group this child leads.
        unsafe {
            libc::kill(-self.group(), libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

/// The processes still alive in a process group (read from /proc; zombies count as ended).
pub fn processes_in_group(group: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces.
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
                    Some(fields.first()? != &"Z" && fields.get(2)?.parse::<i32>().ok()? == group)
                })
                .unwrap_or(false)
        })
        .collect()
}

/// The database a test's server keeps its data in.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Db)` in this file once on SQLite and once on PostgreSQL. Browser
/// tests are slow: only the main flows run on both.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name($crate::harness::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() { super::$name($crate::harness::Db::Postgres).await } )*
        }
    };
}

/// A PostgreSQL database of one test's own, on the server `SWITCHBOARD_TEST_POSTGRES` names,
/// dropped when the test ends, pass or fail.
struct PostgresDatabase {
    admin: String,
    name: String,
}

impl PostgresDatabase {
    async fn create() -> PostgresDatabase {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("SWITCHBOARD_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
        // Unique across runs too: a run that was killed leaves its databases behind (the
        // `sb_test_` prefix lets scripts/test.sh drop them), and process ids come round again.
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is past 1970")
            .as_nanos();
        let name = format!(
            "sb_test_browser_{}_{}_{started}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut connection = PgConnection::connect(&format!("{admin}/postgres"))
            .await
            .expect("PostgreSQL must be running at SWITCHBOARD_TEST_POSTGRES (see README)");
        connection
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        PostgresDatabase { admin, name }
    }

    fn url(&self) -> String {
        format!("{}/{}", self.admin, self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin = format!("{}/postgres", self.admin);
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await, and the test's runtime is the thread running this drop: a thread
        // with a runtime of its own does the work.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime
                .block_on(async {
                    let mut connection = PgConnection::connect(&admin).await?;
                    connection.execute(statement.as_str()).await.map(|_| ())
                })
                .map_err(|error| error.to_string())
        })
        .join()
        .unwrap_or_else(|_| Err("the thread dropping it panicked".to_string()));
        if let Err(error) = dropped {
            // Not a panic: this may run while a failing test unwinds. scripts/test.sh drops
            // leftovers on its next run.
            eprintln!("test database {} was not dropped: {error}", self.name);
        }
    }
}

pub struct Server {
    base: String,
    database_url: String,
    // Fields drop in order: the server stops before its database is dropped.
    _process: Process,
    _database: Option<PostgresDatabase>,
    _data: tempfile::TempDir,
}

impl Server {
    /// The server on SQLite, the database of most installations.
    pub async fn start() -> Server {
        Server::start_on(Db::Sqlite).await
    }

    /// The server on a fresh database of `db`'s kind, with the demo data loaded.
    pub async fn start_on(db: Db) -> Server {
        let data = tempfile::tempdir().unwrap();
        let (database, database_url) = match db {
            Db::Sqlite => (
                None,
                format!("sqlite://{}/switchboard.db", data.path().display()),
            ),
            Db::Postgres => {
                let database = PostgresDatabase::create().await;
                let url = database.url();
                (Some(database), url)
            }
        };
        let port = free_port();
        let envs = [
            ("DATABASE_URL", database_url.clone()),
            ("SWITCHBOARD_ADDR", format!("127.0.0.1:{port}")),
            (
                "SWITCHBOARD_MEDIA_DIR",
                data.path().join("media").display().to_string(),
            ),
            // With PostgreSQL the default is data/ under the working directory: shared by tests.
            (
                "SWITCHBOARD_SECRET_KEY_FILE",
                data.path().join("secret.key").display().to_string(),
            ),
            ("SWITCHBOARD_SITE_ROOT", site_root().display().to_string()),
            ("SWITCHBOARD_LOG", "warn".to_string()),
            ("SWITCHBOARD_DEMO_MODE", "true".to_string()),
        ];
        // The browser tests make the conversations they need, and find them by name.
        let demo = Command::new(binary())
            .args(["demo", "--empty-inbox"])
            .envs(envs.clone())
            .status()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", binary().display()));
        assert!(demo.success(), "switchboard demo failed");
        let process = Process::spawn(
            Command::new(binary())
                .arg("serve")
                .envs(envs)
                .stdout(Stdio::null()),
        )
        .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let health = format!("{base}/healthz");
        wait_until("switchboard", Duration::from_secs(30), async || {
            reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        Server {
            base,
            database_url,
            _process: process,
            _database: database,
            _data: data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn url_parsed(&self, path: &str) -> url::Url {
        self.url(path).parse().unwrap()
    }

    /// Attaches a picture, `png`, to the first message of `contact`'s conversation, as if it had
    /// come with it and been downloaded: the demo's sandbox channels have no provider to fetch
    /// media from.
    pub async fn attach_picture(&self, contact: &str, png: &[u8]) {
        // Files are kept under their SHA-256; what is served is looked up by the stored name,
        // so any name of that shape will do.
        let kept_as = format!("{:064x}", png.len());
        let file = self
            ._data
            .path()
            .join("media")
            .join(&kept_as[..2])
            .join(&kept_as);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, png).unwrap();
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&self.database_url)
            .await
            .expect("the test's database");
        let attached = sqlx::query(
            "INSERT INTO attachments (message_id, kind, mime_type, filename, size_bytes, sha256, \
             source, fetch_state, created_at) SELECT MIN(m.id), 'image', 'image/png', 'photo.png', \
             $1, $2, 'media-id', 'stored', MIN(m.created_at) FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id \
             JOIN contacts k ON k.id = c.contact_id WHERE k.name = $3",
        )
        .bind(png.len() as i64)
        .bind(&kept_as)
        .bind(contact)
        .execute(&mut connection)
        .await
        .expect("the picture is attached");
        assert_eq!(attached.rows_affected(), 1, "{contact} has a message");
    }
}

pub struct Browser {
    pub client: Client,
    driver: Process,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// A browser with more Chromium switches, e.g. `--force-dark-mode` for the dark theme.
    pub async fn start_with(switches: &[&str]) -> Browser {
        Browser::launch(switches, serde_json::json!({})).await
    }

    /// A browser whose `Accept-Language` asks for `language` ("ar") first.
    pub async fn start_asking_for(language: &str) -> Browser {
        Browser::launch(
            &[],
            serde_json::json!({ "intl": { "accept_languages": language } }),
        )
        .await
    }

    /// `preferences` are Chromium's own (profile settings), as ChromeDriver takes them.
    async fn launch(switches: &[&str], preferences: serde_json::Value) -> Browser {
        let port = free_port();
        let driver = Process::spawn(
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
        .expect("chromedriver must be installed (scripts/setup.sh does it)");
        let status = format!("http://127.0.0.1:{port}/status");
        wait_until("chromedriver", Duration::from_secs(30), async || {
            reqwest::get(&status).await.is_ok()
        })
        .await;
        // Two TLS back-ends are linked in (through reqwest and fantoccini); pick one. Only plain
        // http on loopback is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .into_iter()
        .chain(switches.iter().copied())
        .map(str::to_owned)
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args,
                "prefs": preferences,
            }
        });
        let client = ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// The browser entry point marks `<body data-hydrated="true">` once the whole page,
    /// lazy-loaded route included, is interactive.
    pub async fn wait_for_hydration(&self) {
        self.client
            .wait()
            .for_element(fantoccini::Locator::Css("body[data-hydrated='true']"))
            .await
            .expect("the page hydrates");
    }

    /// The process group of ChromeDriver and the Chromium it started.
    pub fn process_group(&self) -> i32 {
        self.driver.group()
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

const DEMO_PASSWORD: &str = "switchboard-demo-2026";

pub async fn sign_in(browser: &Browser, server: &Server, email: &str) {
    let client = &browser.client;
    client.goto(&server.url("/")).await.unwrap();
    client
        .wait()
        .for_url(&server.url_parsed("/login?next=%2F"))
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_url(&server.url_parsed("/"))
        .await
        .unwrap();
    browser.wait_for_hydration().await;
}

/// A message a contact sends in on the demo's WhatsApp sandbox channel.
pub struct Inbound<'a> {
    /// The contact's phone number.
    pub from: &'a str,
    pub name: &'a str,
    pub text: &'a str,
}

/// Sends `message` as its contact with the demo's simulate tool (signed in as an admin).
pub async fn simulate_whatsapp_message(browser: &Browser, server: &Server, message: &Inbound<'_>) {
    let client = &browser.client;
    client.goto(&server.url("/channels")).await.unwrap();
    browser.wait_for_hydration().await;
    let form = client
        .wait()
        .for_element(Locator::Css("form.simulate-inbound"))
        .await
        .expect("demo mode offers the simulate form");
    form.find(Locator::Css("select[name=channel_id]"))
        .await
        .unwrap()
        .select_by(Locator::XPath(
            ".//option[starts-with(normalize-space(), 'WhatsApp sandbox')]",
        ))
        .await
        .unwrap();
    for (selector, value) in [
        ("input[name=from]", message.from),
        ("input[name=name]", message.name),
        ("textarea[name=text]", message.text),
    ] {
        form.find(Locator::Css(selector))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    form.find(Locator::XPath(
        ".//button[normalize-space()='Send as this contact']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    client
        .wait()
        .for_element(Locator::Css("form.simulate-inbound ~ p.notice-success"))
        .await
        .expect("the simulated message is accepted");
}

/// An admin simulates `message` and signs out; then `reader` signs in, on the inbox.
pub async fn receive_then_sign_in(
    browser: &Browser,
    server: &Server,
    message: &Inbound<'_>,
    reader: &str,
) {
    sign_in(browser, server, "admin@example.org").await;
    simulate_whatsapp_message(browser, server, message).await;
    sign_out(browser, server).await;
    sign_in(browser, server, reader).await;
}

/// An admin simulates `message` and signs out; then `reader` signs in and opens the new
/// conversation from the list of `view`.
pub async fn receive_and_open(
    browser: &Browser,
    server: &Server,
    message: &Inbound<'_>,
    reader: &str,
    view: &str,
) {
    receive_then_sign_in(browser, server, message, reader).await;
    open_conversation(browser, server, view, message.name).await;
}

/// Opens the conversation with `contact` from the list of `view`.
pub async fn open_conversation(browser: &Browser, server: &Server, view: &str, contact: &str) {
    let client = &browser.client;
    client
        .goto(&server.url(&format!("/?view={view}")))
        .await
        .unwrap();
    browser.wait_for_hydration().await;
    client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//a[contains(@class, 'conversation-row')][.//*[normalize-space()='{contact}']]"
        )))
        .await
        .unwrap_or_else(|_| panic!("{contact} is listed under {view}"))
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//h2[@id='thread-title'][normalize-space()='{contact}']"
        )))
        .await
        .expect("the conversation opens");
}

/// Types `text` into the open conversation's composer and sends it.
pub async fn write_in_composer(client: &Client, text: &str) {
    client
        .wait()
        .for_element(Locator::Css("form.composer textarea:enabled"))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
    client
        .find(Locator::Css("form.composer button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Signs out through the top bar's button.
pub async fn sign_out(browser: &Browser, server: &Server) {
    let client = &browser.client;
    client
        .find(Locator::Css("form[action='/auth/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_url(&server.url_parsed("/login?signed_out=1"))
        .await
        .unwrap();
}

/// Clicks the element at `xpath` once it exists.
pub async fn click(client: &Client, xpath: &str) {
    client
        .wait()
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|_| panic!("{xpath} is there"))
        .click()
        .await
        .unwrap();
}

/// Waits until the element at `xpath` exists: changes arrive by refetch or live update.
pub async fn shows(client: &Client, xpath: &str, what: &str) -> Element {
    match client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(element) => element,
        Err(_) => panic!("{what}: not shown\n{}", what_the_page_shows(client).await),
    }
}

/// The address and text of the page, so a failure says what was there instead.
pub async fn what_the_page_shows(client: &Client) -> String {
    let url = client.current_url().await.map(|url| url.to_string());
    let text = match client.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(error) => format!("(no body: {error})"),
    };
    format!("at {url:?}, the page reads:\n{text}")
}
