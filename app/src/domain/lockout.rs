//! Brute-force protection per account (WP 7): after each failed login the account waits a
//! little longer before the next attempt counts, and the fifth failure in a row locks it
//! for 15 minutes, doubling with every further lock up to a day. The owner is told by mail
//! when a lock starts. A successful login resets the count.

use crate::domain::time::Timestamp;

/// Failures in a row that lock the account.
pub const LOCK_AFTER: i64 = 5;
const FIRST_LOCK_SECONDS: i64 = 15 * 60;
const LONGEST_LOCK_SECONDS: i64 = 24 * 3600;

/// What follows a failed login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterFailure {
    pub failed_logins: i64,
    /// No attempt counts before this instant.
    pub locked_until: Timestamp,
    /// This failure started a lock: audit it and mail the owner.
    pub lock_started: bool,
}

/// The consequence of one more failure, `failed_before` being the count so far.
pub fn after_failure(failed_before: i64, now: Timestamp) -> AfterFailure {
    let failed = failed_before.saturating_add(1);
    let wait = if failed < LOCK_AFTER {
        // 1, 2, 4, 8 seconds: harmless for a person who mistyped, ruinous for a script.
        1_i64 << (failed - 1).clamp(0, 10)
    } else {
        let doublings = (failed - LOCK_AFTER).clamp(0, 10) as u32;
        FIRST_LOCK_SECONDS
            .saturating_mul(2_i64.saturating_pow(doublings))
            .min(LONGEST_LOCK_SECONDS)
    };
    AfterFailure {
        failed_logins: failed,
        locked_until: now.plus_seconds(wait),
        lock_started: failed >= LOCK_AFTER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_after(failed_before: i64) -> i64 {
        let now = Timestamp::from_micros(0);
        after_failure(failed_before, now).locked_until.as_micros() / 1_000_000
    }

    #[test]
    fn the_delay_grows_then_locks_then_doubles_to_a_day() {
        assert_eq!(
            (0..4).map(wait_after).collect::<Vec<_>>(),
            [1, 2, 4, 8],
            "growing delay before the lock"
        );
        assert_eq!(
            wait_after(4),
            15 * 60,
            "the fifth failure locks for 15 minutes"
        );
        assert_eq!(wait_after(5), 30 * 60);
        assert_eq!(wait_after(6), 60 * 60);
        assert_eq!(wait_after(40), 24 * 3600, "never longer than a day");
        assert!(!after_failure(3, Timestamp::from_micros(0)).lock_started);
        assert!(after_failure(4, Timestamp::from_micros(0)).lock_started);
    }
}
