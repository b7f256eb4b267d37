//! Draining before a stop: the listener stops accepting, `/readyz` turns 503, and every
//! room-dialect socket is asked to `reconnect` (each after its own random delay, so a restart
//! is not met by every client at once). The server then waits for those sockets to close
//! before the final shutdown closes whatever is left.
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Longest delay a client is told to wait before reconnecting.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_millis(2000);

#[derive(Clone, Debug)]
pub struct Drain {
    started: CancellationToken,
    /// Each open room-dialect socket holds a receiver; the count reaches zero when all closed.
    open: Arc<watch::Sender<()>>,
}

/// An open socket, counted until dropped.
pub struct OpenSocket(#[allow(dead_code)] watch::Receiver<()>);

impl Drain {
    /// A drain that also counts as started once `shutdown` is cancelled.
    pub fn new(shutdown: &CancellationToken) -> Self {
        Self {
            started: shutdown.child_token(),
            open: Arc::new(watch::channel(()).0),
        }
    }

    pub fn start(&self) {
        self.started.cancel();
    }

    pub fn is_draining(&self) -> bool {
        self.started.is_cancelled()
    }

    /// Cancelled when draining starts.
    pub fn token(&self) -> CancellationToken {
        self.started.clone()
    }

    pub fn socket(&self) -> OpenSocket {
        OpenSocket(self.open.subscribe())
    }

    /// Room-dialect sockets still open.
    pub fn open_sockets(&self) -> usize {
        self.open.receiver_count()
    }

    /// Resolves once no room-dialect socket is open.
    pub async fn sockets_closed(&self) {
        self.open.closed().await;
    }
}

/// A random delay in `0..=MAX_RECONNECT_DELAY`, in milliseconds.
pub fn reconnect_delay_ms() -> u64 {
    use rand::Rng;
    rand::thread_rng().gen_range(0..=MAX_RECONNECT_DELAY.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_open_sockets_and_starts_with_shutdown() {
        let shutdown = CancellationToken::new();
        let d = Drain::new(&shutdown);
        let a = d.socket();
        let b = d.socket();
        assert_eq!(d.open_sockets(), 2);
        drop((a, b));
        d.sockets_closed().await;
        assert!(!d.is_draining());
        shutdown.cancel();
        assert!(d.is_draining(), "a plain shutdown drains too");
        assert!((0..=2000).contains(&reconnect_delay_ms()));
    }
}
