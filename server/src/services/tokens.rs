use app::error::AppError;
use app::model::{ApiToken, CreatedToken};
use app::ports::Actor;
use serde_json::json;

use super::{Services, actor_from, rfc3339};
use crate::auth::tokens::{hash_token, new_api_token};
use crate::store::TokenRow;

fn token_from(row: TokenRow) -> ApiToken {
    ApiToken {
        id: row.id,
        name: row.name,
        created_at: rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(rfc3339),
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

    /// Every person may create tokens for themselves; a token carries its owner's role.
    pub async fn create_token(&self, actor: &Actor, name: &str) -> Result<CreatedToken, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::unprocessable(
                "Give the token a name of 1 to 100 characters.",
            ));
        }
        let secret = new_api_token();
        let row = self
            .store
            .insert_token(actor.id, name, &hash_token(&secret))
            .await?;
        self.store
            .audit(
                Some(actor.id),
                "token_created",
                &format!("token:{}", row.id),
                json!({ "name": name }),
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
