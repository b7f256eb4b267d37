//! Chat over each peer's data channel, and what arrives on it: messages, files (whose lines
//! move by themselves) and the peer's microphone and camera state.
use super::Engine;
use crate::calls::chat::{self, Channel, Received};
use crate::calls::model::{push_capped, revoke_files, ChatLine, Transfer};
use crate::calls::transfer::human_size;
use leptos::prelude::*;
use std::rc::Rc;
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
        let id = peer.to_owned();
        let sink: chat::Sink = Rc::new(move |from, received| {
            if let Some(e) = w.upgrade().map(Engine) {
                e.receive(&id, from, received);
            }
        });
        let (slots, role) = {
            let i = self.0.borrow();
            (i.incoming.clone(), i.role)
        };
        // Only a mesh call chats: a broadcast's channels carry the media state alone.
        let chat = role == crate::signaling::protocol::Role::Mesh;
        let channel = Channel::new(dc, from, sink, slots, chat);
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

    fn receive(&self, peer: &str, from: &str, received: Received) {
        let from = from.to_owned();
        let w = self.ui().words;
        match received {
            Received::Message(text) => self.push_line(from, text, None, false),
            Received::File(t) => {
                let label = (w.file_label)(&t.name, &human_size(t.size));
                self.push_line(from, label, Some(t), false)
            }
            Received::Refused { name, why } => {
                let text = (w.not_received)(&name, why.reason(w));
                self.push_line(from, text, None, true)
            }
            Received::Media { audio, video } => self.ui().tiles.with_untracked(|t| {
                if let Some(t) = t.iter().find(|t| t.id == peer) {
                    t.muted.set(!audio);
                    t.camera_off.set(!video);
                }
            }),
            Received::Screen(on) => self.on_peer_screen(peer, on),
        }
    }

    pub(super) fn push_line(
        &self,
        from: String,
        text: String,
        transfer: Option<Transfer>,
        notice: bool,
    ) {
        let seq = {
            let mut i = self.0.borrow_mut();
            i.chat_seq += 1;
            i.chat_seq
        };
        let line = ChatLine {
            seq,
            from,
            text,
            transfer,
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
}
