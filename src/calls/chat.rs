//! One peer's chat data channel: JSON text frames for messages and file headers, binary frames
//! for file chunks. A message has a size limit, so files go in 16 KiB chunks, paced by the
//! channel's buffered amount so a large file never floods the connection (seed 003).
use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, RtcDataChannel, RtcDataChannelType, Url};

/// Where received lines go: (from, text, file as (object URL, name)).
pub type Sink = Rc<dyn Fn(String, String, Option<(String, String)>)>;

const CHUNK: u32 = 16 * 1024;
const HIGH_WATER: u32 = 1024 * 1024;

/// A file being received.
struct Incoming {
    name: String,
    mime: String,
    size: f64,
    got: f64,
    parts: Array,
}

pub struct Channel {
    pub dc: RtcDataChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// Wraps `dc`, reporting what arrives from `from` to `sink`.
    pub fn new(dc: RtcDataChannel, from: String, sink: Sink) -> Self {
        dc.set_binary_type(RtcDataChannelType::Arraybuffer);
        dc.set_buffered_amount_low_threshold(HIGH_WATER / 4);
        let incoming: RefCell<Option<Incoming>> = RefCell::new(None);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if let Some(text) = data.as_string() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                    return;
                };
                match v["t"].as_str() {
                    Some("msg") => sink(
                        from.clone(),
                        v["text"].as_str().unwrap_or_default().to_owned(),
                        None,
                    ),
                    Some("file") => {
                        *incoming.borrow_mut() = Some(Incoming {
                            name: v["name"].as_str().unwrap_or("file").to_owned(),
                            mime: v["mime"].as_str().unwrap_or_default().to_owned(),
                            size: v["size"].as_f64().unwrap_or(0.0),
                            got: 0.0,
                            parts: Array::new(),
                        });
                        finish_if_complete(&incoming, &from, &*sink);
                    }
                    _ => {}
                }
            } else if let Ok(buf) = data.dyn_into::<js_sys::ArrayBuffer>() {
                if let Some(f) = incoming.borrow_mut().as_mut() {
                    f.got += f64::from(buf.byte_length());
                    f.parts.push(&buf);
                }
                finish_if_complete(&incoming, &from, &*sink);
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

fn finish_if_complete(
    incoming: &RefCell<Option<Incoming>>,
    from: &str,
    sink: &dyn Fn(String, String, Option<(String, String)>),
) {
    let done = incoming.borrow().as_ref().is_some_and(|f| f.got >= f.size);
    if !done {
        return;
    }
    let Some(f) = incoming.borrow_mut().take() else {
        return;
    };
    let opts = BlobPropertyBag::new();
    opts.set_type(&f.mime);
    let Ok(blob) = Blob::new_with_buffer_source_sequence_and_options(&f.parts, &opts) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let label = format!("{} ({})", f.name, human_size(f.size));
    sink(from.to_owned(), label, Some((url, f.name)));
}

pub fn human_size(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MB", b / 1024.0 / 1024.0),
        b if b >= 1024.0 => format!("{:.0} KB", b / 1024.0),
        b => format!("{b} bytes"),
    }
}
