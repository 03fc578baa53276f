//! A consistent copy of the database for backups.

use std::path::Path;

use super::{Backend, Store, StoreError, StoreResult};

impl Store {
    /// Writes a copy of a SQLite database to `path` (which must not exist) with `VACUUM INTO`:
    /// one read transaction, so the copy is a single moment while writers go on. None on
    /// PostgreSQL, whose copies `pg_dump` makes.
    pub async fn copy_sqlite_into(&self, path: &Path) -> StoreResult<Option<()>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let path = path.to_str().ok_or_else(|| {
            StoreError::Directory(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the backup path is not valid UTF-8",
            ))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(Some(()))
    }
}
