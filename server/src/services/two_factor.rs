//! Second factor (TOTP): enrolment, the code step of sign-in, disabling, an admin's reset, and
//! the admin setting that requires it of admins and coordinators.

use app::error::AppError;
use app::model::{
    Permission, RecoveryCodes, Role, SecuritySettings, TotpEnrolment, TwoFactorStatus,
};
use app::ports::Actor;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde_json::json;

use super::people::SignInError;
use super::{Services, actor_from};
use crate::auth::tokens;
use crate::domain::two_factor::{self as rules, RECOVERY_CODES, SEED_BYTES};
use crate::store::{StoreError, StoreResult, now_ms};

const SECURITY_SETTINGS: &str = "security";

/// Where a person's seed is sealed: the place binds it to its row, so a sealed seed copied to
/// another person's row does not open.
pub(crate) fn totp_seed_place(user_id: i64) -> String {
    format!("user:{user_id}:totp")
}

impl Services {
    /// The one way a seed goes into storage: sealed like channel credentials, so a copy of the
    /// database without the key cannot produce anyone's codes.
    fn seal_totp_seed(&self, user_id: i64, seed: &[u8]) -> Result<String, AppError> {
        self.sealer()
            .seal(&totp_seed_place(user_id), &STANDARD.encode(seed))
            .map_err(|error| {
                tracing::error!(%error, "a second-factor seed cannot be sealed");
                AppError::internal()
            })
    }

    /// The one way a stored seed comes back; see [`Services::seal_totp_seed`].
    fn open_totp_seed(&self, user_id: i64, sealed: &str) -> Result<Vec<u8>, AppError> {
        let opened = self
            .sealer()
            .open(&totp_seed_place(user_id), sealed)
            .map_err(|error| {
                tracing::error!(%error, "a stored second-factor seed cannot be opened");
                AppError::internal()
            })?;
        STANDARD.decode(opened.as_bytes()).map_err(|error| {
            tracing::error!(%error, "a stored second-factor seed is not base64");
            AppError::internal()
        })
    }
}

fn now_secs() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap_or(0)
}

fn wrong_code() -> AppError {
    AppError::unprocessable("That code is not correct. Enter the current code from your app.")
}

fn bad_seed(_: rules::TwoFactorError) -> AppError {
    tracing::error!("a second-factor seed is unusable");
    AppError::internal()
}

/// Roles the admin setting applies to.
fn is_staff(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Coordinator)
}

impl Services {
    /// Whether this person has a confirmed second factor.
    pub(crate) async fn has_second_factor(&self, user_id: i64) -> StoreResult<bool> {
        Ok(self
            .store
            .totp(user_id)
            .await?
            .is_some_and(|row| row.is_confirmed()))
    }

    pub async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus, AppError> {
        let enabled = self.has_second_factor(actor.id).await?;
        Ok(TwoFactorStatus {
            enabled,
            required: self.second_factor_required_of(actor).await?,
            recovery_codes_left: if enabled {
                self.store.unused_recovery_codes(actor.id).await?
            } else {
                0
            },
        })
    }

    async fn second_factor_required_of(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(is_staff(actor.role) && self.security_settings().await?.require_two_factor_for_staff)
    }

    /// Whether this person must enrol before doing anything else: their role requires a second
    /// factor and they have none. Checked on every request, so only staff pay for the lookups.
    pub async fn must_enrol_second_factor(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(self.second_factor_required_of(actor).await?
            && !self.has_second_factor(actor.id).await?)
    }

    /// Starts enrolment with a new seed, returned this once. Starting again replaces a pending
    /// seed; a confirmed second factor must be disabled (or reset) first.
    pub async fn start_totp(&self, actor: &Actor) -> Result<TotpEnrolment, AppError> {
        let mut seed = [0u8; SEED_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        if !self
            .store
            .start_totp(actor.id, &self.seal_totp_seed(actor.id, &seed)?)
            .await?
        {
            return Err(AppError::conflict(
                "Two-factor sign-in is already on. Turn it off first to set up a new app.",
            ));
        }
        let otpauth_url = rules::otpauth_url(&seed, &actor.email).map_err(bad_seed)?;
        Ok(TotpEnrolment {
            secret: rules::seed_base32(&seed),
            qr_svg: rules::qr_svg(&otpauth_url).map_err(bad_seed)?,
            otpauth_url,
        })
    }

    /// Confirms enrolment with a code from the app; returns the recovery codes, this once.
    pub async fn confirm_totp(&self, actor: &Actor, code: &str) -> Result<RecoveryCodes, AppError> {
        let row = self
            .store
            .totp(actor.id)
            .await?
            .filter(|row| !row.is_confirmed())
            .ok_or_else(|| {
                AppError::conflict("There is no two-factor set-up to confirm. Start again.")
            })?;
        let seed = self.open_totp_seed(actor.id, &row.seed)?;
        let step = rules::accepted_step(&seed, code, now_secs(), row.last_step)
            .map_err(bad_seed)?
            .ok_or_else(wrong_code)?;
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| tokens::one_time_password())
            .collect();
        // Recovery codes carry about 80 random bits each, so a fast hash is enough: no one can
        // search that space, and guesses at sign-in are throttled.
        let hashes: Vec<String> = codes
            .iter()
            .map(|code| tokens::hash_token(&rules::normalize_recovery_code(code)))
            .collect();
        if !self
            .store
            .confirm_totp(actor.id, &row.seed, step, &hashes)
            .await?
        {
            return Err(AppError::conflict(
                "The two-factor set-up changed meanwhile. Start again.",
            ));
        }
        self.store
            .audit(
                Some(actor.id),
                "totp_enabled",
                &format!("user:{}", actor.id),
                json!({}),
            )
            .await?;
        Ok(RecoveryCodes {
            recovery_codes: codes,
        })
    }

