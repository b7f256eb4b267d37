//! A mesh newcomer's call as the page's early script started it (`calls::early`, `offers!`):
//! `call` sent, and a connection with its offer made to each peer already in the room, while
//! the wasm was still loading. On the first `joined` (which the script answered too) the engine
//! takes those connections over as if it had made them: the frames still held for a peer's
//! `response`, the chat channel, the candidates found so far, the offers still being made, and
//! the peer's answer, candidates and stream.
use super::Engine;
use crate::calls::early::handoff::{self, Answer};
use crate::calls::peer::{self, Link};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnectionState;

impl Engine {
    /// Takes over what the early script did for the call; whether it sent `call`.
    pub(super) fn adopt_early_call(&self) -> bool {
        let Some(state) = self.0.borrow_mut().early.take() else {
            return false;
        };
        let w = self.weak();
        let out = Closure::<dyn FnMut(String, String)>::new(move |peer: String, frame: String| {
            if let Some(e) = w.upgrade().map(Engine) {
                e.send_text_for(&peer, frame);
            }
        });
        let taken = handoff::take(&state, out.as_ref().unchecked_ref());
        {
            let mut i = self.0.borrow_mut();
            i.early_out = Some(out);
            // The stream the script's offers name, for the camera still to come.
            if let (Some(_), Some(later)) = (&i.camera_later, taken.later) {
                i.camera_later = Some(later);
            }
        }
        for l in taken.links {
            let events = self.link_events(&l.peer);
            let applied = matches!(l.answer, Answer::Applied);
            let link = Link::wrap(&l.peer, l.pc, true, l.found, events).map(|mut link| {
                link.held = l.held;
                link.pending = l.pending;
                link.has_remote = applied;
                link
            });
            let Some(pc) = self.keep_link(&l.peer, link) else {
                continue;
            };
            if let Some(dc) = l.channel {
                self.add_chat(&l.peer, dc);
            }
            if let Some(n) = l.gathered {
                self.on_gathered(&l.peer, n);
            }
            if let Some(stream) = l.stream {
                peer::show_remote(&l.peer, stream);
            }
            if let Answer::Applying(applying) = l.answer {
                let e = self.clone();
                let id = l.peer.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match JsFuture::from(applying).await {
                        Ok(_) => e.remote_ready(&id),
                        Err(err) => leptos::logging::error!("accepting the answer failed: {err:?}"),
                    }
                });
            }
            let state = pc.connection_state();
            if state != RtcPeerConnectionState::New {
                self.on_link_state(&l.peer, peer::state_name(state));
            }
        }
        // A camera that came up meanwhile goes onto the new connections' empty lines.
        let local = self.0.borrow().local.clone();
        if let Some(stream) = local {
            self.camera_arrived(&stream);
        }
        taken.announced
    }
}
