//! The room dialect over WebSocket: one task per socket, a run-to-completion loop that reads
//! frames, relays them through the hub, writes what the hub queues, and pings.
//!
//! Recoverable errors (bad JSON, unknown target) get an error frame and the loop goes on;
//! fatal ones (socket gone, flood, too slow, no pong) end it, and the hub tells the room.
//!
//! A socket that drops without a goodbye leaves its connection parked for a resume (see
//! `hub/grace.rs`); one the server closes on purpose, or that said goodbye, leaves at once.
use super::bycall::{self, Identity};
use super::dispatch::handle_frame;
pub use super::dispatch::{error, handle};
use super::hub::{encode, Hub, Outbound};
use super::limits::{ConnLimits, RateLimiter, Verdict};
use super::protocol::{code, ServerEvent, MAX_FRAME_BYTES};
use super::resume::{attach, Attached, Opening};
use super::write::{WriteError, Writer};
use axum::extract::ws::Message;
use futures_util::{Sink, Stream, StreamExt};
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Close codes the server uses.
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
}

/// Serves one authenticated socket until it closes. `who` is the session's display name, or
/// a whole [`Identity`] to make the socket its user's (online, and callable by name).
/// `shutdown` ends the socket for good (server stopping, session ended).
pub async fn serve<S>(
    mut socket: S,
    hub: Arc<Hub>,
    who: impl Into<Identity>,
    opening: Opening,
    limits: ConnLimits,
    shutdown: CancellationToken,
) where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let who: Identity = who.into();
    // Ends this socket alone when another socket resumes its connection.
    let stop = shutdown.child_token();
    let Attached {
        id,
        inbox: mut rx,
        token,
        resumed,
    } = attach(&hub, &who, &opening, &stop, limits.dead_after).await;
    // Unregisters however this task ends, a panic included, unless it is parked below.
    let registration = hub.guard(id.clone());
    let welcome = encode(&ServerEvent::Welcome {
        id: id.to_string(),
        name: who.name.clone(),
        resume: token,
        ice: opening.ice.clone(),
        resumed,
    });
    let drain = opening.drain.clone().unwrap_or_default();
    let (mut told_to_reconnect, mut goodbye) = (false, false);
    let mut rate = RateLimiter::new(limits);
    let mut last_seen = Instant::now();
    let mut ping = tokio::time::interval(limits.ping_every);
    ping.tick().await;
    let writer = Writer::new(limits.dead_after, stop.clone());
    let mut ending: Option<(u16, &'static str)> = None;
    let mut sent = writer.send(&mut socket, Message::Text(welcome)).await;
    while sent.is_ok() {
        sent = tokio::select! {
            _ = stop.cancelled() => Err(WriteError::ShuttingDown),
            _ = drain.cancelled(), if !told_to_reconnect => {
                told_to_reconnect = true;
                let after_ms = super::drain::reconnect_delay_ms();
                let frame = encode(&ServerEvent::Reconnect { after_ms });
                writer.send(&mut socket, Message::Text(frame)).await
            }
            out = rx.recv() => match out {
                Some(Outbound::Frame(f)) => writer.send(&mut socket, Message::Text(f)).await,
                None => {
                    ending = Some((close::POLICY, "connection too slow to keep up"));
                    break;
                }
            },
            msg = socket.next() => {
                let Some(Ok(msg)) = msg else { break };
                last_seen = Instant::now();
                if let Message::Close(frame) = msg {
                    // 1000 and 1001 (the page is going away) are goodbyes; a close without a
                    // code, or with another, may be followed by a resume.
                    goodbye |= frame.is_some_and(|f| matches!(f.code, 1000 | 1001));
                    break;
                }
                // Every frame counts, binary and ping included: any of them costs us work.
                match rate.check(last_seen) {
                    Verdict::Accept => {}
                    Verdict::Throttle { first } => {
                        hub.metrics.rate_limited_room.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if first {
                            let e = error(code::RATE_LIMITED, "too many messages; slow down");
                            sent = writer.send(&mut socket, Message::Text(e)).await;
                        }
                        continue;
                    }
                    Verdict::Close => {
                        hub.metrics.rate_limited_room.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        ending = Some((close::POLICY, "flooding: too many messages"));
                        break;
                    }
                }
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Binary(_) => {
                        let e = error(code::BAD_JSON, "send JSON text frames, not binary");
                        sent = writer.send(&mut socket, Message::Text(e)).await;
                        continue;
                    }
                    Message::Close(_) | Message::Ping(_) | Message::Pong(_) => continue,
                };
                if text.len() > MAX_FRAME_BYTES {
                    ending = Some((close::TOO_BIG, "message larger than 64 KiB"));
                    break;
                }
                let reply = match &who.directory {
                    Some(dir) if bycall::is_ring(&text) => bycall::ring(&hub, dir, &id, &text).await,
                    _ => handle_frame(&hub, &id, &text, &mut goodbye),
                };
                match reply {
                    Some(reply) => writer.send(&mut socket, Message::Text(reply)).await,
                    None => Ok(()),
                }
            }
            _ = ping.tick() => {
                if last_seen.elapsed() > limits.dead_after { break; }
                writer.send(&mut socket, Message::Ping(Default::default())).await
            }
        };
    }
    // A drop the client did not ask for (network gone, tab suspended, a newer socket resuming
    // this one) may be resumed; the server's own reasons (a client that stopped reading
    // included) and a goodbye end it now.
    let dropped =
        ending.is_none() && !goodbye && !shutdown.is_cancelled() && sent != Err(WriteError::Stuck);
    if dropped {
        registration.park(rx, opening.grace);
    } else {
        drop(registration);
    }
    writer.finish(&mut socket, sent, ending).await;
}
