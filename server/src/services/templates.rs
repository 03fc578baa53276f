//! Message templates: admins write WhatsApp templates and submit them to Meta for review
//! (status webhooks and a sync keep their status), register Twilio Content templates by
//! ContentSid, and make a new version instead of editing one that was submitted. Everyone
//! answering sends approved templates, also outside the 24-hour window.

use app::error::AppError;
use app::model::{
    ChannelKind, Permission, Template, TemplateCategory, TemplateContent, TemplateInput,
    TemplateSend, TemplateValues, TwilioTemplateInput,
};
use app::ports::Actor;
use channels::phone::E164;
use channels::templates::{self as wire, TemplateDefinition};
use serde::{Deserialize, Serialize};

use super::channels::ConnectedChannel;
use super::{Services, rfc3339};
use crate::domain::templates::{
    check_content, check_language, check_name, check_twilio_template, check_values, version_name,
};
use crate::store::{NewTemplate, OutboundReply, TemplateRow};

/// What a queued template message carries to the delivery worker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct QueuedTemplate {
    pub template_id: i64,
    pub name: String,
    pub language: String,
    pub content_sid: Option<String>,
    pub values: TemplateValues,
}

fn unprocessable(error: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(error.to_string())
}

pub(crate) fn template_of(row: TemplateRow) -> Template {
    let content = serde_json::from_str(&row.components).unwrap_or_else(|error| {
        tracing::warn!(template = row.id, %error, "stored template content does not decode");
        TemplateContent::default()
    });
    Template {
        id: row.id,
        channel_id: row.channel_id,
        channel_name: row.channel_name,
        channel_kind: ChannelKind::parse(&row.channel_kind).unwrap_or(ChannelKind::WhatsApp),
        name: row.name,
        language: row.language,
        category: TemplateCategory::parse(&row.category),
        status: row.status,
        rejection_reason: row.rejection_reason,
        content,
        content_sid: row.content_sid,
        family: row.family,
        version: row.version,
        updated_at: rfc3339(row.updated_at),
    }
}

fn definition_of(template: &Template) -> Result<TemplateDefinition, AppError> {
    let content = &template.content;
    let buttons = content
        .buttons
        .iter()
        .map(|button| {
            Ok(match button {
                app::model::TemplateButton::QuickReply { text } => {
                    wire::TemplateButton::QuickReply { text: text.clone() }
                }
                app::model::TemplateButton::Url { text, url } => wire::TemplateButton::Url {
                    text: text.clone(),
                    url: url.clone(),
                },
                app::model::TemplateButton::PhoneNumber { text, phone_number } => {
                    wire::TemplateButton::PhoneNumber {
                        text: text.clone(),
                        phone_number: E164::parse(phone_number).map_err(unprocessable)?,
                    }
                }
            })
        })
        .collect::<Result<_, AppError>>()?;
    let category = match template.category.unwrap_or(TemplateCategory::Utility) {
        TemplateCategory::Marketing => wire::TemplateCategory::Marketing,
        TemplateCategory::Utility => wire::TemplateCategory::Utility,
        TemplateCategory::Authentication => wire::TemplateCategory::Authentication,
    };
    Ok(TemplateDefinition {
        name: template.name.clone(),
        language: template.language.clone(),
        category,
        header: content.header.clone(),
        header_sample: content.header_sample.clone(),
        body: content.body.clone(),
        body_samples: content.body_samples.clone(),
        footer: content.footer.clone(),
        buttons,
    })
}

/// Trims what an admin typed and drops empty optional parts.
fn tidy(mut content: TemplateContent) -> TemplateContent {
    let optional =
        |text: Option<String>| text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    content.header = optional(content.header);
    content.header_sample = optional(content.header_sample);
    content.footer = optional(content.footer);
    content.body = content.body.trim().to_string();
    content.body_samples = content
        .body_samples
        .into_iter()
        .map(|sample| sample.trim().to_string())
        .collect();
    if content.header_variables() == 0 {
        content.header_sample = None;
    }
    content
}