    /// Turns the actor's own second factor off; it takes a current code (or a recovery code),
    /// so a stolen session or token alone cannot remove it.
    pub async fn disable_totp(&self, actor: &Actor, code: &str) -> Result<(), AppError> {
        if !self.has_second_factor(actor.id).await? {
            // A pending enrolment is simply dropped.
            self.store.delete_totp(actor.id).await?;
            return Ok(());
        }
        if !self.code_is_good(actor.id, code).await? {
            return Err(wrong_code());
        }
        self.store.delete_totp(actor.id).await?;
        self.store
            .audit(
                Some(actor.id),
                "totp_disabled",
                &format!("user:{}", actor.id),
                json!({}),
            )
            .await?;
        Ok(())
    }

    /// An admin removes someone's second factor (a lost phone): they next sign in with their
    /// password alone and may enrol again.
    pub async fn reset_totp(&self, actor: &Actor, user_id: i64) -> Result<(), AppError> {
        actor.require(Permission::ManagePeople)?;
        // One's own second factor goes only with a code: a stolen admin session cannot drop it.
        if user_id == actor.id {
            return Err(AppError::unprocessable(
                "Turn off your own two-factor sign-in on the Account page, with a code.",
            ));
        }
        self.store
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("Person"))?;
        let removed = self.store.delete_totp(user_id).await?;
        self.store
            .audit(
                Some(actor.id),
                "totp_reset",
                &format!("user:{user_id}"),
                json!({ "had_second_factor": removed }),
            )
            .await?;
        Ok(())
    }

    /// A TOTP code not used before, or an unused recovery code (spent by this check).
    async fn code_is_good(&self, user_id: i64, code: &str) -> Result<bool, AppError> {
        let Some(row) = self
            .store
            .totp(user_id)
            .await?
            .filter(|row| row.is_confirmed())
        else {
            return Ok(false);
        };
        if rules::is_totp_code(code) {
            let seed = self.open_totp_seed(user_id, &row.seed)?;
            return Ok(
                match rules::accepted_step(&seed, code, now_secs(), row.last_step)
                    .map_err(bad_seed)?
                {
                    Some(step) => self.store.accept_totp_step(user_id, step).await?,
                    None => false,
                },
            );
        }
        let hash = tokens::hash_token(&rules::normalize_recovery_code(code));
        Ok(self.store.use_recovery_code(user_id, &hash).await?)
    }

    /// The second step of signing in: a code for the person whose password was right. Every
    /// attempt takes a place in the sign-in throttle like a password attempt does; a wrong code
    /// is recorded as a failed sign-in.
    pub async fn sign_in_with_code(
        &self,
        user_id: i64,
        code: &str,
        address: &str,
    ) -> Result<Actor, SignInError> {
        let internal = |error: StoreError| {
            tracing::error!(%error, "sign-in storage failed");
            SignInError::Internal
        };
        let user = self
            .store
            .user_by_id(user_id)
            .await
            .map_err(internal)?
            .ok_or(SignInError::Invalid)?;
        let account = user.email.to_lowercase();
        if !self
            .throttle
            .reserve(&self.store, &account, address)
            .await
            .map_err(internal)?
        {
            tracing::warn!(address, "second-factor sign-in throttled");
            return Err(SignInError::Throttled);
        }
        let good = self
            .code_is_good(user_id, code)
            .await
            .map_err(|_| SignInError::Internal)?;
        let subject = format!("user:{user_id}");
        let Some(actor) = actor_from(user).filter(|_| good) else {
            let _ = self
                .store
                .audit(
                    None,
                    "sign_in_failed",
                    &subject,
                    json!({ "reason": "second_factor" }),
                )
                .await;
            return Err(SignInError::Invalid);
        };
        if let Err(error) = self
            .throttle
            .succeeded(&self.store, &account, address)
            .await
        {
            tracing::warn!(%error, "could not clear the sign-in throttle");
        }
        let _ = self
            .store
            .audit(
                Some(actor.id),
                "signed_in",
                &subject,
                json!({ "second_factor": true }),
            )
            .await;
        Ok(actor)
    }

    pub async fn security_settings(&self) -> Result<SecuritySettings, AppError> {
        Ok(match self.store.setting(SECURITY_SETTINGS).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
                tracing::warn!(%error, "security settings unreadable; using the defaults");
                SecuritySettings::default()
            }),
            None => SecuritySettings::default(),
        })
    }

    pub async fn security_settings_for(&self, actor: &Actor) -> Result<SecuritySettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.security_settings().await
    }

    pub async fn update_security_settings(
        &self,
        actor: &Actor,
        settings: SecuritySettings,
    ) -> Result<SecuritySettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting(SECURITY_SETTINGS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.security", "settings", json)
            .await?;
        Ok(settings)
    }
}
