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

/// Bounds how many argon2 computations run at once, each holding 19 MiB: beyond the machine's
/// cores more would only queue for CPU while their memory adds up. Also counts them, which is how
/// tests see that throttled attempts never reach the hash.
#[derive(Debug)]
pub struct Hashing {
    permits: tokio::sync::Semaphore,
    performed: std::sync::atomic::AtomicU64,
}

impl Hashing {
    pub fn new(concurrent: usize) -> Hashing {
        Hashing {
            permits: tokio::sync::Semaphore::new(concurrent.max(1)),
            performed: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// One computation per available core.
    pub fn sized_to_machine() -> Hashing {
        Hashing::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    async fn permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        let permit = self
            .permits
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        self.performed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        permit
    }

    pub async fn hash(&self, password: String) -> String {
        let _permit = self.permit().await;
        hash(password).await
    }

    pub async fn verify(&self, password: String, stored_hash: String) -> bool {
        let _permit = self.permit().await;
        verify(password, stored_hash).await
    }

    /// How many hashes and verifications were asked for since start.
    pub fn performed(&self) -> u64 {
        self.performed.load(std::sync::atomic::Ordering::Relaxed)
    }
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

    #[tokio::test]
    async fn hashing_runs_at_most_its_permits_at_once() {
        let hashing = std::sync::Arc::new(Hashing::new(1));
        let held = hashing.permits.try_acquire().unwrap();
        let waiting = tokio::spawn({
            let hashing = hashing.clone();
            async move { hashing.verify("x".into(), "not a hash".into()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "waits for the permit");
        drop(held);
        assert!(!waiting.await.unwrap());
        assert_eq!(hashing.performed(), 1);
    }
}
