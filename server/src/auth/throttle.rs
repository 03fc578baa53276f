//! Slows down password guessing: too many failed sign-ins for one account or from one address
//! within a window block further attempts until the window has passed.
//!
//! Kept in memory: with several instances each enforces its own limit, which still bounds guessing
//! to a small multiple.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_ACCOUNT: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;

#[derive(Default, Debug)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    fn keys(account: &str, address: &str) -> [(String, usize); 2] {
        [
            (format!("account:{account}"), MAX_FAILURES_PER_ACCOUNT),
            (format!("address:{address}"), MAX_FAILURES_PER_ADDRESS),
        ]
    }

    /// Whether another attempt is allowed now.
    pub fn allows(&self, account: &str, address: &str) -> bool {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock poisoned");
        Self::keys(account, address).iter().all(|(key, limit)| {
            failures.get_mut(key).is_none_or(|times| {
                times.retain(|time| now.duration_since(*time) < WINDOW);
                times.len() < *limit
            })
        })
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock poisoned");
        failures.retain(|_, times| {
            times
                .last()
                .is_some_and(|t| now.duration_since(*t) < WINDOW)
        });
        for (key, _) in Self::keys(account, address) {
            failures.entry(key).or_default().push(now);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut failures = self.failures.lock().expect("throttle lock poisoned");
        failures.remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_blocked_after_too_many_failures() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            assert!(throttle.allows("ana@example.org", "10.0.0.1"));
            throttle.record_failure("ana@example.org", "10.0.0.1");
        }
        assert!(!throttle.allows("ana@example.org", "10.0.0.2"));
        assert!(throttle.allows("ben@example.org", "10.0.0.1"));
    }

    #[test]
    fn an_address_is_blocked_across_accounts() {
        let throttle = LoginThrottle::default();
        for attempt in 0..MAX_FAILURES_PER_ADDRESS {
            throttle.record_failure(&format!("user{attempt}@example.org"), "10.0.0.9");
        }
        assert!(!throttle.allows("new@example.org", "10.0.0.9"));
        assert!(throttle.allows("new@example.org", "10.0.0.10"));
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT - 1 {
            throttle.record_failure("ana@example.org", "10.0.0.1");
        }
        throttle.record_success("ana@example.org");
        throttle.record_failure("ana@example.org", "10.0.0.1");
        assert!(throttle.allows("ana@example.org", "10.0.0.1"));
    }
}
