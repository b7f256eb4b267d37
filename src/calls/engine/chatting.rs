//! Chat and file sharing over each peer's data channel.
use super::Engine;
use crate::calls::chat::{self, Channel, Received};
use crate::calls::model::{push_capped, revoke_files, ChatLine};
use crate::calls::transfer::{human_size, MAX_FILE_BYTES};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::RtcDataChannel;

impl Engine {
    /// Keeps `dc` as the chat channel with `peer`.
    pub(super) fn add_chat(&self, peer: &str, dc: RtcDataChannel) {
        let from = self
            .ui()
            .tiles
            .with_untracked(|t| t.iter().find(|t| t.id == peer).map(|t| t.name.clone()))
            .unwrap_or_else(|| self.ui().words.someone.to_owned());
        let w = self.weak();
        let sink: chat::Sink = Rc::new(move |from, received| {
            if let Some(e) = w.upgrade().map(Engine) {
                e.receive(from, received);
            }
        });
        let slots = self.0.borrow().incoming.clone();
        let channel = Channel::new(dc, from, sink, slots);
        if let Some(old) = self.0.borrow_mut().chats.insert(peer.to_owned(), channel) {
            old.close();
        }
    }

    pub(super) fn drop_chat(&self, peer: &str) {
        let old = self.0.borrow_mut().chats.remove(peer);
        if let Some(c) = old {
            c.close();
        }
    }

    pub(super) fn close_chats(&self) {
        let all: Vec<Channel> = self.0.borrow_mut().chats.drain().map(|(_, c)| c).collect();
        for c in all {
            c.close();
        }
    }

    fn receive(&self, from: &str, received: Received) {
        let from = from.to_owned();
        let w = self.ui().words;
        match received {
            Received::Message(text) => self.push_line(from, text, None, false),
            Received::File { url, name, size } => {
                let label = format!("{name} ({})", human_size(size as f64));
                self.push_line(from, label, Some((url, name)), false)
            }
            Received::Refused { name, why } => {
                let text = (w.not_received)(&name, why.reason(w));
                self.push_line(from, text, None, true)
            }
        }
    }

    fn push_line(&self, from: String, text: String, file: Option<(String, String)>, notice: bool) {
        let seq = {
            let mut i = self.0.borrow_mut();
            i.chat_seq += 1;
            i.chat_seq
        };
        let line = ChatLine {
            seq,
            from,
            text,
            file,
            notice,
        };
        let dropped = self.ui().chat.try_update(|l| push_capped(l, line));
        if let Some(dropped) = dropped {
            revoke_files(&dropped);
        }
    }

    /// Sends a message to everyone connected.
    pub fn send_chat(&self, text: &str) {
        let sent = {
            let i = self.0.borrow();
            let open: Vec<&Channel> = i.chats.values().filter(|c| c.is_open()).collect();
            open.iter().for_each(|c| c.send_text(text));
            !open.is_empty()
        };
        if sent {
            let me = self.0.borrow().name.clone();
            self.push_line(me, text.to_owned(), None, false);
        } else {
            let ui = self.ui();
            ui.detail.try_set(ui.words.nobody_for_messages.into());
        }
    }

    /// Sends a file to everyone connected, in chunks.
    pub fn send_file(&self, file: web_sys::File) {
        let ui = self.ui();
        let w = ui.words;
        if file.size() > MAX_FILE_BYTES as f64 {
            ui.detail.try_set((w.file_too_large)(&file.name()));
            return;
        }
        let channels: Vec<RtcDataChannel> = self
            .0
            .borrow()
            .chats
            .values()
            .filter(|c| c.is_open())
            .map(|c| c.dc.clone())
            .collect();
        if channels.is_empty() {
            ui.detail.try_set(w.nobody_for_files.into());
            return;
        }
        let e = self.clone();
        spawn_local(async move {
            let (name, mime, size) = (file.name(), file.type_(), file.size());
            let bytes = match JsFuture::from(file.array_buffer()).await {
                Ok(buf) => js_sys::Uint8Array::new(&buf),
                Err(_) => {
                    ui.detail.try_set((w.unreadable_file)(&name));
                    return;
                }
            };
            for dc in channels {
                if chat::send_file(&dc, &name, &mime, &bytes).await.is_err() {
                    ui.detail.try_set((w.send_failed)(&name));
                }
            }
            let me = e.0.borrow().name.clone();
            e.push_line(me, (w.shared)(&name, &human_size(size)), None, false);
        });
    }
}
