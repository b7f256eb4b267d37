//! Losing and regaining the signaling socket. The media goes browser to browser, so a dropped
//! socket does not stop the call: the engine keeps every connection and tile, reconnects with
//! the resume token of the latest `welcome`, and if the server kept our peer id (`resumed`)
//! carries on, restarting ICE only on links that broke meanwhile. Otherwise (an older server,
//! or the grace period was over) the room starts over as on a first visit.
use super::{later, Engine, MAX_RETRIES};
use crate::calls::resume::{reconnect_after_ms, Welcome};
use crate::calls::stage::CallStatus;
use crate::signaling::protocol::ClientMessage;
use leptos::prelude::*;

impl Engine {
    pub(super) fn on_welcome(&self, text: &str) {
        let Some(w) = Welcome::parse(text) else {
            leptos::logging::warn!("unreadable welcome");
            return;
        };
        if let Some(ice) = &w.ice {
            self.set_ice(ice.to_string());
        }
        let continues = {
            let mut i = self.0.borrow_mut();
            let continues = w.continues(i.my_id.as_deref());
            i.retries = 0;
            i.moving = false;
            i.my_id = Some(w.id);
            i.resume = w.resume;
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
        let (room, role, stale) = {
            let mut i = self.0.borrow_mut();
            let stale = i.joined || !i.links.is_empty();
            i.joined = false;
            i.roster.clear();
            (i.room.clone(), i.role, stale)
        };
        if stale {
            // A new peer id: the others will see us arrive anew, and offers start over.
            self.close_links();
        }
        self.send(&ClientMessage::Join {
            room: room.into(),
            role,
        });
    }

    /// The server is going away and asks us to come back after `after_ms`.
    pub(super) fn on_reconnect(&self, text: &str) {
        let after = reconnect_after_ms(text);
        self.0.borrow_mut().moving = true;
        self.ui().status.try_set(CallStatus::Resuming);
        later(self, after as i32, |e| {
            let socket = e.0.borrow_mut().socket.take();
            if let Some(s) = socket {
                // `close` drops the socket's handlers: the close is handled here instead.
                s.close();
                e.on_close(1001, String::new());
            }
        });
    }

    pub(super) fn on_close(&self, code: u16, reason: String) {
        let ui = self.ui();
        let (retries, keep, moving) = {
            let mut i = self.0.borrow_mut();
            if i.left {
                return;
            }
            i.socket = None;
            i.retries += 1;
            (i.retries, i.resume.is_some(), i.moving)
        };
        if !keep {
            // Nothing to resume with: the room starts over when the socket is back.
            let mut i = self.0.borrow_mut();
            i.joined = false;
            i.roster.clear();
            drop(i);
            self.close_links();
        }
        if retries > MAX_RETRIES {
            self.close_links();
            ui.status.try_set(CallStatus::Failed);
            ui.detail
                .try_set("Check your network and try again.".into());
            return;
        }
        if moving {
            ui.status.try_set(CallStatus::Resuming);
        } else {
            ui.status.try_set(CallStatus::Reconnecting);
            if !reason.is_empty() {
                ui.detail.try_set(format!(
                    "The server closed the connection: {reason} ({code})."
                ));
            }
        }
        let delay = 500 * (1 << retries.min(5));
        later(self, delay, |e| {
            if !e.0.borrow().left {
                if e.ui().status.get_untracked() == CallStatus::Reconnecting {
                    e.ui().status.try_set(CallStatus::Connecting);
                }
                e.connect();
            }
        });
    }

    /// Tests cut the call's signaling socket through `window.__parley.ws`.
    fn expose_socket(&self) {
        let i = self.0.borrow();
        let (Some(root), Some(s)) = (crate::calls::peer::test_hook(), i.socket.as_ref()) else {
            return;
        };
        let _ = js_sys::Reflect::set(&root, &"ws".into(), s.raw());
    }
}