impl Services {
    /// Admins see every template; people answering see those they can send.
    pub async fn list_templates(
        &self,
        actor: &Actor,
        channel_id: Option<i64>,
    ) -> Result<Vec<Template>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let status = (!actor.role.can(Permission::ManageTemplates)).then_some("approved");
        Ok(self
            .store
            .list_templates(channel_id, status)
            .await?
            .into_iter()
            .map(template_of)
            .collect())
    }

    async fn find_template(&self, id: i64) -> Result<Option<Template>, AppError> {
        Ok(self.store.template(id).await?.map(template_of))
    }

    async fn managed_template(&self, actor: &Actor, id: i64) -> Result<Template, AppError> {
        actor.require(Permission::ManageTemplates)?;
        self.find_template(id)
            .await?
            .ok_or_else(|| AppError::not_found("Template"))
    }

    /// A WhatsApp channel and its Business Account id, which Meta keeps templates under.
    async fn whatsapp_account(
        &self,
        channel_id: i64,
    ) -> Result<(ConnectedChannel, String), AppError> {
        let channel = self.connected_channel(channel_id).await?;
        if channel.config.kind != ChannelKind::WhatsApp {
            return Err(AppError::unprocessable(
                "WhatsApp templates belong to a WhatsApp channel; for Twilio, register a Content template.",
            ));
        }
        let waba_id = channel.config.settings.waba_id.clone().ok_or_else(|| {
            AppError::unprocessable("The channel has no WhatsApp Business Account id.")
        })?;
        Ok((channel, waba_id))
    }

    /// Saves a WhatsApp template and submits it to Meta. If Meta cannot be reached or refuses
    /// it, the template stays a draft with the reason, to submit again.
    pub async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<Template, AppError> {
        actor.require(Permission::ManageTemplates)?;
        let name = input.name.trim();
        let language = input.language.trim();
        check_name(name).map_err(unprocessable)?;
        check_language(language).map_err(unprocessable)?;
        self.add_template_version(
            actor,
            input.channel_id,
            name,
            language,
            1,
            input.category,
            input.content,
        )
        .await
    }

    /// A changed template is a new one at Meta: `<family>_v<n>`, submitted for review, while
    /// the earlier version stays as it was.
    pub async fn new_template_version(
        &self,
        actor: &Actor,
        id: i64,
        category: TemplateCategory,
        content: TemplateContent,
    ) -> Result<Template, AppError> {
        let earlier = self.managed_template(actor, id).await?;
        if earlier.content_sid.is_some() {
            return Err(AppError::unprocessable(
                "Twilio Content templates are changed in Twilio's Content Template Builder; register the new ContentSid.",
            ));
        }
        let version = self
            .store
            .latest_template_version(earlier.channel_id, &earlier.family, &earlier.language)
            .await?
            + 1;
        let name = version_name(&earlier.family, version);
        let template = self
            .add_template_version(
                actor,
                earlier.channel_id,
                &name,
                &earlier.language,
                version,
                category,
                content,
            )
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "template.new_version",
                &format!("template:{}", earlier.id),
                serde_json::json!({ "new_template_id": template.id, "name": name }),
            )
            .await?;
        Ok(template)
    }

    #[allow(clippy::too_many_arguments)]
    async fn add_template_version(
        &self,
        actor: &Actor,
        channel_id: i64,
        name: &str,
        language: &str,
        version: i64,
        category: TemplateCategory,
        content: TemplateContent,
    ) -> Result<Template, AppError> {
        self.whatsapp_account(channel_id).await?;
        let content = tidy(content);
        check_content(&content).map_err(unprocessable)?;
        let family = match version {
            1 => name.to_string(),
            _ => name
                .rsplit_once("_v")
                .map_or(name, |(family, _)| family)
                .to_string(),
        };
        let components = serde_json::to_string(&content).map_err(|_| AppError::internal())?;
        let id = self
            .store
            .create_template(NewTemplate {
                channel_id,
                name,
                language,
                category: category.as_str(),
                status: "draft",
                components: &components,
                content_sid: None,
                family: &family,
                version,
                created_by: Some(actor.id),
            })
            .await?;
        self.submit(id).await
    }

    /// Submits a draft again, for example after Meta could not be reached.
    pub async fn submit_template(&self, actor: &Actor, id: i64) -> Result<Template, AppError> {
        let template = self.managed_template(actor, id).await?;
        if template.status != "draft" {
            return Err(AppError::conflict(
                "Only a draft is submitted; for a change, make a new version.",
            ));
        }
        self.submit(id).await
    }

    async fn submit(&self, id: i64) -> Result<Template, AppError> {
        let template = self
            .find_template(id)
            .await?
            .ok_or_else(|| AppError::not_found("Template"))?;
        let (channel, waba_id) = self.whatsapp_account(template.channel_id).await?;
        let request = wire::whatsapp_create_template(&waba_id, &definition_of(&template)?);
        let outcome = match self.call_provider(&channel.config, request).await {
            Ok(answer) => {
                wire::whatsapp_created_template(answer.status, &answer.body).map_err(|error| {
                    let detail = error.detail.map(|d| format!(": {d}")).unwrap_or_default();
                    format!(
                        "Meta refused it ({} {}){detail}",
                        error.code,
                        error.title.unwrap_or_default()
                    )
                })
            }
            Err(error) => Err(format!("Meta could not be reached: {error}")),
        };
        match outcome {
            Ok(created) => {
                self.store
                    .template_submitted(id, &created.id, &created.status.to_lowercase())
                    .await?
            }
            Err(reason) => {
                tracing::info!(template = id, %reason, "template not submitted");
                self.store.template_not_submitted(id, &reason).await?
            }
        }
        self.find_template(id).await?.ok_or_else(AppError::internal)
    }

    /// Reads every template of the channel's WhatsApp Business Account from Meta and updates
    /// the status of those Switchboard knows; returns how many changed.
    pub async fn sync_templates(&self, actor: &Actor, channel_id: i64) -> Result<u64, AppError> {
        actor.require(Permission::ManageTemplates)?;
        let (channel, waba_id) = self.whatsapp_account(channel_id).await?;
        let mut after: Option<String> = None;
        let mut changed = 0;
        loop {
            let path = wire::whatsapp_list_templates_path(&waba_id, after.as_deref());
            let answer = self
                .get_from_provider(&channel.config, &path)
                .await
                .map_err(|error| {
                    AppError::provider_unavailable(format!("Meta could not be reached: {error}"))
                })?;
            let page =
                wire::whatsapp_template_list(answer.status, &answer.body).map_err(|error| {
                    AppError::provider_unavailable(format!(
                        "Meta did not list the templates ({} {})",
                        error.code,
                        error.title.unwrap_or_default()
                    ))
                })?;
            for listed in &page.templates {
                if self
                    .store
                    .sync_template_status(
                        channel_id,
                        &listed.id,
                        &listed.name,
                        &listed.language,
                        &listed.status.to_lowercase(),
                        listed.rejected_reason.as_deref(),
                    )
                    .await?
                {
                    changed += 1;
                }
            }
            match page.next_after {
                Some(next) if !page.templates.is_empty() => after = Some(next),
                _ => break,
            }
        }
        Ok(changed)
    }

    /// Registers a Twilio Content template, created and approved in Twilio's console.
    pub async fn register_twilio_template(
        &self,
        actor: &Actor,
        input: TwilioTemplateInput,
    ) -> Result<Template, AppError> {
        actor.require(Permission::ManageTemplates)?;
        let channel = self.connected_channel(input.channel_id).await?;
        if channel.config.kind != ChannelKind::Twilio {
            return Err(AppError::unprocessable(
                "A Twilio Content template belongs to a Twilio channel.",
            ));
        }
        let name = input.name.trim();
        let content_sid = input.content_sid.trim();
        let body = input.body.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::unprocessable(
                "Give the template a name of 1 to 200 characters.",
            ));
        }
        check_language(input.language.trim()).map_err(unprocessable)?;
        check_twilio_template(content_sid, body).map_err(unprocessable)?;
        let content = TemplateContent {
            body: body.to_string(),
            ..TemplateContent::default()
        };
        let components = serde_json::to_string(&content).map_err(|_| AppError::internal())?;
        let id = self
            .store
            .create_template(NewTemplate {
                channel_id: input.channel_id,
                name,
                language: input.language.trim(),
                category: TemplateCategory::Utility.as_str(),
                status: "approved",
                components: &components,
                content_sid: Some(content_sid),
                family: name,
                version: 1,
                created_by: Some(actor.id),
            })
            .await?;
        self.find_template(id).await?.ok_or_else(AppError::internal)
    }

    /// Deletes a template Meta has never seen.
    pub async fn delete_template(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let template = self.managed_template(actor, id).await?;
        let registered_twilio = template.content_sid.is_some();
        if registered_twilio {
            self.store.delete_registered_template(id).await?;
            return Ok(());
        }
        if !self.store.delete_draft_template(id).await? {
            return Err(AppError::conflict(
                "A template submitted to Meta stays on record; delete it in WhatsApp Manager if it must go.",
            ));
        }
        Ok(())
    }

    /// Queues an approved template in a conversation: allowed outside the 24-hour window,
    /// never to someone who opted out.
    pub async fn send_template(
        &self,
        actor: &Actor,
        conversation_id: i64,
        send: TemplateSend,
    ) -> Result<(), AppError> {
        actor.require(Permission::AnswerConversations)?;
        let conversation = self.visible_conversation(actor, conversation_id).await?;
        if let Some(refusal) = self.template_refusal(actor, &conversation).await? {
            return Err(AppError::unprocessable(refusal));
        }
        let template = self
            .find_template(send.template_id)
            .await?
            .filter(|template| template.channel_id == conversation.channel_id)
            .ok_or_else(|| AppError::not_found("Template"))?;
        if !template.sendable() {
            return Err(AppError::unprocessable(format!(
                "This template is {}: only an approved template can be sent.",
                template.status
            )));
        }
        let values = TemplateValues {
            header: trimmed(send.values.header),
            body: trimmed(send.values.body),
        };
        check_values(&template.content, &values).map_err(unprocessable)?;
        let body = template.content.preview(&values);
        let content = serde_json::to_string(&QueuedTemplate {
            template_id: template.id,
            name: template.name,
            language: template.language,
            content_sid: template.content_sid,
            values,
        })
        .map_err(|_| AppError::internal())?;
        self.queue_reply(
            actor,
            &conversation,
            OutboundReply {
                kind: "template",
                body: &body,
                content: &content,
                file: None,
            },
        )
        .await
    }
}

fn trimmed(values: Vec<String>) -> Vec<String> {
    values.into_iter().map(|v| v.trim().to_string()).collect()
}
