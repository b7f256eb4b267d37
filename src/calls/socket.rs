//! A WebSocket to our signaling endpoint, with its event closures kept alive beside it.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

pub struct Socket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `/ws` on this site (`wss:` when the page is `https:`).
    pub fn open(
        on_message: impl FnMut(String) + 'static,
        on_close: impl FnMut(u16, String) + 'static,
    ) -> Result<Self, JsValue> {
        Self::open_at("/ws", on_message, on_close)
    }

    /// Opens `path` (`/ws`, maybe with a query) on this site.
    pub fn open_at(
        path: &str,
        on_message: impl FnMut(String) + 'static,
        mut on_close: impl FnMut(u16, String) + 'static,
    ) -> Result<Self, JsValue> {
        let loc = web_sys::window().ok_or("no window")?.location();
        let scheme = if loc.protocol()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let ws = WebSocket::new(&format!("{scheme}://{}{path}", loc.host()?))?;
        let mut on_message = on_message;
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
        Ok(Self {
            ws,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a frame if the socket is open; frames sent while it is not are dropped, because
    /// a reconnect starts the room over anyway.
    pub fn send(&self, text: &str) {
        if self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_str(text);
        }
    }

    pub fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
    }

    /// The WebSocket itself, for the tests' hook.
    pub fn raw(&self) -> &WebSocket {
        &self.ws
    }

    pub fn close(&self) {
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
