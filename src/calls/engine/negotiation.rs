//! Offer/answer and ICE candidates for one peer link (trickle ICE; a vanilla-ICE peer whose SDP
//! already carries every candidate needs nothing more).
use super::Engine;
use crate::calls::peer::{candidate_init, Link, LinkEvent};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{RtcSdpType, RtcSessionDescriptionInit};

impl Engine {
    /// The peer connection to `peer`, made on first use.
    pub(super) fn link(&self, peer: &str) -> Option<web_sys::RtcPeerConnection> {
        if let Some(l) = self.0.borrow().links.get(peer) {
            return Some(l.pc.clone());
        }
        let w = self.weak();
        let id = peer.to_owned();
        let local = self.0.borrow().local.clone();
        let link = Link::new(peer, local.as_ref(), move |ev| {
            let Some(e) = w.upgrade().map(Engine) else {
                return;
            };
            match ev {
                LinkEvent::Candidate(c) => {
                    e.send(json!({"type": "candidate", "to": id, "payload": c}))
                }
                LinkEvent::State(s) => e.set_tile_state(&id, s),
            }
        });
        match link {
            Ok(l) => {
                let pc = l.pc.clone();
                self.0.borrow_mut().links.insert(peer.to_owned(), l);
                Some(pc)
            }
            Err(e) => {
                leptos::logging::error!("cannot create a peer connection: {e:?}");
                self.set_tile_state(peer, "failed");
                None
            }
        }
    }

    pub(super) fn offer(&self, peer: String) {
        let Some(pc) = self.link(&peer) else { return };
        if self.0.borrow().local.is_none() {
            // Nothing to send: still ask to receive both kinds of media.
            let init = web_sys::RtcRtpTransceiverInit::new();
            init.set_direction(web_sys::RtcRtpTransceiverDirection::Recvonly);
            for kind in ["audio", "video"] {
                pc.add_transceiver_with_str_and_init(kind, &init);
            }
        }
        let e = self.clone();
        spawn_local(async move {
            let result: Result<(), JsValue> = async {
                let offer = JsFuture::from(pc.create_offer()).await?;
                let sdp = sdp_of(&offer);
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_local_description(&init)).await?;
                e.send(
                    json!({"type": "offer", "to": peer, "payload": {"type": "offer", "sdp": sdp}}),
                );
                Ok(())
            }
            .await;
            if let Err(err) = result {
                leptos::logging::error!("offer failed: {err:?}");
            }
        });
    }

    pub(super) fn answer(&self, peer: String, payload: Value) {
        let Some(sdp) = payload
            .get("sdp")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let Some(pc) = self.link(&peer) else { return };
        let e = self.clone();
        spawn_local(async move {
            let result: Result<(), JsValue> = async {
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_remote_description(&init)).await?;
                e.remote_ready(&peer);
                let answer = JsFuture::from(pc.create_answer()).await?;
                let sdp = sdp_of(&answer);
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_local_description(&init)).await?;
                e.send(json!({"type": "answer", "to": peer, "payload": {"type": "answer", "sdp": sdp}}));
                Ok(())
            }
            .await;
            if let Err(err) = result {
                leptos::logging::error!("answer failed: {err:?}");
            }
        });
    }

    pub(super) fn accept_answer(&self, peer: String, payload: Value) {
        let Some(sdp) = payload
            .get("sdp")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let Some(pc) = self.0.borrow().links.get(&peer).map(|l| l.pc.clone()) else {
            return;
        };
        let e = self.clone();
        spawn_local(async move {
            let init = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
            init.set_sdp(&sdp);
            match JsFuture::from(pc.set_remote_description(&init)).await {
                Ok(_) => e.remote_ready(&peer),
                Err(err) => leptos::logging::error!("bad answer: {err:?}"),
            }
        });
    }

    /// The remote description is set: queued candidates can go in now.
    fn remote_ready(&self, peer: &str) {
        let (pc, pending) = {
            let mut i = self.0.borrow_mut();
            let Some(l) = i.links.get_mut(peer) else {
                return;
            };
            l.has_remote = true;
            (l.pc.clone(), std::mem::take(&mut l.pending))
        };
        for c in pending {
            let _ = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&c));
        }
    }

    pub(super) fn add_candidate(&self, peer: &str, payload: &Value) {
        let Some(c) = candidate_init(payload) else {
            return;
        };
        let mut i = self.0.borrow_mut();
        let Some(l) = i.links.get_mut(peer) else {
            return;
        };
        if l.has_remote {
            let _ =
                l.pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&c));
        } else {
            l.pending.push(c);
        }
    }
}

fn sdp_of(desc: &JsValue) -> String {
    js_sys::Reflect::get(desc, &"sdp".into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
