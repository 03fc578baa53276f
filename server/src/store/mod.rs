//! The one storage boundary. One implementation serves SQLite and PostgreSQL: the SQL is written
//! once with `$N` placeholders, and the schema keeps to types both carry the same way through
//! sqlx's `Any` driver (BIGINT ids, times in epoch milliseconds, 0/1 flags, JSON as TEXT).

mod attachments;
mod audit;
mod backup;
mod canned;
mod channels;
mod conversations;
mod costs;
mod data_requests;
mod demo;
mod erasure;
mod escalation;
mod first_run;
mod inbox;
mod live;
mod outbox;
mod reports;
mod retention;
mod satisfaction;
mod search;
mod sessions;
mod settings;
mod supervision;
mod templates;
mod throttle;
mod tokens;
mod totp;
mod translations;
mod users;
mod webhooks;
mod wellbeing;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::metrics::PoolUse;

pub use attachments::{DueAttachment, StoredAttachment};
pub use audit::{AuditEntry, AuditFilter, AuditRow};
pub use canned::CannedRow;
pub use channels::{ChannelRow, ChannelWrite};
pub use conversations::{
    AssignWhen, ContactRow, EventRow, IdentityRow, MentionRow, NoteRow, NoteSubject, PersonRow,
};
pub use costs::{BudgetAlertRow, BudgetRow, CostTotalRow, NewCost, RateCardRow};
pub use data_requests::ErasureRequestRow;
pub use demo::PastReply;
pub use erasure::ConsentRow;
pub use inbox::{
    AttachmentRow, ConversationFilter, ConversationRow, ConversationTagRow, ListRequest,
    MessageRow, QUEUE_KEY, ReactionRow, TagRow,
};
pub use outbox::{
    OutboundFile, OutboundFileRow, OutboundJob, OutboundReply, ReplyTranslation,
    SHARED_SOURCE_PREFIX,
};
pub use reports::{
    RankedWait, ReportConversationRow, ReportFilter, SampleRow, StaleMark, TimelineRow, VolumeRow,
    WaitClock, WaitGroups,
};
pub use satisfaction::{NewSurvey, SurveyInput, SurveyRow};
pub use search::{SearchRequest, SearchRow, SearchScope};
pub use sessions::AUTH_KEY;
pub use supervision::{HeldRow, OnlineRow, OpenRow, Review, ReviewRow, SupervisionEventRow};
pub use templates::{NewTemplate, TemplateRow};
pub use tokens::TokenRow;
pub use totp::TotpRow;
pub use translations::{MessageToTranslate, StoredTranslation, TranslationServiceRow};
pub use users::{NewUser, UserRow};
pub use webhooks::{
    Change, Delivery, FollowUps, KeptWebhook, NewAttachment, NewEcho, NewInbound, Problem,
    Processing, ReactionChange, Recorded, StatusChange, TemplateStatusChange, WatermarkChange,
    WebhookEventRow,
};
pub use wellbeing::ActiveMinutesRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the busiest writes go. SQLite allows one writer at a time: busy writers back off
    /// by sleeping, and every write on one connection empties the others' page caches, so on
    /// SQLite this is a single connection that writers queue for. On PostgreSQL it is the pool.
    writer: AnyPool,
    /// On SQLite, webhook deliveries queue here for the writer to commit in groups.
    webhook_jobs: Option<webhooks::Jobs>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL: expected sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("could not prepare the database directory: {0}")]
    Directory(#[from] std::io::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Text PostgreSQL cannot store (a NUL); the requests bringing it are refused before, so
    /// this is the backstop that keeps it from being a 500.
    #[error("text the database cannot store: {0}")]
    InvalidText(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("the database writer has stopped")]
    Closed,
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        // PostgreSQL's character_not_in_repertoire: "invalid byte sequence for encoding UTF8:
        // 0x00", its answer to a NUL in text.
        match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                StoreError::InvalidText(error)
            }
            _ => StoreError::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Store {
    /// Connects to `sqlite://path` (created if missing, in WAL mode) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();

        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let options = AnyConnectOptions::from_str(&prepare_sqlite_file(url)?)?;
                let pool = sqlite_pool(8).connect_with(options.clone()).await?;
                let writer = sqlite_pool(1).connect_with(options).await?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                (pool.clone(), pool)
            }
        };
        let webhook_jobs = (backend == Backend::Sqlite)
            .then(|| webhooks::start_writing_webhooks(writer.clone(), backend));
        Ok(Store {
            pool,
            writer,
            backend,
            webhook_jobs,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pools' use now. On PostgreSQL writes share the one pool.
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let reading = |name, pool: &AnyPool| PoolUse {
            pool: name,
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        };
        match self.backend {
            Backend::Sqlite => vec![reading("main", &self.pool), reading("writer", &self.writer)],
            Backend::Postgres => vec![reading("main", &self.pool)],
        }
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Whether the database answers, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

fn sqlite_pool(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(|connection, _| {
            Box::pin(async move {
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = NORMAL",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA busy_timeout = 5000",
                ] {
                    connection.execute(pragma).await?;
                }
                Ok(())
            })
        })
}

/// The file a `sqlite:` URL names; None for PostgreSQL and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite:")?
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Makes sure the SQLite file's directory exists and that the file is created on first use.
fn prepare_sqlite_file(url: &str) -> StoreResult<String> {
    let file = sqlite_file(url);
    if let Some(parent) = file
        .as_deref()
        .and_then(Path::parent)
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Turns a unique-constraint violation into a conflict on `what`.
fn conflict_on_unique(error: sqlx::Error, what: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => error.into(),
    }
}

/// Serialises the transactions about one provider message id (a status webhook, and the send
/// call's answer storing that id), so a status arriving while its send returns is never lost
/// between them. SQLite already runs one write transaction at a time.
async fn lock_provider_message(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    channel_id: i64,
    provider_message_id: &str,
) -> StoreResult<()> {
    if backend == Backend::Postgres {
        // FNV-1a: a stable 64-bit key for PostgreSQL's advisory lock.
        let key = channel_id
            .to_le_bytes()
            .iter()
            .chain(provider_message_id.as_bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
            });
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key as i64)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Rewrites one text value of every row `select` reads (`id, value`), storing what
    /// `rewrite` returns with `update` (`$1` the value, `$2` the id; `None` leaves the row), all
    /// in one transaction: a failure for any row changes none. Returns how many were rewritten.
    async fn rewrite_each<E: From<StoreError>>(
        &self,
        select: &str,
        update: &str,
        mut rewrite: impl FnMut(i64, &str) -> Result<Option<String>, E>,
    ) -> Result<u64, E> {
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let rows: Vec<(i64, String)> = sqlx::query_as(select)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let mut rewritten = 0;
        for (id, value) in rows {
            if let Some(new) = rewrite(id, &value)? {
                sqlx::query(update)
                    .bind(new)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?;
                rewritten += 1;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(rewritten)
    }
}

/// The current time in the schema's unit.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The current time in microseconds, for spacing sends finer than milliseconds allow.
pub fn now_us() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64
}

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

    /// A schema version is one step on both databases: an upgrade test, an operator reading
    /// `_sqlx_migrations`, or a fixture database all rely on the numbers meaning the same thing.
    #[test]
    fn both_databases_have_the_same_migration_versions() {
        let versions = |migrator: &sqlx::migrate::Migrator| {
            migrator
                .iter()
                .map(|migration| (migration.version, migration.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(versions(&SQLITE_MIGRATIONS), versions(&POSTGRES_MIGRATIONS));
    }
}
