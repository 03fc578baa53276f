//! Backing up a running installation into one archive, and restoring an archive into an empty
//! data directory.
//!
//! The archive is a ZIP: `backup.json` (what it holds), `switchboard.db` (SQLite only: a copy
//! taken with `VACUUM INTO`, one consistent moment while the server goes on writing), every kept
//! media file under `media/`, and `secret.key` when the sealing key lives in a file (without it
//! the channels' stored secrets could not be opened after a restore). PostgreSQL's database is
//! copied with `pg_dump` (README, "Backups"); its archive holds the media files and the key.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::secrets::KeySource;
use crate::store::{Store, StoreError, sqlite_file};

const FORMAT: &str = "switchboard.backup/1";
const MANIFEST: &str = "backup.json";
const DATABASE: &str = "switchboard.db";
const KEY: &str = "secret.key";
const MEDIA: &str = "media/";

/// What an archive holds, written first so a restore can check it before touching anything.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    /// RFC 3339, UTC: the moment the database copy was taken (before the media files).
    created_at: String,
    switchboard_version: String,
    database: Option<String>,
    media_files: usize,
    secret_key: bool,
}

/// What a backup or a restore copied.
#[derive(Debug, PartialEq, Eq)]
pub struct Copied {
    pub database: bool,
    pub media_files: usize,
    pub secret_key: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("could not copy the database: {0}")]
    Store(#[from] StoreError),
    #[error("could not write or read the archive: {0}")]
    Archive(#[from] zip::result::ZipError),
    #[error("{0} is not a Switchboard backup: {1}")]
    NotABackup(PathBuf, String),
    #[error(
        "restore works into an empty data directory, and {0} already exists: move it away, or point DATABASE_URL, SWITCHBOARD_MEDIA_DIR and SWITCHBOARD_SECRET_KEY_FILE at an empty place"
    )]
    NotEmpty(PathBuf),
    #[error(
        "this backup holds a SQLite database, and DATABASE_URL is not a SQLite file: restore it with DATABASE_URL=sqlite://… (README, \"Backups\")"
    )]
    NotSqlite,
}

