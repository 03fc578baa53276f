//! Translation: the service an admin points Switchboard at, and translations of messages and
//! drafts as the thread and the composer show them.

use serde::{Deserialize, Serialize};

/// Which translation service the organisation uses; off until an admin chooses one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranslationService {
    #[default]
    Off,
    /// A LibreTranslate server (`POST {base}/translate`), usually self-hosted.
    Libretranslate,
    /// Any OpenAI-compatible chat endpoint (`POST {base}/v1/chat/completions`): a local
    /// Ollama or a hosted service.
    OpenaiCompatible,
}

impl TranslationService {
    pub fn as_str(self) -> &'static str {
        match self {
            TranslationService::Off => "off",
            TranslationService::Libretranslate => "libretranslate",
            TranslationService::OpenaiCompatible => "openai_compatible",
        }
    }

    pub fn parse(value: &str) -> Option<TranslationService> {
        [Self::Off, Self::Libretranslate, Self::OpenaiCompatible]
            .into_iter()
            .find(|service| service.as_str() == value)
    }
}

/// The translation service as `GET /api/v1/settings/translation` and the settings card show it.
/// The API key is never shown, only whether one is saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationSettings {
    pub service: TranslationService,
    #[serde(default)]
    pub base_url: String,
    /// The model an OpenAI-compatible endpoint runs (`llama3.1`, `gpt-4o-mini`).
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub api_key_saved: bool,
}

/// What an admin saves (`PUT /api/v1/settings/translation`): a new `api_key` replaces the saved
/// one, `remove_api_key` removes it, and neither keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationSettingsInput {
    pub service: TranslationService,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub remove_api_key: bool,
}

/// A message in the reader's language, under the original in the thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTranslation {
    pub message_id: i64,
    /// The language the message was written in, as the service detected it.
    pub source_language: Option<String>,
    /// The language it was translated into: the reader's.
    pub target_language: String,
    pub text: String,
}

/// A reply being written, in the contact's language, for the person to check before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftTranslation {
    pub target_language: String,
    pub text: String,
}

/// Every language the translation menus offer: ISO 639-1 code and English name (the name the
/// server gives a chat model; the interface names them in its own language, from the
/// `languages` translation files). The languages LibreTranslate and the common chat models
/// translate.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("ar", "Arabic"),
    ("az", "Azerbaijani"),
    ("bg", "Bulgarian"),
    ("bn", "Bengali"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("eo", "Esperanto"),
    ("es", "Spanish"),
    ("et", "Estonian"),
    ("fa", "Persian"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("ga", "Irish"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("ms", "Malay"),
    ("nb", "Norwegian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("ps", "Pashto"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sk", "Slovak"),
    ("sl", "Slovenian"),
    ("so", "Somali"),
    ("sq", "Albanian"),
    ("sv", "Swedish"),
    ("sw", "Swahili"),
    ("th", "Thai"),
    ("ti", "Tigrinya"),
    ("tl", "Tagalog"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
];

/// A language's English name, when it is one of [`LANGUAGES`].
pub fn language_name(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|(_, name)| *name)
}
