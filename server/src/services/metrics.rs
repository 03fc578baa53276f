//! The metrics a scrape answers: what was counted as it happened, with the readings that are
//! taken only now (the outbox backlog, the connection pools, the open live streams).

use app::error::AppError;

use super::Services;
use crate::metrics::Snapshot;
use crate::store::now_ms;

impl Services {
    /// This instance's metrics in the Prometheus text format.
    pub async fn metrics_text(&self) -> Result<String, AppError> {
        let snapshot = Snapshot {
            outbox: self.store.outbox_backlog().await?,
            pools: self.store.pool_use(),
            live_streams: self.live.open_streams(),
            now_ms: now_ms(),
        };
        Ok(self.metrics.encode(&snapshot))
    }
}
