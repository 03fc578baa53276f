use super::{Store, StoreResult, conflict_on_unique, now_ms};

/// A channel as stored; `settings` and `secrets` are JSON.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub route_key: String,
    pub api_base_url: String,
    pub settings: String,
    pub secrets: String,
    pub send_rate_per_second: i64,
    pub created_at: i64,
}

impl std::fmt::Debug for ChannelRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("route_key", &self.route_key)
            .finish_non_exhaustive()
    }
}

/// What is written for a channel, new or changed.
pub struct ChannelWrite<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub route_key: &'a str,
    pub api_base_url: &'a str,
    pub settings: &'a str,
    pub secrets: &'a str,
    pub send_rate_per_second: i64,
}

const CHANNEL_COLUMNS: &str =
    "id, kind, name, route_key, api_base_url, settings, secrets, send_rate_per_second, created_at";
const ROUTE_TAKEN: &str = "a channel with this number or id";

impl Store {
    pub async fn insert_channel(&self, channel: ChannelWrite<'_>) -> StoreResult<ChannelRow> {
        sqlx::query_as(&format!(
            "INSERT INTO channels (kind, name, route_key, api_base_url, settings, secrets, \
             send_rate_per_second, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {CHANNEL_COLUMNS}"
        ))
        .bind(channel.kind)
        .bind(channel.name)
        .bind(channel.route_key)
        .bind(channel.api_base_url)
        .bind(channel.settings)
        .bind(channel.secrets)
        .bind(channel.send_rate_per_second)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, ROUTE_TAKEN))
    }

    /// Inserts a channel whose `secrets` depend on its id (they are sealed for their row), in
    /// one transaction; `channel.secrets` is ignored.
    pub async fn insert_channel_with(
        &self,
        channel: ChannelWrite<'_>,
        secrets_for: impl FnOnce(i64) -> String,
    ) -> StoreResult<ChannelRow> {
        let mut tx = self.pool.begin().await?;
        let mut row: ChannelRow = sqlx::query_as(&format!(
            "INSERT INTO channels (kind, name, route_key, api_base_url, settings, secrets, \
             send_rate_per_second, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $7) RETURNING {CHANNEL_COLUMNS}"
        ))
        .bind(channel.kind)
        .bind(channel.name)
        .bind(channel.route_key)
        .bind(channel.api_base_url)
        .bind(channel.settings)
        .bind(channel.send_rate_per_second)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|error| conflict_on_unique(error, ROUTE_TAKEN))?;
        row.secrets = secrets_for(row.id);
        sqlx::query("UPDATE channels SET secrets = $1 WHERE id = $2")
            .bind(&row.secrets)
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Passes every channel's stored secrets, removed channels' too, to `rewrite` and stores
    /// what it returns in their place (`None` leaves them), all in one transaction: a failure
    /// for any channel changes none. Returns how many were rewritten.
    pub async fn rewrite_channel_secrets<E: From<super::StoreError>>(
        &self,
        rewrite: impl FnMut(i64, &str) -> Result<Option<String>, E>,
    ) -> Result<u64, E> {
        self.rewrite_each(
            "SELECT id, secrets FROM channels ORDER BY id",
            "UPDATE channels SET secrets = $1 WHERE id = $2",
            rewrite,
        )
        .await
    }

    pub async fn update_channel(&self, id: i64, channel: ChannelWrite<'_>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE channels SET name = $1, route_key = $2, api_base_url = $3, settings = $4, \
             secrets = $5, send_rate_per_second = $6, updated_at = $7 \
             WHERE id = $8 AND deleted_at IS NULL",
        )
        .bind(channel.name)
        .bind(channel.route_key)
        .bind(channel.api_base_url)
        .bind(channel.settings)
        .bind(channel.secrets)
        .bind(channel.send_rate_per_second)
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|error| conflict_on_unique(error, ROUTE_TAKEN))?;
        Ok(())
    }

    /// Removes a channel from use while keeping its conversations; its route is freed so the
    /// same number can be connected again.
    pub async fn delete_channel(&self, id: i64) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE channels SET deleted_at = $1, route_key = route_key || '#removed-' || CAST(id AS TEXT) \
             WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn channel(&self, id: i64) -> StoreResult<Option<ChannelRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1 AND deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn list_channels(&self) -> StoreResult<Vec<ChannelRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE deleted_at IS NULL ORDER BY kind, name, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn channels_of_kind(&self, kind: &str) -> StoreResult<Vec<ChannelRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE kind = $1 AND deleted_at IS NULL ORDER BY id"
        ))
        .bind(kind)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn channel_by_route(
        &self,
        kind: &str,
        route_key: &str,
    ) -> StoreResult<Option<ChannelRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE kind = $1 AND route_key = $2 AND deleted_at IS NULL"
        ))
        .bind(kind)
        .bind(route_key)
        .fetch_optional(&self.pool)
        .await?)
    }
}
