//! Retention: the periods admins set, what the next run will delete, and the run itself (the
//! background job on the server, or `switchboard retention run`).

use std::time::Duration;

use app::error::AppError;
use app::model::{Permission, RetentionCounts, RetentionSettings};
use app::ports::Actor;

use super::Services;
use crate::domain::retention::{self, Cutoffs};
use crate::store::now_ms;

const RETENTION_SETTINGS: &str = "retention";
const RETENTION_JOB: &str = "retention";
/// How often the job runs, whichever instance runs it.
pub const RETENTION_EVERY: Duration = Duration::from_secs(60 * 60);

impl Services {
    pub async fn retention_settings(&self) -> Result<RetentionSettings, AppError> {
        Ok(match self.store.setting(RETENTION_SETTINGS).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "retention settings unreadable; using the defaults");
                RetentionSettings::default()
            }),
            None => RetentionSettings::default(),
        })
    }

    pub async fn retention_settings_for(
        &self,
        actor: &Actor,
    ) -> Result<RetentionSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.retention_settings().await
    }

    pub async fn update_retention_settings(
        &self,
        actor: &Actor,
        settings: RetentionSettings,
    ) -> Result<RetentionSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        retention::validate(&settings)
            .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(RETENTION_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.retention", "settings", json)
            .await?;
        Ok(settings)
    }

    /// What a run now would delete, for the admins who set the periods.
    pub async fn retention_preview_for(&self, actor: &Actor) -> Result<RetentionCounts, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.retention_preview().await
    }

    /// What a run now would delete (`switchboard retention run --dry-run`).
    pub async fn retention_preview(&self) -> Result<RetentionCounts, AppError> {
        Ok(self.store.count_expired(&self.cutoffs_now().await?).await?)
    }

    async fn cutoffs_now(&self) -> Result<Cutoffs, AppError> {
        Ok(retention::cutoffs(
            &self.retention_settings().await?,
            now_ms(),
        ))
    }

    /// Deletes what has expired, files on disk included, and records the counts in the audit
    /// log.
    pub async fn run_retention(&self) -> Result<RetentionCounts, AppError> {
        let (counts, unheld_files) = self
            .store
            .delete_expired(&self.cutoffs_now().await?)
            .await?;
        self.remove_kept_files(unheld_files).await;
        let detail = serde_json::to_value(&counts).map_err(|_| AppError::internal())?;
        self.store
            .audit(None, "retention.run", "retention", detail)
            .await?;
        Ok(counts)
    }

    /// Runs retention when no instance has in the last [`RETENTION_EVERY`]; `holder` names this
    /// instance.
    pub async fn run_retention_if_due(
        &self,
        holder: &str,
    ) -> Result<Option<RetentionCounts>, AppError> {
        let now = now_ms();
        let due_before = now - RETENTION_EVERY.as_millis() as i64;
        if !self
            .store
            .claim_job_run(RETENTION_JOB, holder, now, due_before)
            .await?
        {
            return Ok(None);
        }
        self.run_retention().await.map(Some)
    }
}
