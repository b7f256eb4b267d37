//! A connection's outgoing queue, bounded in frames and in bytes: many small frames and a few
//! large ones both hit a limit long before a slow reader can pin much memory.
use super::Outbound;
use axum::extract::ws::Utf8Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// The queue holds its limit of frames or bytes.
    Full,
    /// The connection's task has ended.
    Closed,
}

/// The hub's end of a queue.
pub(super) struct Outbox {
    tx: mpsc::Sender<Outbound>,
    bytes: Arc<AtomicUsize>,
    max_bytes: usize,
}

/// The connection task's end of its queue.
pub struct Inbox {
    rx: mpsc::Receiver<Outbound>,
    bytes: Arc<AtomicUsize>,
}

/// A queue of at most `frames` frames and `max_bytes` bytes.
pub(super) fn queue(frames: usize, max_bytes: usize) -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::channel(frames.max(1));
    let bytes = Arc::new(AtomicUsize::new(0));
    let outbox = Outbox {
        tx,
        bytes: bytes.clone(),
        max_bytes,
    };
    (outbox, Inbox { rx, bytes })
}

impl Outbox {
    /// Queues `frame` unless that would pass either limit. An empty queue takes any frame, so
    /// one frame larger than the byte limit still gets through to a reader that keeps up.
    /// Senders need no lock: the bytes are reserved in one atomic step, so two senders at
    /// once cannot both squeeze past the limit.
    pub(super) fn try_send(&self, frame: Utf8Bytes) -> Result<(), Refused> {
        self.try_send_or_return(frame).map_err(|(why, _)| why)
    }

    /// [`Outbox::try_send`], handing a refused frame back (to hold it elsewhere, uncopied).
    pub(super) fn try_send_or_return(&self, frame: Utf8Bytes) -> Result<(), (Refused, Utf8Bytes)> {
        let len = frame.len();
        let reserved = self
            .bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued == 0 || queued + len <= self.max_bytes).then_some(queued + len)
            });
        if reserved.is_err() {
            let why = if self.tx.is_closed() {
                Refused::Closed
            } else {
                Refused::Full
            };
            return Err((why, frame));
        }
        match self.tx.try_send(Outbound::Frame(frame)) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.bytes.fetch_sub(len, Ordering::AcqRel);
                Err(match e {
                    mpsc::error::TrySendError::Full(Outbound::Frame(f)) => (Refused::Full, f),
                    mpsc::error::TrySendError::Closed(Outbound::Frame(f)) => (Refused::Closed, f),
                })
            }
        }
    }

    /// Bytes waiting to be written.
    pub(super) fn queued_bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }

    /// Frames waiting to be written.
    pub(super) fn queued_frames(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    pub(super) fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

impl Inbox {
    /// The next frame, or `None` once the hub dropped this connection. Cancel-safe.
    pub async fn recv(&mut self) -> Option<Outbound> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// [`Inbox::recv`] as a poll.
    pub fn poll_recv(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Outbound>> {
        self.rx
            .poll_recv(cx)
            .map(|out| out.map(|out| self.taken(out)))
    }

    pub fn try_recv(&mut self) -> Result<Outbound, mpsc::error::TryRecvError> {
        self.rx.try_recv().map(|out| self.taken(out))
    }

    /// Frames waiting to be written.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    fn taken(&self, out: Outbound) -> Outbound {
        let Outbound::Frame(f) = &out;
        self.bytes.fetch_sub(f.len(), Ordering::AcqRel);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_frames_and_bytes() {
        let (out, mut inbox) = queue(3, 10);
        assert_eq!(
            out.try_send("12345678901234".into()),
            Ok(()),
            "an empty queue takes a big frame"
        );
        assert_eq!(out.try_send("1".into()), Err(Refused::Full));
        inbox.try_recv().unwrap();
        assert_eq!(out.queued_bytes(), 0);
        for _ in 0..3 {
            out.try_send("ab".into()).unwrap();
        }
        assert_eq!(out.try_send("ab".into()), Err(Refused::Full), "frame limit");
        assert_eq!(out.queued_bytes(), 6);
        drop(inbox);
        assert_eq!(out.try_send("x".into()), Err(Refused::Closed));
    }

    #[test]
    fn senders_on_several_threads_never_pass_the_byte_limit() {
        // 8 threads race 1000 frames of 100 bytes into a queue of 1000 bytes nobody reads.
        let (out, inbox) = queue(1_000_000, 1000);
        let out = Arc::new(out);
        let sent: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let out = out.clone();
                    s.spawn(move || {
                        (0..1000)
                            .filter(|_| out.try_send("x".repeat(100).into()).is_ok())
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(sent, 10, "exactly the limit was queued");
        assert_eq!(out.queued_bytes(), 1000);
        drop(inbox);
    }
}
