//! Counters bumped on every relay or lock by every worker thread. One atomic shared by all
//! threads bounces its cache line between cores on each increment, which costs more than the
//! increment itself and grows with the cores: each count here is kept in stripes, one cache
//! line each, a thread always bumping its own, and summed when read (which is rare: a scrape).
//! The hub's `Metrics` are here too.
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Stripes per count: enough that worker threads seldom share one.
pub const STRIPES: usize = 8;

/// This thread's stripe, given out in turn as threads first count something.
pub fn stripe() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static MINE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
    }
    MINE.with(|s| *s)
}

/// One stripe's value, alone on its cache line (128 bytes: adjacent lines are fetched in pairs).
#[derive(Default)]
#[repr(align(128))]
struct Line(AtomicU64);

/// A count that threads add to without contending; read as the sum of its stripes. Same
/// methods as the `AtomicU64` it replaces, for the uses a counter has.
#[derive(Default)]
pub struct Counter([Line; STRIPES]);

impl Counter {
    pub fn fetch_add(&self, n: u64, order: Ordering) {
        self.0[stripe()].0.fetch_add(n, order);
    }

    pub fn load(&self, order: Ordering) -> u64 {
        self.0.iter().map(|l| l.0.load(order)).sum()
    }
}

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.load(Ordering::Relaxed))
    }
}

/// Counters for logs, benchmarks and `/metrics`. The two bumped on every relay are striped
/// (above); the others change seldom.
#[derive(Debug, Default)]
pub struct Metrics {
    pub relayed: Counter,
    pub dropped: Counter,
    pub evicted: AtomicU64,
    /// Frames a room-dialect connection's rate limiter refused (or closed the socket for).
    pub rate_limited_room: AtomicU64,
    /// Likewise for PeerJS connections.
    pub rate_limited_peerjs: AtomicU64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_many_threads_add_up_exactly() {
        let c = Counter::default();
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        c.fetch_add(2, Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(c.load(Ordering::Relaxed), 32_000);
        assert_eq!(format!("{c:?}"), "32000");
    }

    #[test]
    fn each_stripe_has_a_cache_line_of_its_own() {
        assert_eq!(std::mem::align_of::<Line>(), 128);
        assert_eq!(std::mem::size_of::<Counter>(), STRIPES * 128);
    }
}
