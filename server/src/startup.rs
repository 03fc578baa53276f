//! Builds the application from its configuration: tests call [`Application::build`] with port 0,
//! `main` calls it with the configured address.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::ports::SharedBackend;
use app::{App, shell};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::layer::{authenticate, require_sign_in_for_pages};
use crate::config::Config;
use crate::http::{
    api, health, language, live, media, metrics, pwa, sandbox, security, server_fn_status, sign_in,
    templates, text, webhooks,
};
use crate::services::Services;
use crate::store::{Backend, Store, StoreError};

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    services: Services,
    background_workers: bool,
    /// For the PostgreSQL connection that listens for other instances' live updates.
    database_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored secrets: {0}")]
    Secrets(#[from] crate::services::secrets_at_rest::AtRestError),
    #[error(
        "demo mode (SWITCHBOARD_DEMO_MODE=true) refuses to start: the channel(s) {0} send to a real \
         provider, not to this instance's sandbox at {1}. Demo mode runs only on a database of its \
         own, with the sandbox channels `switchboard demo` makes: turn demo mode off here"
    )]
    DemoBesideRealChannels(String, String),
    #[error("could not check the channels for demo mode: {0}")]
    DemoCheck(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The session cookie's name: with https, the `__Host-` prefix pins it to this exact origin.
fn session_cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-switchboard_session"
    } else {
        "switchboard_session"
    }
}

impl Application {
    /// Connects to the database, runs migrations and binds the listener.
    pub async fn build(mut config: Config) -> Result<Application, StartupError> {
        let store = Store::connect(config.database_url.expose()).await?;
        store.migrate().await?;
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: config.addr,
                    source,
                })?;
        // Port 0 (tests, benchmarks) is only known once bound; a public URL derived from it
        // must name the real port.
        if let (Some(0), Ok(addr)) = (config.public_url.port(), listener.local_addr()) {
            config.public_url = url::Url::parse(&format!("http://{addr}"))
                .expect("a socket address makes a valid URL");
        }
        let services = Services::new(store, config.service_settings());
        // Loads (or creates) the key now, not at the first send, and seals what an older
        // version stored in plain text.
        let sealed = services.seal_stored_secrets().await?;
        if sealed > 0 {
            tracing::info!(
                channels = sealed,
                "sealed channel credentials stored in plain text"
            );
        }
        if config.demo_mode {
            let outside = services
                .channels_outside_sandbox()
                .await
                .map_err(|error| StartupError::DemoCheck(error.message))?;
            if !outside.is_empty() {
                return Err(StartupError::DemoBesideRealChannels(
                    outside.join(", "),
                    services.public_url(crate::services::SANDBOX_PATH),
                ));
            }
        }
        match services.first_run_link().await {
            Ok(Some(link)) => tracing::warn!(
                %link,
                "first-run setup: no one can sign in yet; open this one-time link to create the first admin"
            ),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "could not offer the first-run setup link"),
        }
        let background_workers = config.background_workers;
        let database_url = config.database_url.expose().to_owned();
        let router = router(services.clone(), config);
        Ok(Application {
            listener,
            router,
            services,
            background_workers,
            database_url,
        })
    }

    /// The services this application serves with (tests read their counters).
    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight (ending live
    /// streams) and the reply being sent.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let store = self.services.store().clone();
        let live = self.services.live().clone();
        let mut workers = vec![tokio::spawn(live.clone().tell_activity(store.clone()))];
        if store.backend() == Backend::Postgres {
            workers.push(tokio::spawn(
                live.clone().relay_postgres(self.database_url.clone()),
            ));
        }
        let (stop_delivering, delivering_stops) = watch::channel(false);
        let mut delivering = None;
        if self.background_workers {
            delivering = Some(tokio::spawn(deliver_replies(
                self.services.clone(),
                delivering_stops,
            )));
            workers.extend([
                tokio::spawn(delete_expired_sessions(store.clone())),
                tokio::spawn(fetch_media(self.services.clone())),
                tokio::spawn(assign_and_wake(self.services.clone())),
                tokio::spawn(retry_webhook_events(self.services.clone())),
                tokio::spawn(apply_retention(self.services.clone())),
                tokio::spawn(roll_up_reports(self.services.clone())),
            ]);
        }
        tracing::info!(addr = %self.local_addr(), "Switchboard is listening");
        // Pages stream in several writes; without TCP_NODELAY the last one waits on the
        // client's delayed ACK (about 40 ms on Linux).
        let listener = self.listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY is not set on a connection");
            }
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            live.close_streams();
        })
        .await;
        // Cut off mid-send, a reply's outcome would be unknown and wait for a person: the
        // worker stops after the send in hand. The other workers' steps are transactions,
        // or downloads tried again later, so they stop at once.
        let _ = stop_delivering.send(true);
        if let Some(delivering) = delivering {
            let _ = delivering.await;
        }
        workers.iter().for_each(tokio::task::JoinHandle::abort);
        store.close().await;
        tracing::info!("Switchboard stopped");
        served
    }
}

