//! What the UI needs from the server, as a port: the server implements [`Backend`] and provides it
//! through Leptos context, so server functions stay thin and never see SQL.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::use_context;

use crate::error::AppError;
use crate::model::{
    AddedPerson, ApiToken, AuditPage, AuditQuery, CannedResponse, CannedResponseInput, Channel,
    ChannelInput, ContactDetail, ConversationDetail, ConversationPage, ConversationQuery,
    CreatedToken, ErasureReport, InboxFilters, InboxSettings, Me, Mention, NewPerson, Note,
    Permission, Person, PersonChanges, RecoveryCodes, RetentionCounts, RetentionSettings,
    RiskWords, Role, SearchHit, SecuritySettings, SimulatedInbound, StatusChange, Tag, TagInput,
    Template, TemplateCategory, TemplateContent, TemplateInput, TemplateSend, TemplateSync,
    TotpEnrolment, TwilioTemplateInput, TwoFactorStatus, UrgentChange, WebhookEvent,
};
use crate::model::{ErasureDecision, ErasureKeyword, RequestedErasure, VolunteerAccess};

/// The authenticated person behind a request, put into the request's extensions by the server's
/// authentication layer (from a session cookie or an API token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub must_change_password: bool,
    /// Their interface language's code, if they chose one.
    pub language: Option<String>,
    /// How this request proved who it is; some actions need a recent sign-in.
    pub credential: Credential,
}

/// What authenticated a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Credential {
    /// A browser session: its id, and when its person signed in (epoch milliseconds).
    Session { id: String, signed_in_at: i64 },
    /// An API token.
    Token,
    /// The server itself acting for someone: the command line, background work, tests.
    #[default]
    Direct,
}

