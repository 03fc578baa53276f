use app::error::AppError;
use app::model::{Permission, WebhookEvent};
use app::ports::Actor;

use super::{Services, rfc3339};

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
            .map(|row| WebhookEvent {
                id: row.id,
                provider: row.provider,
                channel_name: row.channel_name,
                received_at: rfc3339(row.received_at),
                processed: row.processed_at.is_some(),
                error: row.error,
                body: row.body,
            })
            .collect())
    }
}
