//! A mesh page calls while its camera is still starting: the offers it made meanwhile carry
//! audio and video lines with nothing on them yet (`peer::Outgoing::Later`). When the camera
//! is up, its tracks go onto those lines with `replaceTrack`, so nothing is renegotiated and
//! the others see the picture as soon as there is one.
use super::{replace_track, Engine};
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack, RtcRtpTransceiver, RtcRtpTransceiverDirection};

impl Engine {
    /// Puts the camera's tracks on every connection's empty sending lines.
    pub(super) fn camera_arrived(&self, stream: &MediaStream) {
        let pcs = self.0.borrow().pcs();
        let tracks: Vec<MediaStreamTrack> = stream
            .get_tracks()
            .iter()
            .filter_map(|t| t.dyn_into().ok())
            .collect();
        for pc in pcs {
            for t in pc.get_transceivers().iter() {
                let Ok(t) = t.dyn_into::<RtcRtpTransceiver>() else {
                    continue;
                };
                let sender = t.sender();
                if sender.track().is_some() || t.direction() != RtcRtpTransceiverDirection::Sendrecv
                {
                    continue;
                }
                let kind = t.receiver().track().kind();
                let Some(track) = tracks.iter().find(|track| track.kind() == kind) else {
                    continue;
                };
                replace_track(&sender, track, "putting the camera on the call");
            }
        }
    }
}