/// Writes a backup of the installation to `to`, replacing nothing: the archive is written
/// beside it and moved into place when complete. Media is in it when kept in a local
/// directory (`media_dir`); a bucket keeps its own copies.
pub async fn create(
    store: &Store,
    media_dir: Option<&Path>,
    key: &KeySource,
    to: &Path,
) -> Result<Copied, BackupError> {
    if to.exists() {
        return Err(BackupError::NotEmpty(to.to_path_buf()));
    }
    let partial = sibling(to, "partial");
    let database_copy = sibling(to, "db");
    let created_at = now_rfc3339();
    let database = match store.copy_sqlite_into(&database_copy).await {
        Ok(copied) => copied.is_some(),
        Err(error) => {
            let _ = std::fs::remove_file(&database_copy);
            return Err(error.into());
        }
    };
    let key_file = match key {
        KeySource::File(path) if path.exists() => Some(path.clone()),
        _ => None,
    };
    let media_dir = media_dir.map(Path::to_path_buf);
    let written = {
        let (partial, database_copy) = (partial.clone(), database_copy.clone());
        tokio::task::spawn_blocking(move || {
            write_archive(
                &partial,
                &created_at,
                database.then_some(database_copy.as_path()),
                key_file.as_deref(),
                media_dir.as_deref(),
            )
        })
        .await
        .map_err(io::Error::other)?
    };
    let _ = std::fs::remove_file(&database_copy);
    match written {
        Ok(copied) => {
            std::fs::rename(&partial, to)?;
            Ok(copied)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

/// Restores an archive into an empty data directory: the SQLite file named by `database_url`
/// (when the archive holds one), `media_dir`, and the key file (when the archive holds one and
/// the key is read from a file).
pub async fn restore(
    database_url: &str,
    media_dir: &Path,
    key: &KeySource,
    from: &Path,
) -> Result<Copied, BackupError> {
    let (database_url, media_dir, key, from) = (
        database_url.to_string(),
        media_dir.to_path_buf(),
        key.clone(),
        from.to_path_buf(),
    );
    tokio::task::spawn_blocking(move || restore_archive(&database_url, &media_dir, &key, &from))
        .await
        .map_err(io::Error::other)?
}

fn write_archive(
    to: &Path,
    created_at: &str,
    database: Option<&Path>,
    key_file: Option<&Path>,
    media_dir: Option<&Path>,
) -> Result<Copied, BackupError> {
    let media = match media_dir {
        Some(dir) => kept_media_files(dir)?,
        None => Vec::new(),
    };
    let mut archive = ZipWriter::new(File::create_new(to)?);
    let compressed = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    // Pictures, voice notes and PDFs are compressed already.
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    let manifest = Manifest {
        format: FORMAT.to_string(),
        created_at: created_at.to_string(),
        switchboard_version: env!("CARGO_PKG_VERSION").to_string(),
        database: database.map(|_| DATABASE.to_string()),
        media_files: media.len(),
        secret_key: key_file.is_some(),
    };
    archive.start_file(MANIFEST, compressed)?;
    archive.write_all(&serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?)?;
    if let Some(database) = database {
        archive.start_file(DATABASE, compressed)?;
        io::copy(&mut File::open(database)?, &mut archive)?;
    }
    if let Some(key_file) = key_file {
        archive.start_file(KEY, compressed)?;
        io::copy(&mut File::open(key_file)?, &mut archive)?;
    }
    let mut copied = 0;
    for (name, path) in media {
        // Retention or an erasure may remove a file after the database copy was taken; the
        // copy no longer names it either, so it is not missed.
        let Ok(mut file) = File::open(&path) else {
            continue;
        };
        archive.start_file(format!("{MEDIA}{name}"), stored)?;
        io::copy(&mut file, &mut archive)?;
        copied += 1;
    }
    archive.finish()?.sync_all()?;
    Ok(Copied {
        database: database.is_some(),
        media_files: copied,
        secret_key: key_file.is_some(),
    })
}

/// Media files as the media store keeps them: `ab/abcdef…` (their SHA-256), relative to the
/// media directory. Half-written files are left out.
fn kept_media_files(media_dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let prefixes = match std::fs::read_dir(media_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(error) => return Err(error),
    };
    for prefix in prefixes {
        let prefix = prefix?;
        if !prefix.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(prefix.path())? {
            let file = file?;
            let name = format!(
                "{}/{}",
                prefix.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            if media_name(&name).is_some() && file.file_type()?.is_file() {
                files.push((name, file.path()));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The SHA-256 a media file's name in the archive claims, when the name has the media store's
/// shape; anything else (`../`, absolute paths) is refused.
fn media_name(name: &str) -> Option<&str> {
    let (prefix, hash) = name.split_once('/')?;
    let hex = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    (hash.len() == 64 && hex(hash) && hash.starts_with(prefix) && prefix.len() == 2).then_some(hash)
}

fn restore_archive(
    database_url: &str,
    media_dir: &Path,
    key: &KeySource,
    from: &Path,
) -> Result<Copied, BackupError> {
    let not_a_backup = |reason: &str| BackupError::NotABackup(from.to_path_buf(), reason.into());
    let mut archive = ZipArchive::new(File::open(from)?).map_err(|_| not_a_backup("not a ZIP"))?;
    let manifest: Manifest = {
        let entry = archive
            .by_name(MANIFEST)
            .map_err(|_| not_a_backup("no backup.json"))?;
        serde_json::from_reader(entry).map_err(|_| not_a_backup("backup.json is unreadable"))?
    };
    if manifest.format != FORMAT {
        return Err(not_a_backup(&format!(
            "format {} (this version reads {FORMAT})",
            manifest.format
        )));
    }
    let database_file = match (&manifest.database, sqlite_file(database_url)) {
        (Some(_), None) => return Err(BackupError::NotSqlite),
        (Some(_), Some(file)) => Some(file),
        (None, _) => None,
    };
    let key_file = match key {
        KeySource::File(path) if manifest.secret_key => Some(path.clone()),
        _ => None,
    };
    for taken in database_file.iter().chain(key_file.iter()) {
        if taken.exists() {
            return Err(BackupError::NotEmpty(taken.clone()));
        }
    }
    if std::fs::read_dir(media_dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(BackupError::NotEmpty(media_dir.to_path_buf()));
    }

    let mut media_files = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let Some(name) = entry.name().strip_prefix(MEDIA).map(str::to_string) else {
            continue;
        };
        let hash = media_name(&name)
            .ok_or_else(|| not_a_backup(&format!("unexpected file {MEDIA}{name}")))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if hex::encode(Sha256::digest(&bytes)) != hash {
            return Err(not_a_backup(&format!("{MEDIA}{name} is damaged")));
        }
        write_new(&media_dir.join(&name), &bytes)?;
        media_files += 1;
    }
    if let Some(key_file) = &key_file {
        let mut entry = archive
            .by_name(KEY)
            .map_err(|_| not_a_backup("secret.key is missing"))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        write_new(key_file, &bytes)?;
    }
    if let Some(database_file) = &database_file {
        let mut entry = archive
            .by_name(DATABASE)
            .map_err(|_| not_a_backup("switchboard.db is missing"))?;
        let partial = sibling(database_file, "partial");
        if let Some(dir) = database_file
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = File::create_new(&partial)?;
        io::copy(&mut entry, &mut file)?;
        file.sync_all()?;
        std::fs::rename(&partial, database_file)?;
    }
    Ok(Copied {
        database: database_file.is_some(),
        media_files,
        secret_key: key_file.is_some(),
    })
}

/// Creates `path` (and its folder) with `bytes`, readable by its owner only, refusing to replace
/// anything.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sibling(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}.{extension}", rand::random::<u32>()));
    PathBuf::from(name)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::media_name;

    #[test]
    fn only_the_media_stores_names_are_restored() {
        let hash = "ab".to_string() + &"0".repeat(62);
        assert_eq!(media_name(&format!("ab/{hash}")), Some(hash.as_str()));
        for bad in [
            format!("cd/{hash}"),
            format!("../{hash}"),
            format!("ab/../{hash}"),
            format!("/ab/{hash}"),
            format!("ab/{}", hash.to_uppercase()),
            "ab/abc".to_string(),
        ] {
            assert_eq!(media_name(&bad), None, "{bad}");
        }
    }
}
