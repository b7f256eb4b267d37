//! One peer's chat data channel: JSON text frames for messages, file headers and what the two
//! sides say about files, their microphone and camera and a shared screen; binary frames for file chunks
//! (`transfer/wire.rs` has every message, `files.rs` the files).
use super::files::{self, Files, Outgoing};
use super::model::{clip_message, Transfer};
use super::transfer::wire::{self, Text};
use super::transfer::{Refused, Slots};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, RtcDataChannel, RtcDataChannelType};

/// What a peer's channel delivers to the page.
pub enum Received {
    Message(String),
    /// A file started arriving; its line moves by itself.
    File(Transfer),
    /// A file refused at its header, and why.
    Refused {
        name: String,
        why: Refused,
    },
    /// The peer's microphone and camera are on (`true`) or off.
    Media {
        audio: bool,
        video: bool,
    },
    /// The peer is sharing its screen in place of its camera (`true`), or stopped.
    Screen(bool),
}

/// Where received things go, with the sender's display name.
pub type Sink = Rc<dyn Fn(&str, Received)>;

pub struct Channel {
    pub dc: RtcDataChannel,
    files: Rc<RefCell<Files>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut(Event)>,
}

impl Channel {
    /// Wraps `dc`, reporting what arrives from `from` to `sink`; incoming files take places
    /// from `slots`. Once open, it tells the peer whether our microphone and camera are on and
    /// whether we share our screen, and again when the peer first says the same of itself.
    /// Without `chat` (a broadcast) only that media state is taken: messages and files are
    /// ignored, so a watcher cannot push anything into a talker's page.
    pub fn new(dc: RtcDataChannel, from: String, sink: Sink, slots: Slots, chat: bool) -> Self {
        dc.set_binary_type(RtcDataChannelType::Arraybuffer);
        dc.set_buffered_amount_low_threshold(files::outgoing::HIGH_WATER / 4);
        let files = Rc::new(RefCell::new(Files::new(dc.clone(), slots)));
        let f = files.clone();
        let reply_dc = dc.clone();
        let mut replied = false;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if let Some(text) = data.as_string() {
                let report = match wire::read(&text) {
                    Text::Media { audio, video } => {
                        // The peer's first word on this channel gets ours back, once: if what
                        // we said when it opened never reached the peer, this does.
                        if !std::mem::replace(&mut replied, true) {
                            say_media(&reply_dc);
                        }
                        Some(Received::Media { audio, video })
                    }
                    Text::Screen(on) => Some(Received::Screen(on)),
                    _ if !chat => None,
                    Text::Message(text) => Some(Received::Message(clip_message(&text))),
                    other => match f.borrow_mut().on_text(other) {
                        Some(files::Report::Started(line)) => Some(Received::File(line)),
                        Some(files::Report::Refused { name, why }) => {
                            Some(Received::Refused { name, why })
                        }
                        None => None,
                    },
                };
                if let Some(r) = report {
                    sink(&from, r);
                }
            } else if let Some(buf) = data.dyn_into::<js_sys::ArrayBuffer>().ok().filter(|_| chat) {
                f.borrow_mut().on_chunk(buf);
            }
        });
        dc.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // A channel the peer opened is open already when it is handed to us, and Chromium
        // still fires its `open`: we say our state once.
        let open_now = dc.ready_state() == web_sys::RtcDataChannelState::Open;
        let mut said = open_now;
        let open_dc = dc.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            if !std::mem::replace(&mut said, true) {
                say_media(&open_dc);
            }
        });
        dc.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        if open_now {
            say_media(&dc);
        }
        Self {
            dc,
            files,
            _on_message: on_message,
            _on_open: on_open,
        }
    }

    pub fn is_open(&self) -> bool {
        self.dc.ready_state() == web_sys::RtcDataChannelState::Open
    }

    pub fn send_text(&self, text: &str) {
        if self.is_open() {
            let _ = self.dc.send_with_str(&wire::message(text));
        }
    }

    /// Tells the peer whether our microphone and camera are on.
    pub fn send_media(&self) {
        say_media(&self.dc);
    }

    /// Tells the peer whether we share our screen.
    pub fn send_screen(&self) {
        say_screen(&self.dc);
    }

    /// Starts sending `bytes` as `out`'s file to this peer.
    pub fn send_file(&self, out: &Rc<Outgoing>, bytes: js_sys::Uint8Array) {
        let (id, leg) = self.files.borrow_mut().register(out);
        let (dc, out) = (self.dc.clone(), out.clone());
        wasm_bindgen_futures::spawn_local(files::send(dc, id, out, leg, bytes));
    }

    /// Cancels the file on `line` if it is arriving on this channel.
    pub fn cancel(&self, line: &Transfer) {
        self.files.borrow_mut().cancel(line);
    }

    pub fn close(&self) {
        self.dc.set_onmessage(None);
        self.dc.set_onopen(None);
        self.dc.close();
        self.files.borrow_mut().close();
    }
}

fn say_media(dc: &RtcDataChannel) {
    if dc.ready_state() == web_sys::RtcDataChannelState::Open {
        let (audio, video) = super::media::local_on();
        let _ = dc.send_with_str(&wire::media(audio, video));
        say_screen(dc);
    }
}

fn say_screen(dc: &RtcDataChannel) {
    if dc.ready_state() == web_sys::RtcDataChannelState::Open {
        let _ = dc.send_with_str(&wire::screen(super::display::sharing()));
    }
}
