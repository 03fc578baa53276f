//! Prometheus metrics: every series Switchboard exposes is named here, with its labels.
//!
//! Each application instance owns its registry (held by its `Services`), so tests can run
//! several instances in one process and read exact values; nothing is global. Labels carry
//! providers, outcomes and route templates only, never anything about a person.
//!
//! Counters and histograms are updated where things happen; what is cheaper to read than to
//! track (the outbox backlog, the database pools, open live streams) is read at scrape time
//! and set on gauges just before encoding ([`Metrics::encode`]).

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of [`Metrics::encode`]'s text (the Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

type Labels<const N: usize> = [(&'static str, &'static str); N];
type HttpLabels = [(&'static str, String); 3];
type Buckets = fn() -> Histogram;

/// 1 ms to about 16 s: a webhook, an HTTP answer.
fn request_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// 10 ms to about 80 s: a provider call, uploads and timeouts included.
fn send_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 14))
}

/// Why a webhook delivery was refused (answered 401 or 400, not stored).
#[derive(Clone, Copy, Debug)]
pub enum Rejection {
    Signature,
    Malformed,
}

/// What became of a webhook delivery that was acknowledged.
#[derive(Clone, Copy, Debug)]
pub enum Kept {
    /// Stored and applied in full.
    Applied,
    /// Stored with a problem it is listed with on the Events page (and maybe tried again).
    Problem,
    /// Could not be applied; stored raw to be tried again.
    Unprocessed,
    /// Seen before: acknowledged, not stored again.
    Duplicate,
}

/// What the provider made of one send.
#[derive(Clone, Copy, Debug)]
pub enum SendResult {
    Accepted,
    /// Refused or unreachable for now: the job waits and is tried again.
    Retry,
    Failed,
    /// Sent, but whether the provider took it is not known.
    Unknown,
}

/// One of the store's connection pools, as seen now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// `main`, or `writer` for SQLite's single writing connection.
    pub pool: &'static str,
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// The outbox's unfinished jobs, as seen now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxBacklog {
    pub pending: i64,
    pub sending: i64,
    /// When the oldest pending or sending job was queued (epoch ms).
    pub oldest_created_at: Option<i64>,
}

/// What is read at scrape time.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub outbox: OutboxBacklog,
    pub pools: Vec<PoolUse>,
    pub live_streams: usize,
    pub now_ms: i64,
}

pub struct Metrics {
    registry: Registry,
    webhooks_received: Family<Labels<1>, Counter>,
    webhooks_rejected: Family<Labels<2>, Counter>,
    webhooks_kept: Family<Labels<2>, Counter>,
    ingest_seconds: Family<Labels<1>, Histogram, Buckets>,
    sends: Family<Labels<2>, Counter>,
    send_seconds: Family<Labels<1>, Histogram, Buckets>,
    http_requests: Family<HttpLabels, Counter>,
    http_seconds: Family<HttpLabels, Histogram, Buckets>,
    outbox_jobs: Family<Labels<1>, Gauge>,
    outbox_oldest_seconds: Gauge<f64, AtomicU64>,
    live_streams: Gauge,
    pool_connections: Family<Labels<2>, Gauge>,
    pool_max: Family<Labels<1>, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let webhooks_received = Family::default();
        registry.register(
            "webhooks_received",
            "Webhook deliveries posted by providers",
            webhooks_received.clone(),
        );
        let webhooks_rejected = Family::default();
        registry.register(
            "webhooks_rejected",
            "Webhook deliveries refused: a wrong signature (401) or an unreadable payload (400)",
            webhooks_rejected.clone(),
        );
        let webhooks_kept = Family::default();
        registry.register(
            "webhooks_kept",
            "Webhook deliveries acknowledged, by what became of them",
            webhooks_kept.clone(),
        );
        let ingest_seconds = Family::new_with_constructor(request_buckets as Buckets);
        registry.register(
            "webhook_ingest_duration_seconds",
            "Time from a signed delivery's arrival until it is durably stored",
            ingest_seconds.clone(),
        );
        let sends = Family::default();
        registry.register(
            "sends",
            "Replies handed to providers, by outcome",
            sends.clone(),
        );
        let send_seconds = Family::new_with_constructor(send_buckets as Buckets);
        registry.register(
            "delivery_duration_seconds",
            "Time of one send to the provider, file upload included",
            send_seconds.clone(),
        );
        let http_requests = Family::default();
        registry.register(
            "http_requests",
            "HTTP requests by route template, method and status",
            http_requests.clone(),
        );
        let http_seconds = Family::new_with_constructor(request_buckets as Buckets);
        registry.register(
            "http_request_duration_seconds",
            "Time until an HTTP response starts, by route template, method and status",
            http_seconds.clone(),
        );
        let outbox_jobs = Family::default();
        registry.register(
            "outbox_jobs",
            "Replies waiting to be sent (pending) or being sent (sending)",
            outbox_jobs.clone(),
        );
        let outbox_oldest_seconds = Gauge::default();
        registry.register(
            "outbox_oldest_job_age_seconds",
            "Age of the oldest reply not yet sent (0 when none waits)",
            outbox_oldest_seconds.clone(),
        );
        let live_streams = Gauge::default();
        registry.register(
            "live_streams_open",
            "Open live update streams (browsers with the inbox open) on this instance",
            live_streams.clone(),
        );
        let pool_connections = Family::default();
        registry.register(
            "db_pool_connections",
            "Database connections of this instance, idle or in use",
            pool_connections.clone(),
        );
        let pool_max = Family::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections a pool opens",
            pool_max.clone(),
        );
        Metrics {
            registry,
            webhooks_received,
            webhooks_rejected,
            webhooks_kept,
            ingest_seconds,
            sends,
            send_seconds,
            http_requests,
            http_seconds,
            outbox_jobs,
            outbox_oldest_seconds,
            live_streams,
            pool_connections,
            pool_max,
        }
    }
}

