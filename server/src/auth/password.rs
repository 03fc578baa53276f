//! Password hashing with argon2id at OWASP's recommended parameters (m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing takes tens of milliseconds of CPU on purpose, so it runs off the async threads.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2id hashing with valid parameters cannot fail")
            .to_string()
    })
    .await
    .expect("password hashing task panicked")
}

/// Verifies a password against a stored PHC hash; a malformed hash never verifies.
pub async fn verify(password: String, stored_hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .expect("password verification task panicked")
}

/// A hash of a password nobody knows, verified when an email matches no one so that the response
/// time does not reveal which emails have accounts.
pub async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| hash(super::tokens::random_secret()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let stored = hash("tamarind kettle orbit".into()).await;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("tamarind kettle orbit".into(), stored.clone()).await);
        assert!(!verify("tamarind kettle orbiT".into(), stored).await);
        assert!(!verify("anything".into(), "not a hash".into()).await);
    }
}
