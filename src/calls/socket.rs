//! The page's signaling sockets: a WebSocket to `/ws` that comes back by itself. After a drop
//! it waits as [`Backoff`] says and opens again, with the resume token of the latest `welcome`
//! so the server may keep its peer id; when the server asks (`reconnect`, as it restarts) it
//! closes after the pause asked for and opens again the same way. The call engine, the
//! call-by-name client and the live room list each keep one; each is told what happens. The
//! call engine's starts as the socket the page's inline script opened (`calls::early`).
use super::backoff::Backoff;
use super::resume::{kind_of, reconnect_after_ms, socket_path, Welcome};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What a socket tells its owner.
pub enum Event<'a> {
    /// A frame from the server, every one (`welcome` and `reconnect` too).
    Text(&'a str),
    /// The socket dropped, or could not open.
    Dropped(Dropped<'a>),
    /// A new socket is being opened, after a drop.
    Reopening,
}

pub struct Dropped<'a> {
    pub code: u16,
    pub reason: &'a str,
    /// The server asked for it (`reconnect`): expected, not trouble.
    pub asked: bool,
    /// We come back with a resume token: the server may keep our peer id.
    pub resumable: bool,
    /// No more tries: the socket stays closed.
    pub gave_up: bool,
}

type Handler = Rc<dyn Fn(&ReconnectingSocket, Event)>;

/// A handle to the socket; clones share it. Closed for good by [`ReconnectingSocket::close`].
#[derive(Clone)]
pub struct ReconnectingSocket(Rc<RefCell<State>>);

/// A handle that does not keep the socket alive.
pub struct WeakSocket(Weak<RefCell<State>>);

struct State {
    socket: Option<Socket>,
    backoff: Backoff,
    /// From the latest `welcome`.
    resume: Option<String>,
    /// The server asked us to reconnect: the coming drop is expected.
    asked: bool,
    closed: bool,
    handler: Handler,
}

impl ReconnectingSocket {
    /// Opens `/ws` on this site; `handler` hears every event until [`Self::close`].
    pub fn open(handler: impl Fn(&ReconnectingSocket, Event) + 'static) -> Self {
        let me = Self::new(handler);
        me.connect();
        me
    }

    /// [`Self::open`], taking over the socket the page's inline script opened if there is one
    /// (`calls::early`). What it received so far is handed on first, in order, once the
    /// caller has this handle (in a microtask: before any later frame).
    /// Returns the socket and, if the script has sent the `join` already, its state (with the
    /// connections it made for the call, `early::handoff`).
    pub fn open_early(
        handler: impl Fn(&ReconnectingSocket, Event) + 'static,
    ) -> (Self, Option<wasm_bindgen::JsValue>) {
        let Some(super::early::Early {
            ws,
            queued,
            joined,
            state,
        }) = super::early::take_socket()
        else {
            return (Self::open(handler), None);
        };
        let me = Self::new(handler);
        let socket = Socket::wrap(ws, me.on_message(), me.on_close_fn());
        me.0.borrow_mut().socket = Some(socket);
        let w = me.downgrade();
        wasm_bindgen_futures::spawn_local(async move {
            for text in queued {
                if let Some(s) = w.upgrade() {
                    s.on_text(&text);
                }
            }
        });
        (me, joined.then_some(state))
    }

    fn new(handler: impl Fn(&ReconnectingSocket, Event) + 'static) -> Self {
        Self(Rc::new(RefCell::new(State {
            socket: None,
            backoff: Backoff::new(),
            resume: None,
            asked: false,
            closed: false,
            handler: Rc::new(handler),
        })))
    }

    pub fn downgrade(&self) -> WeakSocket {
        WeakSocket(Rc::downgrade(&self.0))
    }

    /// Sends a frame if the socket is open; frames sent while it is not are dropped (what a
    /// frame was for is redone after a reconnect).
    pub fn send(&self, text: &str) {
        if let Some(s) = &self.0.borrow().socket {
            s.send(text);
        }
    }

    pub fn is_open(&self) -> bool {
        self.0.borrow().socket.as_ref().is_some_and(Socket::is_open)
    }

    /// The WebSocket now open, for the tests' hook.
    pub fn raw(&self) -> Option<WebSocket> {
        self.0.borrow().socket.as_ref().map(|s| s.ws.clone())
    }

