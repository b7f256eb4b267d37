//! One RTCPeerConnection to one remote peer, with its event closures and queued candidates.
use super::problems::Relay;
use super::recovery::Recovery;
use crate::json::{Json, Object};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Event, HtmlVideoElement, MediaStream, MediaStreamTrack, RtcIceCandidateInit, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcTrackEvent,
};

thread_local! {
    /// Remote streams by peer id, so a tile can pick its stream up whenever it mounts.
    static REMOTE: RefCell<HashMap<String, MediaStream>> = RefCell::default();
}

/// What a link reports to the engine.
pub enum LinkEvent {
    /// A candidate of ours, as the JSON of its `RTCIceCandidateInit`.
    Candidate(String),
    State(&'static str),
    /// The other side opened a data channel.
    Channel(web_sys::RtcDataChannel),
    /// A round of ICE gathering ended with this many local candidates.
    Gathered(u32),
    /// `icecandidateerror`: a STUN or TURN server at `url` failed with `code`.
    IceError {
        url: String,
        code: u16,
    },
}

/// What a new connection sends.
pub enum Outgoing<'a> {
    /// This stream's tracks.
    Tracks(&'a MediaStream),
    /// Audio and video once the camera is up (`replaceTrack` then, no renegotiation), as
    /// part of this stream (so the other side's track events name a stream at once).
    Later(&'a MediaStream),
    /// Nothing.
    Nothing,
}

pub struct Link {
    pub pc: RtcPeerConnection,
    /// Candidates that arrived before the remote description.
    pub pending: Vec<RtcIceCandidateInit>,
    pub has_remote: bool,
    /// Restarts after network trouble; whether we are the side that offers.
    pub recovery: Recovery,
    /// The worst relay trouble reported since the link last connected.
    pub relay: Option<Relay>,
    /// Frames for the peer (our offer, our candidates) held back, in order, while an offer
    /// made ahead waits for the peer's `response`; `None` once they may go.
    pub held: Option<Vec<String>>,
    _closures: Vec<Closure<dyn FnMut(Event)>>,
}

impl Link {
    /// A connection to `peer` that sends `outgoing` and reports through `report`;
    /// `offerer` when we make its offers.
    pub fn new(
        peer: &str,
        offerer: bool,
        outgoing: Outgoing<'_>,
        ice: &str,
        report: impl Fn(LinkEvent) + 'static,
    ) -> Result<Self, JsValue> {
        let cfg = super::ice::new_connection_configuration(ice);
        let pc = RtcPeerConnection::new_with_configuration(&cfg)?;
        match outgoing {
            Outgoing::Tracks(stream) => {
                for t in stream.get_tracks().iter() {
                    let track: MediaStreamTrack = t.unchecked_into();
                    pc.add_track_0(&track, stream);
                }
            }
            Outgoing::Later(stream) => {
                let init = web_sys::RtcRtpTransceiverInit::new();
                init.set_direction(web_sys::RtcRtpTransceiverDirection::Sendrecv);
                init.set_streams(&js_sys::Array::of1(stream));
                for kind in ["audio", "video"] {
                    pc.add_transceiver_with_str_and_init(kind, &init);
                }
            }
            Outgoing::Nothing => {}
        }
        Self::wrap(peer, pc, offerer, 0, report)
    }

    /// A connection to `peer` made elsewhere (the page's early script, `early::handoff`), which
    /// has found `found` candidates in its current round of gathering; it reports through
    /// `report` from now on.
    pub fn wrap(
        peer: &str,
        pc: RtcPeerConnection,
        offerer: bool,
        found: u32,
        report: impl Fn(LinkEvent) + 'static,
    ) -> Result<Self, JsValue> {
        let report = std::rc::Rc::new(report);
        let mut closures = Vec::new();

        let r = report.clone();
        // Candidates of the current gathering round: none at all means no path can work.
        let found = Cell::new(found);
        let on_ice = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let ev: RtcPeerConnectionIceEvent = ev.unchecked_into();
            match ev.candidate() {
                // Chrome also reports an empty candidate at the end of a round.
                Some(c) if !c.candidate().is_empty() => {
                    found.set(found.get() + 1);
                    r(LinkEvent::Candidate(candidate_json(&c)));
                }
                Some(_) => {}
                None => r(LinkEvent::Gathered(found.replace(0))),
            }
        });
        pc.set_onicecandidate(Some(on_ice.as_ref().unchecked_ref()));
        closures.push(on_ice);

        let id = peer.to_owned();
        let on_track = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let ev: RtcTrackEvent = ev.unchecked_into();
            if let Ok(stream) = ev.streams().get(0).dyn_into::<MediaStream>() {
                show_remote(&id, stream);
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

        let r = report.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            // `RTCPeerConnectionIceErrorEvent`, read by name: web-sys has no binding for it.
            let get = |k: &str| js_sys::Reflect::get(&ev, &k.into()).unwrap_or_default();
            let code = get("errorCode").as_f64().unwrap_or(0.0) as u16;
            let url = get("url").as_string().unwrap_or_default();
            r(LinkEvent::IceError { url, code });
        });
        js_sys::Reflect::set(&pc, &"onicecandidateerror".into(), on_error.as_ref())?;
        closures.push(on_error);

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
            recovery: Recovery::new(offerer),
            relay: None,
            held: None,
            _closures: closures,
        })
    }

    pub fn close(&self, peer: &str) {
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ondatachannel(None);
        let _ = js_sys::Reflect::set(&self.pc, &"onicecandidateerror".into(), &JsValue::NULL);
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

/// A candidate for the wire (`RTCIceCandidateInit`'s fields; a missing media line is left
/// out rather than sent as `null`).
fn candidate_json(c: &web_sys::RtcIceCandidate) -> String {
    let json = Object::new()
        .str("candidate", &c.candidate())
        .opt_str("sdpMid", c.sdp_mid().as_deref());
    match c.sdp_m_line_index() {
        Some(i) => json.num("sdpMLineIndex", u64::from(i)),
        None => json,
    }
    .finish()
}

/// A candidate from the wire, as the browser wants it.
pub fn candidate_init(v: &Json) -> Option<RtcIceCandidateInit> {
    let c = RtcIceCandidateInit::new(v.str_at("candidate")?);
    c.set_sdp_mid(v.str_at("sdpMid"));
    c.set_sdp_m_line_index(
        v.u64_at("sdpMLineIndex")
            .and_then(|i| u16::try_from(i).ok()),
    );
    Some(c)
}

/// Points the tile's `<video>` at the peer's stream, once both exist.
/// `stream` is what `peer` sends: its tile shows it.
pub fn show_remote(peer: &str, stream: MediaStream) {
    REMOTE.with(|m| m.borrow_mut().insert(peer.to_owned(), stream));
    bind_video(peer);
}

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
    wasm_bindgen_futures::spawn_local(async move {
        // Autoplay with sound can be refused before the user touched the page: play muted
        // then, and let a click on the tile bring the sound back.
        if !super::media::played(&video).await {
            video.set_muted(true);
            super::media::play(&video);
            let unmute = video.clone();
            let on_click = Closure::once_into_js(move || unmute.set_muted(false));
            video.set_onclick(Some(on_click.unchecked_ref()));
        }
    });
}

/// `window.__parley`, the tests' hook: `pcs[peerId]` (to call `getStats()`) and `ws` (the
/// call's signaling socket, to cut it). `None` unless the server turned test hooks on.
pub fn test_hook() -> Option<JsValue> {
    if !crate::test_hooks::enabled() {
        return None;
    }
    let window = web_sys::window()?;
    let root = js_sys::Reflect::get(&window, &"__parley".into())
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let o = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&o, &"pcs".into(), &js_sys::Object::new());
            let _ = js_sys::Reflect::set(&window, &"__parley".into(), &o);
            o.into()
        });
    Some(root)
}

fn expose(peer: &str, pc: Option<&RtcPeerConnection>) {
    let Some(root) = test_hook() else {
        return;
    };
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
