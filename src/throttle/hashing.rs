//! Password hashing admission. An argon2 hash holds about 19 MiB for tens of milliseconds, so
//! hashes run one per core; a few more requests may wait briefly for a core, and the rest are
//! told at once that the server is busy. A flood of log-ins therefore costs bounded memory and
//! leaves the async runtime free for everyone else.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a free core before it is told to come back later.
pub const HASH_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct HashGate {
    permits: Arc<Semaphore>,
    cores: usize,
    queue: usize,
    wait: Duration,
    waiting: AtomicUsize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// The right to run one hash. Move it into the blocking task and keep it until the hash is
/// done: a request abandoned mid-hash still holds its core until the work ends.
#[derive(Debug)]
pub struct HashPermit {
    _permit: OwnedSemaphorePermit,
    running: Arc<AtomicUsize>,
}

/// Every core is hashing and no place is left to wait (or the wait ran out). Try again after
/// the duration it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy(pub Duration);

impl HashGate {
    /// `cores` hashes at once, `queue` more waiting at most `wait` each.
    pub fn new(cores: usize, queue: usize, wait: Duration) -> Self {
        let cores = cores.max(1);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            cores,
            queue,
            wait,
            waiting: AtomicUsize::new(0),
            running: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// A core to hash on, now or after a short wait in the queue.
    pub async fn acquire(&self) -> Result<HashPermit, Busy> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let _place = Place::take(&self.waiting, self.queue).ok_or(Busy(self.wait))?;
                match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
                    Ok(Ok(p)) => p,
                    // Timed out, or the semaphore was closed (it never is).
                    _ => return Err(Busy(self.wait)),
                }
            }
        };
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Ok(HashPermit {
            _permit: permit,
            running: self.running.clone(),
        })
    }

    /// How many hashes may run at once.
    pub fn capacity(&self) -> usize {
        self.cores
    }

    /// Hashes running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// The most hashes that ever ran at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Requests waiting for a core now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A place in the waiting queue, given back when dropped (also when the request is abandoned
/// while it waits).
struct Place<'a>(&'a AtomicUsize);

impl<'a> Place<'a> {
    fn take(waiting: &'a AtomicUsize, queue: usize) -> Option<Self> {
        waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < queue).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(waiting))
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cores_then_queue_then_busy() {
        let gate = Arc::new(HashGate::new(2, 1, Duration::from_secs(60)));
        let a = gate.acquire().await.unwrap();
        let _b = gate.acquire().await.unwrap();
        assert_eq!((gate.running(), gate.peak()), (2, 2));

        // The third waits in the queue; a fourth finds the queue full and is told at once.
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire().await.map(|_| ()) }
        });
        while gate.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            gate.acquire().await.unwrap_err(),
            Busy(Duration::from_secs(60))
        );

        // A finished hash hands its core to the waiter.
        drop(a);
        waiter.await.unwrap().unwrap();
        assert_eq!(gate.waiting(), 0);
        assert_eq!(gate.peak(), 2, "never more than the cores at once");
    }

    #[tokio::test]
    async fn a_wait_that_runs_out_is_busy_and_frees_its_place() {
        let wait = Duration::from_millis(20);
        let gate = HashGate::new(1, 4, wait);
        let _held = gate.acquire().await.unwrap();
        assert_eq!(gate.acquire().await.unwrap_err(), Busy(wait));
        assert_eq!(gate.waiting(), 0);
    }

    #[tokio::test]
    async fn no_queue_means_busy_at_once() {
        let gate = HashGate::new(1, 0, Duration::from_secs(60));
        let _held = gate.acquire().await.unwrap();
        assert!(gate.acquire().await.is_err());
    }
}
