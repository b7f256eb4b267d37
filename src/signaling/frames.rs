//! Encoding the room dialect's server events. The hub uses it too, for the events it makes
//! itself (`peer_joined`, `peer_left`, `rooms`, `online`, the `call_*` events): those are
//! encoded once here and the same bytes go to every receiver.
use super::protocol::ServerEvent;
use axum::extract::ws::Utf8Bytes;

pub fn encode(ev: &ServerEvent) -> Utf8Bytes {
    // Serialising our own enum cannot fail: every field is a plain string, list or number.
    serde_json::to_string(ev).unwrap_or_default().into()
}

/// An `error` event with a code from `protocol::code` and words for people.
pub fn error(code: &str, message: &str) -> Utf8Bytes {
    encode(&ServerEvent::Error {
        code: code.to_owned(),
        message: message.to_owned(),
    })
}
