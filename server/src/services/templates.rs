//! Message templates: admins write WhatsApp templates and submit them to Meta for review
//! (status webhooks and a sync keep their status), register Twilio Content templates by
//! ContentSid, and make a new version instead of editing one that was submitted. Everyone
//! answering sends approved templates, also outside the 24-hour window.

use app::error::AppError;
use app::model::{
    ChannelKind, HeaderMedia, MediaSample, Permission, Template, TemplateButton, TemplateCategory,
    TemplateContent, TemplateInput, TemplateSend, TemplateSync, TemplateValues,
    TwilioTemplateInput, variables,
};
use app::ports::Actor;
use channels::phone::E164;
use channels::templates::{
    self as wire, HeaderFormat, ListedContent, ListedHeader, ListedTemplate, TemplateDefinition,
    TemplateHeader,
};
use serde::{Deserialize, Serialize};

use super::channels::ConnectedChannel;
use super::outgoing_media::Upload;
use super::{Services, rfc3339};
use crate::auth::tokens::random_secret;
use crate::domain::templates::{
    check_content, check_header_file, check_language, check_name, check_twilio_template,
    check_values, version_name,
};
use crate::store::{NewTemplate, OutboundReply, TemplateRow};

/// What a queued template message carries to the delivery worker. A media header's file is
/// the message's file.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct QueuedTemplate {
    pub template_id: i64,
    pub name: String,
    pub language: String,
    pub content_sid: Option<String>,
    pub values: TemplateValues,
    #[serde(default)]
    pub buttons: Vec<QueuedButton>,
}

/// A value for one of the template's buttons, at its position among them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum QueuedButton {
    QuickReply { index: usize, payload: String },
    Url { index: usize, suffix: String },
}

/// Every quick reply gets its own text as the payload, so a tap reads as what the contact
/// chose; each link with a variable gets the next of the values given for them.
fn button_values(buttons: &[TemplateButton], url_values: &[String]) -> Vec<QueuedButton> {
    let mut suffixes = url_values.iter();
    buttons
        .iter()
        .enumerate()
        .filter_map(|(index, button)| match button {
            TemplateButton::QuickReply { text } => Some(QueuedButton::QuickReply {
                index,
                payload: text.clone(),
            }),
            _ if button.has_url_variable() => suffixes.next().map(|suffix| QueuedButton::Url {
                index,
                suffix: suffix.clone(),
            }),
            _ => None,
        })
        .collect()
}

fn header_format(media: HeaderMedia) -> HeaderFormat {
    match media {
        HeaderMedia::Image => HeaderFormat::Image,
        HeaderMedia::Video => HeaderFormat::Video,
        HeaderMedia::Document => HeaderFormat::Document,
    }
}

