//! One peer's chat data channel: JSON text frames for messages and file headers, binary frames
//! for file chunks. A message has a size limit, so files go in 16 KiB chunks, paced by the
//! channel's buffered amount so a large file never floods the connection.
use super::model::clip_message;
use super::transfer::{declared_size, safe_file_name, Progress, Refused, Slot, Slots, Step};
use js_sys::{Array, Uint8Array};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, RtcDataChannel, RtcDataChannelType, Url};

/// What a peer's channel delivers to the page.
pub enum Received {
    Message(String),
    /// A complete file, stored as `application/octet-stream` behind an object URL (which the
    /// chat revokes when the line goes).
    File {
        url: String,
        name: String,
        size: u64,
    },
    /// A file that was refused or dropped part-way, and why.
    Refused {
        name: String,
        why: Refused,
    },
}

/// Where received things go, with the sender's display name.
pub type Sink = Rc<dyn Fn(&str, Received)>;

const CHUNK: u32 = 16 * 1024;
const HIGH_WATER: u32 = 1024 * 1024;

/// A file being received.
struct Incoming {
    name: String,
    progress: Progress,
    parts: Array,
    _slot: Slot,
}

pub struct Channel {
    pub dc: RtcDataChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// Wraps `dc`, reporting what arrives from `from` to `sink`; incoming files take places
    /// from `slots`.
    pub fn new(dc: RtcDataChannel, from: String, sink: Sink, slots: Slots) -> Self {
        dc.set_binary_type(RtcDataChannelType::Arraybuffer);
        dc.set_buffered_amount_low_threshold(HIGH_WATER / 4);
        let mut incoming: Option<Incoming> = None;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if let Some(text) = data.as_string() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                    return;
                };
                match v["t"].as_str() {
                    Some("msg") => {
                        let text = v["text"].as_str().unwrap_or_default();
                        sink(&from, Received::Message(clip_message(text)));
                    }
                    Some("file") => {
                        if let Some(cut) = incoming.take() {
                            sink(
                                &from,
                                Received::Refused {
                                    name: cut.name,
                                    why: Refused::CutShort,
                                },
                            );
                        }
                        let name = safe_file_name(v["name"].as_str().unwrap_or_default());
                        let started = declared_size(&v["size"]).and_then(|size| {
                            let slot = slots.take().ok_or(Refused::TooMany)?;
                            Ok(Incoming {
                                name: name.clone(),
                                progress: Progress::new(size),
                                parts: Array::new(),
                                _slot: slot,
                            })
                        });
                        match started {
                            Ok(f) if f.progress.is_complete() => finish(f, &from, &*sink),
                            Ok(f) => incoming = Some(f),
                            Err(r) => sink(&from, Received::Refused { name, why: r }),
                        }
                    }
                    _ => {}
                }
            } else if let Ok(buf) = data.dyn_into::<js_sys::ArrayBuffer>() {
                // Chunks with no file announced (the rest of a refused one) are ignored.
                let Some(f) = incoming.as_mut() else { return };
                match f.progress.add(u64::from(buf.byte_length())) {
                    Step::More => {
                        f.parts.push(&buf);
                    }
                    Step::Complete => {
                        f.parts.push(&buf);
                        if let Some(f) = incoming.take() {
                            finish(f, &from, &*sink);
                        }
                    }
                    Step::Overrun => {
                        if let Some(f) = incoming.take() {
                            sink(
                                &from,
                                Received::Refused {
                                    name: f.name,
                                    why: Refused::Overrun,
                                },
                            );
                        }
                    }
                }
            }
        });
        dc.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Self {
            dc,
            _on_message: on_message,
        }
    }

    pub fn is_open(&self) -> bool {
        self.dc.ready_state() == web_sys::RtcDataChannelState::Open
    }

    pub fn send_text(&self, text: &str) {
        if self.is_open() {
            let _ = self
                .dc
                .send_with_str(&serde_json::json!({"t": "msg", "text": text}).to_string());
        }
    }

    pub fn close(&self) {
        self.dc.set_onmessage(None);
        self.dc.close();
    }
}

/// Sends `bytes` as file `name` on `dc`, in chunks, waiting whenever its buffer is full.
pub async fn send_file(
    dc: &RtcDataChannel,
    name: &str,
    mime: &str,
    bytes: &Uint8Array,
) -> Result<(), JsValue> {
    let header =
        serde_json::json!({"t": "file", "name": name, "mime": mime, "size": bytes.length()});
    dc.send_with_str(&header.to_string())?;
    let mut at = 0;
    while at < bytes.length() {
        let end = (at + CHUNK).min(bytes.length());
        if dc.buffered_amount() > HIGH_WATER {
            let drained =
                js_sys::Promise::new(&mut |resolve, _| dc.set_onbufferedamountlow(Some(&resolve)));
            JsFuture::from(drained).await?;
            dc.set_onbufferedamountlow(None);
        }
        dc.send_with_array_buffer_view(&bytes.subarray(at, end))?;
        at = end;
    }
    Ok(())
}

/// Hands a complete file to the page. Its declared type is ignored: a blob typed `text/html`
/// would run as a page of this site if opened.
fn finish(f: Incoming, from: &str, sink: &dyn Fn(&str, Received)) {
    let opts = BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let Ok(blob) = Blob::new_with_buffer_source_sequence_and_options(&f.parts, &opts) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let size = f.progress.declared();
    sink(
        from,
        Received::File {
            url,
            name: f.name,
            size,
        },
    );
}
