//! Calls by name: who is online across the site, and calling one of them by name. The server
//! side (rings, private rooms) is in the signaling hub; this is the pages and the HTTP API.
pub mod api;
pub mod call_state;
pub mod online;
pub mod overlay;

#[cfg(feature = "ssr")]
pub mod handlers;

#[cfg(feature = "hydrate")]
mod client;

/// Whether `room` is a call's private room, for its two people only.
pub fn is_private(room: &str) -> bool {
    room.starts_with(crate::signaling::protocol::PRIVATE_ROOM_PREFIX)
}

/// How a room is titled on its page: a call's private room by what it is, not its random name.
pub fn room_title(room: &str, w: &crate::i18n::Words) -> String {
    if is_private(room) {
        w.private_call.to_owned()
    } else {
        room.to_owned()
    }
}