impl Metrics {
    pub fn webhook_received(&self, provider: &'static str) {
        self.webhooks_received
            .get_or_create(&[("provider", provider)])
            .inc();
    }

    pub fn webhook_rejected(&self, provider: &'static str, why: Rejection) {
        let reason = match why {
            Rejection::Signature => "signature",
            Rejection::Malformed => "malformed",
        };
        self.webhooks_rejected
            .get_or_create(&[("provider", provider), ("reason", reason)])
            .inc();
    }

    /// A delivery acknowledged `took` after it arrived.
    pub fn webhook_kept(&self, provider: &'static str, kept: Kept, took: Duration) {
        let result = match kept {
            Kept::Applied => "applied",
            Kept::Problem => "problem",
            Kept::Unprocessed => "unprocessed",
            Kept::Duplicate => "duplicate",
        };
        self.webhooks_kept
            .get_or_create(&[("provider", provider), ("result", result)])
            .inc();
        self.ingest_seconds
            .get_or_create(&[("provider", provider)])
            .observe(took.as_secs_f64());
    }

    pub fn sent(&self, provider: &'static str, result: SendResult, took: Duration) {
        let outcome = match result {
            SendResult::Accepted => "accepted",
            SendResult::Retry => "retry",
            SendResult::Failed => "failed",
            SendResult::Unknown => "unknown",
        };
        self.sends
            .get_or_create(&[("provider", provider), ("outcome", outcome)])
            .inc();
        self.send_seconds
            .get_or_create(&[("provider", provider)])
            .observe(took.as_secs_f64());
    }

    /// An HTTP answer; `route` is the route's template (`/api/v1/conversations/{id}`), never
    /// the path asked for.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let labels = [
            ("route", route.to_string()),
            ("method", method.to_string()),
            ("status", status.to_string()),
        ];
        self.http_requests.get_or_create(&labels).inc();
        self.http_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// The text a scrape answers, with `now`'s readings.
    pub fn encode(&self, now: &Snapshot) -> String {
        let outbox = &now.outbox;
        self.outbox_jobs
            .get_or_create(&[("state", "pending")])
            .set(outbox.pending);
        self.outbox_jobs
            .get_or_create(&[("state", "sending")])
            .set(outbox.sending);
        let oldest_ms = outbox
            .oldest_created_at
            .map_or(0, |created_at| (now.now_ms - created_at).max(0));
        self.outbox_oldest_seconds.set(oldest_ms as f64 / 1000.0);
        self.live_streams
            .set(i64::try_from(now.live_streams).unwrap_or(i64::MAX));
        for pool in &now.pools {
            let in_use = pool.open.saturating_sub(pool.idle);
            self.pool_connections
                .get_or_create(&[("pool", pool.pool), ("state", "idle")])
                .set(i64::from(pool.idle));
            self.pool_connections
                .get_or_create(&[("pool", pool.pool), ("state", "in_use")])
                .set(i64::from(in_use));
            self.pool_max
                .get_or_create(&[("pool", pool.pool)])
                .set(i64::from(pool.max));
        }
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String does not fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_job_age_and_connections_in_use_come_from_the_snapshot() {
        let metrics = Metrics::default();
        let text = metrics.encode(&Snapshot {
            outbox: OutboxBacklog {
                pending: 3,
                sending: 1,
                oldest_created_at: Some(10_000),
            },
            pools: vec![PoolUse {
                pool: "main",
                open: 5,
                idle: 2,
                max: 16,
            }],
            live_streams: 2,
            now_ms: 12_500,
        });
        for line in [
            "switchboard_outbox_jobs{state=\"pending\"} 3",
            "switchboard_outbox_oldest_job_age_seconds 2.5",
            "switchboard_db_pool_connections{pool=\"main\",state=\"in_use\"} 3",
            "switchboard_db_pool_max_connections{pool=\"main\"} 16",
            "switchboard_live_streams_open 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
