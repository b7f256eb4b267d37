//! Keeps the home page's room list live: a socket that asks for `watch_rooms` updates, and asks
//! again each time it comes back after a drop.
use crate::calls::socket::{Event, ReconnectingSocket};
use crate::signaling::protocol::{ClientMessage, RoomSummary, ServerEvent};
use leptos::prelude::*;

/// Replaces `rooms` with every list the server sends, for as long as the component lives.
/// Signed-out visitors are refused by the server and keep the server-rendered list.
pub fn watch_rooms(rooms: RwSignal<Vec<RoomSummary>>) {
    let socket = ReconnectingSocket::open(move |socket, ev| {
        let Event::Text(text) = ev else { return };
        match ServerEvent::from_json(text) {
            // The welcome frame says the socket is open and signed in: subscribe now (again,
            // after a reconnect: a new socket starts with no subscriptions).
            Some(ServerEvent::Welcome { .. }) => socket.send(&ClientMessage::WatchRooms.to_json()),
            Some(ServerEvent::Rooms { rooms: list }) => {
                rooms.try_set(list);
            }
            _ => {}
        }
    });
    let keep = send_wrapper::SendWrapper::new(socket);
    on_cleanup(move || keep.close());
}
