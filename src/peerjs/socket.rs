//! One PeerJS socket: admission (`OPEN`, `ERROR`, `ID-TAKEN`), then a run-to-completion loop
//! like the room dialect's: relay client frames through the service, write what the hub
//! queues, ping, and drop the client when it goes silent.
//!
//! Bad frames (not JSON, no `type`, unknown type, no `dst`) are ignored, as the reference server
//! does: the stock client treats any `ERROR` as fatal and destroys itself, so answering one
//! stray frame with `ERROR` would end a healthy session.
use super::service::PeerJs;
use super::wire::{self, msg, Kind};
use crate::signaling::hub::{ClaimError, Outbound, Registration};
use crate::signaling::limits::{ConnLimits, RateLimiter, Verdict};
use crate::signaling::protocol::MAX_FRAME_BYTES;
use crate::signaling::write::{WriteError, Writer};
use crate::signaling::ws::close;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const NORMAL: u16 = 1000;

/// The socket's query string: `?key=…&id=…&token=…` (the client adds `version=`, ignored).
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub key: Option<String>,
    pub id: Option<String>,
    pub token: Option<String>,
}

enum Action {
    Continue,
    /// `LEAVE` with no `dst`: the client is signing off.
    SignOff,
}

/// Serves one PeerJS socket until it closes.
pub async fn serve<S>(
    mut socket: S,
    svc: Arc<PeerJs>,
    params: Params,
    limits: ConnLimits,
    shutdown: CancellationToken,
) where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let (Some(key), Some(id), Some(token)) = (
        nonempty(&params.key),
        nonempty(&params.id),
        nonempty(&params.token),
    ) else {
        return refuse(socket, wire::error(msg::INVALID_WS_PARAMETERS)).await;
    };
    if key != svc.options.key {
        return refuse(socket, wire::error(msg::INVALID_KEY)).await;
    }
    if !wire::valid_id(&id) || !wire::valid_id(&token) {
        return refuse(socket, wire::error(msg::INVALID_ID)).await;
    }
    let (conn, mut rx) = svc.register(&id);
    // Unregisters however this task ends, a panic included.
    let registration = svc.hub.guard(conn.clone());
    match svc.connect(&conn, &id, &token) {
        Ok(claimed) => tracing::debug!(?claimed, "peerjs client connected"),
        Err(e) => {
            drop(registration);
            let frame = match e {
                ClaimError::Taken => wire::id_taken(),
                ClaimError::Full(_) => {
                    tracing::warn!("peerjs concurrent_limit reached; connection refused");
                    wire::error(msg::CONNECTION_LIMIT_EXCEED)
                }
                ClaimError::Gone => wire::error("Server is shutting down"),
            };
            return refuse(socket, frame).await;
        }
    }

    let connected = Connected {
        svc: svc.clone(),
        id: id.clone(),
        registration,
    };
    let alive = svc.options.alive_timeout;
    let mut rate = RateLimiter::new(limits);
    let mut last_seen = Instant::now();
    let mut last_ping = Instant::now();
    // Check often enough to notice silence soon after `alive_timeout`; ping at the usual rate.
    let every = limits
        .ping_every
        .min(alive / 4)
        .max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    let writer = Writer::new(limits.dead_after, shutdown.clone());
    let mut ending: Option<(u16, &'static str)> = None;
    let mut sent = writer.send(&mut socket, Message::Text(wire::open())).await;
    while sent.is_ok() {
        sent = tokio::select! {
            _ = shutdown.cancelled() => Err(WriteError::ShuttingDown),
            out = rx.recv() => match out {
                Some(Outbound::Frame(f)) => writer.send(&mut socket, Message::Text(f)).await,
                None => {
                    ending = Some(if svc.holds(&conn, &id) {
                        (close::POLICY, "connection too slow to keep up")
                    } else {
                        (NORMAL, "replaced by a newer connection with this id and token")
                    });
                    break;
                }
            },
            msg = socket.next() => {
                let Some(Ok(msg)) = msg else { break };
                if let Message::Close(_) = msg { break; }
                let now = Instant::now();
                // Pongs come from the client's WebSocket library, not from the client: a
                // socket opened and forgotten must still run out of alive_timeout.
                if !matches!(msg, Message::Ping(_) | Message::Pong(_)) {
                    last_seen = now;
                }
                // Every frame counts, binary and ping included: any of them costs us work.
                match rate.check(now) {
                    Verdict::Accept => {}
                    // No ERROR frame: the stock client would destroy itself on one.
                    Verdict::Throttle { .. } => {
                        svc.hub.metrics.rate_limited_peerjs.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    Verdict::Close => {
                        svc.hub.metrics.rate_limited_peerjs.fetch_add(1, Ordering::Relaxed);
                        tracing::info!("peerjs client closed for flooding");
                        ending = Some((close::POLICY, "flooding: too many messages"));
                        break;
                    }
                }
                let text = match msg {
                    Message::Text(t) => t,
                    // The reference parses binary frames as text too.
                    Message::Binary(b) => match Utf8Bytes::try_from(b) {
                        Ok(t) => t,
                        Err(_) => { svc.metrics.ignored.fetch_add(1, Ordering::Relaxed); continue; }
                    },
                    Message::Close(_) | Message::Ping(_) | Message::Pong(_) => continue,
                };
                if text.len() > MAX_FRAME_BYTES {
                    ending = Some((close::TOO_BIG, "message larger than 64 KiB"));
                    break;
                }
                if let Action::SignOff = handle(&svc, &id, &text) {
                    ending = Some((NORMAL, "left"));
                    break;
                }
                Ok(())
            }
            _ = tick.tick() => {
                if last_seen.elapsed() > alive {
                    tracing::debug!("peerjs client silent past alive_timeout; dropped");
                    ending = Some((close::GOING_AWAY, "no heartbeat within alive_timeout"));
                    break;
                }
                if last_ping.elapsed() >= limits.ping_every {
                    last_ping = Instant::now();
                    writer.send(&mut socket, Message::Ping(Default::default())).await
                } else {
                    Ok(())
                }
            }
        };
    }
    drop(connected);
    writer.finish(&mut socket, sent, ending).await;
}

/// A connected PeerJS client. Dropping it, however the socket task ends (a panic included),
/// signs the id off with the service (its partners hear it left) and then unregisters the
/// connection, so no ghost keeps the id.
struct Connected {
    svc: Arc<PeerJs>,
    id: String,
    registration: Registration,
}

impl Drop for Connected {
    fn drop(&mut self) {
        let left = self.svc.disconnect(self.registration.id(), &self.id);
        tracing::debug!(told_partners = left, "peerjs client disconnected");
        // `registration` drops after this body: the connection is unregistered last.
    }
}

/// Handles one text frame from `id`.
fn handle(svc: &PeerJs, id: &str, text: &str) -> Action {
    let Ok(m) = wire::parse(text) else {
        svc.metrics.ignored.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("peerjs: ignored a frame that is not a JSON object with a string type");
        return Action::Continue;
    };
    let Some(kind) = Kind::parse(&m.kind) else {
        svc.metrics.ignored.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(kind = %m.kind, "peerjs: ignored an unknown message type");
        return Action::Continue;
    };
    match (kind, m.dst.as_deref()) {
        // Any frame already counts as a sign of life; a heartbeat carries nothing else.
        (Kind::Heartbeat, _) => Action::Continue,
        (Kind::Leave, None) => Action::SignOff,
        (_, None) => {
            svc.metrics.ignored.fetch_add(1, Ordering::Relaxed);
            Action::Continue
        }
        (kind, Some(dst)) => {
            svc.relay(id, kind, dst, m.payload);
            Action::Continue
        }
    }
}

/// Refuses with `ID-TAKEN`: the id belongs to a site user this request is not signed in as.
pub async fn refuse_taken(socket: axum::extract::ws::WebSocket) {
    refuse(socket, wire::id_taken()).await
}

/// Refuses with `ERROR`: the client's address holds as many sockets as it may.
pub async fn refuse_busy(socket: axum::extract::ws::WebSocket) {
    refuse(socket, wire::error(msg::TOO_MANY_FROM_ADDRESS)).await
}

/// Sends one frame, then closes, as the reference does for refusals.
async fn refuse<S>(mut socket: S, frame: Utf8Bytes)
where
    S: Sink<Message> + Unpin,
{
    if socket.send(Message::Text(frame)).await.is_ok() {
        let close = CloseFrame {
            code: NORMAL,
            reason: Utf8Bytes::default(),
        };
        let _ = socket.send(Message::Close(Some(close))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peerjs::options::PeerJsOptions;
    use crate::signaling::hub::{Hub, HubLimits};

    #[tokio::test]
    async fn a_task_that_panics_leaves_no_ghost_id() {
        let hub = Arc::new(Hub::new(HubLimits::default()));
        let svc = Arc::new(PeerJs::new(hub.clone(), PeerJsOptions::default()));
        let (a, mut ra) = svc.register("a");
        svc.connect(&a, "a", "t").unwrap();
        let (b, _rb) = svc.register("b");
        svc.connect(&b, "b", "t").unwrap();
        svc.relay("b", Kind::Offer, "a", None);
        let connected = Connected {
            svc: svc.clone(),
            id: "b".into(),
            registration: hub.guard(b),
        };
        let task = tokio::spawn(async move {
            let _connected = connected;
            panic!("a bug in a socket task");
        });
        assert!(task.await.unwrap_err().is_panic());
        assert_eq!(svc.peers(), ["a"]);
        assert_eq!(hub.connections(), 1);
        let frames: Vec<String> = std::iter::from_fn(|| ra.try_recv().ok())
            .map(|Outbound::Frame(f)| f.to_string())
            .collect();
        assert!(
            frames.last().is_some_and(|f| f.contains("LEAVE")),
            "{frames:?}"
        );
        let (c, _rc) = svc.register("b");
        assert!(
            svc.connect(&c, "b", "another token").is_ok(),
            "the id is free"
        );
        assert!(hub.check_invariants().is_ok());
    }
}