    /// Closes the socket for good: no more events, no more tries.
    pub fn close(&self) {
        let socket = {
            let mut s = self.0.borrow_mut();
            s.closed = true;
            s.socket.take()
        };
        drop(socket);
    }

    fn emit(&self, ev: Event) {
        let handler = self.0.borrow().handler.clone();
        handler(self, ev);
    }

    /// What the socket's `message` handler calls.
    fn on_message(&self) -> impl FnMut(String) + 'static {
        let w = self.downgrade();
        move |text| {
            if let Some(s) = w.upgrade() {
                s.on_text(&text)
            }
        }
    }

    /// What the socket's `close` handler calls.
    fn on_close_fn(&self) -> impl FnMut(u16, String) + 'static {
        let w = self.downgrade();
        move |code, reason| {
            if let Some(s) = w.upgrade() {
                s.on_close(code, &reason)
            }
        }
    }

    fn connect(&self) {
        let path = socket_path(self.0.borrow().resume.as_deref());
        let socket = Socket::open(&path, self.on_message(), self.on_close_fn());
        match socket {
            Ok(s) => self.0.borrow_mut().socket = Some(s),
            Err(_) => self.on_close(1006, ""),
        }
    }

    fn on_text(&self, text: &str) {
        let kind = kind_of(text);
        if kind.as_deref() == Some("reconnect") {
            self.0.borrow_mut().asked = true;
            let w = self.downgrade();
            later(reconnect_after_ms(text) as i32, move || {
                let Some(me) = w.upgrade() else { return };
                let socket = me.0.borrow_mut().socket.take();
                if let Some(s) = socket {
                    // `close` drops the socket's handlers: the close is handled here instead.
                    s.close();
                    me.on_close(1001, "");
                }
            });
        } else if kind.as_deref() == Some("welcome") {
            if let Some(w) = Welcome::parse(text) {
                let mut s = self.0.borrow_mut();
                s.backoff.reset();
                s.asked = false;
                s.resume = w.resume;
            }
        }
        self.emit(Event::Text(text));
    }

    fn on_close(&self, code: u16, reason: &str) {
        let (next, asked, resumable) = {
            let mut s = self.0.borrow_mut();
            if s.closed {
                return;
            }
            s.socket = None;
            (s.backoff.failed(), s.asked, s.resume.is_some())
        };
        self.emit(Event::Dropped(Dropped {
            code,
            reason,
            asked,
            resumable,
            gave_up: next.is_none(),
        }));
        let Some(ms) = next else {
            self.0.borrow_mut().closed = true;
            return;
        };
        let w = self.downgrade();
        later(ms as i32, move || {
            let Some(me) = w.upgrade() else { return };
            if !me.0.borrow().closed {
                me.emit(Event::Reopening);
                me.connect();
            }
        });
    }
}

impl WeakSocket {
    pub fn upgrade(&self) -> Option<ReconnectingSocket> {
        self.0.upgrade().map(ReconnectingSocket)
    }
}

/// Runs `f` after `ms` milliseconds.
fn later(ms: i32, f: impl FnOnce() + 'static) {
    let run = Closure::once_into_js(f);
    if let Some(win) = web_sys::window() {
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), ms);
    }
}

/// One WebSocket, with its event closures kept alive beside it.
struct Socket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `path` (`/ws`, maybe with a query) on this site (`wss:` when the page is
    /// `https:`).
    fn open(
        path: &str,
        on_message: impl FnMut(String) + 'static,
        on_close: impl FnMut(u16, String) + 'static,
    ) -> Result<Self, JsValue> {
        let loc = web_sys::window().ok_or("no window")?.location();
        let scheme = if loc.protocol()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let ws = WebSocket::new(&format!("{scheme}://{}{path}", loc.host()?))?;
        Ok(Self::wrap(ws, on_message, on_close))
    }

    /// Takes `ws` (opening or open) with these handlers.
    fn wrap(
        ws: WebSocket,
        mut on_message: impl FnMut(String) + 'static,
        mut on_close: impl FnMut(u16, String) + 'static,
    ) -> Self {
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                on_message(text);
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            on_close(ev.code(), ev.reason())
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Self {
            ws,
            _on_message: on_message,
            _on_close: on_close,
        }
    }

    fn send(&self, text: &str) {
        if self.is_open() {
            let _ = self.ws.send_with_str(text);
        }
    }

    fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
    }

    fn close(&self) {
        self.ws.set_onclose(None);
        self.ws.set_onmessage(None);
        let _ = self.ws.close();
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}
