//! Slows down password guessing: too many sign-in attempts for one account or from one address
//! within a window block further attempts until the window has passed.
//!
//! An attempt reserves its place before the password is hashed, in one database transaction over
//! both keys, so parallel attempts cannot all pass the check and hash before any failure is
//! recorded. The counts live in the database so that every instance sharing it enforces one
//! limit. A successful sign-in clears the account's count and gives the address back its place,
//! so only failures accumulate.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::store::{Store, StoreResult};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// Where the throttle reads the time, so that a test can move it past the window.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Epoch milliseconds.
    fn now_ms(&self) -> i64;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::store::now_ms()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn starting_now() -> ManualClock {
        ManualClock(AtomicI64::new(crate::store::now_ms()))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    clock: Arc<dyn Clock>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::with_clock(Arc::new(SystemClock))
    }
}

fn account_key(account: &str) -> String {
    format!("account:{account}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

impl LoginThrottle {
    pub fn with_clock(clock: Arc<dyn Clock>) -> LoginThrottle {
        LoginThrottle { clock }
    }

    /// Takes a place for one attempt; false (and nothing counted) when the account or the address
    /// has used up its attempts in the current window.
    pub async fn reserve(&self, store: &Store, account: &str, address: &str) -> StoreResult<bool> {
        store
            .reserve_login_attempt(
                &[
                    (&account_key(account), MAX_FAILURES_PER_ACCOUNT),
                    (&address_key(address), MAX_FAILURES_PER_ADDRESS),
                ],
                self.clock.now_ms(),
                WINDOW.as_millis() as i64,
            )
            .await
    }

    /// A successful sign-in clears the account's failures and returns the address's place; the
    /// address's failures stay, since they may be guesses at other accounts.
    pub async fn succeeded(&self, store: &Store, account: &str, address: &str) -> StoreResult<()> {
        store
            .release_login_attempt(&account_key(account), &address_key(address))
            .await
    }

    /// The password was right but a second-factor code must follow: the address gets its place
    /// back, the account's count stays, so that guesses at the code accumulate on the account
    /// until the code step succeeds.
    pub async fn password_passed(&self, store: &Store, address: &str) -> StoreResult<()> {
        store.return_login_attempt(&address_key(address)).await
    }
}
