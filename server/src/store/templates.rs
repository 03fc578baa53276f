//! Message templates: what was written, what the provider's review said, and their versions.

use super::{Store, StoreResult, conflict_on_unique, now_ms};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub channel_kind: String,
    pub provider_template_id: Option<String>,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub rejection_reason: Option<String>,
    /// The content as JSON, in Switchboard's shape.
    pub components: String,
    pub content_sid: Option<String>,
    pub family: String,
    pub version: i64,
    pub updated_at: i64,
}

/// A template to add.
pub struct NewTemplate<'a> {
    pub channel_id: i64,
    pub name: &'a str,
    pub language: &'a str,
    pub category: &'a str,
    pub status: &'a str,
    pub components: &'a str,
    pub content_sid: Option<&'a str>,
    pub family: &'a str,
    pub version: i64,
    pub created_by: Option<i64>,
}

const TEMPLATE_COLUMNS: &str = "t.id, t.channel_id, ch.name AS channel_name, ch.kind AS channel_kind, \
     t.provider_template_id, t.name, t.language, t.category, t.status, t.rejection_reason, \
     t.components, t.content_sid, COALESCE(t.family, t.name) AS family, t.version, t.updated_at";

impl Store {
    /// Templates, newest version first within each family; of one channel when given, and only
    /// those with `status` when given.
    pub async fn list_templates(
        &self,
        channel_id: Option<i64>,
        status: Option<&str>,
    ) -> StoreResult<Vec<TemplateRow>> {
        let sql = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM message_templates t JOIN channels ch ON ch.id = t.channel_id \
             WHERE ($1 IS NULL OR t.channel_id = $1) AND ($2 IS NULL OR t.status = $2) \
             ORDER BY ch.name, COALESCE(t.family, t.name), t.language, t.version DESC"
        );
        Ok(sqlx::query_as(&sql)
            .bind(channel_id)
            .bind(status)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn template(&self, id: i64) -> StoreResult<Option<TemplateRow>> {
        let sql = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM message_templates t JOIN channels ch ON ch.id = t.channel_id \
             WHERE t.id = $1"
        );
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The highest version of a family in a language, to number the next one.
    pub async fn latest_template_version(
        &self,
        channel_id: i64,
        family: &str,
        language: &str,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM message_templates \
             WHERE channel_id = $1 AND COALESCE(family, name) = $2 AND language = $3",
        )
        .bind(channel_id)
        .bind(family)
        .bind(language)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn create_template(&self, template: NewTemplate<'_>) -> StoreResult<i64> {
        let now = now_ms();
        sqlx::query_scalar(
            "INSERT INTO message_templates (channel_id, name, language, category, status, components, \
             content_sid, family, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(template.channel_id)
        .bind(template.name)
        .bind(template.language)
        .bind(template.category)
        .bind(template.status)
        .bind(template.components)
        .bind(template.content_sid)
        .bind(template.family)
        .bind(template.version)
        .bind(template.created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| {
            conflict_on_unique(error, "a template with this name and language on this channel")
        })
    }

    /// Meta took the template for review.
    pub async fn template_submitted(
        &self,
        id: i64,
        provider_template_id: &str,
        status: &str,
    ) -> StoreResult<()> {
        let now = now_ms();
        sqlx::query(
            "UPDATE message_templates SET provider_template_id = $1, status = $2, \
             rejection_reason = NULL, submitted_at = $3, updated_at = $3 WHERE id = $4",
        )
        .bind(provider_template_id)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Submitting failed: the template stays a draft, with the reason to show.
    pub async fn template_not_submitted(&self, id: i64, reason: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE message_templates SET rejection_reason = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(reason)
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Applies a status read from the provider's list; returns whether the template changed.
    pub async fn sync_template_status(
        &self,
        channel_id: i64,
        provider_template_id: &str,
        name: &str,
        language: &str,
        status: &str,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE message_templates SET status = $1, rejection_reason = $2, \
             provider_template_id = $3, updated_at = $4 \
             WHERE channel_id = $5 AND name = $6 AND language = $7 \
               AND (status <> $1 OR rejection_reason IS DISTINCT FROM $2 \
                    OR provider_template_id IS DISTINCT FROM $3)",
        )
        .bind(status)
        .bind(reason)
        .bind(provider_template_id)
        .bind(now_ms())
        .bind(channel_id)
        .bind(name)
        .bind(language)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    /// Adds a template found at the provider, unless one with its name and language is on
    /// the channel already; returns whether it was added.
    pub async fn import_template(
        &self,
        template: NewTemplate<'_>,
        provider_template_id: &str,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let now = now_ms();
        Ok(sqlx::query(
            "INSERT INTO message_templates (channel_id, name, language, category, status, components, \
             content_sid, family, version, created_by, provider_template_id, rejection_reason, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             ON CONFLICT (channel_id, name, language) DO NOTHING",
        )
        .bind(template.channel_id)
        .bind(template.name)
        .bind(template.language)
        .bind(template.category)
        .bind(template.status)
        .bind(template.components)
        .bind(template.content_sid)
        .bind(template.family)
        .bind(template.version)
        .bind(template.created_by)
        .bind(provider_template_id)
        .bind(reason)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Deletes a registered Twilio Content template: it lives on at Twilio.
    pub async fn delete_registered_template(&self, id: i64) -> StoreResult<bool> {
        Ok(
            sqlx::query("DELETE FROM message_templates WHERE id = $1 AND content_sid IS NOT NULL")
                .bind(id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1,
        )
    }

    /// Deletes a template that was never submitted.
    pub async fn delete_draft_template(&self, id: i64) -> StoreResult<bool> {
        Ok(
            sqlx::query("DELETE FROM message_templates WHERE id = $1 AND status = 'draft'")
                .bind(id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1,
        )
    }
}
