//! Server functions: the UI's calls into the server. Each one only finds the actor and the backend
//! and hands over; the backend checks permissions.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::NewPerson;
#[cfg(feature = "ssr")]
use crate::model::SimulatedInbound;
use crate::model::{
    AddedPerson, ApiToken, Channel, ChannelInput, ConversationDetail, ConversationSummary,
    CreatedToken, InboxView, Me, Person, PersonChanges, Role, WebhookEvent,
};
#[cfg(feature = "ssr")]
use crate::ports::{actor, backend, current_actor};

#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(current_actor().map(|actor| actor.me()))
}

#[server(endpoint = "people/list")]
pub async fn list_people() -> Result<Vec<Person>, AppError> {
    backend()?.list_people(&actor()?).await
}

#[server(endpoint = "people/add")]
pub async fn add_person(email: String, name: String, role: Role) -> Result<AddedPerson, AppError> {
    backend()?
        .add_person(&actor()?, NewPerson { email, name, role })
        .await
}

#[server(endpoint = "people/update")]
pub async fn update_person(id: i64, changes: PersonChanges) -> Result<Person, AppError> {
    backend()?.update_person(&actor()?, id, changes).await
}

#[server(endpoint = "account/password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    backend()?.change_password(&actor()?, current, new).await
}

#[server(endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, AppError> {
    backend()?.list_tokens(&actor()?).await
}

#[server(endpoint = "tokens/create")]
pub async fn create_token(name: String) -> Result<CreatedToken, AppError> {
    backend()?.create_token(&actor()?, name).await
}

#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    backend()?.revoke_token(&actor()?, id).await
}

#[server(endpoint = "channels/list")]
pub async fn list_channels() -> Result<Vec<Channel>, AppError> {
    backend()?.list_channels(&actor()?).await
}

#[server(endpoint = "channels/create")]
pub async fn create_channel(input: ChannelInput) -> Result<Channel, AppError> {
    backend()?.create_channel(&actor()?, input).await
}

#[server(endpoint = "channels/update")]
pub async fn update_channel(id: i64, input: ChannelInput) -> Result<Channel, AppError> {
    backend()?.update_channel(&actor()?, id, input).await
}

#[server(endpoint = "channels/delete")]
pub async fn delete_channel(id: i64) -> Result<(), AppError> {
    backend()?.delete_channel(&actor()?, id).await
}

#[server(endpoint = "webhook-events/list")]
pub async fn list_webhook_events(only_failed: bool) -> Result<Vec<WebhookEvent>, AppError> {
    backend()?.list_webhook_events(&actor()?, only_failed).await
}

#[server(endpoint = "demo/enabled")]
pub async fn demo_enabled() -> Result<bool, AppError> {
    Ok(backend()?.demo_mode())
}

#[server(endpoint = "demo/simulate-inbound")]
pub async fn simulate_inbound(
    channel_id: i64,
    from: String,
    name: String,
    text: String,
) -> Result<(), AppError> {
    let message = SimulatedInbound {
        channel_id,
        from,
        name,
        text,
    };
    backend()?.simulate_inbound(&actor()?, message).await
}

#[server(endpoint = "conversations/list")]
pub async fn list_conversations(view: InboxView) -> Result<Vec<ConversationSummary>, AppError> {
    backend()?.list_conversations(&actor()?, view).await
}

#[server(endpoint = "conversations/get")]
pub async fn get_conversation(id: i64) -> Result<ConversationDetail, AppError> {
    backend()?.conversation(&actor()?, id).await
}

#[server(endpoint = "conversations/reply")]
pub async fn send_reply(conversation_id: i64, body: String) -> Result<(), AppError> {
    backend()?
        .send_reply(&actor()?, conversation_id, body)
        .await
}
