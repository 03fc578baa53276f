//! Translation (issue #17): an admin points Switchboard at a translation service; anyone who
//! may see a conversation translates a contact's message into their own language (kept, so the
//! service is asked once per message and language), and translates a reply into the contact's
//! language before sending it. While the organisation masks numbers, phone numbers and e-mail
//! addresses never reach the service (`domain::translation`).

use app::error::AppError;
use app::model::{
    DraftTranslation, MessageTranslation, Permission, TranslationService, TranslationSettings,
    TranslationSettingsInput,
};
use app::ports::Actor;

use super::Services;
use super::delivery::MAX_BODY_CHARS;
use super::egress::translation_url;
use super::settings::NumberView;
use super::translator::{ServiceApi, Translator};
use crate::domain::translation::{
    LanguageCode, Masked, mask_contact_details, preferred_language, unmask,
};
use crate::store::{ReplyTranslation, StoredTranslation, TranslationServiceRow};

/// Where the API key is sealed, so a sealed value copied to another row does not open there.
pub(crate) fn translation_key_place() -> String {
    "settings:translation:api_key".to_owned()
}

const MAX_MODEL_CHARS: usize = 200;

/// The text that goes to the service, and what it hides: while the organisation masks numbers,
/// phone numbers and addresses stay here.
fn to_send(text: &str, numbers: NumberView) -> Masked {
    match numbers {
        NumberView::Shown => Masked {
            text: text.to_owned(),
            hidden: Vec::new(),
        },
        NumberView::Revealed | NumberView::Masked => mask_contact_details(text),
    }
}

/// A kept translation as this reader may see it: the hidden numbers put back, unless the
/// reader sees numbers masked. They are found again in the original, so what is kept holds
/// only placeholders.
fn shown_translation(
    kept: StoredTranslation,
    original: &str,
    numbers: NumberView,
) -> MessageTranslation {
    let text = match numbers {
        NumberView::Masked => kept.body,
        NumberView::Shown | NumberView::Revealed => {
            unmask(&kept.body, &mask_contact_details(original).hidden)
        }
    };
    MessageTranslation {
        message_id: kept.message_id,
        source_language: kept.source_language,
        target_language: kept.target_language,
        text,
    }
}

fn translation_off() -> AppError {
    AppError::conflict("Translation is off: an admin sets up a translation service on Settings.")
}

