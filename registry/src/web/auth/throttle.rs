//! Login throttling per client address, in memory. Throttling per account is persistent and
//! lives in the `users` table (`failed_login_count`, `locked_until`; see `store.rs`): this part
//! slows a client that sprays many accounts, which per-account locks do not see.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failed logins per IP address within a sliding window.
#[derive(Debug)]
pub struct IpThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl IpThrottle {
    /// At most `max_failures` failures per address within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// True when this address has failed too often recently and must wait.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(&ip) {
            Some(times) => {
                times.retain(|t| now.duration_since(*t) < self.window);
                u32::try_from(times.len()).unwrap_or(u32::MAX) >= self.max_failures
            }
            None => false,
        }
    }

    /// Records a failed login from this address.
    pub fn record_failure(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        map.entry(ip).or_default().push(now);
    }

    /// Forgets this address's failures (after a successful login).
    pub fn record_success(&self, ip: IpAddr) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_max_failures_and_freed_by_success() {
        let throttle = IpThrottle::new(3, Duration::from_secs(60));
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..2 {
            throttle.record_failure(ip);
        }
        assert!(!throttle.is_blocked(ip));
        throttle.record_failure(ip);
        assert!(throttle.is_blocked(ip));
        assert!(!throttle.is_blocked([10, 0, 0, 2].into()));
        throttle.record_success(ip);
        assert!(!throttle.is_blocked(ip));
    }
}
