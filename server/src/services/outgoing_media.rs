//! Files a person sends to a contact: checked like incoming media, kept under their hash,
//! queued like a reply, and offered to Twilio and Meta through an unguessable link that works
//! for a week (WhatsApp gets the file uploaded instead).

use app::error::AppError;
use app::model::Permission;
use app::ports::Actor;
use channels::outbound::OutboundMedia;

use super::Services;
use super::media::{MediaFile, allowed_type};
use crate::auth::tokens::random_secret;
use crate::store::{OutboundFile, OutboundReply, SHARED_SOURCE_PREFIX, now_ms};

/// How long a shared link to a sent file works: providers fetch it within minutes.
const SHARED_FOR_MS: i64 = 7 * 24 * 60 * 60 * 1000;
const MAX_CAPTION_CHARS: usize = 1024;
const MAX_FILENAME_CHARS: usize = 200;

/// A file as a person uploaded it.
pub struct Upload {
    pub filename: Option<String>,
    pub mime_type: String,
    pub bytes: Vec<u8>,
    pub caption: String,
}

/// The path providers fetch a sent file from.
pub fn shared_path(source: &str) -> Option<String> {
    source
        .strip_prefix(SHARED_SOURCE_PREFIX)
        .map(|token| format!("/media/shared/{token}"))
}

/// An uploaded file that passed the checks and is kept on disk under its hash.
pub(crate) struct KeptUpload {
    pub mime_type: String,
    pub filename: Option<String>,
    pub size_bytes: i64,
    pub sha256: String,
}

impl KeptUpload {
    /// What the file is sent and shown as, by its type.
    pub fn kind(&self) -> &'static str {
        OutboundMedia::for_mime_type(&self.mime_type).as_str()
    }

    /// The file as a queued message carries it, with a new shared link.
    pub fn outbound<'a>(&'a self, shared_token: &'a str) -> OutboundFile<'a> {
        OutboundFile {
            kind: self.kind(),
            mime_type: &self.mime_type,
            filename: self.filename.as_deref().filter(|name| !name.is_empty()),
            size_bytes: self.size_bytes,
            sha256: &self.sha256,
            shared_token,
        }
    }
}

impl Services {
    /// Queues a file (with an optional caption) as a reply, under the same rules as text.
    pub async fn send_file(
        &self,
        actor: &Actor,
        conversation_id: i64,
        upload: Upload,
    ) -> Result<(), AppError> {
        actor.require(Permission::AnswerConversations)?;
        let conversation = self.visible_conversation(actor, conversation_id).await?;
        if let Some(refusal) = self.reply_refusal(actor, &conversation).await? {
            return Err(AppError::unprocessable(refusal));
        }
        let caption = upload.caption.trim().to_string();
        if caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(AppError::unprocessable(format!(
                "A caption has at most {MAX_CAPTION_CHARS} characters."
            )));
        }
        let kept = self.keep_upload(upload).await?;
        let token = random_secret();
        self.queue_reply(
            actor,
            &conversation,
            OutboundReply {
                kind: kept.kind(),
                body: &caption,
                content: "{}",
                file: Some(kept.outbound(&token)),
                translation: None,
            },
        )
        .await
    }

    /// Checks a file a person uploaded (not empty, a type contacts may be sent, within the
    /// size limit), cleans its name and keeps it under its hash.
    pub(crate) async fn keep_upload(&self, upload: Upload) -> Result<KeptUpload, AppError> {
        let mime_type = upload
            .mime_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if upload.bytes.is_empty() {
            return Err(AppError::unprocessable("Choose a file to send."));
        }
        if !allowed_type(&mime_type) {
            return Err(AppError::unprocessable(format!(
                "Files of type {mime_type} cannot be sent: send pictures, sound, video, PDF, Office documents or text."
            )));
        }
        let limit = self.settings.media.max_bytes;
        if upload.bytes.len() as u64 > limit {
            return Err(AppError::unprocessable(format!(
                "The file is larger than {}.",
                crate::domain::sizes::limit_text(limit)
            )));
        }
        let filename: Option<String> = upload.filename.map(|name| {
            name.chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(MAX_FILENAME_CHARS)
                .collect()
        });
        let sha256 = self.keep_file(&upload.bytes).await.map_err(|error| {
            tracing::error!(%error, "could not keep an uploaded file");
            AppError::internal()
        })?;
        Ok(KeptUpload {
            mime_type,
            filename,
            size_bytes: upload.bytes.len() as i64,
            sha256,
        })
    }

    /// A sent file through its shared link, for the provider fetching it. Anything else,
    /// and links older than a week, are "not found".
    pub async fn shared_file(&self, token: &str) -> Result<MediaFile, AppError> {
        let file = self
            .store
            .shared_file(token, now_ms() - SHARED_FOR_MS)
            .await?
            .ok_or_else(|| AppError::not_found("File"))?;
        let bytes = self.kept_file(&file.sha256).await.map_err(|error| {
            tracing::error!(%error, "a sent file is missing on disk");
            AppError::not_found("File")
        })?;
        Ok(MediaFile {
            bytes,
            mime_type: file.mime_type,
            filename: file.filename,
        })
    }
}
