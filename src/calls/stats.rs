//! Reading a peer connection's statistics: `getStats()` into a `quality::Reading`, and the
//! audio levels for `speaking.rs`, the peer's as received and ours as sent.
use super::quality::Reading;
use js_sys::{Map, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStreamTrack, RtcPeerConnection, RtcRtpReceiver, RtcRtpSender};

fn num(o: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(o, &key.into()).ok()?.as_f64()
}

fn text(o: &JsValue, key: &str) -> Option<String> {
    Reflect::get(o, &key.into()).ok()?.as_string()
}

/// Every entry of a stats report (a `Map`-like of id to stats object).
fn entries(report: &JsValue) -> Vec<JsValue> {
    let mut all = Vec::new();
    report
        .unchecked_ref::<Map>()
        .for_each(&mut |value, _| all.push(value));
    all
}

/// The link's counters now: bytes and packets in, packets lost, the selected candidate
/// pair's round trip and the incoming picture's size.
pub async fn reading(pc: &RtcPeerConnection) -> Option<Reading> {
    let report = JsFuture::from(pc.get_stats()).await.ok()?;
    let all = entries(&report);
    let selected: Vec<String> = all
        .iter()
        .filter(|s| text(s, "type").as_deref() == Some("transport"))
        .filter_map(|s| text(s, "selectedCandidatePairId"))
        .collect();
    let mut r = Reading {
        at_ms: js_sys::Date::now(),
        ..Reading::default()
    };
    for s in &all {
        match text(s, "type").as_deref() {
            Some("candidate-pair") => {
                let id = text(s, "id").unwrap_or_default();
                let chosen = selected.contains(&id)
                    || (selected.is_empty()
                        && text(s, "state").as_deref() == Some("succeeded")
                        && Reflect::get(s, &"nominated".into()).ok() == Some(JsValue::TRUE));
                if chosen {
                    r.rtt_ms = num(s, "currentRoundTripTime").map(|t| t * 1000.0);
                }
            }
            Some("inbound-rtp") => {
                r.bytes += num(s, "bytesReceived").unwrap_or(0.0) as u64;
                r.packets += num(s, "packetsReceived").unwrap_or(0.0) as u64;
                r.lost += num(s, "packetsLost").unwrap_or(0.0) as i64;
                if let (Some(w), Some(h)) = (num(s, "frameWidth"), num(s, "frameHeight")) {
                    r.frame = Some((w as u32, h as u32));
                }
            }
            _ => {}
        }
    }
    Some(r)
}

fn kind_of(track: Option<MediaStreamTrack>) -> Option<String> {
    track.map(|t| t.kind())
}

/// The peer's audio level as last received (0–1), from its audio receiver's source: the level
/// the sender put in the packet's header, after its own noise suppression and gain control.
pub fn remote_level(pc: &RtcPeerConnection) -> Option<f64> {
    pc.get_receivers()
        .iter()
        .filter_map(|r| r.dyn_into::<RtcRtpReceiver>().ok())
        .filter(|r| kind_of(Some(r.track())).as_deref() == Some("audio"))
        // Plain dictionaries: read by name, as no class is there to cast to.
        .flat_map(|r| r.get_synchronization_sources().iter().collect::<Vec<_>>())
        .filter_map(|s| num(&s, "audioLevel"))
        .reduce(f64::max)
}

/// Our microphone's level as we send it (0–1), from the audio sender's `media-source` stats.
pub async fn local_level(pc: &RtcPeerConnection) -> Option<f64> {
    let sender = pc
        .get_senders()
        .iter()
        .filter_map(|s| s.dyn_into::<RtcRtpSender>().ok())
        .find(|s| kind_of(s.track()).as_deref() == Some("audio"))?;
    let report = JsFuture::from(sender.get_stats()).await.ok()?;
    entries(&report)
        .iter()
        .filter(|s| text(s, "type").as_deref() == Some("media-source"))
        .find_map(|s| num(s, "audioLevel"))
}
