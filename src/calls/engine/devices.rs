//! Switching camera or microphone during the call: the new track replaces the old one in every
//! connection (`replaceTrack`, so nothing is renegotiated) and in our preview.
use super::Engine;
use crate::calls::media;
use wasm_bindgen::JsCast;
use web_sys::{MediaStreamTrack, RtcRtpSender};

impl Engine {
    /// Whether we send a camera or microphone at all (a call joined without one has nothing to
    /// switch).
    pub fn has_local(&self) -> bool {
        self.0.borrow().local.is_some()
    }

    /// The live local track of `kind` ("audio" or "video"), if any.
    pub fn local_track(&self, kind: &str) -> Option<MediaStreamTrack> {
        let local = self.0.borrow().local.clone()?;
        local
            .get_tracks()
            .iter()
            .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
            .find(|t| t.kind() == kind)
    }

    /// Puts `track` in place of our track of the same kind: in every connection's sender, in
    /// the stream new connections get, and in the preview. The old track is stopped; the new
    /// one keeps the old one's on or off. Returns false (and stops `track`) when there is no
    /// stream to put it in.
    pub fn use_track(&self, track: MediaStreamTrack) -> bool {
        let kind = track.kind();
        let (local, pcs) = {
            let i = self.0.borrow();
            (i.local.clone(), i.pcs())
        };
        let Some(local) = local.filter(|_| !self.0.borrow().left) else {
            track.stop();
            return false;
        };
        let old = self.local_track(&kind);
        if let Some(old) = &old {
            track.set_enabled(old.enabled());
        }
        let old_id = old.as_ref().map(MediaStreamTrack::id);
        // Without an old track no sender carries this kind; only new connections get it.
        let pcs = if old_id.is_some() { pcs } else { Vec::new() };
        for pc in pcs {
            for s in pc.get_senders().iter() {
                let Ok(sender) = s.dyn_into::<RtcRtpSender>() else {
                    continue;
                };
                // Only the sender that carries the old track: a sender showing something else
                // (a shared screen) keeps it.
                if sender.track().map(|t| t.id()) != old_id {
                    continue;
                }
                super::replace_track(&sender, &track, "switching the device");
            }
        }
        if let Some(old) = old {
            local.remove_track(&old);
            old.stop();
        }
        local.add_track(&track);
        media::attach_local(&local);
        true
    }
}
