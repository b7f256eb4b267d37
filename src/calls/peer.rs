//! One RTCPeerConnection to one remote peer, with its event closures and queued candidates.
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Event, HtmlVideoElement, MediaStream, MediaStreamTrack, RtcConfiguration, RtcIceCandidateInit,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcTrackEvent,
};

thread_local! {
    /// Remote streams by peer id, so a tile can pick its stream up whenever it mounts.
    static REMOTE: RefCell<HashMap<String, MediaStream>> = RefCell::default();
}

/// What a link reports to the engine.
pub enum LinkEvent {
    Candidate(serde_json::Value),
    State(&'static str),
    /// The other side opened a data channel.
    Channel(web_sys::RtcDataChannel),
}

pub struct Link {
    pub pc: RtcPeerConnection,
    /// Candidates that arrived before the remote description.
    pub pending: Vec<RtcIceCandidateInit>,
    pub has_remote: bool,
    _closures: Vec<Closure<dyn FnMut(Event)>>,
}

/// `RTCConfiguration` from the server's ICE JSON (`{iceServers, iceTransportPolicy}`); anything
/// unreadable means no servers, which still works on one network.
fn rtc_configuration(ice: &str) -> RtcConfiguration {
    let cfg = RtcConfiguration::new();
    let parsed = js_sys::JSON::parse(ice).unwrap_or(JsValue::NULL);
    let field =
        |name: &str| js_sys::Reflect::get(&parsed, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let servers = field("iceServers");
    if js_sys::Array::is_array(&servers) {
        cfg.set_ice_servers(&servers);
    }
    if field("iceTransportPolicy").as_string().as_deref() == Some("relay") {
        cfg.set_ice_transport_policy(web_sys::RtcIceTransportPolicy::Relay);
    }
    cfg
}

impl Link {
    /// A connection to `peer` that sends `local` (if any) and reports through `report`.
    pub fn new(
        peer: &str,
        local: Option<&MediaStream>,
        ice_servers: &str,
        report: impl Fn(LinkEvent) + 'static,
    ) -> Result<Self, JsValue> {
        let cfg = rtc_configuration(ice_servers);
        let pc = RtcPeerConnection::new_with_configuration(&cfg)?;
        if let Some(stream) = local {
            for t in stream.get_tracks().iter() {
                let track: MediaStreamTrack = t.unchecked_into();
                pc.add_track_0(&track, stream);
            }
        }
        let report = std::rc::Rc::new(report);
        let mut closures = Vec::new();

        let r = report.clone();
        let on_ice = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let ev: RtcPeerConnectionIceEvent = ev.unchecked_into();
            if let Some(c) = ev.candidate() {
                r(LinkEvent::Candidate(serde_json::json!({
                    "candidate": c.candidate(),
                    "sdpMid": c.sdp_mid(),
                    "sdpMLineIndex": c.sdp_m_line_index(),
                })));
            }
        });
        pc.set_onicecandidate(Some(on_ice.as_ref().unchecked_ref()));
        closures.push(on_ice);

        let id = peer.to_owned();
        let on_track = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let ev: RtcTrackEvent = ev.unchecked_into();
            if let Ok(stream) = ev.streams().get(0).dyn_into::<MediaStream>() {
                REMOTE.with(|m| m.borrow_mut().insert(id.clone(), stream));
                bind_video(&id);
            }
        });
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        closures.push(on_track);

        let r = report.clone();
        let on_channel = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let ev: web_sys::RtcDataChannelEvent = ev.unchecked_into();
            r(LinkEvent::Channel(ev.channel()));
        });
        pc.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));
        closures.push(on_channel);

        let state_pc = pc.clone();
        let on_state = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            report(LinkEvent::State(state_name(state_pc.connection_state())));
        });
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        closures.push(on_state);

        expose(peer, Some(&pc));
        Ok(Self {
            pc,
            pending: Vec::new(),
            has_remote: false,
            _closures: closures,
        })
    }

    pub fn close(&self, peer: &str) {
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ondatachannel(None);
        self.pc.close();
        REMOTE.with(|m| m.borrow_mut().remove(peer));
        expose(peer, None);
    }
}

pub fn state_name(s: RtcPeerConnectionState) -> &'static str {
    match s {
        RtcPeerConnectionState::New => "new",
        RtcPeerConnectionState::Connecting => "connecting",
        RtcPeerConnectionState::Connected => "connected",
        RtcPeerConnectionState::Disconnected => "disconnected",
        RtcPeerConnectionState::Failed => "failed",
        RtcPeerConnectionState::Closed => "closed",
        _ => "unknown",
    }
}

/// A candidate from the wire, as the browser wants it.
pub fn candidate_init(v: &serde_json::Value) -> Option<RtcIceCandidateInit> {
    let c = RtcIceCandidateInit::new(v.get("candidate")?.as_str()?);
    c.set_sdp_mid(v.get("sdpMid").and_then(|m| m.as_str()));
    c.set_sdp_m_line_index(
        v.get("sdpMLineIndex")
            .and_then(|i| i.as_u64())
            .map(|i| i as u16),
    );
    Some(c)
}

/// Points the tile's `<video>` at the peer's stream, once both exist.
pub fn bind_video(peer: &str) {
    let Some(stream) = REMOTE.with(|m| m.borrow().get(peer).cloned()) else {
        return;
    };
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("remote-{peer}")))
    else {
        return;
    };
    let Ok(video) = el.dyn_into::<HtmlVideoElement>() else {
        return;
    };
    video.set_src_object(Some(&stream));
    if let Ok(p) = video.play() {
        // Autoplay with sound can be refused before the user touched the page: play muted
        // then, and let a click on the tile bring the sound back.
        let v = video.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if wasm_bindgen_futures::JsFuture::from(p).await.is_err() {
                v.set_muted(true);
                let _ = v.play();
                let unmute = v.clone();
                let on_click = Closure::once_into_js(move || unmute.set_muted(false));
                v.set_onclick(Some(on_click.unchecked_ref()));
            }
        });
    }
}

/// Tests read `window.__parley.pcs[peerId]` to call `getStats()`.
fn expose(peer: &str, pc: Option<&RtcPeerConnection>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let root = js_sys::Reflect::get(&window, &"__parley".into())
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let o = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&o, &"pcs".into(), &js_sys::Object::new());
            let _ = js_sys::Reflect::set(&window, &"__parley".into(), &o);
            o.into()
        });
    let Ok(pcs) = js_sys::Reflect::get(&root, &"pcs".into()) else {
        return;
    };
    match pc {
        Some(pc) => {
            let _ = js_sys::Reflect::set(&pcs, &peer.into(), pc);
        }
        None => {
            let _ = js_sys::Reflect::delete_property(
                pcs.unchecked_ref::<js_sys::Object>(),
                &peer.into(),
            );
        }
    }
}
