//! The engine takes over the connections the page's early script made for a mesh newcomer's
//! call (`calls::early`, `offers!`): each with its data channel, the frames it still holds for
//! the peer's `response`, how many candidates it has found, the peer's answer (applied, or being
//! applied) and candidates, and the peer's stream; from then on the script's offers still to
//! come go through the engine (`o.out`), and the script does nothing more.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, RtcDataChannel, RtcIceCandidateInit, RtcPeerConnection};

/// One connection the script made.
pub struct EarlyLink {
    pub peer: String,
    pub pc: RtcPeerConnection,
    pub channel: Option<RtcDataChannel>,
    /// The offer and candidates still held for the peer's `response`; `None` once sent.
    pub held: Option<Vec<String>>,
    /// Candidates found in the current round of gathering.
    pub found: u32,
    /// A round of gathering ended with this many candidates.
    pub gathered: Option<u32>,
    pub answer: Answer,
    /// The peer's candidates that came before its answer was applied.
    pub pending: Vec<RtcIceCandidateInit>,
    /// The peer's media, if a track has come.
    pub stream: Option<MediaStream>,
}

/// The peer's answer, as far as the script got with it.
pub enum Answer {
    None,
    /// Being applied: the promise of `setRemoteDescription`.
    Applying(js_sys::Promise),
    Applied,
}

/// What the script did for the call.
pub struct Handoff {
    /// It sent `call`.
    pub announced: bool,
    /// The stream its offers name for the camera still to come.
    pub later: Option<MediaStream>,
    pub links: Vec<EarlyLink>,
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The script's connections, by peer.
fn links(state: &JsValue) -> Vec<(String, JsValue)> {
    let links = get(state, "links");
    if !links.is_object() {
        return Vec::new();
    }
    js_sys::Object::entries(links.unchecked_ref())
        .iter()
        .filter_map(|e| {
            let e: js_sys::Array = e.dyn_into().ok()?;
            Some((e.get(0).as_string()?, e.get(1)))
        })
        .collect()
}

fn count(v: JsValue) -> Option<u32> {
    v.as_f64().filter(|n| *n >= 0.0).map(|n| n as u32)
}

/// Takes what the script did; what its offers still to come send then goes to `out`
/// (`(peer, frame)`). The script keeps nothing.
pub fn take(state: &JsValue, out: &js_sys::Function) -> Handoff {
    let _ = js_sys::Reflect::set(state, &"out".into(), out);
    let _ = js_sys::Reflect::set(state, &"taken".into(), &JsValue::TRUE);
    let links = links(state)
        .into_iter()
        .filter_map(|(peer, l)| {
            let pc: RtcPeerConnection = get(&l, "pc").dyn_into().ok()?;
            let held = get(&l, "held");
            let held = js_sys::Array::is_array(&held).then(|| {
                js_sys::Array::from(&held)
                    .iter()
                    .filter_map(|f| f.as_string())
                    .collect()
            });
            let answer = if get(&l, "set").is_truthy() {
                Answer::Applied
            } else {
                get(&l, "remote")
                    .dyn_into()
                    .map_or(Answer::None, Answer::Applying)
            };
            let pending = get(&l, "pending");
            let pending = if js_sys::Array::is_array(&pending) {
                js_sys::Array::from(&pending)
                    .iter()
                    .filter(JsValue::is_object)
                    .map(JsCast::unchecked_into)
                    .collect()
            } else {
                Vec::new()
            };
            Some(EarlyLink {
                peer,
                answer,
                pending,
                stream: get(&l, "stream").dyn_into().ok(),
                pc,
                channel: get(&l, "dc").dyn_into().ok(),
                held,
                found: count(get(&l, "found")).unwrap_or(0),
                gathered: count(get(&l, "gathered")),
            })
        })
        .collect();
    let _ = js_sys::Reflect::set(state, &"links".into(), &js_sys::Object::new());
    Handoff {
        announced: get(state, "announced").is_truthy(),
        later: get(state, "later").dyn_into().ok(),
        links,
    }
}

/// Closes the script's connections (its socket is gone, so nothing will use them).
pub fn close(state: &JsValue) {
    for (_, l) in links(state) {
        if let Ok(pc) = get(&l, "pc").dyn_into::<RtcPeerConnection>() {
            pc.close();
        }
    }
}
