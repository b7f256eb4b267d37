//! The browser side of calls by name: one socket per page that keeps this user online, hears
//! rings, and feeds the desk's signals. Reconnects with backoff if the server goes away (with
//! the resume token of the latest `welcome`, so this user's socket keeps its peer id), and
//! when the server asks to (`reconnect`, as it restarts).
use super::desk::{Desk, Dial, Incoming};
use crate::calls::socket::Socket;
use crate::signaling::protocol::{ClientMessage, ServerEvent};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const MAX_RETRIES: u32 = 8;

struct Inner {
    desk: Desk,
    socket: Option<Socket>,
    retries: u32,
    closed: bool,
    /// From the latest `welcome`.
    resume: Option<String>,
}

/// Opens the socket for as long as the calling component lives.
pub fn start(desk: Desk) {
    let inner = Rc::new(RefCell::new(Inner {
        desk,
        socket: None,
        retries: 0,
        closed: false,
        resume: None,
    }));
    connect(&inner);
    let for_send = SendWrapper::new(Rc::downgrade(&inner));
    desk.set_sender(std::sync::Arc::new(move |text: &str| {
        if let Some(i) = for_send.upgrade() {
            if let Some(s) = &i.borrow().socket {
                s.send(text);
            }
        }
    }));
    let for_watch = SendWrapper::new(Rc::downgrade(&inner));
    Effect::new(move |_| {
        if desk.watching.get() {
            send(&for_watch, &ClientMessage::WatchOnline.to_json());
        }
    });
    let keep = SendWrapper::new(inner);
    on_cleanup(move || {
        let mut i = keep.borrow_mut();
        i.closed = true;
        i.socket.take();
    });
}

fn send(inner: &Weak<RefCell<Inner>>, text: &str) {
    if let Some(i) = inner.upgrade() {
        if let Some(s) = &i.borrow().socket {
            s.send(text);
        }
    }
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    let (w1, w2) = (Rc::downgrade(inner), Rc::downgrade(inner));
    let path = crate::calls::resume::socket_path(inner.borrow().resume.as_deref());
    let socket = Socket::open_at(
        &path,
        move |text| on_text(&w1, &text),
        move |_, _| on_close(&w2),
    );
    match socket {
        Ok(s) => inner.borrow_mut().socket = Some(s),
        Err(_) => on_close(&Rc::downgrade(inner)),
    }
}

fn on_close(inner: &Weak<RefCell<Inner>>) {
    let Some(rc) = inner.upgrade() else { return };
    let retries = {
        let mut i = rc.borrow_mut();
        if i.closed {
            return;
        }
        i.socket = None;
        i.retries += 1;
        // Whatever was ringing is over for the server: it ended with the socket.
        i.desk.incoming.try_set(None);
        i.desk.outgoing.try_update(|o| {
            if let Some(o) = o.as_mut().filter(|o| o.state == Dial::Ringing) {
                o.state = Dial::Failed;
            }
        });
        i.retries
    };
    if retries > MAX_RETRIES {
        return;
    }
    let w = inner.clone();
    later(500 * (1 << retries.min(5)), move || {
        if let Some(rc) = w.upgrade() {
            if !rc.borrow().closed {
                connect(&rc);
            }
        }
    });
}

fn later(ms: i32, f: impl FnOnce() + 'static) {
    let run = Closure::once_into_js(f);
    if let Some(win) = web_sys::window() {
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), ms);
    }
}

/// The server is restarting: close after the pause it asked for, then reconnect as after any
/// drop.
fn on_reconnect(inner: &Weak<RefCell<Inner>>, text: &str) {
    let after = crate::calls::resume::reconnect_after_ms(text) as i32;
    let w = inner.clone();
    later(after, move || {
        let Some(rc) = w.upgrade() else { return };
        let socket = rc.borrow_mut().socket.take();
        if let Some(s) = socket {
            // `close` drops the socket's handlers: the close is handled here instead.
            s.close();
            on_close(&w);
        }
    });
}

fn on_text(inner: &Weak<RefCell<Inner>>, text: &str) {
    let Some(rc) = inner.upgrade() else { return };
    if crate::calls::resume::is_reconnect(text) {
        return on_reconnect(inner, text);
    }
    let Ok(ev) = serde_json::from_str::<ServerEvent>(text) else {
        return;
    };
    let desk = rc.borrow().desk;
    match ev {
        ServerEvent::Welcome { .. } => {
            let resume = crate::calls::resume::Welcome::parse(text).and_then(|w| w.resume);
            let mut i = rc.borrow_mut();
            i.retries = 0;
            i.resume = resume;
            drop(i);
            if desk.watching.get_untracked() {
                send(inner, &ClientMessage::WatchOnline.to_json());
            }
        }
        ServerEvent::Online { users } => {
            desk.online.try_set(Some(users));
        }
        ServerEvent::Ringing { call, name, .. } => {
            desk.outgoing.try_update(|o| {
                if let Some(o) = o.as_mut().filter(|o| o.call.is_none()) {
                    o.call = Some(call);
                    o.name = name;
                }
            });
        }
        ServerEvent::Incoming {
            call, from_name, ..
        } => {
            desk.incoming.try_set(Some(Incoming {
                call,
                from: from_name,
            }));
        }
        ServerEvent::CallAccepted { call, room } => {
            let mine = set_outgoing(desk, &call, Dial::Accepted)
                || desk
                    .incoming
                    .with_untracked(|i| i.as_ref().is_some_and(|i| i.call == call));
            if mine {
                go_to_room(&room);
            }
        }
        ServerEvent::CallDeclined { call } => {
            set_outgoing(desk, &call, Dial::Declined);
        }
        ServerEvent::CallMissed { call } => {
            set_outgoing(desk, &call, Dial::NoAnswer);
        }
        ServerEvent::CallCancelled { call, .. }
            if desk
                .incoming
                .with_untracked(|i| i.as_ref().is_some_and(|i| i.call == call)) =>
        {
            desk.incoming.try_set(None);
        }
        ServerEvent::Error { code, .. } => {
            use crate::signaling::protocol::code as c;
            if code == c::UNKNOWN_CALL {
                desk.incoming.try_set(None);
                return;
            }
            // Errors before `ringing` answer the ring itself.
            desk.outgoing.try_update(|o| {
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
fn set_outgoing(desk: Desk, call: &str, state: Dial) -> bool {
    let mut hit = false;
    desk.outgoing.try_update(|o| {
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
