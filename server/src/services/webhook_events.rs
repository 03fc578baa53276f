use app::error::AppError;
use app::model::{Permission, WebhookEvent};
use app::ports::Actor;

use super::{Services, rfc3339};
use crate::store::{WebhookEventRow, now_ms};

fn view(row: WebhookEventRow) -> WebhookEvent {
    WebhookEvent {
        id: row.id,
        provider: row.provider,
        channel_name: row.channel_name,
        received_at: rfc3339(row.received_at),
        processed: row.processed_at.is_some(),
        error: row.error,
        body: row.body,
        attempts: row.attempts,
        next_attempt_at: row.retry_at.map(rfc3339),
    }
}

impl Services {
    /// Recent webhook deliveries, for admins to see what arrived and what was not understood.
    pub async fn list_webhook_events(
        &self,
        actor: &Actor,
        only_problems: bool,
    ) -> Result<Vec<WebhookEvent>, AppError> {
        actor.require(Permission::ManageChannels)?;
        Ok(self
            .store
            .recent_webhook_events(only_problems, 200)
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// An admin processes a kept delivery again now, e.g. after connecting the channel it was
    /// for; returns it as it is afterwards.
    pub async fn reprocess_webhook_event(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<WebhookEvent, AppError> {
        actor.require(Permission::ManageChannels)?;
        let not_found = || AppError::not_found("Webhook event");
        let kept = self.store.kept_webhook(id).await?.ok_or_else(not_found)?;
        self.reprocess(&kept).await?;
        Ok(view(
            self.store.webhook_event(id).await?.ok_or_else(not_found)?,
        ))
    }

    /// The background step: processes the kept delivery whose next try is due, if there is
    /// one; false when none is due.
    pub async fn reprocess_due_webhook_event(&self) -> Result<bool, AppError> {
        let Some(kept) = self.store.due_webhook(now_ms()).await? else {
            return Ok(false);
        };
        self.reprocess(&kept).await?;
        Ok(true)
    }
}
