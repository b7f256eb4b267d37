//! What the engine does with each frame from the server: room events and relayed signaling.
use super::{tile, Engine};
use crate::calls::model::{announce, CallStatus};
use crate::json::Json;
use crate::signaling::protocol::{PeerInfo, RelayKind, Relayed, Role, ServerEvent};
use leptos::prelude::*;

impl Engine {
    pub(super) fn on_text(&self, text: &str) {
        let Some(frame) = Json::parse(text) else {
            return;
        };
        let relay = match frame.str_at("type") {
            None => return,
            Some("welcome") => return self.on_welcome(text),
            Some("reconnect") => return self.on_reconnect(),
            Some(kind) => RelayKind::from_name(kind).is_some(),
        };
        if relay {
            if let Some(m) = Relayed::read(frame) {
                self.on_relayed(m);
            }
            return;
        }
        match ServerEvent::read(&frame) {
            Some(ev) => self.on_event(ev),
            None => leptos::logging::warn!("unreadable server message"),
        }
    }

    fn on_event(&self, ev: ServerEvent) {
        let ui = self.ui();
        match ev {
            ServerEvent::Joined { peers, .. } => {
                let paired: Vec<&PeerInfo> =
                    peers.iter().filter(|p| self.pairs_with(p.role)).collect();
                let (me, ready, role) = {
                    let mut i = self.0.borrow_mut();
                    i.joined = true;
                    i.roster.joined(&peers);
                    // A mesh page calls while its camera starts (its offers send it later).
                    let ready = i.media_ready || i.camera_later.is_some();
                    (i.name.clone(), ready, i.role)
                };
                let mut names: Vec<String> = peers.iter().map(|p| p.name.clone()).collect();
                names.push(me);
                ui.people.try_set(names);
                // Tiles of peers we still have keep their state: the keyed list on the page
                // holds on to them, so fresh ones would no longer be what it shows.
                let tiles: Vec<_> = ui.tiles.with_untracked(|old| {
                    paired
                        .iter()
                        .map(|p| {
                            let kept = old.iter().find(|t| t.id == p.id).cloned();
                            kept.unwrap_or_else(|| tile(p))
                        })
                        .collect()
                });
                ui.tiles.try_set(tiles);
                // The page's early script may have called, and made our offers, already.
                let sent = self.adopt_early_call();
                self.refresh_status();
                if ready {
                    self.announce(sent);
                }
                if role == Role::Watch {
                    // The talker may have been on air for a while: ask now.
                    for p in paired {
                        self.send(&RelayKind::TalkRequest.to(&p.id));
                    }
                }
            }
            ServerEvent::PeerJoined { peer, .. } => {
                self.0.borrow_mut().roster.arrived(&peer);
                let said = (ui.words.joined_call)(&peer.name);
                ui.announcements.try_update(|a| announce(a, said));
                ui.people.try_update(|p| p.push(peer.name.clone()));
                if self.pairs_with(peer.role) {
                    ui.tiles.try_update(|t| t.push(tile(&peer)));
                    if peer.role == Role::Mesh {
                        // Ready for its offer before its `call` comes: the newcomer can
                        // offer as soon as it has joined (its call is answered again).
                        self.take_call(peer.id.clone());
                    }
                }
                self.refresh_status();
            }
            ServerEvent::PeerLeft { id, name, .. } => {
                self.0.borrow_mut().roster.left(&id);
                ui.people.try_update(|p| {
                    if let Some(pos) = p.iter().position(|n| *n == name) {
                        p.remove(pos);
                    }
                });
                let had_tile = ui.tiles.with_untracked(|t| t.iter().any(|t| t.id == id));
                self.drop_peer(&id);
                if had_tile {
                    ui.detail.try_set((ui.words.peer_left)(&name));
                }
                let said = (ui.words.left_call)(&name);
                ui.announcements.try_update(|a| announce(a, said));
            }
            ServerEvent::Error { code, message } => {
                use crate::signaling::protocol::code::{PRIVATE_ROOM, ROOM_FULL};
                if code == ROOM_FULL || code == PRIVATE_ROOM {
                    self.0.borrow_mut().left = true;
                    ui.status.try_set(if code == PRIVATE_ROOM {
                        CallStatus::Private
                    } else {
                        CallStatus::RoomFull
                    });
                    self.stop_media();
                }
                ui.detail.try_set((ui.words.server_error)(&code, &message));
            }
            _ => {}
        }
    }

    fn on_relayed(&self, m: Relayed) {
        let from = m.from;
        let (role, admitted) = {
            let i = self.0.borrow();
            (i.role, i.roster.admits(&from, &m.kind))
        };
        if !admitted {
            // Not an error of ours: a stale message from someone who just left, or a peer
            // trying what its role does not allow.
            console_debug(&format!("ignored {} from {from}", m.kind));
            return;
        }
        match (role, m.kind.as_str()) {
            (Role::Mesh, "call") => self.take_call(from),
            (Role::Mesh, "response") => {
                let held = self.0.borrow().links.get(&from).map(|l| l.held.is_some());
                match held {
                    None => self.offer(from, false),
                    Some(true) => self.release(&from),
                    Some(false) => {}
                }
            }
            (Role::Talk, "talk_request") => {
                let mut i = self.0.borrow_mut();
                if i.links.contains_key(&from) || i.pending_calls.contains(&from) {
                    return;
                }
                if !i.media_ready {
                    i.pending_calls.push(from);
                    return;
                }
                drop(i);
                self.offer(from, false);
            }
            (Role::Watch, "talk_ready") if !self.0.borrow().links.contains_key(&from) => {
                self.send(&RelayKind::TalkRequest.to(&from));
            }
            (Role::Watch, "end_talk") => {
                self.drop_peer(&from);
                self.ui().status.try_set(CallStatus::Ended);
            }
            (Role::Mesh | Role::Watch, "offer") => self.answer(from, &m.payload),
            (Role::Mesh | Role::Talk, "answer") => self.accept_answer(from, &m.payload),
            (_, "candidate") => self.add_candidate(&from, &m.payload),
            (_, "bye") => self.drop_peer(&from),
            _ => {}
        }
    }
}

impl Engine {
    /// A newer mesh peer calls (or has just joined): `response` now, or once our camera runs.
    fn take_call(&self, from: String) {
        let mut i = self.0.borrow_mut();
        if !i.media_ready {
            if !i.pending_calls.contains(&from) {
                i.pending_calls.push(from);
            }
            return;
        }
        drop(i);
        self.respond(&from);
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `console.debug`: shown only when the console's verbose level is on.
    #[wasm_bindgen(js_namespace = console, js_name = debug)]
    fn console_debug(text: &str);
}
