//! One socket task, whatever the dialect: greet, then loop over shutdown, the drain, the hub's
//! queue, the socket and a heartbeat tick until something ends it; let the dialect tear down;
//! close with a reason. The room dialect (`ws.rs`) and the PeerJS dialect (`peerjs/socket.rs`)
//! differ only in the points of [`Dialect`].
//!
//! Recoverable errors (a bad frame) are the dialect's to answer, and the loop goes on; fatal
//! ones (socket gone, flood, a frame too big, too slow, silence) end it. Every write goes
//! through [`Writer`], so a client that stops reading cannot stall the task.
use super::gate::Gated;
use super::hub::{Inbox, Outbound};
use super::limits::{ConnLimits, RateLimiter, Verdict};
use super::protocol::MAX_FRAME_BYTES;
use super::write::{WriteError, Writer};
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{FutureExt, Sink, Stream, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;
use tokio::time::{Instant, Interval};
use tokio_util::sync::CancellationToken;

/// Close codes the server uses.
pub mod close {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
}

/// Why the server closes a socket: a close code and its words.
pub type Reason = (u16, &'static str);

/// What handling a frame came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to write back.
    Quiet,
    /// Write this to the client.
    Reply(Utf8Bytes),
    /// End the socket, closing it for this reason.
    End(Reason),
}

/// How a dialect tells a live client from a dead one.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    /// How often silence is checked (pings still go out every `ping_every` of the limits).
    pub check_every: Duration,
    /// Silence after which the client counts as dead.
    pub dead_after: Duration,
    /// The close a dead client gets; `None` drops it as if its socket broke.
    pub on_death: Option<Reason>,
}

/// How a socket's loop ended, for the dialect's teardown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    /// The server's reason for closing; `None` when the client went (or went silent) on its own.
    pub reason: Option<Reason>,
    /// The last write: `Err` for a socket that broke, stopped reading, or was shut down.
    pub last: Result<(), WriteError>,
}

/// What sets one dialect apart from the other.
pub trait Dialect {
    /// The first frame the client gets.
    fn greeting(&mut self) -> Utf8Bytes;
    /// Heartbeat timing and what happens to a silent client.
    fn liveness(&self, limits: &ConnLimits) -> Liveness;
    /// Whether a frame from the client shows it is alive (every frame, unless said otherwise).
    fn is_life(&self, _msg: &Message) -> bool {
        true
    }
    /// The client closed the socket, with this close frame if it sent one.
    fn client_closed(&mut self, _frame: Option<&CloseFrame>) {}
    /// The counter of frames the rate limiter refused.
    fn rate_limited(&self) -> &AtomicU64;
    /// A frame was dropped for rate (`first` since the last accepted one): what to tell.
    fn throttled(&mut self, first: bool) -> Option<Utf8Bytes>;
    /// The client is about to be closed for flooding.
    fn flooded(&mut self) {}
    /// A binary frame: text to handle like a text frame, or what to do instead.
    fn binary(&mut self, bytes: Bytes) -> Result<Utf8Bytes, Step>;
    /// Handles one text frame (at most [`MAX_FRAME_BYTES`]).
    fn handle(&mut self, text: Utf8Bytes) -> impl Future<Output = Step> + Send;
    /// The hub closed this connection's queue: why the socket closes.
    fn queue_closed(&mut self) -> Reason;
    /// Cancelled when the server drains; the client is then sent [`Dialect::reconnect`].
    fn drain(&self) -> Option<CancellationToken> {
        None
    }
    /// The frame that asks the client to reconnect elsewhere, once, when the server drains.
    fn reconnect(&mut self) -> Option<Utf8Bytes> {
        None
    }
    /// The loop is over: leave the hub (or park the connection for a resume). Runs before the
    /// close frame is written, so the others hear of it at once.
    fn end(self, inbox: Inbox, ended: Ended);
}

/// Most frames handled in one turn of the loop when the socket has more already read.
const READ_BATCH: usize = 16;

/// What one frame from the client came to, for the loop.
enum Flow {
    /// Go on, after writing this reply, if any.
    Go(Option<Utf8Bytes>),
    /// End the loop, closing for this reason, if any.
    Stop(Option<Reason>),
}

