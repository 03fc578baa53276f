//! Test harness: a fresh database per test (SQLite file or PostgreSQL database), the real
//! application on a free port, and a browser-like HTTP client.

pub mod conversations;
pub mod live;
pub mod provider;
pub mod webhooks;

use std::sync::atomic::{AtomicU32, Ordering};

use app::model::{ChannelInput, ChannelKind, Role};
use reqwest::redirect::Policy;
use server::config::Config;
use server::services::{ServiceSettings, Services};
use server::startup::Application;
use server::store::Store;
use sqlx::{Connection, Executor, PgConnection};

pub const PASSWORD: &str = "quiet-harbour-lantern-81";

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Db)` in this file once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name($crate::common::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() { super::$name($crate::common::Db::Postgres).await } )*
        }
    };
}

/// The PostgreSQL server the suite may create databases on.
fn postgres_admin_url() -> String {
    std::env::var("SWITCHBOARD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

pub struct TestDb {
    pub url: String,
    /// Files of this test (the SQLite database, stored media), removed with it.
    pub scratch: tempfile::TempDir,
}

impl TestDb {
    /// Where this test's instances keep the key secrets are sealed under.
    pub fn key_file(&self) -> String {
        self.scratch.path().join("secret.key").display().to_string()
    }
}

pub async fn database(db: Db) -> TestDb {
    match db {
        Db::Sqlite => {
            let scratch = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}/switchboard.db", scratch.path().display());
            TestDb { url, scratch }
        }
        Db::Postgres => {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let name = format!(
                "sb_test_{}_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                rand_suffix()
            );
            let admin = postgres_admin_url();
            let mut connection = PgConnection::connect(&format!("{admin}/postgres"))
                .await
                .expect("PostgreSQL must be running at SWITCHBOARD_TEST_POSTGRES (see README)");
            connection
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            TestDb {
                url: format!("{admin}/{name}"),
                scratch: tempfile::tempdir().expect("temporary directory"),
            }
        }
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 % 1_000_000_007)
        .unwrap_or(0)
}

pub async fn store(db: Db) -> (Store, TestDb) {
    let test_db = database(db).await;
    let store = Store::connect(&test_db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (store, test_db)
}

pub struct TestApp {
    pub base: String,
    pub services: Services,
    /// The running application's own services (their counters see its requests).
    pub app_services: Services,
    pub db: TestDb,
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, |_| None).await
}

/// Starts the application with extra environment overrides.
pub async fn spawn_app_with(db: Db, extra: impl Fn(&str) -> Option<String>) -> TestApp {
    spawn_app_on(database(db).await, extra).await
}

/// The configuration every test instance runs with, on `test_db`, with `extra` overriding or
/// adding settings: tests build the application only from this.
pub fn config(test_db: &TestDb, extra: impl Fn(&str) -> Option<String>) -> Config {
    let url = test_db.url.clone();
    let media_dir = test_db.scratch.path().join("media").display().to_string();
    let key_file = test_db.key_file();
    Config::from_lookup(|name| {
        extra(name).or_else(|| match name {
            "DATABASE_URL" => Some(url.clone()),
            "SWITCHBOARD_ADDR" => Some("127.0.0.1:0".to_string()),
            "SWITCHBOARD_SITE_ROOT" => Some(std::env::temp_dir().display().to_string()),
            "SWITCHBOARD_MEDIA_DIR" => Some(media_dir.clone()),
            // The test's own key, not one beside the working directory (PostgreSQL).
            "SWITCHBOARD_SECRET_KEY_FILE" => Some(key_file.clone()),
            // Tests run background steps themselves, when they choose.
            "SWITCHBOARD_BACKGROUND_WORKERS" => Some("false".to_string()),
            // The fake providers listen on loopback over plain http.
            "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS" => Some("true".to_string()),
            _ => None,
        })
    })
    .expect("test configuration")
}

/// Starts the application on a database the test prepared (an earlier release's, say).
pub async fn spawn_app_on(test_db: TestDb, extra: impl Fn(&str) -> Option<String>) -> TestApp {
    let config = config(&test_db, extra);
    let config_settings = config.service_settings();
    let application = Application::build(config)
        .await
        .expect("application starts");
    let base = format!("http://{}", application.local_addr());
    let app_services = application.services().clone();
    let settings = ServiceSettings {
        public_url: base.parse().expect("base URL"),
        ..config_settings
    };
    tokio::spawn(application.run_until_stopped());
    let store = Store::connect(&test_db.url).await.expect("connect");
    TestApp {
        base,
        services: Services::new(store, settings),
        app_services,
        db: test_db,
    }
}

impl TestApp {
    /// A client that keeps cookies like a browser and shows redirects instead of following them.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// A connection of the test's own to its database, for checking what was stored.
    pub async fn sql(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&self.db.url)
            .await
            .expect("test database connection")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Adds a person directly through the services, as the command line does.
    pub async fn add(&self, email: &str, role: Role) -> i64 {
        self.services
            .add_person_with_password(
                None,
                email,
                email.split('@').next().unwrap(),
                role,
                PASSWORD,
            )
            .await
            .expect("add person")
            .id
    }

    /// Posts the sign-in form as the login page does.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/auth/login"))
            .header("Origin", &self.base)
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("sign-in request")
    }

    /// A signed-in browser client for a new person with `role`.
    pub async fn signed_in(&self, email: &str, role: Role) -> (reqwest::Client, i64) {
        let id = self.add(email, role).await;
        let client = self.browser();
        let response = self.sign_in(&client, email, PASSWORD).await;
        assert_eq!(
            location(&response),
            "/",
            "sign-in of {email} should succeed"
        );
        (client, id)
    }

    /// An API token for a new person with `role`.
    pub async fn token(&self, email: &str, role: Role) -> (String, i64) {
        let id = self.add(email, role).await;
        let actor = self.services.actor_by_id(id).await.unwrap().unwrap();
        let created = self.services.create_token(&actor, "tests").await.unwrap();
        (created.secret, id)
    }

    /// The page at `path` as the signed-in `browser` receives it, rendered on the server.
    pub async fn page(&self, browser: &reqwest::Client, path: &str) -> String {
        let response = browser
            .get(self.url(path))
            .send()
            .await
            .expect("page request");
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.expect("the whole page")
    }

    /// Changes the organisation's inbox settings as the admin `admin_id` does.
    pub async fn set_inbox_settings(&self, admin_id: i64, settings: app::model::InboxSettings) {
        let admin = self
            .services
            .actor_by_id(admin_id)
            .await
            .expect("the admin")
            .expect("an active admin");
        self.services
            .update_inbox_settings(&admin, settings)
            .await
            .expect("settings saved");
    }

    /// Who (by id) did `action` to `subject`, newest first, by the audit log.
    pub async fn audited(&self, action: &str, subject: &str) -> Vec<Option<i64>> {
        self.services
            .store()
            .recent_audit(100)
            .await
            .expect("the audit log")
            .into_iter()
            .filter(|entry| entry.action == action && entry.subject == subject)
            .map(|entry| entry.actor_id)
            .collect()
    }

    /// Calls `/api/v1{path}` with an API token and an optional JSON body; the status and the
    /// JSON answer (null when there is none).
    pub async fn api(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = reqwest::Client::new()
            .request(method, self.url(&format!("/api/v1{path}")))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// A downloaded picture kept on disk, `content`, attached (as `photo 1.jpg`, arrived `at`) to
    /// the first message of `conversation`; returns the file's path.
    pub async fn stored_picture(
        &self,
        conversation: i64,
        content: &[u8],
        at: i64,
    ) -> std::path::PathBuf {
        use sha2::Digest;
        let sha256 = hex::encode(sha2::Sha256::digest(content));
        let path = self
            .db
            .scratch
            .path()
            .join("media")
            .join(&sha256[..2])
            .join(&sha256);
        std::fs::create_dir_all(path.parent().expect("a media folder")).expect("media folder");
        std::fs::write(&path, content).expect("the picture is written");
        sqlx::query(
            "INSERT INTO attachments (message_id, kind, mime_type, filename, size_bytes, sha256, \
             source, fetch_state, created_at) SELECT MIN(id), 'image', 'image/jpeg', 'photo 1.jpg', \
             $1, $2, 'media-id', 'stored', $3 FROM messages WHERE conversation_id = $4",
        )
        .bind(content.len() as i64)
        .bind(&sha256)
        .bind(at)
        .bind(conversation)
        .execute(&self.sql().await)
        .await
        .expect("the attachment is stored");
        path
    }

    /// The status `GET /api/v1/me` answers this client: 200 while it is signed in.
    pub async fn me_status(&self, client: &reqwest::Client) -> u16 {
        client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .expect("a request for /api/v1/me")
            .status()
            .as_u16()
    }

    /// The status `GET /api/v1/me` answers with `token`: 200 while the token is valid.
    pub async fn token_status(&self, token: &str) -> u16 {
        self.get_as(token, "/api/v1/me").await.status().as_u16()
    }

    /// The kept webhook delivery `id`: (processed, error, attempts, whether it waits to be
    /// tried again).
    pub async fn kept_delivery(&self, id: i64) -> (bool, Option<String>, i64, bool) {
        let (processed_at, error, attempts, retry_at): (
            Option<i64>,
            Option<String>,
            i64,
            Option<i64>,
        ) = sqlx::query_as(
            "SELECT processed_at, error, attempts, retry_at FROM webhook_events WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.sql().await)
        .await
        .expect("the kept delivery");
        (processed_at.is_some(), error, attempts, retry_at.is_some())
    }

    /// A GET of the API with an API token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("API request")
    }

    /// Calls a server function with an API token instead of a session.
    pub async fn server_fn_with_token(
        &self,
        token: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(&format!("/api/{endpoint}")))
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .expect("server function request")
    }

    /// The settings of this test's instances (with their default environment), for services
    /// a test starts beside them.
    pub fn settings(&self) -> ServiceSettings {
        ServiceSettings {
            public_url: self.base.parse().expect("base URL"),
            ..config(&self.db, |_| None).service_settings()
        }
    }

    /// Services of a fresh instance on this test's database, with a connection of their own
    /// (as after a restart).
    pub async fn fresh_services(&self) -> Services {
        let store = Store::connect(&self.db.url).await.expect("connect");
        Services::new(store, self.settings())
    }

    /// Starts a second instance on this test's database, configured as the first; returns its
    /// base URL.
    pub async fn another_instance(&self) -> String {
        self.another_instance_with(|_| None).await
    }

    /// Starts a second instance on this test's database with extra environment overrides;
    /// returns its base URL.
    pub async fn another_instance_with(&self, extra: impl Fn(&str) -> Option<String>) -> String {
        let application = Application::build(config(&self.db, extra))
            .await
            .expect("application starts");
        let base = format!("http://{}", application.local_addr());
        tokio::spawn(application.run_until_stopped());
        base
    }

    /// Calls a server function as the hydrated UI does (form-encoded, same origin).
    pub async fn server_fn(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("server function request")
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A WhatsApp Cloud API channel's settings.
pub fn whatsapp(phone_number_id: &str, waba_id: &str, app_secret: &str) -> ChannelInput {
    ChannelInput {
        kind: Some(ChannelKind::WhatsApp),
        name: Some("Helpline".into()),
        phone_number_id: Some(phone_number_id.into()),
        waba_id: Some(waba_id.into()),
        access_token: Some("token".into()),
        app_secret: Some(app_secret.into()),
        verify_token: Some("verify-123".into()),
        ..ChannelInput::default()
    }
}

/// A Twilio sender's settings.
pub fn twilio(account_sid: &str, auth_token: &str, number: &str) -> ChannelInput {
    ChannelInput {
        kind: Some(ChannelKind::Twilio),
        name: Some("SMS".into()),
        account_sid: Some(account_sid.into()),
        auth_token: Some(auth_token.into()),
        phone_number: Some(number.into()),
        ..ChannelInput::default()
    }
}

/// A Messenger page's settings.
pub fn messenger(page_id: &str, app_secret: &str) -> ChannelInput {
    ChannelInput {
        kind: Some(ChannelKind::Messenger),
        name: Some("Page".into()),
        page_id: Some(page_id.into()),
        page_access_token: Some("page-token".into()),
        app_secret: Some(app_secret.into()),
        verify_token: Some("verify-page".into()),
        ..ChannelInput::default()
    }
}

impl TestApp {
    /// Posts a webhook exactly as the provider would send it.
    pub async fn post_signed(
        &self,
        path: &str,
        webhook: channels::simulate::SignedWebhook,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(self.url(path))
            .header("content-type", webhook.content_type)
            .body(webhook.body);
        for (name, value) in webhook.headers {
            request = request.header(name, value);
        }
        request.send().await.expect("webhook request")
    }
}

/// Now, in Unix seconds, as providers date messages.
pub fn now_secs() -> i64 {
    server::store::now_ms() / 1000
}
