//! First run: an installation no one can sign in to yet offers a one-time setup link (printed
//! to the server's log) that lets whoever holds it create the first admin.

use app::error::AppError;
use app::model::{Person, Role};
use subtle::ConstantTimeEq;

use super::Services;
use crate::auth::tokens::random_secret;
use crate::domain::password_policy;
use crate::domain::people::{Email, PersonName};

/// Where the setup token is sealed.
const PLACE: &str = "first_run";

fn unprocessable(error: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(error.to_string())
}

fn used_or_unknown() -> AppError {
    AppError::not_found("This setup link has been used already, or is not a setup link")
}

impl Services {
    /// The link that creates the first admin, while no one exists: the same link on every
    /// instance and after restarts, until it is used.
    pub async fn first_run_link(&self) -> Result<Option<url::Url>, AppError> {
        let candidate = self.sealer().seal(PLACE, &random_secret())?;
        let Some(sealed) = self.store.offer_first_run_token(&candidate).await? else {
            return Ok(None);
        };
        let token = match self.sealer().open(PLACE, &sealed) {
            Ok(token) => token.to_string(),
            Err(_) => {
                self.store.replace_first_run_token(&candidate).await?;
                self.sealer().open(PLACE, &candidate)?.to_string()
            }
        };
        let link = self
            .settings
            .public_url
            .join(&format!("setup/{token}"))
            .map_err(|_| AppError::internal())?;
        Ok(Some(link))
    }

    /// True while no one exists, so the sign-in page can say where the setup link is.
    pub async fn first_run_pending(&self) -> Result<bool, AppError> {
        Ok(self.store.first_run_token().await?.is_some())
    }

    /// Creates the first admin for the holder of the setup link, and uses the link up.
    pub async fn create_first_admin(
        &self,
        token: &str,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<Person, AppError> {
        let email = Email::parse(email).map_err(unprocessable)?;
        let name = PersonName::parse(name).map_err(unprocessable)?;
        password_policy::check(password, &[email.as_str(), name.as_str()])
            .map_err(unprocessable)?;
        let sealed = self
            .store
            .first_run_token()
            .await?
            .ok_or_else(used_or_unknown)?;
        let kept = self
            .sealer()
            .open(PLACE, &sealed)
            .map_err(|_| used_or_unknown())?;
        let matches = bool::from(kept.as_bytes().ct_eq(token.as_bytes()));
        if !matches || !self.store.take_first_run_token(&sealed).await? {
            return Err(used_or_unknown());
        }
        let created = self
            .insert_person(None, &email, &name, Role::Admin, password, false)
            .await;
        if created.is_err() {
            // Nothing was made: the link works again.
            self.store.replace_first_run_token(&sealed).await?;
        }
        created
    }
}