pub fn router(services: Services, config: Config) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let sessions = SessionManagerLayer::new(services.store().clone())
        .with_name(session_cookie_name(&config))
        .with_secure(config.is_https())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(config.session_idle_timeout)
                .unwrap_or(time::Duration::hours(2)),
        ))
        // Only a saved session moves its expiry (and the cookie's) forward: saved on changes
        // alone, a session in constant use would end its idle time after signing in.
        .with_always_save(true);
    let state = AppState {
        services: services.clone(),
        config: Arc::new(config),
        leptos_options: leptos_options.clone(),
    };
    let backend: SharedBackend = Arc::new(services);

    Router::new()
        .leptos_routes_with_context(
            &state,
            generate_route_list(App),
            move || provide_context(backend.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .route("/auth/login", post(sign_in::sign_in))
        .route("/auth/login/code", post(sign_in::sign_in_code))
        .route("/auth/logout", post(sign_in::sign_out))
        .route(
            "/webhooks/whatsapp",
            get(webhooks::whatsapp_subscribe).post(webhooks::meta),
        )
        .route(
            "/webhooks/messenger",
            get(webhooks::messenger_subscribe).post(webhooks::meta),
        )
        .route("/webhooks/twilio", post(webhooks::twilio))
        .route("/webhooks/twilio/status", post(webhooks::twilio))
        .route("/media/{id}", get(media::media))
        .route("/media/shared/{token}", get(media::shared))
        // Uploads are limited while they are read, to the media size limit.
        .route(
            "/conversations/{id}/files",
            post(media::send_file_form).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/templates/form",
            post(templates::template_form).layer(DefaultBodyLimit::disable()),
        )
        .route("/live", get(live::stream))
        .route("/manifest.webmanifest", get(pwa::manifest))
        .route("/sw.js", get(pwa::service_worker))
        .route("/service-worker-registration.js", get(pwa::registration))
        .route("/offline.html", get(pwa::offline_page))
        .route("/icons/{name}", get(pwa::icon))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/api/v1", api::routes())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(from_fn(server_fn_status::error_status))
                .layer(from_fn_with_state(
                    state.clone(),
                    security::security_headers,
                ))
                .layer(from_fn(security::no_store))
                .layer(sessions)
                .layer(from_fn_with_state(state.clone(), authenticate))
                .layer(from_fn_with_state(
                    state.clone(),
                    language::choose_page_language,
                ))
                // After authentication: only a request a valid token authenticated is exempt.
                .layer(from_fn_with_state(
                    state.clone(),
                    security::same_origin_writes,
                ))
                // Bodies are capped before anything reads them.
                .layer(from_fn_with_state(state.clone(), media::limit_form_bodies))
                .layer(from_fn(text::refuse_nul_text))
                .layer(from_fn(require_sign_in_for_pages)),
        )
        // After the layers, so outside them: the sandbox provider checks the channels' own
        // credentials, as the providers do, and signs no one in.
        .merge(sandbox::routes())
        // Added after those layers, so they do not wrap it: its token is no person's session or
        // API token.
        .route("/metrics", get(metrics::scrape))
        .layer(from_fn_with_state(state.clone(), metrics::track_requests))
        .with_state(state)
}

async fn delete_expired_sessions(store: Store) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(error) = store.delete_expired_sessions().await {
            tracing::warn!(%error, "could not delete expired sessions");
        }
        let window = crate::auth::throttle::WINDOW.as_millis() as i64;
        if let Err(error) = store
            .delete_stale_login_attempts(crate::store::now_ms() - window)
            .await
        {
            tracing::warn!(%error, "could not delete old sign-in counts");
        }
    }
}

/// Delivers queued replies; woken when one is queued, and at least every second for retries.
/// Returns between two sends once `stop` is set.
async fn deliver_replies(services: Services, mut stop: watch::Receiver<bool>) {
    let worker = format!(
        "{}-{}",
        std::process::id(),
        crate::auth::tokens::random_secret()
    );
    if let Err(error) = services.recover_interrupted_deliveries().await {
        tracing::warn!(error = %error.message, "could not check for interrupted deliveries");
    }
    while !*stop.borrow() {
        while !*stop.borrow() {
            match services.deliver_next(&worker).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(error = %error.message, "delivery step failed");
                    break;
                }
            }
        }
        tokio::select! {
            () = services.delivery_wanted(Duration::from_secs(1)) => {}
            changed = stop.changed() => if changed.is_err() {
                return;
            },
        }
    }
}

/// Hands waiting conversations to available volunteers (when the organisation turned that on)
/// and reopens conversations whose snooze has ended.
async fn assign_and_wake(services: Services) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    loop {
        every.tick().await;
        if let Err(error) = services.wake_snoozed().await {
            tracing::warn!(error = %error.message, "could not end snoozes");
        }
        loop {
            match services.auto_assign_next().await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(error = %error.message, "auto-assignment step failed");
                    break;
                }
            }
        }
    }
}

/// Processes again the kept webhook deliveries whose next try is due; each step is one.
async fn retry_webhook_events(services: Services) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        loop {
            match services.reprocess_due_webhook_event().await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(error = %error.message, "webhook retry step failed");
                    break;
                }
            }
        }
    }
}

/// Deletes what the retention settings say has expired; of several instances, one runs it per
/// period, and checking often means a stopped instance's turn is soon taken by another.
async fn apply_retention(services: Services) {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        crate::auth::tokens::random_secret()
    );
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        match services.run_retention_if_due(&holder).await {
            Ok(Some(counts)) => tracing::info!(?counts, "retention run finished"),
            Ok(None) => {}
            Err(error) => tracing::warn!(error = %error.message, "retention run failed"),
        }
    }
}

/// Keeps the reports' rollup close to the inbox, so a report has little left to read first.
async fn roll_up_reports(services: Services) {
    let mut every = tokio::time::interval(Duration::from_secs(30));
    loop {
        every.tick().await;
        if let Err(error) = services.roll_up_reports().await {
            tracing::warn!(error = %error.message, "the reports' rollup could not be updated");
        }
    }
}

/// Downloads contacts' media in the background; each step is one attachment.
async fn fetch_media(services: Services) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    loop {
        every.tick().await;
        loop {
            match services.fetch_next_attachment().await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(error = %error.message, "media download step failed");
                    break;
                }
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
