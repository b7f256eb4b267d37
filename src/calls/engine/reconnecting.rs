//! Losing and regaining the signaling socket. The media goes browser to browser, so a dropped
//! socket does not stop the call: the engine keeps every connection and tile while the socket
//! reconnects (with the resume token of the latest `welcome`, see `calls/socket.rs`), and if
//! the server kept our peer id (`resumed`) carries on, restarting ICE only on links that broke
//! meanwhile. Otherwise (an older server, or the grace period was over) the room starts over
//! as on a first visit.
use super::Engine;
use crate::calls::model::CallStatus;
use crate::calls::resume::Welcome;
use crate::calls::socket::Dropped;
use crate::signaling::protocol::ClientMessage;
use leptos::prelude::*;

impl Engine {
    pub(super) fn on_welcome(&self, text: &str) {
        let Some(w) = Welcome::parse(text) else {
            leptos::logging::warn!("unreadable welcome");
            return;
        };
        if let Some(ice) = &w.ice {
            self.set_ice(ice.clone());
        }
        let continues = {
            let mut i = self.0.borrow_mut();
            let continues = w.continues(i.my_id.as_deref());
            i.my_id = Some(w.id);
            continues
        };
        self.expose_socket();
        let ui = self.ui();
        if matches!(
            ui.status.get_untracked(),
            CallStatus::Reconnecting | CallStatus::Resuming
        ) {
            ui.status.try_set(CallStatus::Connecting);
        }
        if continues {
            // Same peer id, same room and role: nobody noticed. Links that broke while we
            // were away are restarted now that offers can reach the other side.
            ui.detail.try_set(String::new());
            self.refresh_status();
            self.restart_broken_links();
            return;
        }
        let (room, role, stale, joined_early) = {
            let mut i = self.0.borrow_mut();
            let joined_early = std::mem::take(&mut i.joined_early);
            let stale = i.joined || !i.links.is_empty();
            i.joined = false;
            i.announced = false;
            i.roster.clear();
            (i.room.clone(), i.role, stale, joined_early)
        };
        if stale {
            // A new peer id: the others will see us arrive anew, and offers start over.
            self.close_links();
        }
        if joined_early {
            // The page's inline script answered this welcome with our join already.
            return;
        }
        self.send(&ClientMessage::Join {
            room: room.into(),
            role,
        });
    }

    /// The server is going away and asks us to come back: the socket will, after the pause
    /// asked for.
    pub(super) fn on_reconnect(&self) {
        self.ui().status.try_set(CallStatus::Resuming);
    }

    pub(super) fn on_dropped(&self, d: Dropped) {
        if self.0.borrow().left {
            return;
        }
        let ui = self.ui();
        if !d.resumable {
            // Nothing to resume with: the room starts over when the socket is back.
            let mut i = self.0.borrow_mut();
            i.joined = false;
            i.announced = false;
            i.roster.clear();
            drop(i);
            self.close_links();
        }
        if d.gave_up {
            self.close_links();
            ui.status.try_set(CallStatus::Failed);
            ui.detail.try_set(ui.words.check_network.into());
            return;
        }
        if d.asked {
            ui.status.try_set(CallStatus::Resuming);
        } else {
            ui.status.try_set(CallStatus::Reconnecting);
            if !d.reason.is_empty() {
                ui.detail
                    .try_set((ui.words.server_closed)(d.reason, d.code));
            }
        }
    }

    /// The socket opens again after a drop.
    pub(super) fn on_reopening(&self) {
        let ui = self.ui();
        if ui.status.get_untracked() == CallStatus::Reconnecting {
            ui.status.try_set(CallStatus::Connecting);
        }
    }

    /// Tests cut the call's signaling socket through `window.__parley.ws`.
    fn expose_socket(&self) {
        let ws = self.0.borrow().socket.as_ref().and_then(|s| s.raw());
        let (Some(root), Some(ws)) = (crate::calls::peer::test_hook(), ws) else {
            return;
        };
        let _ = js_sys::Reflect::set(&root, &"ws".into(), &ws);
    }
}
