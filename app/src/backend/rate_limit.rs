//! A per-IP limit on the endpoints that guess at secrets (login, setup, reset): a burst of
//! at most `max` attempts, refilled at `max` per `window` (GCRA, the `governor` crate). In
//! memory, per server process: the per-account lockout in the database is the durable
//! defence; this one slows down sprays across many accounts from one address.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter as Governor};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Attempts between two sweeps of addresses whose limit has fully refilled: the sweep
/// walks every address, so it runs now and then, not on every attempt.
const SWEEP_EVERY: u64 = 4096;

pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Governor<IpAddr, DashMapStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
    attempts: AtomicU64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter::with_clock(max, window, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    /// `max` of 0 is taken as 1: a limit that refuses everyone would lock everyone out.
    fn with_clock(max: usize, window: Duration, clock: C) -> RateLimiter<C> {
        let burst = NonZeroU32::new(u32::try_from(max).unwrap_or(u32::MAX).max(1))
            .unwrap_or(NonZeroU32::MIN);
        let period = (window / burst.get()).max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        RateLimiter {
            limiter: Governor::dashmap_with_clock(quota, clock),
            attempts: AtomicU64::new(0),
        }
    }

    /// Counts an attempt from `ip`; false when it is over the limit (and is not counted).
    pub fn allow(&self, ip: IpAddr) -> bool {
        if self.attempts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn allows_max_at_once_per_address_then_refills() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(3, Duration::from_secs(60), clock.clone());
        let (a, b): (IpAddr, IpAddr) = (
            "192.0.2.1".parse().expect("ip"),
            "192.0.2.2".parse().expect("ip"),
        );
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a), "the fourth at once is refused");
        assert!(limiter.allow(b), "another address is not affected");
        clock.advance(Duration::from_secs(21));
        assert!(limiter.allow(a), "one more after a third of the window");
        assert!(!limiter.allow(a), "but not two");
        clock.advance(Duration::from_secs(61));
        assert!(
            (0..3).all(|_| limiter.allow(a)),
            "a whole window refills all"
        );
    }

    #[test]
    fn many_addresses_are_swept_and_still_limited() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(2, Duration::from_secs(60), clock.clone());
        for n in 0..20_000_u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0A00_0000 + n));
            assert!(limiter.allow(ip));
        }
        clock.advance(Duration::from_secs(120));
        // A spray from one address: two get through, and the sweep on the way forgets the
        // addresses whose limit has refilled.
        let spray: IpAddr = "192.0.2.9".parse().expect("ip");
        let allowed = (0..SWEEP_EVERY).filter(|_| limiter.allow(spray)).count();
        assert_eq!(allowed, 2);
        assert!(
            limiter.limiter.len() < 100,
            "refilled addresses are forgotten"
        );
    }
}
