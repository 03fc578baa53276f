//! Canned responses: coordinators keep them, everyone answering inserts them into a reply.

use app::error::AppError;
use app::model::{CannedResponse, CannedResponseInput, Permission};
use app::ports::Actor;

use super::Services;
use crate::store::CannedRow;

const MAX_SHORTCUT_CHARS: usize = 40;
const MAX_BODY_CHARS: usize = 4096;

fn canned_of(row: CannedRow) -> CannedResponse {
    CannedResponse {
        id: row.id,
        shortcut: row.shortcut,
        body: row.body,
    }
}

impl Services {
    pub async fn list_canned_responses(
        &self,
        actor: &Actor,
    ) -> Result<Vec<CannedResponse>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        Ok(self
            .store
            .list_canned_responses()
            .await?
            .into_iter()
            .map(canned_of)
            .collect())
    }

    pub async fn create_canned_response(
        &self,
        actor: &Actor,
        input: CannedResponseInput,
    ) -> Result<CannedResponse, AppError> {
        actor.require(Permission::ManageCannedResponses)?;
        let shortcut = input.shortcut.trim();
        let body = input.body.trim();
        if shortcut.is_empty()
            || shortcut.chars().count() > MAX_SHORTCUT_CHARS
            || shortcut.chars().any(char::is_whitespace)
        {
            return Err(AppError::unprocessable(format!(
                "A shortcut is one word of 1 to {MAX_SHORTCUT_CHARS} characters, for example opening-hours."
            )));
        }
        if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::unprocessable(format!(
                "A canned response has 1 to {MAX_BODY_CHARS} characters."
            )));
        }
        Ok(canned_of(
            self.store
                .create_canned_response(shortcut, body, Some(actor.id))
                .await?,
        ))
    }

    pub async fn delete_canned_response(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManageCannedResponses)?;
        if self.store.delete_canned_response(id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("Canned response"))
        }
    }
}
