//! Call by name over the room dialect: `watch_online`, `ring`, `accept`, `decline`, `hangup`
//! (docs/protocol.md, "Call by name"). The hub keeps the state; this only reads frames and
//! words the replies.
use super::frames::error;
use super::hub::{encode, AnswerError, Callee, Hub, RingError};
use super::protocol::{code, ServerEvent};
use axum::extract::ws::Utf8Bytes;
use serde::Deserialize;
use sqlx::SqlitePool;
use std::borrow::Cow;

/// Who a socket belongs to.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Display name: the username, or a guest name.
    pub name: String,
    /// The user's stable peer id; `None` for a connection that is nobody's (it cannot be
    /// called, nor call).
    pub user: Option<String>,
    pub guest: bool,
    /// The accounts, to tell a name nobody has from a user who is offline. Without it every
    /// callee who is not online is reported `offline`.
    pub directory: Option<SqlitePool>,
}

impl From<String> for Identity {
    fn from(name: String) -> Self {
        Self {
            name,
            user: None,
            guest: false,
            directory: None,
        }
    }
}

/// The message types this module handles.
pub const KINDS: &[&str] = &["watch_online", "ring", "accept", "decline", "hangup"];

#[derive(Deserialize)]
struct CallMsg<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    user: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    peer: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    call: Option<Cow<'a, str>>,
}

impl CallMsg<'_> {
    fn callee(&self) -> Option<Callee<'_>> {
        match (self.user.as_deref(), self.peer.as_deref()) {
            (Some(u), _) if !u.is_empty() => Some(Callee::Name(u)),
            (_, Some(p)) if !p.is_empty() => Some(Callee::Peer(p)),
            _ => None,
        }
    }
}

/// Handles one frame of a [`KINDS`] type; returns the reply for the sender, if any.
pub fn handle(hub: &Hub, id: &str, text: &str) -> Option<Utf8Bytes> {
    let msg: CallMsg = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            return Some(error(
                code::MISSING_FIELD,
                &format!("\"user\", \"peer\" and \"call\" are strings: {e}"),
            ))
        }
    };
    if msg.kind == "watch_online" {
        hub.watch_online(id);
        return None;
    }
    if msg.kind == "ring" {
        return Some(match msg.callee() {
            Some(callee) => ring_reply(hub.ring(id, callee), callee),
            None => error(
                code::MISSING_FIELD,
                "ring needs a \"user\" name or a \"peer\" id",
            ),
        });
    }
    let Some(call) = msg.call.as_deref() else {
        return Some(error(
            code::MISSING_FIELD,
            &format!("{} needs a \"call\" id", msg.kind),
        ));
    };
    let result = match &*msg.kind {
        "accept" => hub.accept(id, call).map(|room| {
            Some(encode(&ServerEvent::CallAccepted {
                call: call.to_owned(),
                room,
            }))
        }),
        "decline" => hub.decline(id, call).map(|()| None),
        "hangup" => hub.hangup(id, call).map(|()| {
            Some(encode(&ServerEvent::CallCancelled {
                call: call.to_owned(),
                reason: "hangup".to_owned(),
            }))
        }),
        other => {
            return Some(error(
                code::UNKNOWN_TYPE,
                &format!("unknown message type {other:?}"),
            ))
        }
    };
    match result {
        Ok(reply) => reply,
        Err(e @ AnswerError::UnknownCall) => Some(error(code::UNKNOWN_CALL, &e.to_string())),
    }
}

/// Whether `text` is a `ring` frame (cheaply: most frames are not).
pub fn is_ring(text: &str) -> bool {
    text.contains("\"ring\"")
        && serde_json::from_str::<CallMsg>(text).is_ok_and(|m| m.kind == "ring")
}

/// `ring`, telling an unknown name from an offline user by asking `directory`.
pub async fn ring(hub: &Hub, directory: &SqlitePool, id: &str, text: &str) -> Option<Utf8Bytes> {
    let Ok(msg) = serde_json::from_str::<CallMsg>(text) else {
        return handle(hub, id, text);
    };
    let Some(callee) = msg.callee() else {
        return handle(hub, id, text);
    };
    let result = hub.ring(id, callee);
    if result != Err(RingError::Offline) {
        return Some(ring_reply(result, callee));
    }
    let known = match callee {
        Callee::Name(n) => crate::accounts::store::peer_id_of(directory, n)
            .await
            .map(|p| p.is_some()),
        Callee::Peer(p) => crate::accounts::store::name_of_peer(directory, p)
            .await
            .map(|n| n.is_some()),
    };
    match known {
        Ok(false) => Some(error(
            code::UNKNOWN_USER,
            &format!("nobody is called {}", shown(callee)),
        )),
        Ok(true) => Some(ring_reply(result, callee)),
        Err(e) => {
            tracing::error!("user lookup failed: {e}");
            Some(ring_reply(result, callee))
        }
    }
}

fn ring_reply(result: Result<super::hub::RingStarted, RingError>, callee: Callee<'_>) -> Utf8Bytes {
    match result {
        Ok(r) => encode(&ServerEvent::Ringing {
            call: r.call,
            name: r.name,
            peer_id: r.peer_id,
        }),
        Err(RingError::Offline) => error(code::OFFLINE, &format!("{} is offline", shown(callee))),
        Err(RingError::Busy) => error(
            code::BUSY,
            &format!("{} is busy in another call", shown(callee)),
        ),
        Err(e @ RingError::SelfCall) => error(code::SELF_CALL, &e.to_string()),
        Err(e @ RingError::AlreadyCalling) => error(code::ALREADY_CALLING, &e.to_string()),
        Err(e @ RingError::RingLimited) => error(code::RING_LIMITED, &e.to_string()),
        Err(e @ RingError::NotAUser) => error(code::NOT_A_USER, &e.to_string()),
    }
}

fn shown(callee: Callee<'_>) -> &str {
    match callee {
        Callee::Name(n) => n,
        Callee::Peer(_) => "that user",
    }
}
