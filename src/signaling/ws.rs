//! The room dialect over WebSocket: one task per socket, a run-to-completion loop that reads
//! frames, relays them through the hub, writes what the hub queues, and pings.
//!
//! Recoverable errors (bad JSON, unknown target) get an error frame and the loop goes on;
//! fatal ones (socket gone, flood, too slow, no pong) end it, and the hub tells the room.
use super::bycall::{self, Identity};
use super::hub::{encode, Hub, JoinError, Outbound, RelayError};
use super::limits::{ConnLimits, RateLimiter, Verdict};
use super::protocol::{
    code, sender_role, valid_room_name, Role, ServerEvent, BROADCASTABLE, MAX_BROADCAST_PAYLOAD,
    MAX_FRAME_BYTES, RELAYED,
};
use super::write::{WriteError, Writer};
use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::{Sink, Stream, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Close codes the server uses.
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
}

/// A client frame. `from` is deliberately absent: whatever a client claims is ignored.
#[derive(Deserialize)]
struct Inbound<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    to: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    room: Option<Cow<'a, str>>,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
}

/// Serves one authenticated socket until it closes. `who` is the session's display name, or
/// a whole [`Identity`] to make the socket its user's (online, and callable by name).
pub async fn serve<S>(
    mut socket: S,
    hub: Arc<Hub>,
    who: impl Into<Identity>,
    limits: ConnLimits,
    shutdown: CancellationToken,
) where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let who: Identity = who.into();
    let name = who.name.clone();
    let (id, mut rx) = match &who.user {
        Some(user) => hub.register_user(&name, user, who.guest),
        None => hub.register(&name),
    };
    // Unregisters however this task ends, a panic included.
    let registration = hub.guard(id.clone());
    let welcome = encode(&ServerEvent::Welcome {
        id: id.to_string(),
        name,
    });
    let mut rate = RateLimiter::new(limits);
    let mut last_seen = Instant::now();
    let mut ping = tokio::time::interval(limits.ping_every);
    ping.tick().await;
    let writer = Writer::new(limits.dead_after, shutdown.clone());
    let mut ending: Option<(u16, &'static str)> = None;
    let mut sent = writer.send(&mut socket, Message::Text(welcome)).await;
    while sent.is_ok() {
        sent = tokio::select! {
            _ = shutdown.cancelled() => Err(WriteError::ShuttingDown),
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
                if let Message::Close(_) = msg { break; }
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
                    _ => handle(&hub, &id, &text),
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
    drop(registration);
    writer.finish(&mut socket, sent, ending).await;
}

/// Handles one text frame; returns a reply for the sender, if any.
pub fn handle(hub: &Hub, id: &str, text: &str) -> Option<Utf8Bytes> {
    let msg: Inbound = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) if e.is_data() => {
            return Some(error(
                code::MISSING_FIELD,
                &format!("message needs a string \"type\": {e}"),
            ))
        }
        Err(e) => return Some(error(code::BAD_JSON, &format!("not valid JSON: {e}"))),
    };
    match &*msg.kind {
        "join" => {
            let Some(room) = msg.room.as_deref() else {
                return Some(error(code::MISSING_FIELD, "join needs a \"room\""));
            };
            if !valid_room_name(room) {
                return Some(error(
                    code::BAD_ROOM,
                    "room names are 1-48 letters, digits, - or _",
                ));
            }
            let role = msg.role.unwrap_or_default();
            Some(match hub.join(id, room, role) {
                Ok(peers) => encode(&ServerEvent::Joined {
                    room: room.to_owned(),
                    role,
                    peers,
                }),
                Err(e @ (JoinError::Full(_) | JoinError::TalkerPresent | JoinError::OtherTab)) => {
                    error(code::ROOM_FULL, &e.to_string())
                }
                Err(JoinError::Gone) => error(code::NOT_IN_ROOM, "connection is closing"),
                Err(e @ JoinError::Private) => error(code::PRIVATE_ROOM, &e.to_string()),
            })
        }
        "leave" => {
            hub.leave(id);
            None
        }
        "watch_rooms" => {
            hub.watch_rooms(id);
            None
        }
        "ping" => Some(encode(&ServerEvent::Pong)),
        kind if bycall::KINDS.contains(&kind) => bycall::handle(hub, id, text),
        kind => {
            let Some(kind) = RELAYED.iter().find(|k| **k == kind) else {
                return Some(error(
                    code::UNKNOWN_TYPE,
                    &format!("unknown message type {kind:?}"),
                ));
            };
            let to = msg.to.as_deref();
            if to.is_none() && !BROADCASTABLE.contains(kind) {
                return Some(error(
                    code::NOT_BROADCASTABLE,
                    &format!("{kind} needs a \"to\" peer id"),
                ));
            }
            if to.is_none()
                && msg
                    .payload
                    .is_some_and(|p| p.get().len() > MAX_BROADCAST_PAYLOAD)
            {
                return Some(error(
                    code::TOO_LARGE,
                    &format!(
                        "a message to the whole room carries at most {MAX_BROADCAST_PAYLOAD} bytes of payload"
                    ),
                ));
            }
            let frame = relay_frame(kind, id, msg.payload);
            match hub.relay(id, to, frame, sender_role(kind)) {
                Ok(_) => None,
                Err(RelayError::NotInRoom) => Some(error(code::NOT_IN_ROOM, "join a room first")),
                Err(RelayError::UnknownPeer) => {
                    Some(error(code::UNKNOWN_PEER, "no such peer in your room"))
                }
                Err(RelayError::Congested) => Some(error(
                    code::CONGESTED,
                    "that peer is not keeping up; message dropped",
                )),
                Err(RelayError::NotYourRole) => Some(error(
                    code::WRONG_ROLE,
                    &format!(
                        "{kind} may only be sent by a {}",
                        role_word(sender_role(kind))
                    ),
                )),
                Err(e @ RelayError::RolesDontMatch) => {
                    Some(error(code::WRONG_ROLE, &e.to_string()))
                }
            }
        }
    }
}

fn role_word(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Talk) => "talker",
        Some(Role::Watch) => "watcher",
        _ => "mesh peer",
    }
}

/// `{"type":KIND,"from":ID,"payload":…}`. `kind` comes from our list and `from` is an id we
/// made (both plain ASCII), and `payload` is already valid JSON, so no escaping is needed.
fn relay_frame(kind: &str, from: &str, payload: Option<&RawValue>) -> Utf8Bytes {
    let payload = payload.map(RawValue::get).unwrap_or("null");
    let mut s = String::with_capacity(32 + kind.len() + from.len() + payload.len());
    s.push_str("{\"type\":\"");
    s.push_str(kind);
    s.push_str("\",\"from\":\"");
    s.push_str(from);
    s.push_str("\",\"payload\":");
    s.push_str(payload);
    s.push('}');
    s.into()
}

pub fn error(code: &str, message: &str) -> Utf8Bytes {
    encode(&ServerEvent::Error {
        code: code.to_owned(),
        message: message.to_owned(),
    })
}
