//! The engine's lifecycle: losing and regaining the server, leaving, shutting down.
use super::{Engine, Link};
use crate::calls::media;
use crate::calls::model::CallStatus;
use crate::signaling::protocol::Role;
use crate::signaling::protocol::{ClientMessage, RelayKind};
use leptos::prelude::*;

impl Engine {
    pub(super) fn close_links(&self) {
        let links: Vec<(String, Link)> = self.0.borrow_mut().links.drain().collect();
        for (id, l) in links {
            l.close(&id);
        }
        self.close_chats();
        self.ui().tiles.try_set(Vec::new());
    }

    pub(super) fn stop_media(&self) {
        crate::calls::display::stop();
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
            self.send(&RelayKind::EndTalk.to_room());
        }
        self.send(&RelayKind::Bye.to_room());
        self.send(&ClientMessage::Leave);
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
        if let Some(s) = socket {
            s.close();
        }
    }
}