/// Serves one socket until it closes. `shutdown` ends it for good (server stopping, session
/// ended, or, for the room dialect, another socket resuming its connection).
pub async fn drive<S, D>(
    mut socket: S,
    mut rx: Inbox,
    limits: ConnLimits,
    shutdown: CancellationToken,
    mut dialect: D,
) where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
    D: Dialect,
{
    let live = dialect.liveness(&limits);
    let drain = dialect.drain().unwrap_or_default();
    let mut told_to_reconnect = false;
    let mut rate = RateLimiter::new(limits);
    let mut last_seen = Instant::now();
    let mut tick = tokio::time::interval(live.check_every);
    let mut last_ping = tick.tick().await;
    let writer = Writer::new(limits.dead_after, shutdown.clone());
    let mut reason = None;
    let greeting = dialect.greeting();
    // Writes that are one-off or rare (greeting, reconnect, reply, ping, close) are boxed: a
    // task's future is as large as its largest wait, and every idle connection carries it.
    let mut sent = Box::pin(writer.send(&mut socket, Message::Text(greeting))).await;
    // Made once, and polled only once they fire, not on every turn of the loop.
    let stopping = Gated::new(shutdown.cancelled());
    let draining = Gated::new(drain.cancelled());
    tokio::pin!(stopping, draining);
    let mut turn: u32 = 0;
    while sent.is_ok() {
        turn = turn.wrapping_add(1);
        let event = next_event(
            Waits {
                stopping: stopping.as_mut(),
                draining: (!told_to_reconnect).then_some(draining.as_mut()),
                rx: &mut rx,
                socket: &mut socket,
                tick: &mut tick,
            },
            turn.is_multiple_of(FAIR_EVERY),
        )
        .await;
        sent = match event {
            Event::Stop => Err(WriteError::ShuttingDown),
            Event::Drain => {
                told_to_reconnect = true;
                match dialect.reconnect() {
                    Some(frame) => Box::pin(writer.send(&mut socket, Message::Text(frame))).await,
                    None => Ok(()),
                }
            }
            // Everything already queued goes out with this frame, in one flush.
            Event::Out(Some(Outbound::Frame(f))) => {
                let more = || match rx.try_recv() {
                    Ok(Outbound::Frame(f)) => Some(Message::Text(f)),
                    Err(_) => None,
                };
                writer.send_batch(&mut socket, Message::Text(f), more).await
            }
            Event::Out(None) => {
                reason = Some(dialect.queue_closed());
                break;
            }
            Event::In(msg) => {
                let Some(Ok(msg)) = msg else { break };
                let now = Instant::now();
                // Frames the socket has already read go through too, up to a bound, without a
                // turn of the loop each; one clock reading serves them all.
                let mut msg = Some(msg);
                let mut step = Ok(());
                let mut handled = 0;
                let mut stop = false;
                while let Some(m) = msg.take() {
                    if dialect.is_life(&m) {
                        last_seen = now;
                    }
                    step = match on_frame(&mut dialect, &mut rate, now, m).await {
                        Flow::Go(Some(reply)) => {
                            Box::pin(reply_in_order(&writer, &mut socket, &mut rx, reply)).await
                        }
                        Flow::Go(None) => Ok(()),
                        Flow::Stop(why) => {
                            (reason, stop) = (why, true);
                            break;
                        }
                    };
                    handled += 1;
                    if handled < READ_BATCH && step.is_ok() {
                        match socket.next().now_or_never() {
                            Some(Some(Ok(m))) => msg = Some(m),
                            // The client went, or its socket broke.
                            Some(_) => stop = true,
                            None => {}
                        }
                    }
                }
                if stop {
                    break;
                }
                step
            }
            Event::Tick(at) => {
                if last_seen.elapsed() > live.dead_after {
                    reason = live.on_death;
                    break;
                }
                if at.duration_since(last_ping) >= limits.ping_every {
                    last_ping = at;
                    Box::pin(writer.send(&mut socket, Message::Ping(Bytes::new()))).await
                } else {
                    Ok(())
                }
            }
        };
    }
    dialect.end(rx, Ended { reason, last: sent });
    Box::pin(writer.finish(&mut socket, sent, reason)).await;
}

/// One turn in [`FAIR_EVERY`] polls the heartbeat first and the hub's queue last.
const FAIR_EVERY: u32 = 16;

/// What the socket loop waits on.
struct Waits<'a, S, W> {
    stopping: Pin<&'a mut W>,
    /// `None` once the client was told to reconnect.
    draining: Option<Pin<&'a mut W>>,
    rx: &'a mut Inbox,
    socket: &'a mut S,
    tick: &'a mut Interval,
}

