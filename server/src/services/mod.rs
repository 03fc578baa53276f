//! The application's use cases: each checks the actor's permissions, validates input with the
//! domain rules, and calls the store. Used alike by server functions (through `app::ports`), the
//! JSON API and the command line.

mod audit;
mod backend;
mod canned;
pub mod channels;
mod contacts;
mod conversations;
mod costs;
mod data_requests;
mod delivery;
mod demo_tools;
mod egress;
mod erasure;
mod escalation;
mod export;
mod first_run;
mod inbox;
pub mod ingest;
mod languages;
mod limited_access;
pub mod live;
mod media;
mod metrics;
mod outgoing_media;
mod people;
mod provider;
mod reports;
mod retention;
mod sandbox;
mod satisfaction;
mod screening;
mod search;
pub mod secrets_at_rest;
mod settings;
mod supervision;
mod templates;
mod tokens;
mod translation;
mod translator;
mod two_factor;
mod webhook_events;
mod wellbeing;

pub(crate) use costs::new_cost;
pub use export::{ContactExport, EXPORT_FORMAT};
pub use media::{MediaFile, MediaSettings};
pub use outgoing_media::Upload;
pub use people::SignInError;
pub use retention::RETENTION_EVERY;
pub use sandbox::{SANDBOX_PATH, SandboxAnswer};

use std::sync::Arc;

use app::error::AppError;
use app::model::Role;
use app::ports::Actor;
use time::format_description::well_known::Rfc3339;

use crate::auth::password::Hashing;
use crate::auth::throttle::{Clock, LoginThrottle};
use crate::metrics::Metrics;
use crate::store::{Store, StoreError, UserRow};

/// What the services need to know about their deployment.
#[derive(Clone, Debug)]
pub struct ServiceSettings {
    /// Where providers reach this instance: webhook URLs shown to admins and Twilio signatures
    /// are built from it.
    pub public_url: url::Url,
    /// Enables demo tools such as simulating an inbound message.
    pub demo_mode: bool,
    pub media: MediaSettings,
    /// Lets channel API addresses and media be on loopback or private networks, over plain
    /// http: for sandboxes and tests with local fake providers only.
    pub allow_private_provider_urls: bool,
    /// Seals channel credentials (and other secrets) before they are stored.
    pub sealer: crate::secrets::Sealer,
}

#[derive(Clone)]
pub struct Services {
    store: Store,
    settings: Arc<ServiceSettings>,
    throttle: LoginThrottle,
    hashing: Arc<Hashing>,
    /// Wakes the delivery worker when a reply is queued.
    deliveries: Arc<tokio::sync::Notify>,
    live: live::LiveHub,
    /// For provider calls only: it keeps to the address rules (`egress`).
    http: reqwest::Client,
    /// For calls to this instance's own sandbox provider in demo mode.
    sandbox_http: reqwest::Client,
    /// For calls to the translation service, which may be on the organisation's own network.
    translation_http: reqwest::Client,
    screening: screening::ScreeningCache,
    metrics: Arc<Metrics>,
}

impl Services {
    pub fn new(store: Store, settings: ServiceSettings) -> Services {
        Services {
            store,
            throttle: LoginThrottle::default(),
            hashing: Arc::new(Hashing::sized_to_machine()),
            deliveries: Arc::default(),
            live: live::LiveHub::default(),
            http: egress::provider_client(settings.allow_private_provider_urls),
            sandbox_http: egress::sandbox_client(),
            translation_http: egress::translation_client(),
            settings: Arc::new(settings),
            screening: screening::ScreeningCache::default(),
            metrics: Arc::default(),
        }
    }

    /// This instance's metrics (`GET /metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The same services with the sign-in throttle reading `clock` (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Services {
        self.throttle = LoginThrottle::with_clock(clock);
        self
    }

    /// How many password hashes and verifications these services have run.
    pub fn password_hashes(&self) -> u64 {
        self.hashing.performed()
    }

    pub fn demo_mode(&self) -> bool {
        self.settings.demo_mode
    }

    pub fn private_provider_urls_allowed(&self) -> bool {
        self.settings.allow_private_provider_urls
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn live(&self) -> &live::LiveHub {
        &self.live
    }

    /// Seals and opens secrets at rest; for modules that store secrets of their own.
    pub fn sealer(&self) -> &crate::secrets::Sealer {
        &self.settings.sealer
    }
}

/// A secret that cannot be sealed or opened is an operator's problem (a missing or wrong key),
/// logged with its cause; people see a generic failure.
impl From<crate::secrets::SealError> for AppError {
    fn from(error: crate::secrets::SealError) -> Self {
        tracing::error!(%error, "a secret at rest cannot be sealed or opened");
        AppError::internal()
    }
}

/// The one place store errors become what people see: conflicts are named, anything else is
/// logged with its detail and shown as a generic failure.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(what) => AppError::conflict(format!("{what} already exists.")),
            StoreError::InvalidText(error) => {
                tracing::warn!(%error, "text the database cannot store was refused");
                AppError::nul_in_text()
            }
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::internal()
            }
        }
    }
}

fn actor_from(user: UserRow) -> Option<Actor> {
    let role = Role::parse(&user.role)?;
    user.is_active().then_some(Actor {
        id: user.id,
        email: user.email,
        name: user.name,
        role,
        must_change_password: user.must_change_password != 0,
        language: user.language,
        credential: app::ports::Credential::Direct,
    })
}

pub(crate) fn rfc3339(epoch_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A day an API caller or a form gives, written YYYY-MM-DD; `what` names it in the refusal.
pub(crate) fn parse_day(text: &str, what: &str) -> Result<time::Date, AppError> {
    time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        AppError::unprocessable(format!("{what} “{text}” is not a date written YYYY-MM-DD."))
    })
}
