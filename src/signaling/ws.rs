//! The room dialect over WebSocket: what sets it apart in the shared socket loop
//! (`driver.rs`). It greets with `welcome`, answers bad frames with `error` frames, asks the
//! client to `reconnect` when the server drains, and hands ring frames to the accounts.
//!
//! A socket that drops without a goodbye leaves its connection parked for a resume (see
//! `hub/grace.rs`); one the server closes on purpose, or that said goodbye, leaves at once.
use super::call_by_name::{self, Identity};
pub use super::dispatch::{error, handle};
use super::dispatch::{handle_parsed, joined_reply};
use super::driver::{close, drive, Dialect, Ended, Liveness, Reason, Step};
use super::hub::{encode, Answer, GracePolicy, Hub, Inbox, PeerId, Registration};
use super::limits::ConnLimits;
use super::protocol::{code, valid_room_name, ClientMessage, ServerEvent};
use super::resume::{attach, Attached, Opening};
use super::write::WriteError;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, Stream};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Serves one authenticated socket until it closes. `who` is the session's display name, or
/// a whole [`Identity`] to make the socket its user's (online, and callable by name).
/// `shutdown` ends the socket for good (server stopping, session ended).
pub async fn serve<S>(
    socket: S,
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
        inbox,
        token,
        resumed,
    } = attach(&hub, &who, &opening, &stop, limits.dead_after).await;
    // Unregisters however this task ends, a panic included, unless it is parked at the end.
    let registration = hub.guard(id.clone());
    let welcome = encode(&ServerEvent::Welcome {
        id: id.to_string(),
        name: who.name.clone(),
        resume: token,
        ice: opening.ice.clone(),
        resumed,
    });
    let room = Room {
        hub,
        who,
        id,
        registration,
        welcome,
        grace: opening.grace,
        drain: opening.drain,
        admission: opening.admission,
        shutdown,
        goodbye: false,
    };
    drive(socket, inbox, limits, stop, room).await;
}

/// One room-dialect socket's side of the loop.
struct Room {
    hub: Arc<Hub>,
    who: Identity,
    id: PeerId,
    registration: Registration,
    welcome: Utf8Bytes,
    grace: GracePolicy,
    drain: Option<CancellationToken>,
    admission: Option<Arc<dyn super::admission::Admission>>,
    /// The server's or the session's end (not this socket's own stop, which a resume cancels).
    shutdown: CancellationToken,
    /// The client ended its call (`leave`, `bye` to all, or a 1000/1001 close).
    goodbye: bool,
}

impl Room {
    /// Sends an answer to a call that rings from another instance there; false when the call
    /// rings from here.
    fn elsewhere(&self, call: &str, answer: Answer) -> bool {
        self.admission
            .as_ref()
            .is_some_and(|a| a.answer(&self.id, call, answer))
    }
}

impl Dialect for Room {
    fn greeting(&mut self) -> Utf8Bytes {
        std::mem::take(&mut self.welcome)
    }

    fn liveness(&self, limits: &ConnLimits) -> Liveness {
        // A silent client is treated like a dropped socket: it may come back and resume.
        Liveness {
            check_every: limits.ping_every,
            dead_after: limits.dead_after,
            on_death: None,
        }
    }

    fn client_closed(&mut self, frame: Option<&CloseFrame>) {
        // 1000 and 1001 (the page is going away) are goodbyes; a close without a code, or with
        // another, may be followed by a resume.
        self.goodbye |= frame.is_some_and(|f| matches!(f.code, 1000 | 1001));
    }

    fn rate_limited(&self) -> &AtomicU64 {
        &self.hub.metrics.rate_limited_room
    }

    fn throttled(&mut self, first: bool) -> Option<Utf8Bytes> {
        first.then(|| error(code::RATE_LIMITED, "too many messages; slow down"))
    }

    fn binary(&mut self, _bytes: Bytes) -> Result<Utf8Bytes, Step> {
        Err(Step::Reply(error(
            code::BAD_JSON,
            "send JSON text frames, not binary",
        )))
    }

    async fn handle(&mut self, text: Utf8Bytes) -> Step {
        // Parsed once; a ring may ask the accounts whether an offline callee exists.
        let reply = match (ClientMessage::parse(&text), &self.who.directory) {
            (Ok(ClientMessage::Ring { user, peer }), Some(dir)) => {
                call_by_name::ring(&self.hub, dir, &self.id, user, peer).await
            }
            (Ok(ClientMessage::Accept { call }), _) if self.elsewhere(&call, Answer::Accept) => {
                None
            }
            (Ok(ClientMessage::Decline { call }), _) if self.elsewhere(&call, Answer::Decline) => {
                None
            }
            (Ok(ClientMessage::Hangup { call }), _) if self.elsewhere(&call, Answer::Hangup) => {
                None
            }
            (Ok(ClientMessage::Join { room, role }), _)
                if self.admission.is_some() && valid_room_name(&room) =>
            {
                let Some(admission) = &self.admission else {
                    return Step::Quiet;
                };
                let result = admission.join(&self.id, &room, role).await;
                Some(joined_reply(
                    room.into_owned(),
                    role,
                    result,
                    &mut self.goodbye,
                ))
            }
            (parsed, _) => handle_parsed(&self.hub, &self.id, parsed, &mut self.goodbye),
        };
        reply.map_or(Step::Quiet, Step::Reply)
    }

    fn queue_closed(&mut self) -> Reason {
        (close::POLICY, "connection too slow to keep up")
    }

    fn drain(&self) -> Option<CancellationToken> {
        self.drain.clone()
    }

    fn reconnect(&mut self) -> Option<Utf8Bytes> {
        let after_ms = super::drain::reconnect_delay_ms();
        Some(encode(&ServerEvent::Reconnect { after_ms }))
    }

    fn end(self, inbox: Inbox, ended: Ended) {
        // A drop the client did not ask for (network gone, tab suspended, a newer socket
        // resuming this one) may be resumed; the server's own reasons (a client that stopped
        // reading included) and a goodbye end it now.
        let dropped = ended.reason.is_none()
            && !self.goodbye
            && !self.shutdown.is_cancelled()
            && ended.last != Err(WriteError::Stuck);
        if dropped {
            self.registration.park(inbox, self.grace);
        }
        // Otherwise `registration` drops here, which removes the connection.
    }
}
