//! One room-dialect frame: decode it, act on it through the hub, and word the reply.
use super::bycall;
pub use super::frames::error;
use super::hub::{encode, Hub, JoinError, RelayError};
use super::protocol::{
    code, sender_role, valid_room_name, Role, ServerEvent, BROADCASTABLE, MAX_BROADCAST_PAYLOAD,
    RELAYED,
};
use axum::extract::ws::Utf8Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

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

/// Handles one text frame; returns a reply for the sender, if any.
pub fn handle(hub: &Hub, id: &str, text: &str) -> Option<Utf8Bytes> {
    handle_frame(hub, id, text, &mut false)
}

/// [`handle`], noting in `goodbye` whether the client ended its call (`leave`, or `bye` to the
/// whole room), after which its connection is not kept for a resume; a `join` undoes that.
pub fn handle_frame(hub: &Hub, id: &str, text: &str, goodbye: &mut bool) -> Option<Utf8Bytes> {
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
                Ok(peers) => {
                    *goodbye = false;
                    encode(&ServerEvent::Joined {
                        room: room.to_owned(),
                        role,
                        peers,
                    })
                }
                Err(e @ (JoinError::Full(_) | JoinError::TalkerPresent | JoinError::OtherTab)) => {
                    error(code::ROOM_FULL, &e.to_string())
                }
                Err(JoinError::Gone) => error(code::NOT_IN_ROOM, "connection is closing"),
                Err(e @ JoinError::Private) => error(code::PRIVATE_ROOM, &e.to_string()),
            })
        }
        "leave" => {
            *goodbye = true;
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
            if to.is_none() && *kind == "bye" {
                *goodbye = true;
            }
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
