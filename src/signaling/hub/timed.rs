//! The hub's mutex, timed: every lock goes through [`Timed::lock`], and one lock in
//! [`SAMPLE_EVERY`] (per thread, the first included) records how long it was held when its
//! guard drops. Long holds stall every socket at once, so this is the number to watch as the
//! site grows; a sample shows their spread as well as every lock would, and timing each one
//! cost two clock reads per relayed message. Recording costs one pair of `Instant::now()` and
//! two relaxed atomic additions on the thread's own stripe: no allocation, no second lock.
use super::striped::{stripe, STRIPES};
use parking_lot::{Mutex, MutexGuard};
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// One lock in this many (on each thread) is timed.
pub const SAMPLE_EVERY: u32 = 8;

/// Whether this thread's next lock is one of the sample.
fn sampled() -> bool {
    thread_local! {
        static LOCKS: Cell<u32> = const { Cell::new(0) };
    }
    LOCKS.with(|n| {
        let seen = n.get();
        n.set(seen.wrapping_add(1));
        seen % SAMPLE_EVERY == 0
    })
}

/// Upper bounds of the hold-time buckets, in nanoseconds: 1 µs to 10 ms.
pub const HOLD_BUCKETS_NS: [u64; 13] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000,
];

/// A histogram of lock hold times, in atomics, kept per thread stripe (see `striped.rs`):
/// every lock records into it, and one shared set of counters would bounce between cores.
#[derive(Debug, Default)]
pub struct HoldTimes {
    stripes: [Stripe; STRIPES],
}

/// One stripe's histogram: 15 counters, 120 bytes, on a cache line of its own.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Stripe {
    /// Per bucket (not cumulative); the last slot is above the largest bound.
    buckets: [AtomicU64; HOLD_BUCKETS_NS.len() + 1],
    sum_ns: AtomicU64,
}

/// A snapshot of [`HoldTimes`] in the shape prometheus-client's encoder takes.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldSnapshot {
    pub sum_seconds: f64,
    pub count: u64,
    /// `(upper bound in seconds, count in this bucket alone)`; the encoder makes them
    /// cumulative. The last bound is `f64::MAX`, which the encoder writes as `+Inf`.
    pub buckets: Vec<(f64, u64)>,
}

impl HoldTimes {
    fn observe(&self, ns: u64) {
        let s = &self.stripes[stripe()];
        let i = HOLD_BUCKETS_NS.partition_point(|b| *b < ns);
        s.buckets[i].fetch_add(1, Ordering::Relaxed);
        s.sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HoldSnapshot {
        let mut total = 0;
        let mut buckets = Vec::with_capacity(HOLD_BUCKETS_NS.len() + 1);
        for i in 0..=HOLD_BUCKETS_NS.len() {
            let n: u64 = self
                .stripes
                .iter()
                .map(|s| s.buckets[i].load(Ordering::Relaxed))
                .sum();
            total += n;
            let bound = HOLD_BUCKETS_NS
                .get(i)
                .map_or(f64::MAX, |ns| *ns as f64 / 1e9);
            buckets.push((bound, n));
        }
        let sum_ns: u64 = self
            .stripes
            .iter()
            .map(|s| s.sum_ns.load(Ordering::Relaxed))
            .sum();
        HoldSnapshot {
            sum_seconds: sum_ns as f64 / 1e9,
            count: total,
            buckets,
        }
    }
}

/// A mutex whose hold times are recorded.
#[derive(Default)]
pub struct Timed<T> {
    inner: Mutex<T>,
    holds: HoldTimes,
}

impl<T> Timed<T> {
    pub fn lock(&self) -> TimedGuard<'_, T> {
        let guard = self.inner.lock();
        TimedGuard {
            guard,
            since: sampled().then(Instant::now),
            holds: &self.holds,
        }
    }

    pub fn holds(&self) -> &HoldTimes {
        &self.holds
    }
}

pub struct TimedGuard<'a, T> {
    guard: MutexGuard<'a, T>,
    /// When it was taken, if this lock is timed.
    since: Option<Instant>,
    holds: &'a HoldTimes,
}

impl<T> Deref for TimedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for TimedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for TimedGuard<'_, T> {
    fn drop(&mut self) {
        // Measured before the mutex is released (the field drops after this body).
        if let Some(since) = self.since {
            let ns = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.holds.observe(ns);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_in_each_run_of_the_sample_size_is_recorded() {
        // Any run of 3 × SAMPLE_EVERY locks on one thread holds exactly 3 timed ones.
        let m: Timed<u32> = Timed::default();
        for _ in 0..3 * SAMPLE_EVERY {
            *m.lock() += 1;
        }
        let s = m.holds().snapshot();
        assert_eq!(s.count, 3);
        assert_eq!(s.buckets.iter().map(|b| b.1).sum::<u64>(), 3);
    }

    #[test]
    fn holds_land_in_their_buckets() {
        let h = HoldTimes::default();
        h.observe(3_000);
        h.observe(1_000);
        h.observe(20_000_000);
        let s = h.snapshot();
        assert_eq!(s.count, 3);
        assert_eq!(s.buckets.len(), HOLD_BUCKETS_NS.len() + 1);
        assert_eq!(s.buckets[0], (1e-6, 1), "a bound is inclusive");
        assert_eq!(s.buckets[2], (5e-6, 1), "3 µs is in the 5 µs bucket");
        assert_eq!(
            s.buckets.last(),
            Some(&(f64::MAX, 1)),
            "20 ms is above 10 ms"
        );
        assert!((s.sum_seconds - 0.020_004).abs() < 1e-9);
    }
}
