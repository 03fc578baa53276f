//! The interface's languages: each person's own choice and the organisation's default, from
//! which the language of every page is chosen.

use app::error::AppError;
use app::language::{self, Locale};
use app::model::Permission;
use app::ports::Actor;

use super::Services;

/// The organisation's default language's code; empty when there is none.
const DEFAULT_LANGUAGE: &str = "language.default";

impl Services {
    /// `None` follows the person's browser.
    pub async fn set_language(
        &self,
        actor: &Actor,
        language: Option<String>,
    ) -> Result<(), AppError> {
        let language = language.as_deref().map(offered).transpose()?;
        self.store
            .set_user_language(actor.id, language.map(language::code))
            .await?;
        Ok(())
    }

    /// The language for people who chose none and whose browser asks for none on offer.
    pub async fn default_language(&self) -> Result<Option<Locale>, AppError> {
        Ok(self
            .store
            .setting(DEFAULT_LANGUAGE)
            .await?
            .and_then(|code| language::parse(&code)))
    }

    pub async fn default_language_for(&self, actor: &Actor) -> Result<Option<Locale>, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.default_language().await
    }

    pub async fn set_default_language(
        &self,
        actor: &Actor,
        language: Option<String>,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        let language = language.as_deref().map(offered).transpose()?;
        let code = language.map_or("", language::code);
        self.store.put_setting(DEFAULT_LANGUAGE, code).await?;
        self.store
            .audit(
                Some(actor.id),
                "settings.language",
                "settings",
                serde_json::json!({ "default_language": language.map(language::code) }),
            )
            .await?;
        Ok(())
    }

    /// A page's language: the person's own choice, else their browser's, else the
    /// organisation's default. The default is only read when the first two decide nothing.
    pub async fn page_language(
        &self,
        saved: Option<&str>,
        accept_language: Option<&str>,
    ) -> Locale {
        let decided = saved
            .and_then(language::parse)
            .or_else(|| accept_language.and_then(language::from_accept_language));
        let default = match decided {
            Some(_) => None,
            None => self.default_language().await.unwrap_or_else(|error| {
                tracing::warn!(?error, "the default language could not be read");
                None
            }),
        };
        language::choose(saved, accept_language, default.map(language::code))
    }
}

/// A language the interface is translated into, or the refusal that names the ones it is.
fn offered(code: &str) -> Result<Locale, AppError> {
    language::parse(code).ok_or_else(|| {
        let codes: Vec<&str> = language::all().iter().map(|&l| language::code(l)).collect();
        AppError::unprocessable(format!(
            "The interface is not translated into \"{}\". Choose one of: {}.",
            code.chars().take(20).collect::<String>(),
            codes.join(", ")
        ))
    })
}
