//! The browser side of calls by name: one socket per page that keeps this user online, hears
//! rings, and feeds the call state's signals. The socket comes back by itself after a drop or when
//! the server asks (`calls/socket.rs`), keeping this user's peer id when the server can.
use super::call_state::{CallState, Dial, Incoming};
use crate::calls::socket::{Event, ReconnectingSocket};
use crate::signaling::protocol::{ClientMessage, ServerEvent};
use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// Opens the socket for as long as the calling component lives.
pub fn start(calls: CallState) {
    let socket = ReconnectingSocket::open(move |socket, ev| match ev {
        Event::Text(text) => on_text(calls, socket, text),
        Event::Dropped(_) => on_drop(calls),
        Event::Reopening => {}
    });
    let for_send = SendWrapper::new(socket.downgrade());
    calls.set_sender(std::sync::Arc::new(move |text: &str| {
        if let Some(s) = for_send.upgrade() {
            s.send(text);
        }
    }));
    let for_watch = SendWrapper::new(socket.downgrade());
    Effect::new(move |_| {
        if calls.watching.get() {
            if let Some(s) = for_watch.upgrade() {
                s.send(&ClientMessage::WatchOnline.to_json());
            }
        }
    });
    let keep = SendWrapper::new(socket);
    on_cleanup(move || keep.close());
}

/// Whatever was ringing is over for the server: it ended with the socket.
fn on_drop(calls: CallState) {
    calls.incoming.try_set(None);
    calls.outgoing.try_update(|o| {
        if let Some(o) = o.as_mut().filter(|o| o.state == Dial::Ringing) {
            o.state = Dial::Failed;
        }
    });
}

fn on_text(calls: CallState, socket: &ReconnectingSocket, text: &str) {
    let Some(ev) = ServerEvent::from_json(text) else {
        return;
    };
    match ev {
        ServerEvent::Welcome { .. } if calls.watching.get_untracked() => {
            socket.send(&ClientMessage::WatchOnline.to_json());
        }
        ServerEvent::Online { users } => {
            calls.online.try_set(Some(users));
        }
        ServerEvent::Ringing { call, name, .. } => {
            calls.outgoing.try_update(|o| {
                if let Some(o) = o.as_mut().filter(|o| o.call.is_none()) {
                    o.call = Some(call);
                    o.name = name;
                }
            });
        }
        ServerEvent::Incoming {
            call, from_name, ..
        } => {
            calls.incoming.try_set(Some(Incoming {
                call,
                from: from_name,
            }));
        }
        ServerEvent::CallAccepted { call, room } => {
            let mine = set_outgoing(calls, &call, Dial::Accepted)
                || calls
                    .incoming
                    .with_untracked(|i| i.as_ref().is_some_and(|i| i.call == call));
            if mine {
                go_to_room(&room);
            }
        }
        ServerEvent::CallDeclined { call } => {
            set_outgoing(calls, &call, Dial::Declined);
        }
        ServerEvent::CallMissed { call } => {
            set_outgoing(calls, &call, Dial::NoAnswer);
        }
        ServerEvent::CallCancelled { call, .. }
            if calls
                .incoming
                .with_untracked(|i| i.as_ref().is_some_and(|i| i.call == call)) =>
        {
            calls.incoming.try_set(None);
        }
        ServerEvent::Error { code, .. } => {
            use crate::signaling::protocol::code as c;
            if code == c::UNKNOWN_CALL {
                calls.incoming.try_set(None);
                return;
            }
            // Errors before `ringing` answer the ring itself.
            calls.outgoing.try_update(|o| {
                if let Some(o) = o
                    .as_mut()
                    .filter(|o| o.call.is_none() && o.state == Dial::Ringing)
                {
                    o.state = Dial::from_error(&code);
                }
            });
        }
        _ => {}
    }
}

/// Moves the ring I placed to `state` if it is `call`; returns whether it was.
fn set_outgoing(calls: CallState, call: &str, state: Dial) -> bool {
    let mut hit = false;
    calls.outgoing.try_update(|o| {
        if let Some(o) = o.as_mut().filter(|o| o.call.as_deref() == Some(call)) {
            o.state = state;
            hit = true;
        }
    });
    hit
}

/// A full page load of the call's room, keeping test-mode options such as `lowres=1`.
fn go_to_room(room: &str) {
    let Some(win) = web_sys::window() else { return };
    let search = win.location().search().unwrap_or_default();
    let _ = win.location().set_href(&format!("/r/{room}{search}"));
}
