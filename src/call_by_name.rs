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

/// How a room is titled on its page: a call's private room by what it is, not its random name.
pub fn room_title(room: &str) -> String {
    if room.starts_with(crate::signaling::protocol::PRIVATE_ROOM_PREFIX) {
        "Private call".to_owned()
    } else {
        room.to_owned()
    }
}
