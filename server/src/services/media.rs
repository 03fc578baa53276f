//! Media sent by contacts: downloaded from the provider in the background, kept under its
//! content hash (`media_store`), and served only to signed-in people.

use app::error::AppError;
use app::model::ChannelKind;
use app::ports::Actor;
use sha2::{Digest, Sha256};

use super::Services;
use super::channels::ConnectedChannel;
use super::provider::{failure_reason, provider_name};
use crate::domain::addresses::is_media_url;
use crate::media_store::MediaStore;
use crate::store::{DueAttachment, now_ms};

/// Where and how much media is kept.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    pub store: MediaStore,
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

/// A media file ready to send to a browser.
pub struct MediaFile {
    pub bytes: Vec<u8>,
    pub mime_type: String,
    pub filename: Option<String>,
}

/// How many redirects a media download follows.
const MAX_REDIRECTS: usize = 5;

/// The credentials a media request carries, to its first address only.
enum MediaCredentials {
    None,
    Bearer(String),
    Basic(String, Option<String>),
}

impl MediaCredentials {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            MediaCredentials::None => request,
            MediaCredentials::Bearer(token) => request.bearer_auth(token),
            MediaCredentials::Basic(user, password) => request.basic_auth(user, password.clone()),
        }
    }
}

fn same_origin(url: &url::Url, other: &str) -> bool {
    url::Url::parse(other).is_ok_and(|other| other.origin() == url.origin())
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
        let mut response = self.media_response(&channel, &due.source).await?;
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
        let provider = provider_name(channel.config.kind);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| FetchError::Transient(failure_reason(provider, error)))?
        {
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

    /// Keeps a file under its SHA-256 (once: the same content is kept once) and returns the
    /// hash.
    pub(crate) async fn keep_file(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        self.settings.media.store.keep(&sha256, bytes).await?;
        Ok(sha256)
    }

    /// Removes kept files no attachment holds any more (retention, erasure). The rows are
    /// gone, so a file that cannot be removed holds nothing anyone can reach; it is named in
    /// the log for an operator, since nothing will look for it again.
    pub(crate) async fn remove_kept_files(&self, hashes: Vec<String>) {
        let store = &self.settings.media.store;
        for sha256 in hashes {
            if let Err(error) = store.remove(&sha256).await {
                tracing::warn!(%error, %sha256, ?store, "could not remove a media file");
            }
        }
    }

    /// The bytes of a kept file.
    pub(crate) async fn kept_file(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        self.settings.media.store.read(sha256).await
    }

    /// Fetches a stored media source from the provider's media hosts, following redirects one
    /// by one: each hop must be on the provider's media hosts and pass the address rules, and
    /// credentials go only to the address they were meant for, never to a redirect elsewhere.
    async fn media_response(
        &self,
        channel: &ConnectedChannel,
        source: &str,
    ) -> Result<reqwest::Response, FetchError> {
        let config = &channel.config;
        let provider = provider_name(config.kind);
        let (mut url, credentials) = self.media_request(channel, source).await?;
        let credentialed = url.origin();
        for _ in 0..MAX_REDIRECTS {
            let mut request = self.http.get(url.clone());
            if url.origin() == credentialed {
                request = credentials.apply(request);
            }
            let response = request
                .send()
                .await
                .map_err(|error| FetchError::Transient(failure_reason(provider, error)))?;
            if !response.status().is_redirection() {
                return Ok(response);
            }
            let next = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|location| location.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or_else(|| {
                    FetchError::Transient(format!("{provider} redirected the download nowhere"))
                })?;
            url = self.media_url(channel, next.as_str(), true)?;
        }
        Err(FetchError::Transient(format!(
            "{provider} redirected the download too often"
        )))
    }

    /// Where a stored media source is fetched from, with the credentials that address gets.
    async fn media_request(
        &self,
        channel: &ConnectedChannel,
        source: &str,
    ) -> Result<(url::Url, MediaCredentials), FetchError> {
        let config = &channel.config;
        let provider = provider_name(config.kind);
        if let Some(media_id) = source.strip_prefix("whatsapp-media:") {
            let token = config.secrets.access_token.clone().unwrap_or_default();
            let lookup_url = self
                .provider_url(config, &format!("/{media_id}"))
                .map_err(|error| FetchError::Transient(error.to_string()))?;
            let answer = self
                .http
                .get(lookup_url)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|error| FetchError::Transient(failure_reason(provider, error)))?;
            if !answer.status().is_success() {
                return Err(FetchError::Transient(format!(
                    "the media lookup was answered {}",
                    answer.status()
                )));
            }
            let lookup: serde_json::Value = answer
                .json()
                .await
                .map_err(|error| FetchError::Transient(failure_reason(provider, error)))?;
            let url = lookup["url"]
                .as_str()
                .ok_or_else(|| FetchError::Transient("the media lookup gave no URL".into()))?;
            // WhatsApp's download URL needs the same token as the lookup, so it must be one of
            // Meta's media hosts: the answer decides where the token goes.
            let url = self.media_url(channel, url, false)?;
            return Ok((url, MediaCredentials::Bearer(token)));
        }
        let url = self.media_url(channel, source, false)?;
        // Twilio's media resource takes the account's credentials; Meta's CDN URLs are signed.
        let credentials = match config.kind {
            ChannelKind::Twilio if same_origin(&url, &config.api_base_url) => {
                MediaCredentials::Basic(
                    config.settings.account_sid.clone().unwrap_or_default(),
                    config.secrets.auth_token.clone(),
                )
            }
            _ => MediaCredentials::None,
        };
        Ok((url, credentials))
    }

    /// A media address, if it is on the provider's media hosts (a redirect hop may be on its
    /// CDN's storage too) and passes the address rules. Refused for good otherwise: the same
    /// source would point at the same place next time.
    fn media_url(
        &self,
        channel: &ConnectedChannel,
        url: &str,
        redirect: bool,
    ) -> Result<url::Url, FetchError> {
        let config = &channel.config;
        let provider = provider_name(config.kind);
        let refused = || {
            FetchError::Permanent(format!(
                "the file's address is not one of {provider}'s media hosts"
            ))
        };
        let allow_private = self.settings.allow_private_provider_urls;
        let parsed = super::egress::provider_url(url, allow_private).map_err(|_| refused())?;
        let api = url::Url::parse(&config.api_base_url).map_err(|_| refused())?;
        if !is_media_url(config.kind, &parsed, &api, redirect) {
            return Err(refused());
        }
        Ok(parsed)
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
}
