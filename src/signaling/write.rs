//! Writing to a client within a bound. A client that stops reading fills its TCP window, and
//! a plain `send().await` then waits forever: heartbeats, shutdown and the hub's queue all stall
//! behind it. Both dialects' socket loops write through [`Writer`] instead, which gives up after
//! the connection's dead-after time, or at shutdown.
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{FutureExt, Sink, SinkExt};
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const GOING_AWAY: u16 = 1001;

/// Most queued frames written before one flush.
pub const MAX_BATCH: usize = 64;

/// Why a write did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    /// The socket is closed or broken.
    Closed,
    /// The client took no data for the whole bound: it stopped reading.
    Stuck,
    /// The server is shutting down.
    ShuttingDown,
}

/// Sends frames, each within `bound`, and never past shutdown.
#[derive(Clone)]
pub struct Writer {
    bound: Duration,
    shutdown: CancellationToken,
}

impl Writer {
    pub fn new(bound: Duration, shutdown: CancellationToken) -> Self {
        Self { bound, shutdown }
    }

    pub async fn send<S>(&self, socket: &mut S, msg: Message) -> Result<(), WriteError>
    where
        S: Sink<Message> + Unpin,
    {
        self.bounded(socket.send(msg)).await
    }

    /// Sends `first` and then whatever `more` has ready (up to [`MAX_BATCH`] frames in all),
    /// flushing once at the end: one write to the kernel for a burst instead of one per frame.
    /// The whole batch shares one bound. A batch the socket takes at once (the usual case)
    /// starts no timer and no shutdown watch: only one that has to wait does.
    pub async fn send_batch<S, F>(
        &self,
        socket: &mut S,
        first: Message,
        mut more: F,
    ) -> Result<(), WriteError>
    where
        S: Sink<Message> + Unpin,
        F: FnMut() -> Option<Message>,
    {
        let batch = async {
            socket.feed(first).await?;
            for _ in 1..MAX_BATCH {
                match more() {
                    Some(msg) => socket.feed(msg).await?,
                    None => break,
                }
            }
            socket.flush().await
        };
        let mut batch = std::pin::pin!(batch);
        // Polled once with a waker that does nothing; if the socket cannot take it all now,
        // the poll below registers this task's waker before anything waits.
        if let Some(done) = batch.as_mut().now_or_never() {
            return done.map_err(|_| WriteError::Closed);
        }
        // Boxed: the timer and the shutdown watch take room that every idle connection's task
        // would otherwise carry, for a wait that seldom comes.
        Box::pin(self.bounded(batch)).await
    }

    /// Waits for `write` within the bound, and never past shutdown.
    async fn bounded<E>(
        &self,
        write: impl Future<Output = Result<(), E>>,
    ) -> Result<(), WriteError> {
        tokio::select! {
            biased;
            _ = self.shutdown.cancelled() => Err(WriteError::ShuttingDown),
            sent = tokio::time::timeout(self.bound, write) => match sent {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(WriteError::Closed),
                Err(_) => Err(WriteError::Stuck),
            },
        }
    }

    /// Ends a socket loop: announces shutdown, or says why the server closes (`ending`), unless
    /// the last write showed nothing more can be written.
    pub async fn finish<S>(
        &self,
        socket: &mut S,
        last: Result<(), WriteError>,
        ending: Option<(u16, &'static str)>,
    ) where
        S: Sink<Message> + Unpin,
    {
        let ending = match last {
            Err(WriteError::ShuttingDown) => Some((GOING_AWAY, "server shutting down")),
            Err(WriteError::Stuck | WriteError::Closed) => None,
            Ok(()) => ending,
        };
        if let Some((code, reason)) = ending {
            self.close(socket, code, reason).await;
        }
    }

    /// Sends a close frame as a courtesy, briefly (also during shutdown, which it announces).
    async fn close<S>(&self, socket: &mut S, code: u16, reason: &'static str)
    where
        S: Sink<Message> + Unpin,
    {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let brief = self.bound.min(Duration::from_secs(1));
        let _ = tokio::time::timeout(brief, socket.send(Message::Close(Some(frame)))).await;
    }
}
