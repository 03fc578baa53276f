//! Erasing a contact on their request (GDPR Article 17): admins only, with the contact's name
//! or number typed out, recorded in the audit log with counts and nothing personal.

use app::error::AppError;
use app::model::{ErasureReport, Permission};
use app::ports::Actor;

use super::Services;
use crate::domain::erasure;

impl Services {
    pub async fn erase_contact(
        &self,
        actor: &Actor,
        contact_id: i64,
        confirm: &str,
    ) -> Result<ErasureReport, AppError> {
        actor.require(Permission::HandleDataRequests)?;
        let contact = self
            .store
            .contact(contact_id)
            .await?
            .filter(|contact| contact.erased_at.is_none())
            .ok_or_else(|| AppError::not_found("Contact"))?;
        let addresses: Vec<String> = self
            .store
            .contact_identities(contact_id)
            .await?
            .into_iter()
            .map(|identity| identity.address)
            .collect();
        if !erasure::confirmed(confirm, &contact.name, &addresses) {
            return Err(AppError::unprocessable(
                "Type the contact's name or number exactly as shown to confirm the erasure.",
            ));
        }
        self.erase_confirmed_contact(actor, contact_id).await
    }

    /// Erases a contact whose erasure was confirmed (typed out, or asked for by the contact
    /// and confirmed by an admin), and records it.
    pub(super) async fn erase_confirmed_contact(
        &self,
        actor: &Actor,
        contact_id: i64,
    ) -> Result<ErasureReport, AppError> {
        let (report, unheld_files) = self
            .store
            .erase_contact(contact_id)
            .await?
            .ok_or_else(|| AppError::not_found("Contact"))?;
        self.remove_kept_files(unheld_files).await;
        let detail = serde_json::to_value(&report).map_err(|_| AppError::internal())?;
        self.store
            .audit(
                Some(actor.id),
                "contact.erased",
                &format!("contact:{contact_id}"),
                detail,
            )
            .await?;
        Ok(report)
    }
}
