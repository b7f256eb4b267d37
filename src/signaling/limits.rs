//! Per-connection limits: a token bucket for message rate, and heartbeat timing.
//!
//! Time is tokio's, so tests with paused time see the bucket refill as their clock moves.
use std::time::Duration;
use tokio::time::Instant;

/// Limits applied to every signaling connection, whatever its dialect.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Messages per second a connection may send on average.
    pub rate: f64,
    /// Messages it may send at once above that.
    pub burst: f64,
    /// Messages dropped for rate before the connection is closed.
    pub strikes: u32,
    /// How often the server pings.
    pub ping_every: Duration,
    /// Silence after which a connection counts as dead.
    pub dead_after: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            rate: 100.0,
            burst: 200.0,
            strikes: 200,
            ping_every: Duration::from_secs(10),
            dead_after: Duration::from_secs(30),
        }
    }
}

/// What the bucket says about one incoming message.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Drop it; `first` is true for the first drop since the last accepted message.
    Throttle {
        first: bool,
    },
    /// Too many drops: close the connection.
    Close,
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: ConnLimits,
    tokens: f64,
    last: Instant,
    strikes: u32,
    throttling: bool,
}

impl RateLimiter {
    pub fn new(limits: ConnLimits) -> Self {
        Self {
            limits,
            tokens: limits.burst,
            last: Instant::now(),
            strikes: 0,
            throttling: false,
        }
    }

    pub fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.limits.rate).min(self.limits.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.throttling = false;
            return Verdict::Accept;
        }
        self.strikes += 1;
        if self.strikes > self.limits.strikes {
            return Verdict::Close;
        }
        let first = !self.throttling;
        self.throttling = true;
        Verdict::Throttle { first }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnLimits {
        ConnLimits {
            rate: 10.0,
            burst: 5.0,
            strikes: 3,
            ..ConnLimits::default()
        }
    }

    #[test]
    fn burst_then_throttle_then_close() {
        let mut rl = RateLimiter::new(limits());
        let t = Instant::now();
        for _ in 0..5 {
            assert_eq!(rl.check(t), Verdict::Accept);
        }
        assert_eq!(rl.check(t), Verdict::Throttle { first: true });
        assert_eq!(rl.check(t), Verdict::Throttle { first: false });
        assert_eq!(rl.check(t), Verdict::Throttle { first: false });
        assert_eq!(rl.check(t), Verdict::Close);
    }

    #[test]
    fn refills_at_the_sustained_rate() {
        let mut rl = RateLimiter::new(limits());
        let t = Instant::now();
        for _ in 0..5 {
            rl.check(t);
        }
        assert_eq!(rl.check(t), Verdict::Throttle { first: true });
        // 10 per second: after 100 ms exactly one more is allowed.
        assert_eq!(rl.check(t + Duration::from_millis(100)), Verdict::Accept);
        assert_eq!(
            rl.check(t + Duration::from_millis(100)),
            Verdict::Throttle { first: true }
        );
    }
}
