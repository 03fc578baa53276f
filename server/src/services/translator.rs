//! The calls to the organisation's translation service, in each API's own shape:
//!
//! - LibreTranslate: `POST {base}/translate` with `{"q", "source": "auto", "target",
//!   "format": "text", "api_key"?}`, answered `{"translatedText", "detectedLanguage":
//!   {"confidence", "language"}}`.
//! - OpenAI-compatible chat (Ollama, LocalAI, vLLM, hosted services): `POST
//!   {base}/v1/chat/completions` (or `{base}/chat/completions` when the base already ends in
//!   `/v1`, as OpenAI's own clients write it), `Authorization: Bearer` when a key is set, with
//!   `{"model", "messages": [system, user], "temperature": 0}`; the model is asked to answer
//!   `{"language", "translation"}` (see `domain::translation`), read from
//!   `choices[0].message.content`.
//!
//! What is sent has already had its numbers hidden when the organisation masks them. Failures
//! are a [`TranslatorError`], which says what went wrong in words for people; neither the key
//! nor the text is ever logged.

use app::error::AppError;
use app::model::language_name;
use serde::Deserialize;
use serde_json::json;
use url::Url;
use zeroize::Zeroizing;

use super::egress::refused_by_rules;
use crate::domain::addresses::check_translation_url;
use crate::domain::translation::{
    ChatAnswerRefused, LanguageCode, chat_instructions, parse_chat_answer,
};

/// Which API the service speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ServiceApi {
    LibreTranslate,
    OpenAiCompatible { model: String },
}

/// A configured translation service, its key opened.
pub(crate) struct Translator {
    pub api: ServiceApi,
    pub base_url: Url,
    pub api_key: Option<Zeroizing<String>>,
}

/// A text in the target language, and the language the service found it was written in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Translated {
    pub text: String,
    pub detected: Option<LanguageCode>,
}

/// Why a translation did not come back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TranslatorError {
    #[error("the translation service could not be reached")]
    Unreachable,
    #[error("the translation service did not answer within 30 seconds")]
    TimedOut,
    #[error("the translation service's address is not one Switchboard may call")]
    AddressRefused,
    #[error("the translation service refused the API key (HTTP {0})")]
    KeyRefused(u16),
    #[error("the translation service is busy (HTTP 429)")]
    Busy,
    #[error("the translation service answered with an error (HTTP {0})")]
    Failed(u16),
    #[error("the translation service's answer is not a translation ({0})")]
    BadAnswer(String),
}

/// The one place a failed translation becomes what people see: a 502 naming the cause and
/// what to do, since the service, not the request, failed.
impl From<TranslatorError> for AppError {
    fn from(error: TranslatorError) -> Self {
        tracing::warn!(%error, "translation failed");
        let advice = match error {
            TranslatorError::KeyRefused(_) | TranslatorError::AddressRefused => {
                "An admin can check it on Settings → Translation."
            }
            _ => {
                "Try again in a moment; if it keeps failing, an admin can check Settings → Translation."
            }
        };
        AppError::provider_unavailable(format!("Translation failed: {error}. {advice}"))
    }
}

/// `{base}/{path}`, keeping a path the base has (a service behind a proxy at `/translate/`).
fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{path}", base.path().trim_end_matches('/'));
    url.set_path(&joined);
    url
}

/// Where an OpenAI-compatible service takes chat completions. Admins paste either the server
/// (`http://localhost:11434`) or the base OpenAI's clients use (`…/v1`); both work.
pub(crate) fn chat_completions_url(base: &Url) -> Url {
    if base.path().trim_end_matches('/').ends_with("/v1") {
        endpoint(base, "chat/completions")
    } else {
        endpoint(base, "v1/chat/completions")
    }
}

pub(crate) fn libretranslate_url(base: &Url) -> Url {
    endpoint(base, "translate")
}

#[derive(Deserialize)]
struct LibreAnswer {
    #[serde(rename = "translatedText")]
    translated_text: String,
    #[serde(rename = "detectedLanguage")]
    detected_language: Option<LibreDetected>,
}

#[derive(Deserialize)]
struct LibreDetected {
    language: String,
}

#[derive(Deserialize)]
struct ChatCompletion {
    choices: Vec<ChatChoice>,
}

#[derive(Deserialize)]
struct ChatChoice {
    message: ChatMessage,
}

#[derive(Deserialize)]
struct ChatMessage {
    content: Option<String>,
}

fn call_error(error: &reqwest::Error) -> TranslatorError {
    if refused_by_rules(error) {
        TranslatorError::AddressRefused
    } else if error.is_timeout() {
        TranslatorError::TimedOut
    } else {
        TranslatorError::Unreachable
    }
}