/// What woke the socket loop.
enum Event {
    Stop,
    Drain,
    Out(Option<Outbound>),
    In(Option<Result<Message, axum::Error>>),
    Tick(Instant),
}

/// The next thing for the socket loop to do. The watches come first, then the hub's queue,
/// the client's frames and the heartbeat, in that order: a busy connection polls only up to
/// what is ready (a `select!` polls the others too, in a random order, each turn). So that
/// neither the client's frames nor the heartbeat can wait behind a queue that never empties,
/// one `fair` turn in [`FAIR_EVERY`] takes the heartbeat and the client's frames first.
async fn next_event<S, W>(mut w: Waits<'_, S, W>, fair: bool) -> Event
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
    W: Future,
{
    std::future::poll_fn(|cx| {
        if w.stopping.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Event::Stop);
        }
        if let Some(d) = w.draining.as_mut() {
            if d.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Event::Drain);
            }
        }
        if fair {
            if let Poll::Ready(at) = w.tick.poll_tick(cx) {
                return Poll::Ready(Event::Tick(at));
            }
        } else if let Poll::Ready(out) = w.rx.poll_recv(cx) {
            return Poll::Ready(Event::Out(out));
        }
        if let Poll::Ready(msg) = w.socket.poll_next_unpin(cx) {
            return Poll::Ready(Event::In(msg));
        }
        if fair {
            w.rx.poll_recv(cx).map(Event::Out)
        } else {
            w.tick.poll_tick(cx).map(Event::Tick)
        }
    })
    .await
}

/// Writes `reply` after the frames the hub had already queued for this client, so a reply
/// never overtakes what was sent before it (`watch_rooms` then `ping` gets the list, then
/// `pong`). Frames queued meanwhile wait for the next turn of the loop.
async fn reply_in_order<S>(
    writer: &Writer,
    socket: &mut S,
    rx: &mut Inbox,
    reply: Utf8Bytes,
) -> Result<(), WriteError>
where
    S: Sink<Message> + Unpin,
{
    let mut ahead = rx.len();
    let mut reply = Some(Message::Text(reply));
    let mut next = move || {
        if ahead > 0 {
            ahead -= 1;
            if let Ok(Outbound::Frame(f)) = rx.try_recv() {
                return Some(Message::Text(f));
            }
            ahead = 0;
        }
        reply.take()
    };
    while let Some(first) = next() {
        writer.send_batch(socket, first, &mut next).await?;
    }
    Ok(())
}

/// The rules every dialect shares for a client frame: a close ends the loop; every other frame
/// (binary and pings included: any of them costs us work) passes the rate limiter; text past
/// [`MAX_FRAME_BYTES`] closes the socket; the rest is the dialect's.
async fn on_frame<D: Dialect>(
    dialect: &mut D,
    rate: &mut RateLimiter,
    now: Instant,
    msg: Message,
) -> Flow {
    if let Message::Close(frame) = &msg {
        dialect.client_closed(frame.as_ref());
        return Flow::Stop(None);
    }
    match rate.check(now) {
        Verdict::Accept => {}
        Verdict::Throttle { first } => {
            dialect.rate_limited().fetch_add(1, Ordering::Relaxed);
            return Flow::Go(dialect.throttled(first));
        }
        Verdict::Close => {
            dialect.rate_limited().fetch_add(1, Ordering::Relaxed);
            dialect.flooded();
            return Flow::Stop(Some((close::POLICY, "flooding: too many messages")));
        }
    }
    let text = match msg {
        Message::Text(t) => t,
        Message::Binary(b) => match dialect.binary(b) {
            Ok(t) => t,
            Err(step) => return step.into(),
        },
        Message::Close(_) | Message::Ping(_) | Message::Pong(_) => return Flow::Go(None),
    };
    if text.len() > MAX_FRAME_BYTES {
        return Flow::Stop(Some((close::TOO_BIG, "message larger than 64 KiB")));
    }
    dialect.handle(text).await.into()
}

impl From<Step> for Flow {
    fn from(step: Step) -> Self {
        match step {
            Step::Quiet => Flow::Go(None),
            Step::Reply(r) => Flow::Go(Some(r)),
            Step::End(reason) => Flow::Stop(Some(reason)),
        }
    }
}

#[cfg(test)]
mod tests;
