use app::error::AppError;
use app::model::{ApiToken, CreatedToken};
use app::ports::{Actor, Credential};
use serde_json::json;

use super::{Services, actor_from, rfc3339};
use crate::auth::tokens::{hash_token, new_api_token};
use crate::store::{TokenRow, now_ms};

fn token_from(row: TokenRow) -> ApiToken {
    ApiToken {
        id: row.id,
        name: row.name,
        created_at: rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(rfc3339),
        expires_at: row.expires_at.map(rfc3339),
    }
}

/// A token outlives the session that made it, so only someone who has just proved they know the
/// password may make one: not a session left open on a shared computer, nor another token.
pub const RECENT_SIGN_IN: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The longest a token may be set to last, in days; longer lasts until revoked.
pub const MAX_EXPIRY_DAYS: u32 = 3650;

fn require_recent_sign_in(actor: &Actor) -> Result<(), AppError> {
    match &actor.credential {
        Credential::Direct => Ok(()),
        Credential::Session { signed_in_at, .. }
            if now_ms() - signed_in_at <= RECENT_SIGN_IN.as_millis() as i64 =>
        {
            Ok(())
        }
        Credential::Session { .. } => Err(AppError::reauthentication_required(
            "Sign in again to create an API token: your last sign-in was more than 15 minutes ago.",
        )),
        Credential::Token => Err(AppError::reauthentication_required(
            "API tokens are created from a recent sign-in on the Account page, not with another token.",
        )),
    }
}

impl Services {
    /// The active person a bearer token belongs to, if it is live.
    pub async fn actor_by_token(&self, token: &str) -> Result<Option<Actor>, AppError> {
        Ok(self
            .store
            .user_by_token_hash(&hash_token(token))
            .await?
            .and_then(actor_from))
    }

    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        Ok(self
            .store
            .active_tokens_of(actor.id)
            .await?
            .into_iter()
            .map(token_from)
            .collect())
    }

    /// A token that lasts until revoked.
    pub async fn create_token(&self, actor: &Actor, name: &str) -> Result<CreatedToken, AppError> {
        self.create_expiring_token(actor, name, None).await
    }

    /// Every person may create tokens for themselves; a token carries its owner's role.
    pub async fn create_expiring_token(
        &self,
        actor: &Actor,
        name: &str,
        expires_in_days: Option<u32>,
    ) -> Result<CreatedToken, AppError> {
        require_recent_sign_in(actor)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::unprocessable(
                "Give the token a name of 1 to 100 characters.",
            ));
        }
        let expires_at = match expires_in_days {
            None => None,
            Some(days @ 1..=MAX_EXPIRY_DAYS) => Some(now_ms() + i64::from(days) * 86_400_000),
            Some(_) => {
                return Err(AppError::unprocessable(format!(
                    "A token expires after 1 to {MAX_EXPIRY_DAYS} days, or never."
                )));
            }
        };
        let secret = new_api_token();
        let row = self
            .store
            .insert_token(actor.id, name, &hash_token(&secret), expires_at)
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "token_created",
                &format!("token:{}", row.id),
                json!({ "name": name, "expires_at": expires_at }),
            )
            .await?;
        Ok(CreatedToken {
            token: token_from(row),
            secret,
        })
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        if !self.store.revoke_token(actor.id, id).await? {
            return Err(AppError::not_found("Token"));
        }
        self.store
            .audit(
                Some(actor.id),
                "token_revoked",
                &format!("token:{id}"),
                json!({}),
            )
            .await?;
        Ok(())
    }
}