impl Actor {
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            must_change_password: self.must_change_password,
            language: self.language.clone(),
        }
    }
}

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn list_people(&self, actor: &Actor) -> Result<Vec<Person>, AppError>;
    async fn add_person(&self, actor: &Actor, new: NewPerson) -> Result<AddedPerson, AppError>;
    async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        changes: PersonChanges,
    ) -> Result<Person, AppError>;
    /// `None` follows the browser's language.
    async fn set_language(&self, actor: &Actor, language: Option<String>) -> Result<(), AppError>;
    async fn default_language(&self, actor: &Actor) -> Result<Option<String>, AppError>;
    /// `None`: no default, so English for anyone whose browser asks for no language on offer.
    async fn set_default_language(
        &self,
        actor: &Actor,
        language: Option<String>,
    ) -> Result<(), AppError>;
    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        revoke_tokens: bool,
    ) -> Result<(), AppError>;
    async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus, AppError>;
    /// Starts enrolling a second factor; the secret and QR code are returned this once.
    async fn start_totp(&self, actor: &Actor) -> Result<TotpEnrolment, AppError>;
    /// Confirms enrolment with a code; the recovery codes are returned this once.
    async fn confirm_totp(&self, actor: &Actor, code: String) -> Result<RecoveryCodes, AppError>;
    /// Turns the actor's second factor off, with a current code or a recovery code.
    async fn disable_totp(&self, actor: &Actor, code: String) -> Result<(), AppError>;
    /// An admin removes someone's second factor.
    async fn reset_totp(&self, actor: &Actor, user_id: i64) -> Result<(), AppError>;
    async fn security_settings(&self, actor: &Actor) -> Result<SecuritySettings, AppError>;
    async fn update_security_settings(
        &self,
        actor: &Actor,
        settings: SecuritySettings,
    ) -> Result<SecuritySettings, AppError>;
    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError>;
    /// A token that lasts until revoked, or that expires after `expires_in_days`.
    async fn create_token(
        &self,
        actor: &Actor,
        name: String,
        expires_in_days: Option<u32>,
    ) -> Result<CreatedToken, AppError>;
    async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    async fn list_channels(&self, actor: &Actor) -> Result<Vec<Channel>, AppError>;
    async fn create_channel(&self, actor: &Actor, input: ChannelInput)
    -> Result<Channel, AppError>;
    async fn update_channel(
        &self,
        actor: &Actor,
        id: i64,
        input: ChannelInput,
    ) -> Result<Channel, AppError>;
    async fn delete_channel(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    async fn list_webhook_events(
        &self,
        actor: &Actor,
        only_failed: bool,
    ) -> Result<Vec<WebhookEvent>, AppError>;
    /// Processes a kept webhook delivery again now; returns it as it is afterwards.
    async fn reprocess_webhook_event(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<WebhookEvent, AppError>;
    async fn list_conversations(
        &self,
        actor: &Actor,
        query: ConversationQuery,
    ) -> Result<ConversationPage, AppError>;
    async fn conversation(&self, actor: &Actor, id: i64) -> Result<ConversationDetail, AppError>;
    /// This person has seen the conversation: its mentions of them and, if they answer it, its
    /// messages are read.
    async fn mark_conversation_read(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// A page of the audit log, newest first (admins).
    async fn audit_log(&self, actor: &Actor, query: AuditQuery) -> Result<AuditPage, AppError>;
    /// Queues a free-text reply, with reply buttons for the contact to tap if any; it is
    /// delivered in the background.
    async fn send_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: String,
        buttons: Vec<String>,
    ) -> Result<(), AppError>;
    async fn inbox_filters(&self, actor: &Actor) -> Result<InboxFilters, AppError>;
    async fn take_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// Assigns to a person, or unassigns with `None`.
    async fn assign_conversation(
        &self,
        actor: &Actor,
        id: i64,
        assignee_id: Option<i64>,
    ) -> Result<(), AppError>;
    async fn set_conversation_status(
        &self,
        actor: &Actor,
        id: i64,
        change: StatusChange,
    ) -> Result<(), AppError>;
    async fn list_tags(&self, actor: &Actor) -> Result<Vec<Tag>, AppError>;
    async fn create_tag(&self, actor: &Actor, input: TagInput) -> Result<Tag, AppError>;
    async fn update_tag(&self, actor: &Actor, id: i64, input: TagInput) -> Result<Tag, AppError>;
    async fn delete_tag(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// Puts a tag on a conversation (`tagged`) or takes it off.
    async fn tag_conversation(
        &self,
        actor: &Actor,
        id: i64,
        tag_id: i64,
        tagged: bool,
    ) -> Result<(), AppError>;
    async fn add_conversation_note(
        &self,
        actor: &Actor,
        id: i64,
        body: String,
    ) -> Result<Note, AppError>;
    async fn contact(&self, actor: &Actor, id: i64) -> Result<ContactDetail, AppError>;
    async fn add_contact_note(
        &self,
        actor: &Actor,
        contact_id: i64,
        body: String,
    ) -> Result<Note, AppError>;
    /// Erases everything held about the contact; `confirm` is their name or number typed out.
    async fn erase_contact(
        &self,
        actor: &Actor,
        contact_id: i64,
        confirm: String,
    ) -> Result<ErasureReport, AppError>;
    /// Tells the others viewing a conversation that this person is there, or typing.
    async fn announce_presence(
        &self,
        actor: &Actor,
        conversation_id: i64,
        typing: bool,
    ) -> Result<(), AppError>;
    async fn search(&self, actor: &Actor, query: String) -> Result<Vec<SearchHit>, AppError>;
    async fn mentions(&self, actor: &Actor) -> Result<Vec<Mention>, AppError>;
    async fn inbox_settings(&self, actor: &Actor) -> Result<InboxSettings, AppError>;
    async fn update_inbox_settings(
        &self,
        actor: &Actor,
        settings: InboxSettings,
    ) -> Result<InboxSettings, AppError>;
    async fn retention_settings(&self, actor: &Actor) -> Result<RetentionSettings, AppError>;
    async fn update_retention_settings(
        &self,
        actor: &Actor,
        settings: RetentionSettings,
    ) -> Result<RetentionSettings, AppError>;
    /// What the next retention run would delete.
    async fn retention_preview(&self, actor: &Actor) -> Result<RetentionCounts, AppError>;
    /// The words and phrases that make an inbound message's conversation urgent.
    async fn risk_words(&self, actor: &Actor) -> Result<RiskWords, AppError>;
    async fn update_risk_words(
        &self,
        actor: &Actor,
        words: RiskWords,
    ) -> Result<RiskWords, AppError>;
    /// Flags a conversation urgent, or clears the flag with a reason.
    async fn set_urgent(
        &self,
        actor: &Actor,
        conversation_id: i64,
        change: UrgentChange,
    ) -> Result<(), AppError>;
    async fn wellbeing_settings(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::WellbeingSettings, AppError>;
    async fn update_wellbeing_settings(
        &self,
        actor: &Actor,
        settings: crate::model::WellbeingSettings,
    ) -> Result<crate::model::WellbeingSettings, AppError>;
    /// Counts this minute as time answering (a heartbeat); the person's figures.
    async fn record_activity(&self, actor: &Actor) -> Result<crate::model::MyWellbeing, AppError>;
    async fn my_wellbeing(&self, actor: &Actor) -> Result<crate::model::MyWellbeing, AppError>;
    /// The people over their wellbeing limits, for coordinators and admins.
    async fn wellbeing_overview(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::WellbeingOverview, AppError>;
    async fn erasure_keyword(&self, actor: &Actor) -> Result<ErasureKeyword, AppError>;
    async fn update_erasure_keyword(
        &self,
        actor: &Actor,
        setting: ErasureKeyword,
    ) -> Result<ErasureKeyword, AppError>;
    async fn volunteer_access(&self, actor: &Actor) -> Result<VolunteerAccess, AppError>;
    async fn update_volunteer_access(
        &self,
        actor: &Actor,
        setting: VolunteerAccess,
    ) -> Result<VolunteerAccess, AppError>;
    /// Erasure requests contacts made by message, pending first.
    async fn erasure_requests(&self, actor: &Actor) -> Result<Vec<RequestedErasure>, AppError>;
    async fn confirm_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ErasureDecision, AppError>;
    async fn decline_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
        reason: String,
    ) -> Result<ErasureDecision, AppError>;
    /// Whether auto-assignment may give this person conversations.
    async fn is_available(&self, actor: &Actor) -> Result<bool, AppError>;
    async fn set_available(&self, actor: &Actor, available: bool) -> Result<(), AppError>;
    async fn list_canned_responses(&self, actor: &Actor) -> Result<Vec<CannedResponse>, AppError>;
    async fn create_canned_response(
        &self,
        actor: &Actor,
        input: CannedResponseInput,
    ) -> Result<CannedResponse, AppError>;
    async fn delete_canned_response(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// Sends a failed message, or one whose outcome is unknown, again.
    async fn retry_message(&self, actor: &Actor, message_id: i64) -> Result<(), AppError>;
    /// Templates: all for admins, the approved ones for others; of one channel when given.
    async fn list_templates(
        &self,
        actor: &Actor,
        channel_id: Option<i64>,
    ) -> Result<Vec<Template>, AppError>;
    /// Saves a WhatsApp template and submits it to Meta for review.
    async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<Template, AppError>;
    async fn new_template_version(
        &self,
        actor: &Actor,
        id: i64,
        category: TemplateCategory,
        content: TemplateContent,
    ) -> Result<Template, AppError>;
    async fn submit_template(&self, actor: &Actor, id: i64) -> Result<Template, AppError>;
    /// Reads the templates' review status from Meta and adds those made in WhatsApp Manager.
    async fn sync_templates(
        &self,
        actor: &Actor,
        channel_id: i64,
    ) -> Result<TemplateSync, AppError>;
    async fn register_twilio_template(
        &self,
        actor: &Actor,
        input: TwilioTemplateInput,
    ) -> Result<Template, AppError>;
    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    async fn send_template(
        &self,
        actor: &Actor,
        conversation_id: i64,
        send: TemplateSend,
    ) -> Result<(), AppError>;
    /// Whether demo tools (such as simulating an inbound message) are enabled.
    fn demo_mode(&self) -> bool;
    /// Whether channel API addresses may be http, loopback or private (a sandbox setting that
    /// lets credentials go to local addresses; the Channels page warns while it is on).
    fn private_provider_urls_allowed(&self) -> bool {
        false
    }
    async fn simulate_inbound(
        &self,
        actor: &Actor,
        message: SimulatedInbound,
    ) -> Result<(), AppError>;
    /// True while no one exists and the setup link printed to the server's log is unused.
    async fn first_run_pending(&self) -> Result<bool, AppError>;
    /// Creates the first admin for the holder of the one-time setup link (`token`).
    async fn create_first_admin(
        &self,
        token: String,
        email: String,
        name: String,
        password: String,
    ) -> Result<(), AppError>;

    /// Supervision: who is online and what they have open, and the replies waiting for approval.
    async fn supervision_board(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::SupervisionBoard, AppError>;
    /// Approves a trainee's reply, with the text to send instead when edited.
    async fn approve_message(
        &self,
        actor: &Actor,
        message_id: i64,
        approval: crate::model::Approval,
    ) -> Result<(), AppError>;
    async fn reject_message(
        &self,
        actor: &Actor,
        message_id: i64,
        rejection: crate::model::Rejection,
    ) -> Result<(), AppError>;
    /// A coordinator joins a conversation to read along.
    async fn join_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// A coordinator takes a conversation over from its assignee.
    async fn take_over_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// How the service is doing: volumes, response and resolution times, per day and person.
    async fn report(
        &self,
        actor: &Actor,
        query: crate::model::ReportQuery,
    ) -> Result<crate::model::Report, AppError>;
    async fn business_hours(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::BusinessHoursForm, AppError>;
    async fn save_business_hours(
        &self,
        actor: &Actor,
        form: crate::model::BusinessHoursForm,
    ) -> Result<crate::model::BusinessHoursForm, AppError>;
    /// Satisfaction in the report's range: score, response rate and comments.
    async fn csat_report(
        &self,
        actor: &Actor,
        query: crate::model::ReportQuery,
    ) -> Result<crate::model::CsatReport, AppError>;
    async fn satisfaction_settings(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::SatisfactionSettings, AppError>;
    async fn save_satisfaction_settings(
        &self,
        actor: &Actor,
        settings: crate::model::SatisfactionSettings,
    ) -> Result<crate::model::SatisfactionSettings, AppError>;
    /// What messages cost by month, channel and category, against budgets.
    async fn cost_report(
        &self,
        actor: &Actor,
        query: crate::model::CostQuery,
    ) -> Result<crate::model::CostReport, AppError>;
    async fn cost_settings(&self, actor: &Actor) -> Result<crate::model::CostSettings, AppError>;
    async fn set_sms_segment_price(
        &self,
        actor: &Actor,
        price: String,
    ) -> Result<crate::model::CostSettings, AppError>;
    async fn set_channel_budget(
        &self,
        actor: &Actor,
        channel_id: i64,
        monthly: Option<String>,
    ) -> Result<crate::model::CostSettings, AppError>;
    async fn load_rate_card(
        &self,
        actor: &Actor,
        input: crate::model::RateCardInput,
    ) -> Result<crate::model::CostSettings, AppError>;
    async fn budget_alerts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::model::BudgetAlert>, AppError>;
    async fn dismiss_budget_alert(
        &self,
        actor: &Actor,
        channel_id: i64,
        month: String,
    ) -> Result<(), AppError>;
    async fn translation_settings(
        &self,
        actor: &Actor,
    ) -> Result<crate::model::TranslationSettings, AppError>;
    async fn save_translation_settings(
        &self,
        actor: &Actor,
        input: crate::model::TranslationSettingsInput,
    ) -> Result<crate::model::TranslationSettings, AppError>;
    /// A message in the reader's language; `reader_language` is what the request asked for
    /// (an `Accept-Language` value or a code).
    async fn translate_message(
        &self,
        actor: &Actor,
        message_id: i64,
        reader_language: Option<String>,
    ) -> Result<crate::model::MessageTranslation, AppError>;
    /// A reply being written, in `target` or else the contact's language.
    async fn translate_draft(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: String,
        target: Option<String>,
    ) -> Result<crate::model::DraftTranslation, AppError>;
    /// Queues a reply sent translated: `text` in `language` goes to the contact, the thread
    /// keeps `original_text` beside it.
    async fn send_translated_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: String,
        original_text: String,
        language: String,
    ) -> Result<(), AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>().ok_or_else(AppError::internal)
}

/// The signed-in person making this request, if any.
pub fn current_actor() -> Option<Actor> {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<Actor>().cloned())
}

/// The languages this request's browser prefers (its `Accept-Language` header), if it said.
pub fn accept_language() -> Option<String> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)?
            .to_str()
            .ok()
            .map(str::to_owned)
    })
}

/// The signed-in person making this request, or the error that asks them to sign in.
pub fn actor() -> Result<Actor, AppError> {
    current_actor().ok_or_else(AppError::unauthenticated)
}
