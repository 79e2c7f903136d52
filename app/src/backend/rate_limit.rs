//! A per-IP limit on the endpoints that guess at secrets (login, setup, reset): at most
//! `max` attempts in a sliding `window`. In memory, per server process: the per-account
//! lockout in the database is the durable defence; this one slows down sprays across
//! many accounts from one address.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `ip`; false when it is over the limit (and is not counted).
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip, Instant::now())
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut hits) = self.hits.lock() else {
            // A poisoned lock only means a panic elsewhere; refusing would lock everyone out.
            return true;
        };
        // Forget addresses that have gone quiet, so the map cannot grow without bound.
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let times = hits.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_per_window_per_address() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = (
            "192.0.2.1".parse().expect("ip"),
            "192.0.2.2".parse().expect("ip"),
        );
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow_at(a, t0)));
        assert!(
            !limiter.allow_at(a, t0),
            "the fourth in the window is refused"
        );
        assert!(limiter.allow_at(b, t0), "another address is not affected");
        assert!(
            limiter.allow_at(a, t0 + Duration::from_secs(61)),
            "the window slides"
        );
    }
}
