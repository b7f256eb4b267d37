//! One PeerJS socket: admission (`OPEN`, `ERROR`, `ID-TAKEN`), then the shared socket loop
//! (`signaling/driver.rs`) with this dialect's points: relay client frames through the
//! service, answer nothing it would take as fatal, and drop the client when it goes silent
//! (a frame of its own, not a pong, counts as life).
//!
//! Bad frames (not JSON, no `type`, unknown type, no `dst`) are ignored, as the reference server
//! does: the stock client treats any `ERROR` as fatal and destroys itself, so answering one
//! stray frame with `ERROR` would end a healthy session.
use super::pairs::LastLink;
use super::service::PeerJs;
use super::shared::SharedClaim;
use super::wire::{self, msg, Kind};
use crate::signaling::driver::{close, drive, Dialect, Ended, Liveness, Reason, Step};
use crate::signaling::hub::{ClaimError, Inbox, PeerId, Registration};
use crate::signaling::limits::ConnLimits;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

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
    socket: S,
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
    // Cluster-wide first: an id held on another instance is taken here too.
    let shared = svc.claim_shared(&id).await;
    if shared == SharedClaim::Taken {
        return refuse(socket, wire::id_taken()).await;
    }
    let (conn, rx) = svc.register(&id);
    // Unregisters however this task ends, a panic included.
    let registration = svc.hub.guard(conn.clone());
    match svc.connect(&conn, &id, &token) {
        Ok(claimed) => tracing::debug!(?claimed, "peerjs client connected"),
        Err(e) => {
            drop(registration);
            if shared == SharedClaim::New {
                svc.unclaim_shared(&id);
            }
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

    let dialect = Socket {
        connected: Connected {
            svc,
            id,
            registration,
        },
        conn,
        last: LastLink::default(),
    };
    drive(socket, rx, limits, shutdown, dialect).await;
}

/// One PeerJS socket's side of the shared loop (`signaling/driver.rs`).
struct Socket {
    connected: Connected,
    conn: PeerId,
    /// The signaling pair this socket last recorded.
    last: LastLink,
}

impl Dialect for Socket {
    fn greeting(&mut self) -> Utf8Bytes {
        wire::open()
    }

    fn liveness(&self, limits: &ConnLimits) -> Liveness {
        let alive = self.connected.svc.options.alive_timeout;
        // Check often enough to notice silence soon after `alive_timeout`.
        Liveness {
            check_every: limits
                .ping_every
                .min(alive / 4)
                .max(Duration::from_millis(10)),
            dead_after: alive,
            on_death: Some(SILENT),
        }
    }

    fn is_life(&self, msg: &Message) -> bool {
        // Pongs come from the client's WebSocket library, not from the client: a socket opened
        // and forgotten must still run out of alive_timeout.
        !matches!(msg, Message::Ping(_) | Message::Pong(_))
    }

    fn rate_limited(&self) -> &AtomicU64 {
        &self.connected.svc.hub.metrics.rate_limited_peerjs
    }

    fn throttled(&mut self, _first: bool) -> Option<Utf8Bytes> {
        // No ERROR frame: the stock client would destroy itself on one.
        None
    }

    fn flooded(&mut self) {
        tracing::info!("peerjs client closed for flooding");
    }

    fn binary(&mut self, bytes: Bytes) -> Result<Utf8Bytes, Step> {
        // The reference parses binary frames as text too.
        Utf8Bytes::try_from(bytes).map_err(|_| {
            self.connected
                .svc
                .metrics
                .ignored
                .fetch_add(1, Ordering::Relaxed);
            Step::Quiet
        })
    }

    async fn handle(&mut self, text: Utf8Bytes) -> Step {
        match handle(
            &self.connected.svc,
            &self.connected.id,
            &mut self.last,
            &text,
        ) {
            Action::Continue => Step::Quiet,
            Action::SignOff => Step::End((close::NORMAL, "left")),
        }
    }

    fn queue_closed(&mut self) -> Reason {
        if self.connected.svc.replaced(&self.conn, &self.connected.id) {
            (
                close::NORMAL,
                "replaced by a newer connection with this id and token",
            )
        } else {
            (close::POLICY, "connection too slow to keep up")
        }
    }

    fn end(self, _inbox: Inbox, ended: Ended) {
        if ended.reason == Some(SILENT) {
            tracing::debug!("peerjs client silent past alive_timeout; dropped");
        }
        // Dropping `connected` signs the id off, then unregisters the connection.
    }
}

const SILENT: Reason = (close::GOING_AWAY, "no heartbeat within alive_timeout");

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
fn handle(svc: &PeerJs, id: &str, last: &mut LastLink, text: &str) -> Action {
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
            svc.relay_from(last, id, kind, dst, m.payload);
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
            code: close::NORMAL,
            reason: Utf8Bytes::default(),
        };
        let _ = socket.send(Message::Close(Some(close))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peerjs::options::PeerJsOptions;
    use crate::signaling::hub::{Hub, HubLimits, Outbound};

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
