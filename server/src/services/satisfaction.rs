//! Satisfaction surveys (CSAT): an admin chooses per channel whether the contact of a resolved
//! conversation is asked to rate the help, and in which words. The survey goes out through the
//! delivery worker like any message; answers and comments come back through the webhooks,
//! where the store keeps them out of the queue (`store/satisfaction.rs`); Reports show the
//! figures and the comments. What each network is sent is decided in `domain/satisfaction.rs`.

use app::error::AppError;
use app::model::{
    ChannelKind, ChannelSurveySettings, CsatComment, CsatReport, Permission, ReportQuery,
    SatisfactionSettings, TemplateCategory, TemplateValues,
};
use app::ports::Actor;

use super::Services;
use super::delivery::OfferedButtons;
use super::templates::{QueuedTemplate, template_of};
use crate::domain::replies::{Network, ReplyRule, reply_rule};
use crate::domain::satisfaction::{
    ChannelSurvey, Rating, Survey, SurveyNetwork, SurveyOption, SurveySettings, SurveyState,
    SurveyTemplate, csat, survey_for, survey_for_twilio_whatsapp,
};
use crate::domain::templates::check_values;
use crate::store::{NewSurvey, now_ms};

const SURVEY_SETTINGS: &str = "satisfaction_surveys";

/// The most comments a report lists.
const MOST_COMMENTS: usize = 100;

/// The networks a channel of `kind` carries, as survey wording is checked against them: a
/// Twilio channel's WhatsApp contacts get the same text as its SMS contacts.
fn networks_of(kind: ChannelKind) -> Vec<SurveyNetwork> {
    match kind {
        ChannelKind::WhatsApp => vec![SurveyNetwork::WhatsApp],
        ChannelKind::Messenger => vec![SurveyNetwork::Messenger],
        ChannelKind::Twilio => vec![SurveyNetwork::Sms],
    }
}

/// A message's part in a satisfaction survey, as the thread names it.
pub(super) fn survey_part_label(part: &str) -> Option<String> {
    let label = match part {
        "question" => "Satisfaction survey",
        "thanks" => "Thank-you for the rating",
        "answer" => "Rating",
        "comment" => "Comment on the rating",
        _ => return None,
    };
    Some(label.to_owned())
}

/// The message a survey is sent as: its kind, the text the thread shows, and what the
/// delivery worker needs besides.
struct SurveyMessage {
    kind: &'static str,
    body: String,
    content: String,
}

/// A survey offering `choices` to tap, as reply buttons, quick replies or (with
/// `list_button`) a WhatsApp list.
fn choices_message(
    body: String,
    choices: &[SurveyOption],
    list_button: Option<&str>,
) -> Result<SurveyMessage, AppError> {
    let offered = OfferedButtons {
        buttons: choices
            .iter()
            .map(|choice| choice.title.to_owned())
            .collect(),
        ids: choices
            .iter()
            .map(|choice| choice.payload.to_owned())
            .collect(),
        list_button: list_button.map(str::to_owned),
    };
    Ok(SurveyMessage {
        kind: "interactive",
        body,
        content: serde_json::to_string(&offered).map_err(|_| AppError::internal())?,
    })
}

