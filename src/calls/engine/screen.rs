//! Sharing our screen: the screen's picture goes out in place of our camera's on every link
//! (`replaceTrack`, so nothing is renegotiated), links made while we share send it from the
//! start, and everyone connected is told, so their pages show it large. Stopping puts the
//! camera back as it was (on, or off).
use super::Engine;
use crate::calls::display;
use crate::calls::model::announce;
use crate::calls::screen::{Share, Step};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStreamTrack, RtcPeerConnection, RtcRtpSender};

impl Engine {
    /// Share screen pressed (`share` is `Asking`): opens the browser's picker and, once a
    /// screen is chosen, sends it. A refusal is said in the status line; nothing else changes.
    pub fn share_screen(&self, share: RwSignal<Share>) {
        let ui = self.ui();
        let w = ui.words;
        if self.camera_track().is_none() {
            ui.detail.try_set(w.share_needs_camera.into());
            share.try_update(|s| *s = s.after(Step::Refused));
            return;
        }
        let e = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let track = display::ask(w).await;
            let stopped =
                share.try_get_untracked().map(|s| s.after(Step::Granted)) != Some(Share::On);
            match track {
                Ok(track) if stopped || e.0.borrow().left => track.stop(),
                Ok(track) => e.start_sending(track, share),
                Err(why) => {
                    ui.detail.try_set(why);
                    share.try_update(|s| *s = s.after(Step::Refused));
                }
            }
        });
    }

    fn start_sending(&self, track: MediaStreamTrack, share: RwSignal<Share>) {
        let w = self.weak();
        display::keep(track.clone(), share, move || {
            if let Some(e) = w.upgrade().map(Engine) {
                e.stop_screen();
            }
        });
        share.try_update(|s| *s = s.after(Step::Granted));
        // An earlier refusal's words are out of date now.
        let ui = self.ui();
        if ui.detail.get_untracked() == ui.words.share_cancelled {
            ui.detail.try_set(String::new());
        }
        self.send_video(&track);
        self.tell_screen();
    }

    /// Stop pressed, or the browser stopped the screen: the camera goes back in its place.
    pub fn stop_screen(&self) {
        if !display::stop() {
            return;
        }
        if let Some(camera) = self.camera_track() {
            self.send_video(&camera);
        }
        self.tell_screen();
    }

    /// A link just made: while we share, it sends the screen, not the camera.
    pub(super) fn share_on(&self, pc: &RtcPeerConnection) {
        if let Some(screen) = display::track() {
            replace_video(pc, &screen);
        }
    }

    /// A peer says it is sharing its screen, or stopped.
    pub(super) fn on_peer_screen(&self, peer: &str, on: bool) {
        let ui = self.ui();
        let name = ui.tiles.with_untracked(|t| {
            let t = t.iter().find(|t| t.id == peer)?;
            let was = t.screen.get_untracked();
            t.screen.set(on);
            (on && !was).then(|| t.name.clone())
        });
        if let Some(name) = name {
            let text = (ui.words.peer_sharing)(&name);
            ui.announcements.try_update(|a| announce(a, text));
        }
    }

    fn camera_track(&self) -> Option<MediaStreamTrack> {
        let local = self.0.borrow().local.clone()?;
        local.get_video_tracks().get(0).dyn_into().ok()
    }

    fn send_video(&self, track: &MediaStreamTrack) {
        let pcs = self.0.borrow().pcs();
        for pc in pcs {
            replace_video(&pc, track);
        }
    }

    fn tell_screen(&self) {
        for c in self.0.borrow().chats.values() {
            c.send_screen();
        }
    }
}

/// Puts `track` on `pc`'s video sender (the one that carries our camera or screen).
fn replace_video(pc: &RtcPeerConnection, track: &MediaStreamTrack) {
    for s in pc.get_senders().iter() {
        let sender: RtcRtpSender = s.unchecked_into();
        if sender.track().is_some_and(|t| t.kind() == "video") {
            super::replace_track(&sender, track, "switching the picture");
        }
    }
}
