//! One room-dialect frame: read it, act on it through the hub, and word the reply.
use super::call_by_name;
pub use super::frames::error;
use super::hub::{encode, Hub, JoinError, RelayError};
use super::protocol::{
    code, valid_room_name, ClientMessage, Malformed, PeerInfo, Relay, RelayKind, Role, ServerEvent,
    MAX_BROADCAST_PAYLOAD,
};
use axum::extract::ws::Utf8Bytes;

/// Handles one text frame; returns a reply for the sender, if any.
pub fn handle(hub: &Hub, id: &str, text: &str) -> Option<Utf8Bytes> {
    handle_frame(hub, id, text, &mut false)
}

/// [`handle`], noting in `goodbye` whether the client ended its call (`leave`, or `bye` to the
/// whole room), after which its connection is not kept for a resume; a `join` undoes that.
pub fn handle_frame(hub: &Hub, id: &str, text: &str, goodbye: &mut bool) -> Option<Utf8Bytes> {
    handle_parsed(hub, id, ClientMessage::parse(text), goodbye)
}

/// [`handle_frame`] for a frame already parsed.
pub fn handle_parsed(
    hub: &Hub,
    id: &str,
    parsed: Result<ClientMessage<'_>, Malformed<'_>>,
    goodbye: &mut bool,
) -> Option<Utf8Bytes> {
    match parsed {
        Ok(msg) => act(hub, id, msg, goodbye),
        Err(e) => Some(error(e.code(), &e.to_string())),
    }
}

fn act(hub: &Hub, id: &str, msg: ClientMessage<'_>, goodbye: &mut bool) -> Option<Utf8Bytes> {
    match msg {
        ClientMessage::Join { room, role } => {
            if !valid_room_name(&room) {
                return Some(error(
                    code::BAD_ROOM,
                    "room names are 1-48 letters, digits, - or _",
                ));
            }
            let result = hub.join(id, &room, role);
            Some(joined_reply(room.into_owned(), role, result, goodbye))
        }
        ClientMessage::Leave => {
            *goodbye = true;
            hub.leave(id);
            None
        }
        ClientMessage::WatchRooms => {
            hub.watch_rooms(id);
            None
        }
        ClientMessage::Ping => Some(encode(&ServerEvent::Pong)),
        ClientMessage::Relay(relay) => forward(hub, id, relay, goodbye),
        call @ (ClientMessage::WatchOnline
        | ClientMessage::Ring { .. }
        | ClientMessage::Accept { .. }
        | ClientMessage::Decline { .. }
        | ClientMessage::Hangup { .. }) => call_by_name::handle(hub, id, call),
    }
}

/// The answer to a `join`: `joined`, or the error that refused it.
pub fn joined_reply(
    room: String,
    role: Role,
    result: Result<Vec<PeerInfo>, JoinError>,
    goodbye: &mut bool,
) -> Utf8Bytes {
    match result {
        Ok(peers) => {
            *goodbye = false;
            encode(&ServerEvent::Joined { room, role, peers })
        }
        Err(e @ JoinError::Gone) => error(e.code(), "connection is closing"),
        Err(e) => error(e.code(), &e.to_string()),
    }
}

/// Relays to one peer, or without `to` to the whole room.
fn forward(hub: &Hub, id: &str, relay: Relay<'_>, goodbye: &mut bool) -> Option<Utf8Bytes> {
    let Relay { kind, to, payload } = relay;
    let name = kind.as_str();
    if to.is_none() {
        if !kind.broadcastable() {
            return Some(error(
                code::NOT_BROADCASTABLE,
                &format!("{name} needs a \"to\" peer id"),
            ));
        }
        if kind == RelayKind::Bye {
            *goodbye = true;
        }
        if payload.is_some_and(|p| p.len() > MAX_BROADCAST_PAYLOAD) {
            return Some(error(
                code::TOO_LARGE,
                &format!(
                    "a message to the whole room carries at most {MAX_BROADCAST_PAYLOAD} bytes of payload"
                ),
            ));
        }
    }
    let frame = relay_frame(name, id, payload);
    let err = hub
        .relay(id, to.as_deref(), frame, kind.sender_role())
        .err()?;
    let words = match err {
        RelayError::Congested => "that peer is not keeping up; message dropped".to_owned(),
        RelayError::NotYourRole => format!(
            "{name} may only be sent by a {}",
            role_word(kind.sender_role())
        ),
        ref e => e.to_string(),
    };
    Some(error(err.code(), &words))
}

fn role_word(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Talk) => "talker",
        Some(Role::Watch) => "watcher",
        _ => "mesh peer",
    }
}

/// `{"type":KIND,"from":ID,"payload":…}`. `kind` is a wire name of ours and `from` is an id we
/// made (both plain ASCII), and `payload` is already valid JSON, so no escaping is needed.
fn relay_frame(kind: &str, from: &str, payload: Option<&str>) -> Utf8Bytes {
    let payload = payload.unwrap_or("null");
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