impl Services {
    async fn survey_settings(&self) -> Result<SurveySettings, AppError> {
        Ok(self
            .store
            .setting(SURVEY_SETTINGS)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Every channel's survey, for the admin's settings card; channels never set up show the
    /// default wording, switched off.
    pub async fn satisfaction_settings(
        &self,
        actor: &Actor,
    ) -> Result<SatisfactionSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let settings = self.survey_settings().await?;
        let channels = self
            .store
            .list_channels()
            .await?
            .into_iter()
            .map(|channel| {
                let survey = settings
                    .channels
                    .get(&channel.id)
                    .cloned()
                    .unwrap_or_default();
                let (template_name, template_language) = survey
                    .template
                    .map(|template| (template.name, template.language))
                    .unwrap_or_default();
                ChannelSurveySettings {
                    channel_id: channel.id,
                    channel_name: channel.name,
                    channel_kind: channel.kind,
                    enabled: survey.enabled,
                    question: survey.question,
                    thanks: survey.thanks,
                    template_name,
                    template_language,
                }
            })
            .collect();
        Ok(SatisfactionSettings { channels })
    }

    /// Saves the surveys of the channels given (others keep theirs), once every one fits its
    /// network and its template can be sent.
    pub async fn update_satisfaction_settings(
        &self,
        actor: &Actor,
        update: SatisfactionSettings,
    ) -> Result<SatisfactionSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let mut settings = self.survey_settings().await?;
        for channel in update.channels {
            let row = self
                .store
                .channel(channel.channel_id)
                .await?
                .ok_or_else(|| {
                    AppError::unprocessable(format!("There is no channel {}.", channel.channel_id))
                })?;
            let kind = ChannelKind::parse(&row.kind).ok_or_else(AppError::internal)?;
            let template = match (
                channel.template_name.trim(),
                channel.template_language.trim(),
            ) {
                ("", "") => None,
                (name, language) => Some(SurveyTemplate {
                    name: name.to_owned(),
                    language: language.to_owned(),
                }),
            };
            let survey = ChannelSurvey {
                enabled: channel.enabled,
                question: channel.question.trim().to_owned(),
                thanks: channel.thanks.trim().to_owned(),
                template,
            };
            survey
                .validate(&networks_of(kind))
                .map_err(|refused| AppError::unprocessable(format!("{}: {refused}", row.name)))?;
            if let Some(template) = &survey.template {
                self.survey_template(row.id, template).await?.ok_or_else(|| {
                    AppError::unprocessable(format!(
                        "{}: the survey template must be an approved utility template of this channel without variables or a media header; {} ({}) is not.",
                        row.name, template.name, template.language
                    ))
                })?;
            }
            settings.channels.insert(row.id, survey);
        }
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(SURVEY_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.satisfaction", "settings", json)
            .await?;
        self.satisfaction_settings(actor).await
    }

    /// The approved utility template a survey names on `channel_id`, ready to send as it is.
    async fn survey_template(
        &self,
        channel_id: i64,
        wanted: &SurveyTemplate,
    ) -> Result<Option<SurveyMessage>, AppError> {
        let found = self
            .store
            .list_templates(Some(channel_id), Some("approved"))
            .await?
            .into_iter()
            .map(template_of)
            .find(|template| {
                template.name == wanted.name
                    && template.language == wanted.language
                    && template.sendable()
                    && template.category == Some(TemplateCategory::Utility)
                    && template.content.header_media.is_none()
                    && check_values(&template.content, &TemplateValues::default()).is_ok()
            });
        let Some(template) = found else {
            return Ok(None);
        };
        let values = TemplateValues::default();
        let body = template.content.preview(&values);
        let content = serde_json::to_string(&QueuedTemplate {
            template_id: template.id,
            name: template.name,
            language: template.language,
            content_sid: None,
            values,
            buttons: Vec::new(),
        })
        .map_err(|_| AppError::internal())?;
        Ok(Some(SurveyMessage {
            kind: "template",
            body,
            content,
        }))
    }

    /// Asks the contact of a conversation just resolved by `resolved_by` to rate the help,
    /// when the channel's survey is on and the network allows a message now. Nobody who
    /// opted out is asked.
    pub(super) async fn ask_for_rating(
        &self,
        conversation_id: i64,
        resolved_by: i64,
    ) -> Result<(), AppError> {
        let settings = self.survey_settings().await?;
        let Some(conversation) = self.store.conversation(conversation_id).await? else {
            return Ok(());
        };
        let Some(survey) = settings.enabled_for(conversation.channel_id) else {
            return Ok(());
        };
        if conversation.opted_out_at.is_some() {
            return Ok(());
        }
        let kind = ChannelKind::parse(&conversation.channel_kind).ok_or_else(AppError::internal)?;
        let network = Network::of(kind, conversation.contact_address.as_deref());
        let window_open = reply_rule(network, conversation.last_inbound_at, false, now_ms())
            == Ok(ReplyRule::FreeForm);
        let question = match (kind, network) {
            (ChannelKind::Twilio, Network::WhatsApp) => {
                survey_for_twilio_whatsapp(window_open, survey)
            }
            (_, Network::WhatsApp) => survey_for(SurveyNetwork::WhatsApp, window_open, survey),
            (_, Network::Messenger) => survey_for(SurveyNetwork::Messenger, window_open, survey),
            (_, Network::Sms) => survey_for(SurveyNetwork::Sms, true, survey),
        };
        let message = match question {
            None => return Ok(()),
            Some(Survey::WhatsAppList { body, button, rows }) => {
                choices_message(body, &rows, Some(button))?
            }
            Some(Survey::MessengerQuickReplies {
                text,
                quick_replies,
            }) => choices_message(text, &quick_replies, None)?,
            Some(Survey::Text { text }) => SurveyMessage {
                kind: "text",
                body: text,
                content: "{}".to_owned(),
            },
            Some(Survey::WhatsAppTemplate { name, language }) => {
                let wanted = SurveyTemplate { name, language };
                match self
                    .survey_template(conversation.channel_id, &wanted)
                    .await?
                {
                    Some(message) => message,
                    None => {
                        tracing::warn!(
                            channel = conversation.channel_id,
                            "the satisfaction survey's template is no longer approved: no survey sent"
                        );
                        return Ok(());
                    }
                }
            }
        };
        let asked = self
            .store
            .ask_for_rating(
                NewSurvey {
                    conversation_id,
                    channel_id: conversation.channel_id,
                    resolved_by: Some(resolved_by),
                    kind: message.kind,
                    body: &message.body,
                    content: &message.content,
                },
                |asked_at| SurveyState::new(asked_at).open_until(),
            )
            .await?;
        if asked.is_some() {
            self.deliveries.notify_one();
            self.changed(conversation_id).await;
        }
        Ok(())
    }

    /// Thanks the contacts who just answered a survey for the first time, where the channel's
    /// survey has a thank-you.
    pub(super) async fn thank_for_ratings(&self, surveys: &[i64]) {
        for &survey_id in surveys {
            if let Err(error) = self.thank_for_rating(survey_id).await {
                tracing::warn!(survey = survey_id, %error, "the survey's thank-you was not queued");
            }
        }
    }

    async fn thank_for_rating(&self, survey_id: i64) -> Result<(), AppError> {
        let Some((conversation_id, channel_id)) = self.store.survey_to_thank(survey_id).await?
        else {
            return Ok(());
        };
        let settings = self.survey_settings().await?;
        let Some(thanks) = settings
            .enabled_for(channel_id)
            .and_then(ChannelSurvey::thanks_message)
        else {
            return Ok(());
        };
        self.store
            .thank_for_rating(survey_id, conversation_id, channel_id, thanks)
            .await?;
        self.deliveries.notify_one();
        self.changed(conversation_id).await;
        Ok(())
    }

    /// CSAT for the report's range and filters: the surveys sent in it, the share of answers
    /// rating 4 or 5, the response rate, and the comments.
    pub async fn csat_report(
        &self,
        actor: &Actor,
        query: ReportQuery,
    ) -> Result<CsatReport, AppError> {
        let (range, _, filter, _) = self.prepare(actor, &query).await?;
        let surveys = self
            .store
            .surveys_sent(range.from_ms, range.to_ms, filter)
            .await?;
        let rating_of = |rating: Option<i64>| rating.and_then(Rating::from_stored);
        let ratings: Vec<Rating> = surveys
            .iter()
            .filter_map(|survey| rating_of(survey.rating))
            .collect();
        let figures = csat(&ratings, surveys.len());
        let comments = surveys
            .iter()
            .rev()
            .filter_map(|survey| {
                let comment = survey.comment.clone()?;
                Some(CsatComment {
                    conversation_id: survey.conversation_id,
                    contact_name: survey.contact_name.clone(),
                    rating: rating_of(survey.rating).map(Rating::value),
                    comment,
                    date: range
                        .zone
                        .local_date(survey.answered_at.unwrap_or(survey.asked_at))
                        .to_string(),
                })
            })
            .take(MOST_COMMENTS)
            .collect();
        Ok(CsatReport {
            from: range.from.to_string(),
            to: range.to.to_string(),
            tz: range.zone.name().to_owned(),
            surveys_sent: surveys.len() as i64,
            responses: figures.responses as i64,
            score_percent: figures.score_percent,
            response_rate_percent: figures.response_rate_percent,
            distribution: figures.distribution.to_vec(),
            comments,
        })
    }
}