/// A template found at Meta, in Switchboard's shape.
fn imported_content(listed: ListedContent) -> TemplateContent {
    let (header, header_sample, header_media) = match listed.header {
        Some(ListedHeader::Text { text, sample }) => (Some(text), sample, None),
        Some(ListedHeader::Media(format)) => (
            None,
            None,
            Some(match format {
                HeaderFormat::Image => HeaderMedia::Image,
                HeaderFormat::Video => HeaderMedia::Video,
                HeaderFormat::Document => HeaderMedia::Document,
            }),
        ),
        None => (None, None, None),
    };
    let buttons = listed
        .buttons
        .into_iter()
        .map(|button| match button {
            wire::TemplateButton::QuickReply { text } => TemplateButton::QuickReply { text },
            wire::TemplateButton::Url { text, url, example } => {
                TemplateButton::Url { text, url, example }
            }
            wire::TemplateButton::PhoneNumber { text, phone_number } => {
                TemplateButton::PhoneNumber {
                    text,
                    phone_number: phone_number.to_string(),
                }
            }
        })
        .collect();
    TemplateContent {
        header,
        header_sample,
        header_media,
        header_media_sample: None,
        body: listed.body,
        body_samples: listed.body_samples,
        footer: listed.footer,
        buttons,
        unsupported: listed.unsupported,
    }
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

/// The template as Meta reviews it; `header_handle` is the uploaded sample of a media header.
fn definition_of(
    template: &Template,
    header_handle: Option<String>,
) -> Result<TemplateDefinition, AppError> {
    let content = &template.content;
    let buttons = content
        .buttons
        .iter()
        .map(|button| {
            Ok(match button {
                app::model::TemplateButton::QuickReply { text } => {
                    wire::TemplateButton::QuickReply { text: text.clone() }
                }
                app::model::TemplateButton::Url { text, url, example } => {
                    wire::TemplateButton::Url {
                        text: text.clone(),
                        url: url.clone(),
                        example: example.clone(),
                    }
                }
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
        header: match (content.header_media, header_handle) {
            (Some(media), Some(handle)) => Some(TemplateHeader::Media {
                format: header_format(media),
                handle,
            }),
            (Some(_), None) => return Err(AppError::internal()),
            (None, _) => content.header.clone().map(|text| TemplateHeader::Text {
                text,
                sample: content.header_sample.clone(),
            }),
        },
        body: content.body.clone(),
        body_samples: content.body_samples.clone(),
        footer: content.footer.clone(),
        buttons,
    })
}

fn optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Trims what an admin typed and drops empty optional parts. A media sample only ever comes
/// from an upload, so one given as input is dropped.
fn tidy(mut content: TemplateContent) -> TemplateContent {
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
    content.header_media_sample = None;
    content.unsupported.clear();
    for button in &mut content.buttons {
        if let TemplateButton::Url { url, example, .. } = button {
            *url = url.trim().to_string();
            *example = optional(example.take()).filter(|_| !variables(url).is_empty());
        }
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
    /// it, the template stays a draft with the reason, to submit again. A picture, video or
    /// document header comes with its `sample` file.
    pub async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
        sample: Option<Upload>,
    ) -> Result<Template, AppError> {
        actor.require(Permission::ManageTemplates)?;
        let name = input.name.trim();
        let language = input.language.trim();
        check_name(name).map_err(unprocessable)?;
        check_language(language).map_err(unprocessable)?;
        self.add_template_version(
            actor,
            NewVersion {
                channel_id: input.channel_id,
                name,
                language,
                version: 1,
                category: input.category,
                content: input.content,
            },
            sample,
            None,
        )
        .await
    }

    /// A changed template is a new one at Meta: `<family>_v<n>`, submitted for review, while
    /// the earlier version stays as it was. A media header keeps the earlier version's sample
    /// unless a new `sample` is given.
    pub async fn new_template_version(
        &self,
        actor: &Actor,
        id: i64,
        category: TemplateCategory,
        content: TemplateContent,
        sample: Option<Upload>,
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
        let inherited = earlier
            .content
            .header_media_sample
            .filter(|_| earlier.content.header_media == content.header_media);
        let template = self
            .add_template_version(
                actor,
                NewVersion {
                    channel_id: earlier.channel_id,
                    name: &name,
                    language: &earlier.language,
                    version,
                    category,
                    content,
                },
                sample,
                inherited,
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

    /// Saves a version and submits it. A media header's sample is the uploaded `sample`, or
    /// else the one `inherited` from the version it replaces.
    async fn add_template_version(
        &self,
        actor: &Actor,
        new: NewVersion<'_>,
        sample: Option<Upload>,
        inherited: Option<MediaSample>,
    ) -> Result<Template, AppError> {
        let (channel, _) = self.whatsapp_account(new.channel_id).await?;
        let mut content = tidy(new.content);
        match (content.header_media, sample) {
            (Some(_), sample) => {
                if channel.config.settings.app_id.is_none() {
                    return Err(AppError::unprocessable(
                        "Meta keeps the sample of a picture, video or document header under the Meta app: give the channel its Meta app ID on Channels first.",
                    ));
                }
                content.header_media_sample = match sample {
                    Some(upload) => {
                        let kept = self.keep_upload(upload).await?;
                        Some(MediaSample {
                            sha256: kept.sha256,
                            mime_type: kept.mime_type,
                            filename: kept.filename,
                        })
                    }
                    None => inherited,
                };
            }
            (None, Some(_)) => {
                return Err(AppError::unprocessable(
                    "Only a picture, video or document header takes a sample file.",
                ));
            }
            (None, None) => {}
        }
        check_content(&content).map_err(unprocessable)?;
        let family = match new.version {
            1 => new.name.to_string(),
            _ => new
                .name
                .rsplit_once("_v")
                .map_or(new.name, |(family, _)| family)
                .to_string(),
        };
        let components = serde_json::to_string(&content).map_err(|_| AppError::internal())?;
        let id = self
            .store
            .create_template(NewTemplate {
                channel_id: new.channel_id,
                name: new.name,
                language: new.language,
                category: new.category.as_str(),
                status: "draft",
                components: &components,
                content_sid: None,
                family: &family,
                version: new.version,
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
        let outcome = async {
            // Upload handles expire, so a media header's sample is uploaded at each submission.
            let handle = match (
                template.content.header_media,
                &template.content.header_media_sample,
            ) {
                (Some(_), Some(sample)) => Some(self.upload_sample(&channel, sample).await?),
                _ => None,
            };
            let definition = definition_of(&template, handle).map_err(|e| e.message)?;
            let request = wire::whatsapp_create_template(&waba_id, &definition);
            let answer = self
                .call_provider(&channel.config, request)
                .await
                .map_err(|error| format!("Meta could not be reached: {error}"))?;
            wire::whatsapp_created_template(answer.status, &answer.body)
                .map_err(|error| refusal("it", error))
        }
        .await;
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

    /// Uploads a media header's sample through Meta's Resumable Upload API under the
    /// channel's Meta app; returns the handle the template gives as its example.
    async fn upload_sample(
        &self,
        channel: &ConnectedChannel,
        sample: &MediaSample,
    ) -> Result<String, String> {
        let app_id = channel.config.settings.app_id.as_deref().ok_or(
            "The channel has no Meta app ID, which the sample file is uploaded under.".to_string(),
        )?;
        let bytes = self
            .kept_file(&sample.sha256)
            .await
            .map_err(|error| format!("The sample file is missing: {error}"))?;
        let unreachable = |error| format!("Meta could not be reached: {error}");
        let request = wire::whatsapp_upload_session(
            app_id,
            sample.filename.as_deref().unwrap_or("sample"),
            bytes.len(),
            &sample.mime_type,
        );
        let answer = self
            .call_provider(&channel.config, request)
            .await
            .map_err(unreachable)?;
        let session = wire::whatsapp_upload_session_id(answer.status, &answer.body)
            .map_err(|error| refusal("the sample file's upload", error))?;
        let answer = self
            .send_file_to_upload_session(
                &channel.config,
                wire::whatsapp_upload_file(&session),
                bytes,
            )
            .await
            .map_err(unreachable)?;
        wire::whatsapp_upload_handle(answer.status, &answer.body)
            .map_err(|error| refusal("the sample file", error))
    }

    /// Reads every template of the channel's WhatsApp Business Account from Meta, updates the
    /// status of those Switchboard knows and adds those it does not (made in WhatsApp
    /// Manager).
    pub async fn sync_templates(
        &self,
        actor: &Actor,
        channel_id: i64,
    ) -> Result<TemplateSync, AppError> {
        actor.require(Permission::ManageTemplates)?;
        let (channel, waba_id) = self.whatsapp_account(channel_id).await?;
        let mut after: Option<String> = None;
        let mut sync = TemplateSync::default();
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
            let last_page = page.templates.is_empty() || page.next_after.is_none();
            for listed in page.templates {
                let status = listed.status.to_lowercase();
                if self
                    .store
                    .sync_template_status(
                        channel_id,
                        &listed.id,
                        &listed.name,
                        &listed.language,
                        &status,
                        listed.rejected_reason.as_deref(),
                    )
                    .await?
                {
                    sync.changed += 1;
                } else if self.import_template(channel_id, listed, &status).await? {
                    sync.imported += 1;
                }
            }
            match page.next_after {
                Some(next) if !last_page => after = Some(next),
                _ => break,
            }
        }
        Ok(sync)
    }

    /// Adds a template found only at Meta; returns whether it was new here.
    async fn import_template(
        &self,
        channel_id: i64,
        listed: ListedTemplate,
        status: &str,
    ) -> Result<bool, AppError> {
        let category = listed.category.as_deref().map_or_else(
            || TemplateCategory::Utility.as_str().to_string(),
            str::to_lowercase,
        );
        let content = imported_content(listed.content);
        let components = serde_json::to_string(&content).map_err(|_| AppError::internal())?;
        Ok(self
            .store
            .import_template(
                NewTemplate {
                    channel_id,
                    name: &listed.name,
                    language: &listed.language,
                    category: &category,
                    status,
                    components: &components,
                    content_sid: None,
                    family: &listed.name,
                    version: 1,
                    created_by: None,
                },
                &listed.id,
                listed.rejected_reason.as_deref(),
            )
            .await?)
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
    /// never to someone who opted out. A picture, video or document header is sent with
    /// `header_file`.
    pub async fn send_template(
        &self,
        actor: &Actor,
        conversation_id: i64,
        send: TemplateSend,
        header_file: Option<Upload>,
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
        if !template.content.unsupported.is_empty() {
            return Err(AppError::unprocessable(format!(
                "This template has parts Switchboard cannot fill in ({}); make a new template here to send it.",
                template.content.unsupported.join(", ")
            )));
        }
        if !template.sendable() {
            return Err(AppError::unprocessable(format!(
                "This template is {}: only an approved template can be sent.",
                template.status
            )));
        }
        let values = TemplateValues {
            header: trimmed(send.values.header),
            body: trimmed(send.values.body),
            buttons: trimmed(send.values.buttons),
        };
        check_values(&template.content, &values).map_err(unprocessable)?;
        let file = match header_file {
            Some(upload) => Some(self.keep_upload(upload).await?),
            None => None,
        };
        check_header_file(
            &template.content,
            file.as_ref().map(|file| file.mime_type.as_str()),
        )
        .map_err(unprocessable)?;
        let body = template.content.preview(&values);
        let content = serde_json::to_string(&QueuedTemplate {
            template_id: template.id,
            buttons: button_values(&template.content.buttons, &values.buttons),
            name: template.name,
            language: template.language,
            content_sid: template.content_sid,
            values,
        })
        .map_err(|_| AppError::internal())?;
        let token = random_secret();
        self.queue_reply(
            actor,
            &conversation,
            OutboundReply {
                kind: "template",
                body: &body,
                content: &content,
                file: file.as_ref().map(|file| file.outbound(&token)),
                translation: None,
            },
        )
        .await
    }
}

/// The parts of a version to save.
struct NewVersion<'a> {
    channel_id: i64,
    name: &'a str,
    language: &'a str,
    version: i64,
    category: TemplateCategory,
    content: TemplateContent,
}

/// Why Meta refused `what`, for the admin: its code and title, and its explanation.
fn refusal(what: &str, error: channels::inbound::ProviderError) -> String {
    let detail = error.detail.map(|d| format!(": {d}")).unwrap_or_default();
    format!(
        "Meta refused {what} ({} {}){detail}",
        error.code,
        error.title.unwrap_or_default()
    )
}

fn trimmed(values: Vec<String>) -> Vec<String> {
    values.into_iter().map(|v| v.trim().to_string()).collect()
}
