//! The UI's port, implemented by handing each call to the service of the same name.

use app::error::AppError;
use app::model::{
    AddedPerson, ApiToken, AuditPage, AuditQuery, CannedResponse, CannedResponseInput, Channel,
    ChannelInput, ContactDetail, ConversationDetail, ConversationPage, ConversationQuery,
    CreatedToken, InboxFilters, InboxSettings, Mention, NewPerson, Note, Person, PersonChanges,
    SearchHit, SimulatedInbound, StatusChange, Tag, TagInput, Template, TemplateCategory,
    TemplateContent, TemplateInput, TemplateSend, TemplateSync, TwilioTemplateInput, WebhookEvent,
};
use app::model::{
    BudgetAlert, BusinessHoursForm, CostQuery, CostReport, CostSettings, CsatReport, RateCardInput,
    Report, ReportQuery, SatisfactionSettings,
};
use app::model::{
    DraftTranslation, MessageTranslation, TranslationSettings, TranslationSettingsInput,
};
use app::model::{ErasureDecision, ErasureKeyword, RequestedErasure, VolunteerAccess};
use app::model::{
    ErasureReport, RecoveryCodes, RetentionCounts, RetentionSettings, SecuritySettings,
    TotpEnrolment, TwoFactorStatus,
};
use app::model::{RiskWords, UrgentChange};
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

    async fn set_language(&self, actor: &Actor, language: Option<String>) -> Result<(), AppError> {
        Services::set_language(self, actor, language).await
    }

    async fn default_language(&self, actor: &Actor) -> Result<Option<String>, AppError> {
        let language = Services::default_language_for(self, actor).await?;
        Ok(language.map(|language| app::language::code(language).to_owned()))
    }

    async fn set_default_language(
        &self,
        actor: &Actor,
        language: Option<String>,
    ) -> Result<(), AppError> {
        Services::set_default_language(self, actor, language).await
    }

    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        revoke_tokens: bool,
    ) -> Result<(), AppError> {
        Services::change_password(self, actor, &current, &new, revoke_tokens).await
    }

    async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus, AppError> {
        Services::two_factor_status(self, actor).await
    }

    async fn start_totp(&self, actor: &Actor) -> Result<TotpEnrolment, AppError> {
        Services::start_totp(self, actor).await
    }

    async fn confirm_totp(&self, actor: &Actor, code: String) -> Result<RecoveryCodes, AppError> {
        Services::confirm_totp(self, actor, &code).await
    }

    async fn disable_totp(&self, actor: &Actor, code: String) -> Result<(), AppError> {
        Services::disable_totp(self, actor, &code).await
    }

    async fn reset_totp(&self, actor: &Actor, user_id: i64) -> Result<(), AppError> {
        Services::reset_totp(self, actor, user_id).await
    }

    async fn security_settings(&self, actor: &Actor) -> Result<SecuritySettings, AppError> {
        Services::security_settings_for(self, actor).await
    }

    async fn update_security_settings(
        &self,
        actor: &Actor,
        settings: SecuritySettings,
    ) -> Result<SecuritySettings, AppError> {
        Services::update_security_settings(self, actor, settings).await
    }

    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        Services::list_tokens(self, actor).await
    }

    async fn create_token(
        &self,
        actor: &Actor,
        name: String,
        expires_in_days: Option<u32>,
    ) -> Result<CreatedToken, AppError> {
        Services::create_expiring_token(self, actor, &name, expires_in_days).await
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

    async fn reprocess_webhook_event(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<WebhookEvent, AppError> {
        Services::reprocess_webhook_event(self, actor, id).await
    }

    async fn list_conversations(
        &self,
        actor: &Actor,
        query: ConversationQuery,
    ) -> Result<ConversationPage, AppError> {
        Services::list_conversations(self, actor, query).await
    }

    async fn conversation(&self, actor: &Actor, id: i64) -> Result<ConversationDetail, AppError> {
        Services::conversation(self, actor, id).await
    }

    async fn mark_conversation_read(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::mark_conversation_read(self, actor, id).await
    }

    async fn audit_log(&self, actor: &Actor, query: AuditQuery) -> Result<AuditPage, AppError> {
        Services::audit_log(self, actor, query).await
    }

    async fn send_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        body: String,
        buttons: Vec<String>,
    ) -> Result<(), AppError> {
        Services::send_reply_with_buttons(self, actor, conversation_id, &body, &buttons).await
    }

    async fn inbox_filters(&self, actor: &Actor) -> Result<InboxFilters, AppError> {
        Services::inbox_filters(self, actor).await
    }

    async fn take_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::take_conversation(self, actor, id).await
    }

    async fn assign_conversation(
        &self,
        actor: &Actor,
        id: i64,
        assignee_id: Option<i64>,
    ) -> Result<(), AppError> {
        Services::assign_conversation(self, actor, id, assignee_id).await
    }

    async fn set_conversation_status(
        &self,
        actor: &Actor,
        id: i64,
        change: StatusChange,
    ) -> Result<(), AppError> {
        Services::set_conversation_status(self, actor, id, change).await
    }

    async fn list_tags(&self, actor: &Actor) -> Result<Vec<Tag>, AppError> {
        Services::list_tags(self, actor).await
    }

    async fn create_tag(&self, actor: &Actor, input: TagInput) -> Result<Tag, AppError> {
        Services::create_tag(self, actor, input).await
    }

    async fn update_tag(&self, actor: &Actor, id: i64, input: TagInput) -> Result<Tag, AppError> {
        Services::update_tag(self, actor, id, input).await
    }

    async fn delete_tag(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::delete_tag(self, actor, id).await
    }

    async fn tag_conversation(
        &self,
        actor: &Actor,
        id: i64,
        tag_id: i64,
        tagged: bool,
    ) -> Result<(), AppError> {
        Services::tag_conversation(self, actor, id, tag_id, tagged).await
    }

    async fn add_conversation_note(
        &self,
        actor: &Actor,
        id: i64,
        body: String,
    ) -> Result<Note, AppError> {
        Services::add_conversation_note(self, actor, id, &body).await
    }

    async fn contact(&self, actor: &Actor, id: i64) -> Result<ContactDetail, AppError> {
        Services::contact(self, actor, id).await
    }

    async fn erase_contact(
        &self,
        actor: &Actor,
        contact_id: i64,
        confirm: String,
    ) -> Result<ErasureReport, AppError> {
        Services::erase_contact(self, actor, contact_id, &confirm).await
    }

    async fn add_contact_note(
        &self,
        actor: &Actor,
        contact_id: i64,
        body: String,
    ) -> Result<Note, AppError> {
        Services::add_contact_note(self, actor, contact_id, &body).await
    }

    async fn announce_presence(
        &self,
        actor: &Actor,
        conversation_id: i64,
        typing: bool,
    ) -> Result<(), AppError> {
        Services::announce_presence(self, actor, conversation_id, typing).await
    }

    async fn search(&self, actor: &Actor, query: String) -> Result<Vec<SearchHit>, AppError> {
        Services::search(self, actor, &query).await
    }

    async fn mentions(&self, actor: &Actor) -> Result<Vec<Mention>, AppError> {
        Services::mentions(self, actor).await
    }

    async fn inbox_settings(&self, actor: &Actor) -> Result<InboxSettings, AppError> {
        Services::inbox_settings_for(self, actor).await
    }

    async fn update_inbox_settings(
        &self,
        actor: &Actor,
        settings: InboxSettings,
    ) -> Result<InboxSettings, AppError> {
        Services::update_inbox_settings(self, actor, settings).await
    }

    async fn retention_settings(&self, actor: &Actor) -> Result<RetentionSettings, AppError> {
        Services::retention_settings_for(self, actor).await
    }

    async fn update_retention_settings(
        &self,
        actor: &Actor,
        settings: RetentionSettings,
    ) -> Result<RetentionSettings, AppError> {
        Services::update_retention_settings(self, actor, settings).await
    }

    async fn retention_preview(&self, actor: &Actor) -> Result<RetentionCounts, AppError> {
        Services::retention_preview_for(self, actor).await
    }

    async fn risk_words(&self, actor: &Actor) -> Result<RiskWords, AppError> {
        Services::risk_words_for(self, actor).await
    }

    async fn update_risk_words(
        &self,
        actor: &Actor,
        words: RiskWords,
    ) -> Result<RiskWords, AppError> {
        Services::update_risk_words(self, actor, words).await
    }

    async fn set_urgent(
        &self,
        actor: &Actor,
        conversation_id: i64,
        change: UrgentChange,
    ) -> Result<(), AppError> {
        Services::set_urgent(self, actor, conversation_id, change).await
    }

    async fn wellbeing_settings(
        &self,
        actor: &Actor,
    ) -> Result<app::model::WellbeingSettings, AppError> {
        Services::wellbeing_settings_for(self, actor).await
    }

    async fn update_wellbeing_settings(
        &self,
        actor: &Actor,
        settings: app::model::WellbeingSettings,
    ) -> Result<app::model::WellbeingSettings, AppError> {
        Services::update_wellbeing_settings(self, actor, settings).await
    }

    async fn record_activity(&self, actor: &Actor) -> Result<app::model::MyWellbeing, AppError> {
        Services::record_activity(self, actor).await
    }

    async fn my_wellbeing(&self, actor: &Actor) -> Result<app::model::MyWellbeing, AppError> {
        Services::my_wellbeing(self, actor).await
    }

    async fn wellbeing_overview(
        &self,
        actor: &Actor,
    ) -> Result<app::model::WellbeingOverview, AppError> {
        Services::wellbeing_overview(self, actor).await
    }

    async fn erasure_keyword(&self, actor: &Actor) -> Result<ErasureKeyword, AppError> {
        Services::erasure_keyword_for(self, actor).await
    }

    async fn update_erasure_keyword(
        &self,
        actor: &Actor,
        setting: ErasureKeyword,
    ) -> Result<ErasureKeyword, AppError> {
        Services::update_erasure_keyword(self, actor, setting).await
    }

    async fn volunteer_access(&self, actor: &Actor) -> Result<VolunteerAccess, AppError> {
        Services::volunteer_access_for(self, actor).await
    }

    async fn update_volunteer_access(
        &self,
        actor: &Actor,
        setting: VolunteerAccess,
    ) -> Result<VolunteerAccess, AppError> {
        Services::update_volunteer_access(self, actor, setting).await
    }

    async fn erasure_requests(&self, actor: &Actor) -> Result<Vec<RequestedErasure>, AppError> {
        Services::erasure_requests(self, actor).await
    }

    async fn confirm_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<ErasureDecision, AppError> {
        Services::confirm_erasure_request(self, actor, id).await
    }

    async fn decline_erasure_request(
        &self,
        actor: &Actor,
        id: i64,
        reason: String,
    ) -> Result<ErasureDecision, AppError> {
        Services::decline_erasure_request(self, actor, id, &reason).await
    }

    async fn is_available(&self, actor: &Actor) -> Result<bool, AppError> {
        Services::is_available(self, actor).await
    }

    async fn set_available(&self, actor: &Actor, available: bool) -> Result<(), AppError> {
        Services::set_available(self, actor, available).await
    }

    async fn list_canned_responses(&self, actor: &Actor) -> Result<Vec<CannedResponse>, AppError> {
        Services::list_canned_responses(self, actor).await
    }

    async fn create_canned_response(
        &self,
        actor: &Actor,
        input: CannedResponseInput,
    ) -> Result<CannedResponse, AppError> {
        Services::create_canned_response(self, actor, input).await
    }

    async fn delete_canned_response(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::delete_canned_response(self, actor, id).await
    }

    async fn list_templates(
        &self,
        actor: &Actor,
        channel_id: Option<i64>,
    ) -> Result<Vec<Template>, AppError> {
        Services::list_templates(self, actor, channel_id).await
    }

    async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<Template, AppError> {
        Services::create_template(self, actor, input, None).await
    }

    async fn new_template_version(
        &self,
        actor: &Actor,
        id: i64,
        category: TemplateCategory,
        content: TemplateContent,
    ) -> Result<Template, AppError> {
        Services::new_template_version(self, actor, id, category, content, None).await
    }

    async fn submit_template(&self, actor: &Actor, id: i64) -> Result<Template, AppError> {
        Services::submit_template(self, actor, id).await
    }

    async fn sync_templates(
        &self,
        actor: &Actor,
        channel_id: i64,
    ) -> Result<TemplateSync, AppError> {
        Services::sync_templates(self, actor, channel_id).await
    }

    async fn register_twilio_template(
        &self,
        actor: &Actor,
        input: TwilioTemplateInput,
    ) -> Result<Template, AppError> {
        Services::register_twilio_template(self, actor, input).await
    }

    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::delete_template(self, actor, id).await
    }

    async fn send_template(
        &self,
        actor: &Actor,
        conversation_id: i64,
        send: TemplateSend,
    ) -> Result<(), AppError> {
        Services::send_template(self, actor, conversation_id, send, None).await
    }

    async fn retry_message(&self, actor: &Actor, message_id: i64) -> Result<(), AppError> {
        Services::retry_message(self, actor, message_id).await
    }

    async fn supervision_board(
        &self,
        actor: &Actor,
    ) -> Result<app::model::SupervisionBoard, AppError> {
        Services::supervision_board(self, actor).await
    }

    async fn approve_message(
        &self,
        actor: &Actor,
        message_id: i64,
        approval: app::model::Approval,
    ) -> Result<(), AppError> {
        Services::approve_message(self, actor, message_id, approval).await
    }

    async fn reject_message(
        &self,
        actor: &Actor,
        message_id: i64,
        rejection: app::model::Rejection,
    ) -> Result<(), AppError> {
        Services::reject_message(self, actor, message_id, rejection).await
    }

    async fn join_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::join_conversation(self, actor, id).await
    }

    async fn take_over_conversation(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        Services::take_over_conversation(self, actor, id).await
    }

    fn demo_mode(&self) -> bool {
        Services::demo_mode(self)
    }

    fn private_provider_urls_allowed(&self) -> bool {
        Services::private_provider_urls_allowed(self)
    }

    async fn simulate_inbound(
        &self,
        actor: &Actor,
        message: SimulatedInbound,
    ) -> Result<(), AppError> {
        Services::simulate_inbound(self, actor, message).await
    }

    async fn first_run_pending(&self) -> Result<bool, AppError> {
        Services::first_run_pending(self).await
    }

    async fn create_first_admin(
        &self,
        token: String,
        email: String,
        name: String,
        password: String,
    ) -> Result<(), AppError> {
        Services::create_first_admin(self, &token, &email, &name, &password)
            .await
            .map(|_| ())
    }

    async fn report(&self, actor: &Actor, query: ReportQuery) -> Result<Report, AppError> {
        Services::report_for(self, actor, query).await
    }

    async fn business_hours(&self, actor: &Actor) -> Result<BusinessHoursForm, AppError> {
        Services::business_hours_form(self, actor).await
    }

    async fn save_business_hours(
        &self,
        actor: &Actor,
        form: BusinessHoursForm,
    ) -> Result<BusinessHoursForm, AppError> {
        Services::save_business_hours_form(self, actor, form).await
    }

    async fn csat_report(&self, actor: &Actor, query: ReportQuery) -> Result<CsatReport, AppError> {
        Services::csat_report(self, actor, query).await
    }

    async fn satisfaction_settings(&self, actor: &Actor) -> Result<SatisfactionSettings, AppError> {
        Services::satisfaction_settings(self, actor).await
    }

    async fn save_satisfaction_settings(
        &self,
        actor: &Actor,
        settings: SatisfactionSettings,
    ) -> Result<SatisfactionSettings, AppError> {
        Services::update_satisfaction_settings(self, actor, settings).await
    }

    async fn cost_report(&self, actor: &Actor, query: CostQuery) -> Result<CostReport, AppError> {
        Services::cost_report(self, actor, query).await
    }

    async fn cost_settings(&self, actor: &Actor) -> Result<CostSettings, AppError> {
        Services::cost_settings(self, actor).await
    }

    async fn set_sms_segment_price(
        &self,
        actor: &Actor,
        price: String,
    ) -> Result<CostSettings, AppError> {
        Services::set_sms_segment_price(self, actor, &price).await
    }

    async fn set_channel_budget(
        &self,
        actor: &Actor,
        channel_id: i64,
        monthly: Option<String>,
    ) -> Result<CostSettings, AppError> {
        Services::set_channel_budget(self, actor, channel_id, monthly.as_deref()).await
    }

    async fn load_rate_card(
        &self,
        actor: &Actor,
        input: RateCardInput,
    ) -> Result<CostSettings, AppError> {
        Services::load_rate_card(self, actor, input).await
    }

    async fn budget_alerts(&self, actor: &Actor) -> Result<Vec<BudgetAlert>, AppError> {
        Services::budget_alerts(self, actor).await
    }

    async fn dismiss_budget_alert(
        &self,
        actor: &Actor,
        channel_id: i64,
        month: String,
    ) -> Result<(), AppError> {
        Services::dismiss_budget_alert(self, actor, channel_id, &month).await
    }

    async fn translation_settings(&self, actor: &Actor) -> Result<TranslationSettings, AppError> {
        Services::translation_settings(self, actor).await
    }

    async fn save_translation_settings(
        &self,
        actor: &Actor,
        input: TranslationSettingsInput,
    ) -> Result<TranslationSettings, AppError> {
        Services::update_translation_settings(self, actor, input).await
    }

    async fn translate_message(
        &self,
        actor: &Actor,
        message_id: i64,
        reader_language: Option<String>,
    ) -> Result<MessageTranslation, AppError> {
        Services::translate_message(self, actor, message_id, reader_language.as_deref()).await
    }

    async fn translate_draft(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: String,
        target: Option<String>,
    ) -> Result<DraftTranslation, AppError> {
        Services::translate_draft(self, actor, conversation_id, &text, target.as_deref()).await
    }

    async fn send_translated_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: String,
        original_text: String,
        language: String,
    ) -> Result<(), AppError> {
        Services::send_translated_reply(
            self,
            actor,
            conversation_id,
            &text,
            &original_text,
            &language,
        )
        .await
    }
}
