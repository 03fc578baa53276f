//! When a kept webhook delivery is tried again.

/// Attempts after the delivery itself; after these, only an admin tries again.
pub const MOST_ATTEMPTS: i64 = 12;

/// The longest wait between two attempts.
const LONGEST_WAIT_MS: i64 = 24 * 60 * 60 * 1000;

/// When to try a delivery again after `attempts` tries that may succeed later (a channel not
/// connected yet, a failure of the moment): a minute after the first, then twice as long each
/// time up to a day, about three days in all. `None` once there have been enough.
pub fn next_attempt_at(attempts: i64, now_ms: i64) -> Option<i64> {
    (attempts < MOST_ATTEMPTS).then(|| {
        let wait = 60_000_i64.saturating_mul(1 << attempts.clamp(0, 20));
        now_ms + wait.min(LONGEST_WAIT_MS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_a_day_and_then_stop() {
        assert_eq!(next_attempt_at(0, 0), Some(60_000));
        assert_eq!(next_attempt_at(1, 0), Some(120_000));
        assert_eq!(next_attempt_at(11, 0), Some(LONGEST_WAIT_MS));
        assert_eq!(next_attempt_at(MOST_ATTEMPTS, 0), None);
    }
}
