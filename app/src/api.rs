//! Server functions: the UI's calls into the server. Each one only finds the actor and the backend
//! and hands over; the backend checks permissions.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ConversationStatus;
#[cfg(feature = "ssr")]
use crate::model::NewPerson;
#[cfg(feature = "ssr")]
use crate::model::RateCardInput;
#[cfg(feature = "ssr")]
use crate::model::SimulatedInbound;
use crate::model::{
    AddedPerson, ApiToken, AuditPage, AuditQuery, CannedResponse, Channel, ChannelInput,
    ContactDetail, ConversationDetail, ConversationPage, ConversationQuery, CreatedToken,
    InboxFilters, InboxSettings, Mention, Note, Person, PersonChanges, Role, SearchHit, Tag,
    Template, TemplateCategory, TemplateContent, TemplateInput, TemplateSend, TemplateSync,
    TwilioTemplateInput, WebhookEvent,
};
use crate::model::{
    BudgetAlert, BusinessHoursForm, CostQuery, CostReport, CostSettings, CsatReport, Report,
    ReportQuery, SatisfactionSettings,
};
#[cfg(feature = "ssr")]
use crate::model::{CannedResponseInput, StatusChange, TagInput, UrgentChange};
use crate::model::{ErasureDecision, ErasureKeyword, RequestedErasure, VolunteerAccess};
use crate::model::{
    ErasureReport, RecoveryCodes, RetentionCounts, RetentionSettings, RiskWords, SecuritySettings,
    TotpEnrolment, TwoFactorStatus,
};
#[cfg(feature = "ssr")]
use crate::ports::{accept_language, actor, backend};
use leptos::server_fn::codec::Json;

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

/// Every other session of the person ends; `revoke_tokens` revokes their API tokens too.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current: String,
    new: String,
    #[server(default)] revoke_tokens: bool,
) -> Result<(), AppError> {
    backend()?
        .change_password(&actor()?, current, new, revoke_tokens)
        .await
}

/// The person's interface language by its code ("es"), or empty to follow their browser.
#[server(endpoint = "account/language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    let language = (!language.trim().is_empty()).then_some(language);
    backend()?.set_language(&actor()?, language).await
}

/// The organisation's default interface language's code, if an admin chose one.
#[server(endpoint = "settings/language")]
pub async fn get_default_language() -> Result<Option<String>, AppError> {
    backend()?.default_language(&actor()?).await
}

/// Empty: no default, so English for anyone whose browser asks for no language on offer.
#[server(endpoint = "settings/language/save")]
pub async fn save_default_language(language: String) -> Result<(), AppError> {
    let language = (!language.trim().is_empty()).then_some(language);
    backend()?.set_default_language(&actor()?, language).await
}

#[server(endpoint = "account/totp")]
pub async fn get_two_factor() -> Result<TwoFactorStatus, AppError> {
    backend()?.two_factor_status(&actor()?).await
}

#[server(endpoint = "account/totp/start")]
pub async fn start_totp() -> Result<TotpEnrolment, AppError> {
    backend()?.start_totp(&actor()?).await
}

#[server(endpoint = "account/totp/confirm")]
pub async fn confirm_totp(code: String) -> Result<RecoveryCodes, AppError> {
    backend()?.confirm_totp(&actor()?, code).await
}

#[server(endpoint = "account/totp/disable")]
pub async fn disable_totp(code: String) -> Result<(), AppError> {
    backend()?.disable_totp(&actor()?, code).await
}

/// An admin removes someone's second factor (a lost phone); recorded in the audit log.
#[server(endpoint = "people/reset-totp")]
pub async fn reset_totp(id: i64) -> Result<(), AppError> {
    backend()?.reset_totp(&actor()?, id).await
}

#[server(endpoint = "settings/security")]
pub async fn get_security_settings() -> Result<SecuritySettings, AppError> {
    backend()?.security_settings(&actor()?).await
}

