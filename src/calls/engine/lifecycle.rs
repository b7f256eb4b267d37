//! The engine's lifecycle: losing and regaining the server, leaving, shutting down.
use super::{Engine, Link, MAX_RETRIES};
use crate::calls::media;
use crate::calls::stage::CallStatus;
use crate::signaling::protocol::Role;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl Engine {
    pub(super) fn close_links(&self) {
        let links: Vec<(String, Link)> = self.0.borrow_mut().links.drain().collect();
        for (id, l) in links {
            l.close(&id);
        }
        self.close_chats();
        self.ui().tiles.try_set(Vec::new());
    }

    pub(super) fn on_close(&self, code: u16, reason: String) {
        let ui = self.ui();
        let retries = {
            let mut i = self.0.borrow_mut();
            if i.left {
                return;
            }
            i.socket = None;
            i.joined = false;
            i.roster.clear();
            i.retries += 1;
            i.retries
        };
        self.close_links();
        if retries > MAX_RETRIES {
            ui.status.try_set(CallStatus::Failed);
            ui.detail
                .try_set("Check your network and try again.".into());
            return;
        }
        ui.status.try_set(CallStatus::Reconnecting);
        if !reason.is_empty() {
            ui.detail.try_set(format!(
                "The server closed the connection: {reason} ({code})."
            ));
        }
        let w = self.weak();
        let retry = Closure::once_into_js(move || {
            if let Some(e) = w.upgrade().map(Engine) {
                if !e.0.borrow().left {
                    e.ui().status.try_set(CallStatus::Connecting);
                    e.connect();
                }
            }
        });
        let delay = 500 * (1 << retries.min(5));
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                retry.unchecked_ref(),
                delay,
            );
        }
    }

    pub(super) fn stop_media(&self) {
        if let Some(s) = self.0.borrow_mut().local.take() {
            media::stop(&s);
        }
    }

    /// The Leave button: say goodbye, hang up everything, release the camera.
    pub fn leave(&self) {
        if self.0.borrow().left {
            return;
        }
        if self.0.borrow().role == Role::Talk {
            self.send(json!({"type": "end_talk"}));
        }
        self.send(json!({"type": "bye"}));
        self.send(json!({"type": "leave"}));
        self.shutdown();
        let ui = self.ui();
        let me = self.0.borrow().name.clone();
        ui.people.try_update(|p| {
            if let Some(pos) = p.iter().rposition(|n| *n == me) {
                p.remove(pos);
            }
        });
        ui.status.try_set(CallStatus::Left);
        ui.detail.try_set(String::new());
    }

    /// Tears everything down (the component is going away, or we left).
    pub fn shutdown(&self) {
        self.0.borrow_mut().left = true;
        self.close_links();
        self.stop_media();
        let socket = self.0.borrow_mut().socket.take();
        drop(socket);
    }
}
