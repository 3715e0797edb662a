//! Per-host politeness: one governor limiter per host (period = 1/rate,
//! burst 1), widened by the host's Crawl-delay, plus a cap on requests in
//! flight per host, and a per-host "not before" instant fed by Retry-After
//! and backoff. The scheduler asks [`Politeness::ready`] before every request
//! and never sends one the host's limiter refuses.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

pub struct Politeness {
    /// Requests per second per host; 0 = unlimited.
    rate: f64,
    limiters: HashMap<String, DefaultDirectRateLimiter>,
    /// Earliest next request per host, when a new interval starts (a
    /// Crawl-delay replaces the limiter; the wait still counts from the last
    /// request).
    not_before: HashMap<String, Instant>,
    clock: DefaultClock,
}

impl Politeness {
    pub fn new(rate: f64) -> Self {
        Politeness {
            rate,
            limiters: HashMap::new(),
            not_before: HashMap::new(),
            clock: DefaultClock::default(),
        }
    }

    pub fn unlimited(&self) -> bool {
        self.rate <= 0.0
    }

    /// Set the host's interval from the rate and a Crawl-delay (seconds),
    /// whichever is slower. Called once robots.txt is known.
    pub fn configure(&mut self, host: &str, crawl_delay: Option<f64>) {
        if crawl_delay.is_none() && self.limiters.contains_key(host) {
            // The rate limiter already runs; replacing it would forget the
            // request just made (the robots.txt fetch).
            return;
        }
        let had_limiter = self.limiters.contains_key(host);
        let from_rate = (self.rate > 0.0).then(|| 1.0 / self.rate);
        // Cap absurd Crawl-delays at one minute so a hostile robots.txt
        // cannot stall a run forever.
        let delay = crawl_delay.map(|d| d.min(60.0));
        let period = match (from_rate, delay) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let Some(secs) = period {
            let period = Duration::from_secs_f64(secs.max(0.001));
            if let Some(q) = Quota::with_period(period) {
                let q = q.allow_burst(NonZeroU32::MIN);
                self.limiters
                    .insert(host.to_string(), RateLimiter::direct(q));
                if had_limiter {
                    self.not_before
                        .insert(host.to_string(), Instant::now() + period);
                }
            }
        }
    }

    /// Hold the host back for `wait` (backoff after failures, Retry-After).
    pub fn delay(&mut self, host: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let e = self.not_before.entry(host.to_string()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }

    /// Take a request slot for `host` now, or say how long to wait.
    pub fn ready(&mut self, host: &str) -> Result<(), Duration> {
        if !self.limiters.contains_key(host) && !self.unlimited() {
            self.configure(host, None);
        }
        if let Some(nb) = self.not_before.get(host) {
            let now = Instant::now();
            if now < *nb {
                return Err(*nb - now);
            }
            self.not_before.remove(host);
        }
        match self.limiters.get(host) {
            None => Ok(()),
            Some(l) => l
                .check()
                .map_err(|not_until| not_until.wait_time_from(self.clock.now())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_request_waits_about_one_period() {
        let mut p = Politeness::new(2.0);
        assert!(p.ready("a.de").is_ok());
        match p.ready("a.de") {
            Err(w) => assert!(w > Duration::from_millis(300) && w <= Duration::from_millis(500)),
            Ok(()) => panic!("second request passed at once"),
        }
        assert!(p.ready("b.de").is_ok(), "hosts are limited separately");
        let mut u = Politeness::new(0.0);
        assert!(u.ready("a.de").is_ok() && u.ready("a.de").is_ok());
    }

    #[test]
    fn crawl_delay_widens_the_interval() {
        let mut p = Politeness::new(10.0);
        assert!(p.ready("a.de").is_ok(), "robots.txt request");
        p.configure("a.de", None);
        assert!(
            p.ready("a.de").is_err(),
            "a configure without delay keeps the limiter"
        );
        p.configure("a.de", Some(2.0));
        assert!(
            p.ready("a.de").is_err(),
            "the delay counts from the last request"
        );
        let mut p = Politeness::new(10.0);
        p.configure("a.de", Some(2.0));
        assert!(p.ready("a.de").is_ok());
        match p.ready("a.de") {
            Err(w) => assert!(w > Duration::from_millis(1500)),
            Ok(()) => panic!("crawl-delay ignored"),
        }
    }
}
