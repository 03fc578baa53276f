use app::error::AppError;
use app::model::{AddedPerson, Permission, Person, PersonChanges, Role};
use app::ports::{Actor, Credential};
use serde_json::json;

use super::{Services, actor_from, rfc3339};
use crate::auth::{password, tokens};
use crate::domain::password_policy;
use crate::domain::people::{Email, PersonName};
use crate::store::{NewUser, UserRow};

/// Why a sign-in failed; deliberately vague towards the person signing in.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("email and password do not match an active account")]
    Invalid,
    #[error("too many failed attempts")]
    Throttled,
    #[error("the server failed")]
    Internal,
    /// The password was right and the person has a second factor: the sign-in is not complete
    /// until `Services::sign_in_with_code` accepts a code for them.
    #[error("a second-factor code is needed")]
    SecondFactorRequired { user_id: i64 },
}

fn person_from(user: UserRow) -> Person {
    Person {
        active: user.is_active(),
        must_change_password: user.must_change_password != 0,
        role: Role::parse(&user.role).unwrap_or(Role::Volunteer),
        created_at: rfc3339(user.created_at),
        trainee: user.trainee != 0,
        id: user.id,
        email: user.email,
        name: user.name,
    }
}

fn unprocessable(error: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(error.to_string())
}

impl Services {
    /// Checks an email and password, throttled per account and per client address.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
    ) -> Result<Actor, SignInError> {
        let account = email.trim().to_lowercase();
        let internal = |error: crate::store::StoreError| {
            tracing::error!(%error, "sign-in storage failed");
            SignInError::Internal
        };
        // Reserved before hashing: the failure is already counted while the hash runs.
        if !self
            .throttle
            .reserve(&self.store, &account, address)
            .await
            .map_err(internal)?
        {
            tracing::warn!(address, "sign-in throttled");
            return Err(SignInError::Throttled);
        }
        let user = self.store.user_by_email(&account).await.map_err(internal)?;
        let stored_hash = match &user {
            Some(user) => user.password_hash.clone(),
            None => password::dummy_hash().await.to_string(),
        };
        let verified = self.hashing.verify(password.to_string(), stored_hash).await;
        let known_account = user.as_ref().map(|user| user.id);
        match user.filter(|_| verified).and_then(actor_from) {
            Some(actor) if self.has_second_factor(actor.id).await.map_err(internal)? => {
                if let Err(error) = self.throttle.password_passed(&self.store, address).await {
                    tracing::warn!(%error, "could not return the sign-in attempt");
                }
                Err(SignInError::SecondFactorRequired { user_id: actor.id })
            }
            Some(actor) => {
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
                        &format!("user:{}", actor.id),
                        json!({}),
                    )
                    .await;
                Ok(actor)
            }
            None => {
                // Only attempts that reached the password check: throttled ones cost nothing
                // and are not written, so guessing cannot flood the log. What was typed as the
                // address is not kept (it may be a password typed in the wrong field).
                let (subject, reason) = match known_account {
                    Some(id) => (format!("user:{id}"), "password"),
                    None => ("user:unknown".to_owned(), "unknown_account"),
                };
                let _ = self
                    .store
                    .audit(
                        None,
                        "sign_in_failed",
                        &subject,
                        json!({ "reason": reason, "address": address }),
                    )
                    .await;
                Err(SignInError::Invalid)
            }
        }
    }

    /// The active person with this id, if any: sessions are re-checked on every request so a
    /// deactivation or role change takes effect at once.
    pub async fn actor_by_id(&self, id: i64) -> Result<Option<Actor>, AppError> {
        Ok(self.store.user_by_id(id).await?.and_then(actor_from))
    }

    /// Adds a person with a password they chose (the command line and the demo data use this).
    pub async fn add_person_with_password(
        &self,
        by: Option<&Actor>,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Person, AppError> {
        if let Some(actor) = by {
            actor.require(Permission::ManagePeople)?;
        }
        let email = Email::parse(email).map_err(unprocessable)?;
        let name = PersonName::parse(name).map_err(unprocessable)?;
        password_policy::check(password, &[email.as_str(), name.as_str()])
            .map_err(unprocessable)?;
        self.insert_person(by, &email, &name, role, password, false)
            .await
    }

    pub(super) async fn insert_person(
        &self,
        by: Option<&Actor>,
        email: &Email,
        name: &PersonName,
        role: Role,
        password: &str,
        must_change_password: bool,
    ) -> Result<Person, AppError> {
        let password_hash = self.hashing.hash(password.to_string()).await;
        let user = self
            .store
            .insert_user(NewUser {
                email: email.as_str(),
                name: name.as_str(),
                role: role.as_str(),
                password_hash: &password_hash,
                must_change_password,
            })
            .await?;
        self.store
            .audit(
                by.map(|actor| actor.id),
                "person_added",
                &format!("user:{}", user.id),
                json!({ "role": role.as_str() }),
            )
            .await?;
        Ok(person_from(user))
    }

    pub async fn list_people(&self, actor: &Actor) -> Result<Vec<Person>, AppError> {
        actor.require(Permission::ManagePeople)?;
        Ok(self
            .store
            .list_users()
            .await?
            .into_iter()
            .map(person_from)
            .collect())
    }

    pub async fn add_person(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
    ) -> Result<AddedPerson, AppError> {
        actor.require(Permission::ManagePeople)?;
        let email = Email::parse(email).map_err(unprocessable)?;
        let name = PersonName::parse(name).map_err(unprocessable)?;
        let one_time_password = tokens::one_time_password();
        let person = self
            .insert_person(Some(actor), &email, &name, role, &one_time_password, true)
            .await?;
        Ok(AddedPerson {
            person,
            one_time_password,
        })
    }

    pub async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        changes: PersonChanges,
    ) -> Result<Person, AppError> {
        actor.require(Permission::ManagePeople)?;
        let user = self
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("Person"))?;
        let name = match &changes.name {
            Some(name) => PersonName::parse(name).map_err(unprocessable)?,
            None => PersonName::parse(&user.name).map_err(unprocessable)?,
        };
        let role = changes
            .role
            .unwrap_or_else(|| Role::parse(&user.role).unwrap_or(Role::Volunteer));
        let demotes_or_deactivates_admin = user.role == Role::Admin.as_str()
            && user.is_active()
            && (role != Role::Admin || changes.active == Some(false));
        if demotes_or_deactivates_admin {
            if id == actor.id {
                return Err(AppError::unprocessable(
                    "You cannot remove your own admin access; ask another admin.",
                ));
            }
            if self.store.count_active_admins().await? <= 1 {
                return Err(AppError::unprocessable(
                    "Switchboard needs at least one active admin.",
                ));
            }
        }

        let subject = format!("user:{id}");
        if name.as_str() != user.name || role.as_str() != user.role {
            self.store
                .update_user_profile(id, name.as_str(), role.as_str())
                .await?;
            self.store
                .audit(
                    Some(actor.id),
                    "person_changed",
                    &subject,
                    json!({ "role": role.as_str(), "previous_role": user.role }),
                )
                .await?;
        }
        if let Some(trainee) = changes
            .trainee
            .filter(|trainee| *trainee != (user.trainee != 0))
        {
            self.store.set_trainee(id, trainee).await?;
            self.store
                .audit(
                    Some(actor.id),
                    "person_changed",
                    &subject,
                    json!({ "trainee": trainee }),
                )
                .await?;
        }
        match changes.active {
            Some(false) if user.is_active() => {
                self.store.deactivate_user(id).await?;
                self.store
                    .audit(Some(actor.id), "person_deactivated", &subject, json!({}))
                    .await?;
            }
            Some(true) if !user.is_active() => {
                self.store.reactivate_user(id).await?;
                self.store
                    .audit(Some(actor.id), "person_reactivated", &subject, json!({}))
                    .await?;
            }
            _ => {}
        }
        let updated = self
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("Person"))?;
        if updated.role != user.role || updated.is_active() != user.is_active() {
            self.live.access_changed(id);
        }
        Ok(person_from(updated))
    }

    /// Changes the actor's own password. Every other session of theirs ends; their API tokens are
    /// revoked too when `revoke_tokens` is set.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        revoke_tokens: bool,
    ) -> Result<(), AppError> {
        let user = self
            .store
            .user_by_id(actor.id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !self
            .hashing
            .verify(current.to_string(), user.password_hash.clone())
            .await
        {
            return Err(AppError::unprocessable(
                "Your current password is not correct.",
            ));
        }
        password_policy::check(new, &[&user.email, &user.name, current]).map_err(unprocessable)?;
        let password_hash = self.hashing.hash(new.to_string()).await;
        let keep_session = match &actor.credential {
            Credential::Session { id, .. } => Some(id.as_str()),
            Credential::Token | Credential::Direct => None,
        };
        self.store
            .change_password(actor.id, &password_hash, keep_session, revoke_tokens)
            .await?;
        self.live.access_changed(actor.id);
        self.store
            .audit(
                Some(actor.id),
                "password_changed",
                &format!("user:{}", actor.id),
                json!({ "tokens_revoked": revoke_tokens }),
            )
            .await?;
        Ok(())
    }
}
