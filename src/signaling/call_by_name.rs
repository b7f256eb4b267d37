//! Call by name over the room dialect: `watch_online`, `ring`, `accept`, `decline`, `hangup`
//! (docs/protocol.md, "Call by name"). The hub keeps the state; this only reads frames and
//! words the replies.
use super::frames::error;
use super::hub::{encode, Callee, Hub, RingError};
use super::protocol::{code, ClientMessage, ServerEvent};
use crate::db::Db;
use axum::extract::ws::Utf8Bytes;
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
    pub directory: Option<Db>,
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

/// The callee a `ring` names: a non-empty `user` wins over `peer`.
fn callee<'m>(user: &'m Option<Cow<str>>, peer: &'m Option<Cow<str>>) -> Option<Callee<'m>> {
    match (user.as_deref(), peer.as_deref()) {
        (Some(u), _) if !u.is_empty() => Some(Callee::Name(u)),
        (_, Some(p)) if !p.is_empty() => Some(Callee::Peer(p)),
        _ => None,
    }
}

/// Handles `watch_online`, `ring`, `accept`, `decline` and `hangup` (other messages are not
/// this module's and get nothing); returns the reply for the sender, if any.
pub fn handle(hub: &Hub, id: &str, msg: ClientMessage<'_>) -> Option<Utf8Bytes> {
    let result = match msg {
        ClientMessage::WatchOnline => {
            hub.watch_online(id);
            return None;
        }
        ClientMessage::Ring { user, peer } => {
            return Some(match callee(&user, &peer) {
                Some(callee) => ring_reply(hub.ring(id, callee), callee),
                None => error(
                    code::MISSING_FIELD,
                    "ring needs a \"user\" name or a \"peer\" id",
                ),
            })
        }
        ClientMessage::Accept { call } => hub.accept(id, &call).map(|room| {
            Some(encode(&ServerEvent::CallAccepted {
                call: call.to_string(),
                room,
            }))
        }),
        ClientMessage::Decline { call } => hub.decline(id, &call).map(|()| None),
        ClientMessage::Hangup { call } => hub.hangup(id, &call).map(|()| {
            Some(encode(&ServerEvent::CallCancelled {
                call: call.to_string(),
                reason: "hangup".to_owned(),
            }))
        }),
        _ => return None,
    };
    result.unwrap_or_else(|e| Some(error(e.code(), &e.to_string())))
}

/// Whether `text` is a `ring` frame.
/// `ring`, telling an unknown name from an offline user by asking `directory`.
pub async fn ring(
    hub: &Hub,
    directory: &Db,
    id: &str,
    user: Option<Cow<'_, str>>,
    peer: Option<Cow<'_, str>>,
) -> Option<Utf8Bytes> {
    let Some(callee) = callee(&user, &peer) else {
        return handle(hub, id, ClientMessage::Ring { user, peer });
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
        Err(e @ RingError::Offline) => error(e.code(), &format!("{} is offline", shown(callee))),
        Err(e @ RingError::Busy) => error(
            e.code(),
            &format!("{} is busy in another call", shown(callee)),
        ),
        Err(e) => error(e.code(), &e.to_string()),
    }
}

fn shown(callee: Callee<'_>) -> &str {
    match callee {
        Callee::Name(n) => n,
        Callee::Peer(_) => "that user",
    }
}