/// What an answer's status says, before its body is read.
fn status_error(status: reqwest::StatusCode) -> Option<TranslatorError> {
    match status.as_u16() {
        200..=299 => None,
        code @ (401 | 403) => Some(TranslatorError::KeyRefused(code)),
        429 => Some(TranslatorError::Busy),
        code => Some(TranslatorError::Failed(code)),
    }
}

impl Translator {
    /// Translates `text` into `target`, detecting the language it is in.
    pub(crate) async fn translate(
        &self,
        http: &reqwest::Client,
        text: &str,
        target: &LanguageCode,
    ) -> Result<Translated, TranslatorError> {
        // An address host is not resolved, so the resolver's rules do not see it.
        check_translation_url(&self.base_url).map_err(|_| TranslatorError::AddressRefused)?;
        let request = match &self.api {
            ServiceApi::LibreTranslate => {
                let mut body = json!({
                    "q": text,
                    "source": "auto",
                    "target": target.as_str(),
                    "format": "text",
                });
                if let Some(key) = &self.api_key {
                    body["api_key"] = json!(key.as_str());
                }
                http.post(libretranslate_url(&self.base_url)).json(&body)
            }
            ServiceApi::OpenAiCompatible { model } => {
                let body = json!({
                    "model": model,
                    "messages": [
                        {
                            "role": "system",
                            "content": chat_instructions(target, language_name(target.as_str())),
                        },
                        { "role": "user", "content": text },
                    ],
                    "temperature": 0,
                });
                let request = http.post(chat_completions_url(&self.base_url)).json(&body);
                match &self.api_key {
                    Some(key) => request.bearer_auth(key.as_str()),
                    None => request,
                }
            }
        };
        let response = request.send().await.map_err(|error| call_error(&error))?;
        if let Some(error) = status_error(response.status()) {
            return Err(error);
        }
        let bad_answer = |error: reqwest::Error| match call_error(&error) {
            TranslatorError::Unreachable if error.is_decode() => {
                TranslatorError::BadAnswer("not the JSON the API answers".to_owned())
            }
            other => other,
        };
        match &self.api {
            ServiceApi::LibreTranslate => {
                let answer: LibreAnswer = response.json().await.map_err(bad_answer)?;
                Ok(Translated {
                    text: answer.translated_text,
                    detected: answer
                        .detected_language
                        .and_then(|detected| LanguageCode::parse(&detected.language)),
                })
            }
            ServiceApi::OpenAiCompatible { .. } => {
                let answer: ChatCompletion = response.json().await.map_err(bad_answer)?;
                let content = answer
                    .choices
                    .into_iter()
                    .next()
                    .and_then(|choice| choice.message.content)
                    .ok_or_else(|| TranslatorError::BadAnswer("no message".to_owned()))?;
                let translation = parse_chat_answer(&content).map_err(|refused| {
                    TranslatorError::BadAnswer(match refused {
                        ChatAnswerRefused::NoJson => "the model did not answer in JSON".to_owned(),
                        ChatAnswerRefused::NoTranslation => {
                            "the model's JSON has no translation".to_owned()
                        }
                    })
                })?;
                Ok(Translated {
                    text: translation.text,
                    detected: translation.detected,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn chat_completions_are_under_v1_once() {
        for (base, expected) in [
            (
                "http://localhost:11434",
                "http://localhost:11434/v1/chat/completions",
            ),
            (
                "http://localhost:11434/",
                "http://localhost:11434/v1/chat/completions",
            ),
            (
                "http://localhost:11434/v1",
                "http://localhost:11434/v1/chat/completions",
            ),
            (
                "https://api.example.org/v1/",
                "https://api.example.org/v1/chat/completions",
            ),
            (
                "https://example.org/llm",
                "https://example.org/llm/v1/chat/completions",
            ),
        ] {
            assert_eq!(
                chat_completions_url(&url(base)).as_str(),
                expected,
                "{base}"
            );
        }
    }

    #[test]
    fn libretranslate_keeps_the_base_path() {
        assert_eq!(
            libretranslate_url(&url("http://127.0.0.1:5000")).as_str(),
            "http://127.0.0.1:5000/translate"
        );
        assert_eq!(
            libretranslate_url(&url("https://example.org/lt/")).as_str(),
            "https://example.org/lt/translate"
        );
    }

    #[test]
    fn failures_read_as_sentences_with_advice() {
        let error = AppError::from(TranslatorError::KeyRefused(403));
        assert_eq!(error.code, app::error::ErrorCode::ProviderUnavailable);
        assert_eq!(
            error.message,
            "Translation failed: the translation service refused the API key (HTTP 403). An admin can check it on Settings → Translation."
        );
    }
}
