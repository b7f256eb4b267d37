//! Offer/answer and ICE candidates for one peer link (trickle ICE; a vanilla-ICE peer whose SDP
//! already carries every candidate needs nothing more).
use super::Engine;
use crate::calls::peer::{candidate_init, Link, LinkEvent, Outgoing};
use crate::json::{Json, Object};
use crate::signaling::protocol::{ClientMessage, RelayKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{RtcPeerConnection, RtcSdpType, RtcSessionDescriptionInit};

impl Engine {
    /// The peer connection to `peer`, made on first use; `offerer` when we make its offers
    /// (that never changes for a link, so only one side ever restarts it).
    pub(super) fn link(&self, peer: &str, offerer: bool) -> Option<RtcPeerConnection> {
        if let Some(l) = self.0.borrow().links.get(peer) {
            return Some(l.pc.clone());
        }
        let (local, later) = {
            let i = self.0.borrow();
            (i.local.clone(), i.camera_later.clone())
        };
        // Only our own offers can carry media still to come: an answer's media must match
        // the offer's lines, which tracks added before it do (transceivers would not).
        let outgoing = match (&local, &later) {
            (Some(stream), _) => Outgoing::Tracks(stream),
            (None, Some(stream)) if offerer => Outgoing::Later(stream),
            _ => Outgoing::Nothing,
        };
        let ice = self.0.borrow().ice.clone();
        let link = Link::new(peer, offerer, outgoing, &ice, self.link_events(peer));
        self.keep_link(peer, link)
    }

    /// What a link to `peer` reports, handled.
    pub(super) fn link_events(&self, peer: &str) -> impl Fn(LinkEvent) + 'static {
        let w = self.weak();
        let id = peer.to_owned();
        move |ev| {
            let Some(e) = w.upgrade().map(Engine) else {
                return;
            };
            match ev {
                LinkEvent::Candidate(c) => e.send_for(
                    &id,
                    &ClientMessage::relay(RelayKind::Candidate, Some(&id), Some(&c)),
                ),
                LinkEvent::State(s) => e.on_link_state(&id, s),
                LinkEvent::Channel(dc) => e.add_chat(&id, dc),
                LinkEvent::Gathered(n) => e.on_gathered(&id, n),
                LinkEvent::IceError { url, code } => e.on_ice_error(&id, &url, code),
            }
        }
    }

    /// Keeps a new link to `peer` (or shows that it could not be made).
    pub(super) fn keep_link(
        &self,
        peer: &str,
        link: Result<Link, JsValue>,
    ) -> Option<RtcPeerConnection> {
        match link {
            Ok(l) => {
                let pc = l.pc.clone();
                self.0.borrow_mut().links.insert(peer.to_owned(), l);
                self.share_on(&pc);
                Some(pc)
            }
            Err(e) => {
                leptos::logging::error!("cannot create a peer connection: {e:?}");
                self.set_tile_state(peer, "failed");
                None
            }
        }
    }

    /// Offers to `peer`. `ahead`: the peer has not said it is ready yet (our `call` is on its
    /// way), so the offer and our candidates are held until its `response` ([`Self::release`]);
    /// making the offer meanwhile takes it off the time to connect.
    pub(super) fn offer(&self, peer: String, ahead: bool) {
        let Some(pc) = self.link(&peer, true) else {
            return;
        };
        if ahead {
            if let Some(l) = self.0.borrow_mut().links.get_mut(&peer) {
                l.held = Some(Vec::new());
            }
        }
        let sends = {
            let i = self.0.borrow();
            i.local.is_some() || i.camera_later.is_some()
        };
        if !sends {
            // Nothing to send: still ask to receive both kinds of media.
            let init = web_sys::RtcRtpTransceiverInit::new();
            init.set_direction(web_sys::RtcRtpTransceiverDirection::Recvonly);
            for kind in ["audio", "video"] {
                pc.add_transceiver_with_str_and_init(kind, &init);
            }
        }
        // The offerer opens the chat channel; the answerer receives it (`ondatachannel`). A
        // talker opens one too, for its microphone and camera state only.
        let dc = pc.create_data_channel("chat");
        self.add_chat(&peer, dc);
        // Asked for here, not when the task below first runs: that waits behind whatever else
        // the page has queued (10 ms and more while a call starts).
        let made = pc.create_offer();
        let e = self.clone();
        spawn_logged("offer", async move {
            let desc = JsFuture::from(made).await?;
            e.use_and_send(&pc, &peer, RtcSdpType::Offer, &desc).await
        });
    }

    pub(super) fn answer(&self, peer: String, payload: &Json) {
        let Some(sdp) = payload.string_at("sdp") else {
            return;
        };
        // A link made ahead (on the peer's `call`) has had no offer yet: this one is its first.
        let known = self
            .0
            .borrow()
            .links
            .get(&peer)
            .is_some_and(|l| l.has_remote);
        let Some(pc) = self.link(&peer, false) else {
            return;
        };
        if known {
            // An offer on a live link: the other side restarts ICE (or renegotiates).
            self.restart_offered(&peer);
        }
        // Both asked for at once: the connection runs them in order (its operations chain),
        // so the answer is made as soon as the offer is in, without a turn of the page between.
        let init = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        init.set_sdp(&sdp);
        let applied = pc.set_remote_description(&init);
        let made = pc.create_answer();
        let e = self.clone();
        spawn_logged("answer", async move {
            let answer = JsFuture::from(made);
            if let Err(err) = JsFuture::from(applied).await {
                // The answer fails with it: awaited, so its failure is not left unhandled.
                let _ = answer.await;
                return Err(err);
            }
            e.remote_ready(&peer);
            let desc = answer.await?;
            e.use_and_send(&pc, &peer, RtcSdpType::Answer, &desc).await
        });
    }

    /// A new offer with fresh ICE credentials on the same connection, so the connection finds
    /// a new path while tiles, tracks and data channels stay as they are.
    pub(super) fn restart_ice(&self, peer: &str) {
        let Some(pc) = self.0.borrow().links.get(peer).map(|l| l.pc.clone()) else {
            return;
        };
        let e = self.clone();
        let peer = peer.to_owned();
        spawn_logged("ICE restart", async move {
            let options = web_sys::RtcOfferOptions::new();
            options.set_ice_restart(true);
            let desc = JsFuture::from(pc.create_offer_with_rtc_offer_options(&options)).await?;
            e.use_and_send(&pc, &peer, RtcSdpType::Offer, &desc).await
        });
    }

    pub(super) fn accept_answer(&self, peer: String, payload: &Json) {
        let Some(sdp) = payload.string_at("sdp") else {
            return;
        };
        let Some(pc) = self.0.borrow().links.get(&peer).map(|l| l.pc.clone()) else {
            return;
        };
        let e = self.clone();
        spawn_logged("accepting the answer", async move {
            e.set_remote(&pc, &peer, RtcSdpType::Answer, &sdp).await
        });
    }

    async fn set_remote(
        &self,
        pc: &RtcPeerConnection,
        peer: &str,
        kind: RtcSdpType,
        sdp: &str,
    ) -> Result<(), JsValue> {
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(sdp);
        JsFuture::from(pc.set_remote_description(&init)).await?;
        self.remote_ready(peer);
        Ok(())
    }

    /// Makes `desc` (just created) the local description and sends it to `peer`.
    async fn use_and_send(
        &self,
        pc: &RtcPeerConnection,
        peer: &str,
        kind: RtcSdpType,
        desc: &JsValue,
    ) -> Result<(), JsValue> {
        let relay = if kind == RtcSdpType::Offer {
            RelayKind::Offer
        } else {
            RelayKind::Answer
        };
        let name = relay.as_str();
        let sdp = js_sys::Reflect::get(desc, &"sdp".into())?
            .as_string()
            .unwrap_or_default();
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(&sdp);
        // Sent while the description is being applied, not after: the connection runs its
        // operations in order (its operations chain), so the peer's reply, set when it comes,
        // waits for this one. That takes the time applying it takes (10-20 ms) off each step.
        let applying = pc.set_local_description(&init);
        let payload = Object::new().str("type", name).str("sdp", &sdp).finish();
        self.send_for(
            peer,
            &ClientMessage::relay(relay, Some(peer), Some(&payload)),
        );
        JsFuture::from(applying).await?;
        Ok(())
    }

    /// Sends `msg` for `peer`, or holds it while that link's offer waits for the peer.
    fn send_for(&self, peer: &str, msg: &ClientMessage<'_>) {
        self.send_text_for(peer, msg.to_json());
    }

    /// [`Self::send_for`] with the frame's text.
    pub(super) fn send_text_for(&self, peer: &str, frame: String) {
        if let Some(held) = self
            .0
            .borrow_mut()
            .links
            .get_mut(peer)
            .and_then(|l| l.held.as_mut())
        {
            held.push(frame);
            return;
        }
        if let Some(s) = &self.0.borrow().socket {
            s.send(&frame);
        }
    }

    /// `peer` is ready (`response`): what was held for it goes out, in order.
    pub(super) fn release(&self, peer: &str) {
        let held = self
            .0
            .borrow_mut()
            .links
            .get_mut(peer)
            .and_then(|l| l.held.take());
        let i = self.0.borrow();
        if let (Some(frames), Some(socket)) = (held, &i.socket) {
            for f in frames {
                socket.send(&f);
            }
        }
    }

    /// The remote description is set: queued candidates can go in now.
    pub(super) fn remote_ready(&self, peer: &str) {
        let (pc, pending) = {
            let mut i = self.0.borrow_mut();
            let Some(l) = i.links.get_mut(peer) else {
                return;
            };
            l.has_remote = true;
            (l.pc.clone(), std::mem::take(&mut l.pending))
        };
        for c in pending {
            add_quietly(&pc, &c);
        }
    }

    pub(super) fn add_candidate(&self, peer: &str, payload: &Json) {
        let Some(c) = candidate_init(payload) else {
            return;
        };
        let mut i = self.0.borrow_mut();
        let Some(l) = i.links.get_mut(peer) else {
            return;
        };
        if l.has_remote {
            add_quietly(&l.pc, &c);
        } else {
            l.pending.push(c);
        }
    }
}

/// Adds a remote candidate. One may be refused without harm (a candidate of the ICE round
/// before a restart, arriving late): the refusal is only logged, never left unhandled.
fn add_quietly(pc: &RtcPeerConnection, c: &web_sys::RtcIceCandidateInit) {
    let added = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(c));
    spawn_local(async move {
        if let Err(err) = JsFuture::from(added).await {
            leptos::logging::log!("a candidate was refused: {err:?}");
        }
    });
}

/// Runs a negotiation step; a failure is logged (the tile's state shows the outcome).
fn spawn_logged(
    what: &'static str,
    step: impl std::future::Future<Output = Result<(), JsValue>> + 'static,
) {
    spawn_local(async move {
        if let Err(err) = step.await {
            leptos::logging::error!("{what} failed: {err:?}");
        }
    });
}
