//! Media sent by contacts: downloaded from the provider in the background, kept on local disk
//! under its content hash, and served only to signed-in people.

use std::path::{Path, PathBuf};

use app::error::AppError;
use app::model::ChannelKind;
use app::ports::Actor;
use sha2::{Digest, Sha256};

use super::Services;
use super::channels::ConnectedChannel;
use crate::store::{DueAttachment, now_ms};

/// Where and how much media is kept.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

/// After this many failed downloads an attachment is shown as failed for good.
const MAX_ATTEMPTS: i64 = 8;

/// Types a volunteer's browser may be handed; anything else (HTML, executables) is refused.
pub(crate) fn allowed_type(mime: &str) -> bool {
    let mime = mime.split(';').next().unwrap_or_default().trim();
    ["image/", "audio/", "video/"]
        .iter()
        .any(|prefix| mime.starts_with(prefix))
        || [
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.ms-excel",
            "text/plain",
            "text/csv",
        ]
        .contains(&mime)
}

/// The downloaded file's path under its SHA-256, fanned out so no directory grows too large.
pub fn path_for(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
}

/// A media file ready to send to a browser.
pub struct MediaFile {
    pub bytes: Vec<u8>,
    pub mime_type: String,
    pub filename: Option<String>,
}

#[derive(Debug, thiserror::Error)]
enum FetchError {
    /// Worth trying again later (network trouble, provider errors).
    #[error("{0}")]
    Transient(String),
    /// Will not get better (too large, a type we refuse).
    #[error("{0}")]
    Permanent(String),
}

fn transient(error: impl std::fmt::Display) -> FetchError {
    FetchError::Transient(error.to_string())
}

impl Services {
    /// Downloads the next attachment that is due; returns whether there was one. The delivery
    /// loop calls this until it returns false.
    pub async fn fetch_next_attachment(&self) -> Result<bool, AppError> {
        let Some(due) = self.store.claim_due_attachment().await? else {
            return Ok(false);
        };
        match self.download(&due).await {
            Ok(()) => {}
            Err(FetchError::Permanent(reason)) => {
                self.store.attachment_failed(due.id, &reason, None).await?;
            }
            Err(FetchError::Transient(reason)) => {
                let retry_at = (due.fetch_attempts + 1 < MAX_ATTEMPTS).then(|| {
                    let backoff_seconds = 30_i64 << due.fetch_attempts.min(7);
                    now_ms() + backoff_seconds.min(3600) * 1000
                });
                tracing::warn!(attachment = due.id, %reason, "media download failed");
                self.store
                    .attachment_failed(due.id, &reason, retry_at)
                    .await?;
            }
        }
        Ok(true)
    }

    async fn download(&self, due: &DueAttachment) -> Result<(), FetchError> {
        let channel = self
            .connected_channel(due.channel_id)
            .await
            .map_err(|error| FetchError::Transient(error.message))?;
        let request = self.media_request(&channel, &due.source).await?;
        let mut response = request.send().await.map_err(transient)?;
        if !response.status().is_success() {
            return Err(FetchError::Transient(format!(
                "the provider answered {}",
                response.status()
            )));
        }
        let mime_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
            .or_else(|| due.mime_type.clone())
            .unwrap_or_else(|| "application/octet-stream".into());
        if !allowed_type(&mime_type) {
            return Err(FetchError::Permanent(format!(
                "files of type {mime_type} are not accepted"
            )));
        }
        let limit = self.settings.media.max_bytes;
        let too_large = || FetchError::Permanent(format!("the file is larger than {limit} bytes"));
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transient)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        let sha256 = self.keep_file(&bytes).await.map_err(transient)?;
        self.store
            .attachment_stored(due.id, &sha256, bytes.len() as i64, &mime_type)
            .await
            .map_err(transient)?;
        Ok(())
    }

    /// Writes a file under its SHA-256 (once: the same content is kept once) and returns the
    /// hash. Written aside and renamed, so a reader never sees half a file.
    pub(crate) async fn keep_file(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = path_for(&self.settings.media.dir, &sha256);
        if !path.exists() {
            let parent = path.parent().expect("media paths have a parent");
            tokio::fs::create_dir_all(parent).await?;
            let partial = parent.join(format!("{sha256}.{}.partial", rand::random::<u64>()));
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, &path).await?;
        }
        Ok(sha256)
    }

    /// The bytes of a kept file.
    pub(crate) async fn kept_file(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(path_for(&self.settings.media.dir, sha256)).await
    }

    /// The authenticated request for a stored media source. Credentials are only ever sent to
    /// the provider's own API host.
    async fn media_request(
        &self,
        channel: &ConnectedChannel,
        source: &str,
    ) -> Result<reqwest::RequestBuilder, FetchError> {
        let config = &channel.config;
        if let Some(media_id) = source.strip_prefix("whatsapp-media:") {
            let token = config.secrets.access_token.clone().unwrap_or_default();
            let lookup: serde_json::Value = self
                .http
                .get(format!("{}/{media_id}", config.api_base_url))
                .bearer_auth(&token)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(transient)?
                .json()
                .await
                .map_err(transient)?;
            let url = lookup["url"]
                .as_str()
                .ok_or_else(|| FetchError::Transient("the media lookup gave no URL".into()))?;
            // WhatsApp's download URL needs the same token as the lookup.
            return Ok(self.http.get(url).bearer_auth(token));
        }
        let same_host = |url: &str| {
            let host = |u: &str| {
                url::Url::parse(u)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
            };
            host(url).is_some() && host(url) == host(&config.api_base_url)
        };
        let request = self.http.get(source);
        Ok(match config.kind {
            ChannelKind::Twilio if same_host(source) => request.basic_auth(
                config.settings.account_sid.clone().unwrap_or_default(),
                config.secrets.auth_token.clone(),
            ),
            _ => request,
        })
    }

    /// A stored media file, for a signed-in person who may see its conversation.
    pub async fn media_file(&self, actor: &Actor, id: i64) -> Result<MediaFile, AppError> {
        let attachment = self
            .store
            .attachment(id)
            .await?
            .filter(|attachment| attachment.fetch_state == "stored")
            .ok_or_else(|| AppError::not_found("Media"))?;
        self.visible_conversation(actor, attachment.conversation_id)
            .await
            .map_err(|_| AppError::not_found("Media"))?;
        let sha256 = attachment
            .sha256
            .ok_or_else(|| AppError::not_found("Media"))?;
        let bytes = self.kept_file(&sha256).await.map_err(|error| {
            tracing::error!(attachment = id, %error, "stored media is missing on disk");
            AppError::not_found("Media")
        })?;
        Ok(MediaFile {
            bytes,
            mime_type: attachment
                .mime_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            filename: attachment.filename,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_media_and_documents_are_accepted() {
        for ok in [
            "image/jpeg",
            "audio/ogg; codecs=opus",
            "video/mp4",
            "application/pdf",
            "text/plain",
        ] {
            assert!(allowed_type(ok), "{ok}");
        }
        for refused in [
            "text/html",
            "application/x-msdownload",
            "image",
            "application/javascript",
        ] {
            assert!(!allowed_type(refused), "{refused}");
        }
    }

    #[test]
    fn files_fan_out_by_hash_prefix() {
        let path = path_for(Path::new("/media"), "abcdef");
        assert_eq!(path, Path::new("/media/ab/abcdef"));
    }
}
