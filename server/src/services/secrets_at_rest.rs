//! Keeping stored secrets sealed: sealing values stored before sealing existed, and re-sealing
//! everything under a new key (`switchboard secrets rotate`).

use super::Services;
use super::channels::secrets_place;
use super::translation::translation_key_place;
use super::two_factor::totp_seed_place;
use crate::secrets::{Keyring, SealError, SecretKey, is_sealed};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("channel {channel}: {source}")]
    Seal { channel: i64, source: SealError },
    #[error("the second-factor seed of person {user}: {source}")]
    SeedSeal { user: i64, source: SealError },
    #[error("the translation service's API key: {0}")]
    TranslationKeySeal(SealError),
    #[error(transparent)]
    Key(#[from] SealError),
}

impl Services {
    /// Seals channel credentials still stored as plain text (from before sealing), and checks
    /// that the configured key opens the sealed ones, so a wrong key stops the start with a
    /// clear message instead of failing every send; second-factor seeds, sealed from the start,
    /// are checked the same way. Run at every start; a second run changes nothing. Returns how
    /// many channels were sealed.
    pub async fn seal_stored_secrets(&self) -> Result<u64, AtRestError> {
        let keys = self.sealer().keyring()?;
        let sealed = self
            .store
            .rewrite_channel_secrets(|channel, stored| -> Result<_, AtRestError> {
                if !is_sealed(stored) {
                    return Ok(Some(keys.seal(&secrets_place(channel), stored)));
                }
                if keys.can_open(stored) {
                    return Ok(None);
                }
                let source = keys
                    .open(&secrets_place(channel), stored)
                    .err()
                    .unwrap_or(SealError::DoesNotOpen);
                Err(AtRestError::Seal { channel, source })
            })
            .await?;
        // Seeds are sealed from the start; the key must open them too.
        self.store
            .rewrite_totp_seeds(|user, stored| -> Result<_, AtRestError> {
                match keys.open(&totp_seed_place(user), stored) {
                    Ok(_) => Ok(None),
                    Err(source) => Err(AtRestError::SeedSeal { user, source }),
                }
            })
            .await?;
        // So is the translation service's key.
        self.store
            .rewrite_translation_key(|_, stored| -> Result<_, AtRestError> {
                match keys.open(&translation_key_place(), stored) {
                    Ok(_) => Ok(None),
                    Err(source) => Err(AtRestError::TranslationKeySeal(source)),
                }
            })
            .await?;
        Ok(sealed)
    }

    /// Re-seals every stored secret under `new`: channels, second-factor seeds, then the
    /// translation service's key, a transaction each (a rotation stopped between them is finished by running it again). It
    /// opens them with the keys this instance has (the current key, and a pending one from an
    /// unfinished rotation).
    /// Returns how many values were re-sealed.
    pub async fn reseal_stored_secrets(&self, new: SecretKey) -> Result<u64, AtRestError> {
        let old = self.sealer().keyring()?;
        let new = Keyring::new(new);
        let resealed = self
            .store
            .rewrite_channel_secrets(|channel, stored| -> Result<_, AtRestError> {
                let place = secrets_place(channel);
                let plain = if is_sealed(stored) {
                    old.open(&place, stored)
                        .map_err(|source| AtRestError::Seal { channel, source })?
                } else {
                    zeroize::Zeroizing::new(stored.to_string())
                };
                Ok(Some(new.seal(&place, &plain)))
            })
            .await?;
        let seeds = self
            .store
            .rewrite_totp_seeds(|user, stored| -> Result<_, AtRestError> {
                let place = totp_seed_place(user);
                let plain = old
                    .open(&place, stored)
                    .map_err(|source| AtRestError::SeedSeal { user, source })?;
                Ok(Some(new.seal(&place, &plain)))
            })
            .await?;
        let translation_keys = self
            .store
            .rewrite_translation_key(|_, stored| -> Result<_, AtRestError> {
                let place = translation_key_place();
                let plain = old
                    .open(&place, stored)
                    .map_err(AtRestError::TranslationKeySeal)?;
                Ok(Some(new.seal(&place, &plain)))
            })
            .await?;
        Ok(resealed + seeds + translation_keys)
    }
}
