//! Keeps the home page's room list live: a socket that asks for `watch_rooms` updates.
use super::socket::Socket;
use crate::signaling::protocol::{ClientMessage, RoomSummary, ServerEvent};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Replaces `rooms` with every list the server sends, for as long as the component lives.
/// Signed-out visitors are refused by the server and keep the server-rendered list.
pub fn watch_rooms(rooms: RwSignal<Vec<RoomSummary>>) {
    let slot: Rc<RefCell<Option<Socket>>> = Rc::default();
    let me = Rc::downgrade(&slot);
    let socket = Socket::open(
        move |text| match serde_json::from_str::<ServerEvent>(&text) {
            // The welcome frame says the socket is open and signed in: subscribe now.
            Ok(ServerEvent::Welcome { .. }) => {
                if let Some(s) = me.upgrade() {
                    if let Some(s) = s.borrow().as_ref() {
                        s.send(&ClientMessage::WatchRooms.to_json());
                    }
                }
            }
            Ok(ServerEvent::Rooms { rooms: list }) => {
                rooms.try_set(list);
            }
            _ => {}
        },
        |_, _| {},
    );
    let Ok(socket) = socket else { return };
    *slot.borrow_mut() = Some(socket);
    let keep = send_wrapper::SendWrapper::new(slot);
    on_cleanup(move || {
        keep.borrow_mut().take();
    });
}
