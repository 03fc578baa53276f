//! The UI's port, implemented by handing each call to the service of the same name.

use app::error::AppError;
use app::model::{
    AddedPerson, ApiToken, Channel, ChannelInput, ConversationDetail, ConversationSummary,
    CreatedToken, InboxView, NewPerson, Person, PersonChanges, SimulatedInbound, WebhookEvent,
};
use app::ports::{Actor, Backend};
use async_trait::async_trait;

use super::Services;

#[async_trait]
impl Backend for Services {
    async fn list_people(&self, actor: &Actor) -> Result<Vec<Person>, AppError> {
        Services::list_people(self, actor).await
    }

    async fn add_person(&self, actor: &Actor, new: NewPerson) -> Result<AddedPerson, AppError> {
        Services::add_person(self, actor, &new.email, &new.name, new.role).await
    }

    async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        changes: PersonChanges,
    ) -> Result<Person, AppError> {
        Services::update_person(self, actor, id, changes).await
    }

    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
    ) -> Result<(), AppError> {
        Services::change_password(self, actor, &current, &new).await
    }

    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        Services::list_tokens(self, actor).await
    }

    async fn create_token(&self, actor: &Actor, name: String) -> Result<CreatedToken, AppError> {
        Services::create_token(self, actor, &name).await
    }

    async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::revoke_token(self, actor, id).await
    }

    async fn list_channels(&self, actor: &Actor) -> Result<Vec<Channel>, AppError> {
        Services::list_channels(self, actor).await
    }

    async fn create_channel(
        &self,
        actor: &Actor,
        input: ChannelInput,
    ) -> Result<Channel, AppError> {
        Services::create_channel(self, Some(actor), &input).await
    }

    async fn update_channel(
        &self,
        actor: &Actor,
        id: i64,
        input: ChannelInput,
    ) -> Result<Channel, AppError> {
        Services::update_channel(self, actor, id, &input).await
    }

    async fn delete_channel(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::delete_channel(self, actor, id).await
    }

    async fn list_webhook_events(
        &self,
        actor: &Actor,
        only_failed: bool,
    ) -> Result<Vec<WebhookEvent>, AppError> {
        Services::list_webhook_events(self, actor, only_failed).await
    }

    async fn list_conversations(
        &self,
        actor: &Actor,
        view: InboxView,
    ) -> Result<Vec<ConversationSummary>, AppError> {
        Services::list_conversations(self, actor, view).await
    }

    async fn conversation(&self, actor: &Actor, id: i64) -> Result<ConversationDetail, AppError> {
        Services::conversation(self, actor, id).await
    }

    async fn send_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: String,
    ) -> Result<(), AppError> {
        Services::send_reply(self, actor, conversation_id, &body).await
    }

    fn demo_mode(&self) -> bool {
        Services::demo_mode(self)
    }

    async fn simulate_inbound(
        &self,
        actor: &Actor,
        message: SimulatedInbound,
    ) -> Result<(), AppError> {
        Services::simulate_inbound(self, actor, message).await
    }
}
