//! Sending files to everyone connected, cancelling one either way, and telling the others
//! when our microphone or camera goes off or on.
use super::Engine;
use crate::calls::files::Outgoing;
use crate::calls::model::{FileState, Transfer};
use crate::calls::transfer::{human_size, MAX_FILE_BYTES};
use leptos::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

impl Engine {
    /// Sends a file to everyone connected, each over their own channel, all at once with any
    /// other file on its way; its line in the chat shows how far it is.
    pub fn send_file(&self, file: web_sys::File) {
        let ui = self.ui();
        let w = ui.words;
        if file.size() > MAX_FILE_BYTES as f64 {
            ui.detail.try_set((w.file_too_large)(&file.name()));
            return;
        }
        if !self.0.borrow().chats.values().any(|c| c.is_open()) {
            ui.detail.try_set(w.nobody_for_files.into());
            return;
        }
        let (name, size) = (file.name(), file.size() as u64);
        let line = Transfer::new(name.clone(), size, true);
        let me = self.0.borrow().name.clone();
        let label = (w.shared)(&name, &human_size(size));
        self.push_line(me, label, Some(line.clone()), false);
        let e = self.clone();
        spawn_local(async move {
            let bytes = match JsFuture::from(file.array_buffer()).await {
                Ok(buf) => js_sys::Uint8Array::new(&buf),
                Err(_) => {
                    ui.detail.try_set((w.unreadable_file)(&name));
                    line.state.set(FileState::Failed);
                    return;
                }
            };
            if line.state.get_untracked() != FileState::Moving {
                return; // cancelled while it was being read
            }
            let out = Outgoing::new(line.clone());
            let i = e.0.borrow();
            let open = i.chats.values().filter(|c| c.is_open());
            let mut legs = 0;
            for c in open {
                c.send_file(&out, bytes.clone());
                legs += 1;
            }
            if legs == 0 {
                // Everyone left while the file was being read.
                ui.detail.try_set((w.send_failed)(&name));
                line.state.set(FileState::Failed);
            }
        });
    }

    /// Cancels the file on chat line `seq`, sent or arriving; the other side is told.
    pub fn cancel_file(&self, seq: u64) {
        let line = self.ui().chat.with_untracked(|l| {
            l.iter()
                .find(|l| l.seq == seq)
                .and_then(|l| l.transfer.clone())
        });
        let Some(line) = line else { return };
        for c in self.0.borrow().chats.values() {
            c.cancel(&line);
        }
        if line.outgoing && line.state.get_untracked() == FileState::Moving {
            // Still being read from disk: no receiver has heard of it yet.
            line.state.set(FileState::Cancelled);
        }
    }

    /// Our microphone or camera went off or on: everyone connected hears.
    pub fn media_changed(&self) {
        for c in self.0.borrow().chats.values() {
            c.send_media();
        }
    }
}