#[server(endpoint = "settings/security/save")]
pub async fn save_security_settings(
    settings: SecuritySettings,
) -> Result<SecuritySettings, AppError> {
    backend()?
        .update_security_settings(&actor()?, settings)
        .await
}

#[server(endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, AppError> {
    backend()?.list_tokens(&actor()?).await
}

/// `expires_in_days`: 0 (the default) for a token that lasts until revoked.
#[server(endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] expires_in_days: u32,
) -> Result<CreatedToken, AppError> {
    backend()?
        .create_token(
            &actor()?,
            name,
            (expires_in_days > 0).then_some(expires_in_days),
        )
        .await
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

#[server(endpoint = "webhook-events/reprocess")]
pub async fn reprocess_webhook_event(id: i64) -> Result<WebhookEvent, AppError> {
    backend()?.reprocess_webhook_event(&actor()?, id).await
}

/// Whether this instance lets channel credentials go to private addresses; for the warning on
/// the Channels page, so only for people who manage channels.
#[server(endpoint = "channels/private-urls-allowed")]
pub async fn private_provider_urls_allowed() -> Result<bool, AppError> {
    let backend = backend()?;
    actor()?.require(crate::model::Permission::ManageChannels)?;
    Ok(backend.private_provider_urls_allowed())
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
pub async fn list_conversations(query: ConversationQuery) -> Result<ConversationPage, AppError> {
    backend()?.list_conversations(&actor()?, query).await
}

#[server(endpoint = "conversations/get")]
pub async fn get_conversation(id: i64) -> Result<ConversationDetail, AppError> {
    backend()?.conversation(&actor()?, id).await
}

#[server(endpoint = "conversations/read")]
pub async fn mark_conversation_read(id: i64) -> Result<(), AppError> {
    backend()?.mark_conversation_read(&actor()?, id).await
}

/// `buttons` is absent when the reply form is posted before the page is interactive.
#[server(endpoint = "conversations/reply")]
pub async fn send_reply(
    conversation_id: i64,
    body: String,
    buttons: Option<Vec<String>>,
) -> Result<(), AppError> {
    backend()?
        .send_reply(
            &actor()?,
            conversation_id,
            body,
            buttons.unwrap_or_default(),
        )
        .await
}

#[server(endpoint = "conversations/filters")]
pub async fn list_inbox_filters() -> Result<InboxFilters, AppError> {
    backend()?.inbox_filters(&actor()?).await
}

#[server(endpoint = "canned-responses/list")]
pub async fn list_canned_responses() -> Result<Vec<CannedResponse>, AppError> {
    backend()?.list_canned_responses(&actor()?).await
}

#[server(endpoint = "canned-responses/create")]
pub async fn create_canned_response(
    shortcut: String,
    body: String,
) -> Result<CannedResponse, AppError> {
    backend()?
        .create_canned_response(&actor()?, CannedResponseInput { shortcut, body })
        .await
}

#[server(endpoint = "canned-responses/delete")]
pub async fn delete_canned_response(id: i64) -> Result<(), AppError> {
    backend()?.delete_canned_response(&actor()?, id).await
}

#[server(endpoint = "templates/list")]
pub async fn list_templates(channel_id: Option<i64>) -> Result<Vec<Template>, AppError> {
    backend()?.list_templates(&actor()?, channel_id).await
}

#[server(endpoint = "templates/create", input = Json)]
pub async fn create_template(input: TemplateInput) -> Result<Template, AppError> {
    backend()?.create_template(&actor()?, input).await
}

#[server(endpoint = "templates/version", input = Json)]
pub async fn new_template_version(
    id: i64,
    category: TemplateCategory,
    content: TemplateContent,
) -> Result<Template, AppError> {
    backend()?
        .new_template_version(&actor()?, id, category, content)
        .await
}

#[server(endpoint = "templates/submit")]
pub async fn submit_template(id: i64) -> Result<Template, AppError> {
    backend()?.submit_template(&actor()?, id).await
}

#[server(endpoint = "templates/sync")]
pub async fn sync_templates(channel_id: i64) -> Result<TemplateSync, AppError> {
    backend()?.sync_templates(&actor()?, channel_id).await
}

#[server(endpoint = "templates/register-twilio")]
pub async fn register_twilio_template(input: TwilioTemplateInput) -> Result<Template, AppError> {
    backend()?.register_twilio_template(&actor()?, input).await
}

#[server(endpoint = "templates/delete")]
pub async fn delete_template(id: i64) -> Result<(), AppError> {
    backend()?.delete_template(&actor()?, id).await
}

#[server(endpoint = "conversations/send-template", input = Json)]
pub async fn send_template(conversation_id: i64, send: TemplateSend) -> Result<(), AppError> {
    backend()?
        .send_template(&actor()?, conversation_id, send)
        .await
}

#[server(endpoint = "messages/retry")]
pub async fn retry_message(message_id: i64) -> Result<(), AppError> {
    backend()?.retry_message(&actor()?, message_id).await
}

#[server(endpoint = "conversations/take")]
pub async fn take_conversation(id: i64) -> Result<(), AppError> {
    backend()?.take_conversation(&actor()?, id).await
}

/// Assigns to a person; an empty `assignee_id` unassigns.
#[server(endpoint = "conversations/assign")]
pub async fn assign_conversation(id: i64, assignee_id: Option<i64>) -> Result<(), AppError> {
    backend()?
        .assign_conversation(&actor()?, id, assignee_id)
        .await
}

/// `snoozed_until` (RFC 3339) goes with `snoozed` only.
#[server(endpoint = "conversations/status")]
pub async fn set_conversation_status(
    id: i64,
    status: ConversationStatus,
    snoozed_until: Option<String>,
) -> Result<(), AppError> {
    let change = StatusChange {
        status,
        snoozed_until,
    };
    backend()?
        .set_conversation_status(&actor()?, id, change)
        .await
}

#[server(endpoint = "conversations/tag")]
pub async fn tag_conversation(id: i64, tag_id: i64, tagged: bool) -> Result<(), AppError> {
    backend()?
        .tag_conversation(&actor()?, id, tag_id, tagged)
        .await
}

#[server(endpoint = "conversations/note")]
pub async fn add_conversation_note(id: i64, body: String) -> Result<Note, AppError> {
    backend()?.add_conversation_note(&actor()?, id, body).await
}

#[server(endpoint = "conversations/presence")]
pub async fn announce_presence(conversation_id: i64, typing: bool) -> Result<(), AppError> {
    backend()?
        .announce_presence(&actor()?, conversation_id, typing)
        .await
}

#[server(endpoint = "contacts/get")]
pub async fn get_contact(id: i64) -> Result<ContactDetail, AppError> {
    backend()?.contact(&actor()?, id).await
}

#[server(endpoint = "contacts/erase")]
pub async fn erase_contact(contact_id: i64, confirm: String) -> Result<ErasureReport, AppError> {
    backend()?
        .erase_contact(&actor()?, contact_id, confirm)
        .await
}

#[server(endpoint = "contacts/note")]
pub async fn add_contact_note(contact_id: i64, body: String) -> Result<Note, AppError> {
    backend()?
        .add_contact_note(&actor()?, contact_id, body)
        .await
}

#[server(endpoint = "tags/list")]
pub async fn list_tags() -> Result<Vec<Tag>, AppError> {
    backend()?.list_tags(&actor()?).await
}

#[server(endpoint = "tags/create")]
pub async fn create_tag(name: String, colour: String) -> Result<Tag, AppError> {
    backend()?
        .create_tag(&actor()?, TagInput { name, colour })
        .await
}

#[server(endpoint = "tags/delete")]
pub async fn delete_tag(id: i64) -> Result<(), AppError> {
    backend()?.delete_tag(&actor()?, id).await
}

#[server(endpoint = "search")]
pub async fn search(query: String) -> Result<Vec<SearchHit>, AppError> {
    backend()?.search(&actor()?, query).await
}

#[server(endpoint = "mentions")]
pub async fn list_mentions() -> Result<Vec<Mention>, AppError> {
    backend()?.mentions(&actor()?).await
}

#[server(endpoint = "settings/retention")]
pub async fn get_retention_settings() -> Result<RetentionSettings, AppError> {
    backend()?.retention_settings(&actor()?).await
}

#[server(endpoint = "settings/retention/save")]
pub async fn save_retention_settings(
    settings: RetentionSettings,
) -> Result<RetentionSettings, AppError> {
    backend()?
        .update_retention_settings(&actor()?, settings)
        .await
}

#[server(endpoint = "settings/retention/preview")]
pub async fn get_retention_preview() -> Result<RetentionCounts, AppError> {
    backend()?.retention_preview(&actor()?).await
}

#[server(endpoint = "settings/risk-words")]
pub async fn get_risk_words() -> Result<RiskWords, AppError> {
    backend()?.risk_words(&actor()?).await
}

/// `words`: one word or phrase per line, as typed.
#[server(endpoint = "settings/risk-words/save")]
pub async fn save_risk_words(words: String) -> Result<RiskWords, AppError> {
    let words = words.lines().map(str::to_owned).collect();
    backend()?
        .update_risk_words(&actor()?, RiskWords { words })
        .await
}

/// Flags a conversation urgent (`urgent`), or clears the flag with a reason.
#[server(endpoint = "conversations/urgent")]
pub async fn set_urgent(
    id: i64,
    urgent: bool,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let change = UrgentChange {
        urgent,
        reason: Some(reason),
    };
    backend()?.set_urgent(&actor()?, id, change).await
}

#[server(endpoint = "settings/wellbeing")]
pub async fn get_wellbeing_settings() -> Result<crate::model::WellbeingSettings, AppError> {
    backend()?.wellbeing_settings(&actor()?).await
}

#[server(endpoint = "settings/wellbeing/save")]
pub async fn save_wellbeing_settings(
    settings: crate::model::WellbeingSettings,
) -> Result<crate::model::WellbeingSettings, AppError> {
    backend()?
        .update_wellbeing_settings(&actor()?, settings)
        .await
}

/// The heartbeat of a page with a conversation open and in view.
#[server(endpoint = "me/activity")]
pub async fn record_activity() -> Result<crate::model::MyWellbeing, AppError> {
    backend()?.record_activity(&actor()?).await
}

#[server(endpoint = "me/wellbeing")]
pub async fn get_my_wellbeing() -> Result<crate::model::MyWellbeing, AppError> {
    backend()?.my_wellbeing(&actor()?).await
}

#[server(endpoint = "wellbeing")]
pub async fn get_wellbeing_overview() -> Result<crate::model::WellbeingOverview, AppError> {
    backend()?.wellbeing_overview(&actor()?).await
}

#[server(endpoint = "settings/erasure-keyword")]
pub async fn get_erasure_keyword() -> Result<ErasureKeyword, AppError> {
    backend()?.erasure_keyword(&actor()?).await
}

#[server(endpoint = "settings/erasure-keyword/save")]
pub async fn save_erasure_keyword(keyword: String) -> Result<ErasureKeyword, AppError> {
    backend()?
        .update_erasure_keyword(&actor()?, ErasureKeyword { keyword })
        .await
}

#[server(endpoint = "settings/volunteer-access")]
pub async fn get_volunteer_access() -> Result<VolunteerAccess, AppError> {
    backend()?.volunteer_access(&actor()?).await
}

/// `days` as typed: empty keeps volunteers' access; anything but a whole number is sent on
/// as 0, which the server refuses with the reason.
#[server(endpoint = "settings/volunteer-access/save")]
pub async fn save_volunteer_access(days: String) -> Result<VolunteerAccess, AppError> {
    let days = days.trim();
    let days_after_resolution = (!days.is_empty()).then(|| days.parse().unwrap_or(0));
    backend()?
        .update_volunteer_access(
            &actor()?,
            VolunteerAccess {
                days_after_resolution,
            },
        )
        .await
}

#[server(endpoint = "erasure-requests")]
pub async fn list_erasure_requests() -> Result<Vec<RequestedErasure>, AppError> {
    backend()?.erasure_requests(&actor()?).await
}

#[server(endpoint = "erasure-requests/confirm")]
pub async fn confirm_erasure_request(id: i64) -> Result<ErasureDecision, AppError> {
    backend()?.confirm_erasure_request(&actor()?, id).await
}

#[server(endpoint = "erasure-requests/decline")]
pub async fn decline_erasure_request(id: i64, reason: String) -> Result<ErasureDecision, AppError> {
    backend()?
        .decline_erasure_request(&actor()?, id, reason)
        .await
}

#[server(endpoint = "settings/inbox")]
pub async fn get_inbox_settings() -> Result<InboxSettings, AppError> {
    backend()?.inbox_settings(&actor()?).await
}

#[server(endpoint = "settings/inbox/update")]
pub async fn save_inbox_settings(settings: InboxSettings) -> Result<InboxSettings, AppError> {
    backend()?.update_inbox_settings(&actor()?, settings).await
}

#[server(endpoint = "me/available")]
pub async fn my_availability() -> Result<bool, AppError> {
    backend()?.is_available(&actor()?).await
}

#[server(endpoint = "me/available/set")]
pub async fn set_my_availability(available: bool) -> Result<(), AppError> {
    backend()?.set_available(&actor()?, available).await
}

#[server(endpoint = "audit/list", input = Json)]
pub async fn list_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    backend()?.audit_log(&actor()?, query).await
}

/// Anyone may ask: it only says whether the installation has no one yet.
#[server(endpoint = "first-run")]
pub async fn first_run_pending() -> Result<bool, AppError> {
    backend()?.first_run_pending().await
}

/// Needs no sign-in: the one-time setup link's token is the proof.
#[server(endpoint = "first-run/admin")]
pub async fn create_first_admin(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    backend()?
        .create_first_admin(token, email, name, password)
        .await
}

#[server(endpoint = "supervision/board")]
pub async fn get_supervision_board() -> Result<crate::model::SupervisionBoard, AppError> {
    backend()?.supervision_board(&actor()?).await
}

/// Approves a trainee's reply; `body`, when given, is the text sent instead.
#[server(endpoint = "messages/approve")]
pub async fn approve_reply(message_id: i64, body: Option<String>) -> Result<(), AppError> {
    backend()?
        .approve_message(&actor()?, message_id, crate::model::Approval { body })
        .await
}

#[server(endpoint = "messages/reject")]
pub async fn reject_reply(message_id: i64, note: String) -> Result<(), AppError> {
    backend()?
        .reject_message(&actor()?, message_id, crate::model::Rejection { note })
        .await
}

#[server(endpoint = "conversations/join")]
pub async fn join_conversation(id: i64) -> Result<(), AppError> {
    backend()?.join_conversation(&actor()?, id).await
}

#[server(endpoint = "conversations/take-over")]
pub async fn take_over_conversation(id: i64) -> Result<(), AppError> {
    backend()?.take_over_conversation(&actor()?, id).await
}

#[server(endpoint = "reports")]
pub async fn get_report(query: ReportQuery) -> Result<Report, AppError> {
    backend()?.report(&actor()?, query).await
}

#[server(endpoint = "settings/business-hours")]
pub async fn get_business_hours() -> Result<BusinessHoursForm, AppError> {
    backend()?.business_hours(&actor()?).await
}

#[server(endpoint = "settings/business-hours/save")]
pub async fn save_business_hours(form: BusinessHoursForm) -> Result<BusinessHoursForm, AppError> {
    backend()?.save_business_hours(&actor()?, form).await
}

#[server(endpoint = "reports/csat")]
pub async fn get_csat_report(query: ReportQuery) -> Result<CsatReport, AppError> {
    backend()?.csat_report(&actor()?, query).await
}

#[server(endpoint = "settings/satisfaction")]
pub async fn get_satisfaction_settings() -> Result<SatisfactionSettings, AppError> {
    backend()?.satisfaction_settings(&actor()?).await
}

#[server(endpoint = "settings/satisfaction/save")]
pub async fn save_satisfaction_settings(
    settings: SatisfactionSettings,
) -> Result<SatisfactionSettings, AppError> {
    backend()?
        .save_satisfaction_settings(&actor()?, settings)
        .await
}

#[server(endpoint = "settings/translation")]
pub async fn get_translation_settings() -> Result<crate::model::TranslationSettings, AppError> {
    backend()?.translation_settings(&actor()?).await
}

#[server(endpoint = "settings/translation/save")]
pub async fn save_translation_settings(
    input: crate::model::TranslationSettingsInput,
) -> Result<crate::model::TranslationSettings, AppError> {
    backend()?.save_translation_settings(&actor()?, input).await
}

/// The message in the language the browser prefers.
#[server(endpoint = "messages/translate")]
pub async fn translate_message(
    message_id: i64,
) -> Result<crate::model::MessageTranslation, AppError> {
    backend()?
        .translate_message(&actor()?, message_id, accept_language())
        .await
}

/// The reply being written, in `target` or else the contact's language.
#[server(endpoint = "conversations/translate-draft")]
pub async fn translate_draft(
    conversation_id: i64,
    text: String,
    target: Option<String>,
) -> Result<crate::model::DraftTranslation, AppError> {
    backend()?
        .translate_draft(&actor()?, conversation_id, text, target)
        .await
}

/// Sends `text` (a translation into `language`); the thread keeps `original_text` beside it.
#[server(endpoint = "conversations/reply-translated")]
pub async fn send_translated_reply(
    conversation_id: i64,
    text: String,
    original_text: String,
    language: String,
) -> Result<(), AppError> {
    backend()?
        .send_translated_reply(&actor()?, conversation_id, text, original_text, language)
        .await
}

#[server(endpoint = "reports/costs")]
pub async fn get_cost_report(query: CostQuery) -> Result<CostReport, AppError> {
    backend()?.cost_report(&actor()?, query).await
}

#[server(endpoint = "settings/costs")]
pub async fn get_cost_settings() -> Result<CostSettings, AppError> {
    backend()?.cost_settings(&actor()?).await
}

/// `price`: dollars per segment, as typed.
#[server(endpoint = "settings/costs/sms-price")]
pub async fn save_sms_price(price: String) -> Result<CostSettings, AppError> {
    backend()?.set_sms_segment_price(&actor()?, price).await
}

/// `monthly`: dollars as typed; empty removes the budget.
#[server(endpoint = "settings/costs/budget")]
pub async fn save_budget(channel_id: i64, monthly: String) -> Result<CostSettings, AppError> {
    let monthly = Some(monthly).filter(|amount| !amount.trim().is_empty());
    backend()?
        .set_channel_budget(&actor()?, channel_id, monthly)
        .await
}

/// `csv`: the table's text, pasted or read from the chosen file by the page.
#[server(endpoint = "settings/costs/rate-card")]
pub async fn load_rate_card(effective_from: String, csv: String) -> Result<CostSettings, AppError> {
    backend()?
        .load_rate_card(
            &actor()?,
            RateCardInput {
                effective_from,
                csv,
            },
        )
        .await
}

#[server(endpoint = "costs/alerts")]
pub async fn get_budget_alerts() -> Result<Vec<BudgetAlert>, AppError> {
    backend()?.budget_alerts(&actor()?).await
}

#[server(endpoint = "costs/alerts/dismiss")]
pub async fn dismiss_budget_alert(channel_id: i64, month: String) -> Result<(), AppError> {
    backend()?
        .dismiss_budget_alert(&actor()?, channel_id, month)
        .await
}
