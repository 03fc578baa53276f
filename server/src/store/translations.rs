//! Translation: the configured service (its API key sealed by the services before it comes
//! here), translations of messages by target language, and the contact's detected language.

use super::{Store, StoreResult, now_ms};

/// The translation service row; `api_key` is sealed.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TranslationServiceRow {
    pub kind: String,
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
}

/// A message as translation needs it: whose conversation, which way, and its text.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageToTranslate {
    pub id: i64,
    pub conversation_id: i64,
    pub direction: String,
    pub body: String,
}

/// A kept translation; `body` holds the placeholders of hidden numbers.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredTranslation {
    pub message_id: i64,
    pub target_language: String,
    pub source_language: Option<String>,
    pub body: String,
}

impl Store {
    pub async fn translation_service(&self) -> StoreResult<Option<TranslationServiceRow>> {
        Ok(sqlx::query_as(
            "SELECT kind, base_url, model, api_key FROM translation_service WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Saves the service, or removes it (translation off) with `None`.
    pub async fn save_translation_service(
        &self,
        service: Option<&TranslationServiceRow>,
    ) -> StoreResult<()> {
        match service {
            None => {
                sqlx::query("DELETE FROM translation_service WHERE id = 1")
                    .execute(&self.writer)
                    .await?;
            }
            Some(service) => {
                sqlx::query(
                    "INSERT INTO translation_service (id, kind, base_url, model, api_key, updated_at) \
                     VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
                     kind = excluded.kind, base_url = excluded.base_url, model = excluded.model, \
                     api_key = excluded.api_key, updated_at = excluded.updated_at",
                )
                .bind(&service.kind)
                .bind(&service.base_url)
                .bind(&service.model)
                .bind(&service.api_key)
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
            }
        }
        Ok(())
    }

    /// Rewrites the sealed API key (re-sealing under a new key); see `rewrite_each`.
    pub async fn rewrite_translation_key<E: From<super::StoreError>>(
        &self,
        rewrite: impl FnMut(i64, &str) -> Result<Option<String>, E>,
    ) -> Result<u64, E> {
        self.rewrite_each(
            "SELECT id, api_key FROM translation_service WHERE api_key IS NOT NULL",
            "UPDATE translation_service SET api_key = $1 WHERE id = $2",
            rewrite,
        )
        .await
    }

    pub async fn message_to_translate(&self, id: i64) -> StoreResult<Option<MessageToTranslate>> {
        Ok(sqlx::query_as(
            "SELECT id, conversation_id, direction, body FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn stored_translation(
        &self,
        message_id: i64,
        target_language: &str,
    ) -> StoreResult<Option<StoredTranslation>> {
        Ok(sqlx::query_as(
            "SELECT message_id, target_language, source_language, body FROM message_translations \
             WHERE message_id = $1 AND target_language = $2",
        )
        .bind(message_id)
        .bind(target_language)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Keeps a translation of a message and, for a contact's message (`contact_conversation`)
    /// whose language the service detected, makes that the conversation's language, in one
    /// transaction. Two readers translating at once both succeed; the first translation is
    /// kept and returned to both.
    pub async fn keep_translation(
        &self,
        contact_conversation: Option<i64>,
        translation: &StoredTranslation,
    ) -> StoreResult<StoredTranslation> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO message_translations (message_id, target_language, source_language, body, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id, target_language) DO NOTHING",
        )
        .bind(translation.message_id)
        .bind(&translation.target_language)
        .bind(&translation.source_language)
        .bind(&translation.body)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if let (Some(conversation_id), Some(language)) =
            (contact_conversation, &translation.source_language)
        {
            sqlx::query("UPDATE conversations SET language = $1 WHERE id = $2")
                .bind(language)
                .bind(conversation_id)
                .execute(&mut *tx)
                .await?;
        }
        let kept = sqlx::query_as(
            "SELECT message_id, target_language, source_language, body FROM message_translations \
             WHERE message_id = $1 AND target_language = $2",
        )
        .bind(translation.message_id)
        .bind(&translation.target_language)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(kept)
    }
}
