//! Starts the built Switchboard binary with demo data, and ChromeDriver with headless Chromium.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

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
// Each test file compiles the harness on its own; only browser.rs checks process groups.
#[allow(dead_code)]
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

pub struct Server {
    base: String,
    _process: Process,
    _data: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Server {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let envs = [
            (
                "DATABASE_URL",
                format!("sqlite://{}/switchboard.db", data.path().display()),
            ),
            ("SWITCHBOARD_ADDR", format!("127.0.0.1:{port}")),
            (
                "SWITCHBOARD_MEDIA_DIR",
                data.path().join("media").display().to_string(),
            ),
            ("SWITCHBOARD_SITE_ROOT", site_root().display().to_string()),
            ("SWITCHBOARD_LOG", "warn".to_string()),
            ("SWITCHBOARD_DEMO_MODE", "true".to_string()),
        ];
        let demo = Command::new(binary())
            .arg("demo")
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
            _process: process,
            _data: data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn url_parsed(&self, path: &str) -> url::Url {
        self.url(path).parse().unwrap()
    }
}

pub struct Browser {
    pub client: Client,
    #[allow(dead_code)]
    driver: Process,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
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
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
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
    #[allow(dead_code)]
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

/// Sends a WhatsApp message as a contact with the demo's simulate tool (signed in as an admin).
pub async fn simulate_whatsapp_message(
    browser: &Browser,
    server: &Server,
    from: &str,
    name: &str,
    text: &str,
) {
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
        ("input[name=from]", from),
        ("input[name=name]", name),
        ("textarea[name=text]", text),
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
