//! Exporting everything held about a contact on their request (GDPR Articles 15 and 20): one
//! ZIP with `contact.json` (the shape is documented in the README) and their files.

use std::io::Write;

use app::error::AppError;
use app::model::{ConsentEvent, Permission};
use app::ports::Actor;
use serde_json::json;
use zip::write::SimpleFileOptions;

use super::{Services, rfc3339};
use crate::store::now_ms;

/// What `contact.json` says it is, so a reader can tell versions apart.
pub const EXPORT_FORMAT: &str = "switchboard.contact-export/1";

/// A finished export.
pub struct ContactExport {
    pub filename: String,
    pub zip: Vec<u8>,
}

/// A file's name inside the archive: its id, then what of its own name is plainly safe.
fn archive_name(attachment_id: i64, filename: Option<&str>, kind: &str) -> String {
    let name: String = filename
        .unwrap_or(kind)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachments/{attachment_id}-{}",
        name.trim_start_matches('.')
    )
}

impl Services {
    pub async fn export_contact(
        &self,
        actor: &Actor,
        contact_id: i64,
    ) -> Result<ContactExport, AppError> {
        actor.require(Permission::HandleDataRequests)?;
        let contact = self.contact(actor, contact_id).await?;
        let consent_events: Vec<ConsentEvent> = self
            .store
            .consent_events(contact_id)
            .await?
            .into_iter()
            .map(|row| ConsentEvent {
                kind: row.kind,
                source: row.source,
                channel_name: row.channel_name,
                at: rfc3339(row.created_at),
            })
            .collect();
        let mut conversations = Vec::new();
        let mut files = Vec::new();
        for summary in &contact.conversations {
            let detail = self.conversation(actor, summary.id).await?;
            for attachment in detail
                .messages
                .iter()
                .flat_map(|message| &message.attachments)
                .filter(|attachment| attachment.state == "stored")
            {
                let file = self.media_file(actor, attachment.id).await?;
                let path = archive_name(attachment.id, file.filename.as_deref(), &attachment.kind);
                files.push((attachment.id, path, file));
            }
            conversations.push(detail);
        }
        let document = json!({
            "format": EXPORT_FORMAT,
            "exported_at": rfc3339(now_ms()),
            "contact": contact,
            "consent_events": consent_events,
            "conversations": conversations,
            "files": files.iter().map(|(id, path, file)| json!({
                "attachment_id": id,
                "path": path,
                "mime_type": file.mime_type,
            })).collect::<Vec<_>>(),
        });
        let zip = zip_of(&document, &files).map_err(|error| {
            tracing::error!(%error, "could not write a contact export");
            AppError::internal()
        })?;
        self.store
            .audit(
                Some(actor.id),
                "contact.exported",
                &format!("contact:{contact_id}"),
                json!({ "conversations": conversations.len(), "files": files.len() }),
            )
            .await?;
        Ok(ContactExport {
            filename: format!("contact-{contact_id}.zip"),
            zip,
        })
    }
}

fn zip_of(
    document: &serde_json::Value,
    files: &[(i64, String, super::MediaFile)],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    archive.start_file("contact.json", options)?;
    archive.write_all(&serde_json::to_vec_pretty(document).unwrap_or_default())?;
    for (_, path, file) in files {
        archive.start_file(path.as_str(), options)?;
        archive.write_all(&file.bytes)?;
    }
    Ok(archive.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::archive_name;

    #[test]
    fn names_in_the_archive_cannot_leave_its_folder() {
        assert_eq!(
            archive_name(7, Some("../../etc/passwd"), "document"),
            "attachments/7-_.._etc_passwd"
        );
        assert_eq!(
            archive_name(8, Some("Lease 2026.pdf"), "document"),
            "attachments/8-Lease_2026.pdf"
        );
        assert_eq!(archive_name(9, None, "image"), "attachments/9-image");
    }
}