impl Services {
    /// The translation service, for the admin's settings card; the key only as "saved".
    pub async fn translation_settings(
        &self,
        actor: &Actor,
    ) -> Result<TranslationSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        Ok(match self.store.translation_service().await? {
            None => TranslationSettings::default(),
            Some(row) => TranslationSettings {
                service: TranslationService::parse(&row.kind).unwrap_or_default(),
                base_url: row.base_url,
                model: row.model,
                api_key_saved: row.api_key.is_some(),
            },
        })
    }

    /// Saves the service (or turns translation off), with the key sealed; audited without it.
    pub async fn update_translation_settings(
        &self,
        actor: &Actor,
        input: TranslationSettingsInput,
    ) -> Result<TranslationSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let saved = self.store.translation_service().await?;
        let row = match input.service {
            TranslationService::Off => None,
            service => {
                let base_url = translation_url(&input.base_url).await.map_err(|reason| {
                    AppError::unprocessable(format!(
                        "The translation service's URL cannot be used: {reason}."
                    ))
                })?;
                let model = input.model.trim();
                if service == TranslationService::OpenaiCompatible
                    && (model.is_empty() || model.chars().count() > MAX_MODEL_CHARS)
                {
                    return Err(AppError::unprocessable(
                        "Name the model the OpenAI-compatible service runs, such as llama3.1.",
                    ));
                }
                let api_key = match input.api_key.as_deref().map(str::trim) {
                    _ if input.remove_api_key => None,
                    Some(key) if !key.is_empty() => {
                        Some(self.sealer().seal(&translation_key_place(), key)?)
                    }
                    _ => saved.as_ref().and_then(|row| row.api_key.clone()),
                };
                Some(TranslationServiceRow {
                    kind: service.as_str().to_owned(),
                    base_url: base_url.to_string(),
                    model: match service {
                        TranslationService::OpenaiCompatible => model.to_owned(),
                        _ => String::new(),
                    },
                    api_key,
                })
            }
        };
        self.store.save_translation_service(row.as_ref()).await?;
        let key_change = match (&input.api_key, input.remove_api_key) {
            (_, true) => "removed",
            (Some(key), false) if !key.trim().is_empty() => "replaced",
            _ => "kept",
        };
        self.store
            .audit(
                Some(actor.id),
                "settings.translation",
                "settings",
                serde_json::json!({
                    "service": input.service.as_str(),
                    "base_url": row.as_ref().map(|row| row.base_url.clone()),
                    "model": row.as_ref().map(|row| row.model.clone()),
                    "api_key": key_change,
                }),
            )
            .await?;
        self.translation_settings(actor).await
    }

    /// The configured service with its key opened, or `None` while translation is off.
    async fn translator(&self) -> Result<Option<Translator>, AppError> {
        let Some(row) = self.store.translation_service().await? else {
            return Ok(None);
        };
        let api = match TranslationService::parse(&row.kind) {
            Some(TranslationService::Libretranslate) => ServiceApi::LibreTranslate,
            Some(TranslationService::OpenaiCompatible) => {
                ServiceApi::OpenAiCompatible { model: row.model }
            }
            _ => return Ok(None),
        };
        let base_url = row.base_url.parse().map_err(|_| AppError::internal())?;
        let api_key = match row.api_key {
            Some(sealed) => Some(self.sealer().open(&translation_key_place(), &sealed)?),
            None => None,
        };
        Ok(Some(Translator {
            api,
            base_url,
            api_key,
        }))
    }

    pub(crate) async fn translation_enabled(&self) -> Result<bool, AppError> {
        Ok(self.store.translation_service().await?.is_some())
    }

    /// The language a person reads: the interface language they chose on Account, else what
    /// their browser or API call asked for (`requested`, an `Accept-Language` value or a bare
    /// code, any language the service knows), else English.
    pub(crate) async fn reader_language(
        &self,
        actor: &Actor,
        requested: Option<&str>,
    ) -> LanguageCode {
        actor
            .language
            .as_deref()
            .and_then(LanguageCode::parse)
            .or_else(|| requested.and_then(preferred_language))
            .unwrap_or_else(LanguageCode::english)
    }

    /// A message in the reader's language: the kept translation if there is one, otherwise the
    /// service's, kept for the next reader. A contact's message also tells the conversation
    /// which language the contact writes.
    pub async fn translate_message(
        &self,
        actor: &Actor,
        message_id: i64,
        requested_language: Option<&str>,
    ) -> Result<MessageTranslation, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let message = self
            .store
            .message_to_translate(message_id)
            .await?
            .ok_or_else(|| AppError::not_found("Message"))?;
        let conversation = self
            .visible_conversation(actor, message.conversation_id)
            .await
            .map_err(|_| AppError::not_found("Message"))?;
        let target = self.reader_language(actor, requested_language).await;
        let numbers = self.number_view(actor).await?;
        if let Some(kept) = self
            .store
            .stored_translation(message_id, target.as_str())
            .await?
        {
            return Ok(shown_translation(kept, &message.body, numbers));
        }
        if message.body.trim().is_empty() {
            return Err(AppError::unprocessable(
                "This message has no text to translate.",
            ));
        }
        let translator = self.translator().await?.ok_or_else(translation_off)?;
        let sent = to_send(&message.body, numbers);
        let translated = translator
            .translate(&self.translation_http, &sent.text, &target)
            .await?;
        let detected = translated.detected.map(|language| language.to_string());
        let from_contact = message.direction == "inbound";
        let kept = self
            .store
            .keep_translation(
                from_contact.then_some(conversation.id),
                &StoredTranslation {
                    message_id,
                    target_language: target.to_string(),
                    source_language: detected.clone(),
                    body: translated.text,
                },
            )
            .await?;
        if from_contact && detected.is_some() && detected != conversation.language {
            self.changed(conversation.id).await;
        }
        Ok(shown_translation(kept, &message.body, numbers))
    }

    /// A reply being written, in `target` or else the contact's language, for its author to
    /// check before sending. Its numbers go back in whatever the masking: the author wrote them.
    pub async fn translate_draft(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: &str,
        target: Option<&str>,
    ) -> Result<DraftTranslation, AppError> {
        let conversation = self.visible_conversation(actor, conversation_id).await?;
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::unprocessable(format!(
                "Write a reply of 1 to {MAX_BODY_CHARS} characters to translate."
            )));
        }
        let target = match target.map(str::trim).filter(|target| !target.is_empty()) {
            Some(code) => LanguageCode::parse(code).ok_or_else(|| {
                AppError::unprocessable(format!("“{code}” is not a language code such as es."))
            })?,
            None => conversation
                .language
                .as_deref()
                .and_then(LanguageCode::parse)
                .ok_or_else(|| {
                    AppError::unprocessable(
                        "The contact's language is not known yet: choose the language to translate into.",
                    )
                })?,
        };
        let translator = self.translator().await?.ok_or_else(translation_off)?;
        let sent = to_send(text, self.number_view(actor).await?);
        let translated = translator
            .translate(&self.translation_http, &sent.text, &target)
            .await?;
        Ok(DraftTranslation {
            target_language: target.to_string(),
            text: unmask(&translated.text, &sent.hidden),
        })
    }

    /// Queues a reply sent translated: the contact receives `text` (in `language`); the thread
    /// keeps `original_text` beside it.
    pub async fn send_translated_reply(
        &self,
        actor: &Actor,
        conversation_id: i64,
        text: &str,
        original_text: &str,
        language: &str,
    ) -> Result<(), AppError> {
        let language = LanguageCode::parse(language).ok_or_else(|| {
            AppError::unprocessable(format!("“{language}” is not a language code such as es."))
        })?;
        let original_text = original_text.trim();
        if original_text.is_empty() || original_text.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::unprocessable(format!(
                "The text before translation has 1 to {MAX_BODY_CHARS} characters."
            )));
        }
        self.send_text_reply(
            actor,
            conversation_id,
            text,
            &[],
            Some(ReplyTranslation {
                language: language.as_str(),
                original_text,
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(body: &str) -> StoredTranslation {
        StoredTranslation {
            message_id: 1,
            target_language: "en".to_owned(),
            source_language: Some("es".to_owned()),
            body: body.to_owned(),
        }
    }

    #[test]
    fn numbers_leave_only_while_the_organisation_shows_them() {
        let text = "Llama al +34 612 345 678";
        assert_eq!(to_send(text, NumberView::Shown).text, text);
        for numbers in [NumberView::Revealed, NumberView::Masked] {
            assert_eq!(to_send(text, numbers).text, "Llama al [PHONE 1]");
        }
    }

    #[test]
    fn a_kept_translation_shows_numbers_to_those_who_see_them() {
        let original = "Llama al +34 612 345 678";
        let shown = shown_translation(kept("Call [PHONE 1]"), original, NumberView::Revealed);
        assert_eq!(shown.text, "Call +34 612 345 678");
        let masked = shown_translation(kept("Call [PHONE 1]"), original, NumberView::Masked);
        assert_eq!(masked.text, "Call [PHONE 1]");
    }
}
