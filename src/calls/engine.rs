//! The call engine: reacts to the room's signaling and keeps one RTCPeerConnection per remote
//! peer. Who offers is always fixed, so two peers never offer to each other at once:
//!
//! - Mesh (seed 001): the newcomer broadcasts `call`; each peer that was already in the room
//!   answers `response`; the newcomer sends each of them an `offer`. Join order comes from the
//!   server's `joined` list.
//! - Broadcast (seed 004): the talker announces `talk_ready`; a watcher asks with `talk_request`
//!   (on that announcement, or at once if the talker is already there); the talker offers.
//!   Watchers send no media and need no camera.
use super::media;
use super::peer::Link;
use super::socket::Socket;
use super::stage::{CallStatus, Tile, Ui};
use crate::signaling::protocol::{PeerInfo, Relayed, Role, ServerEvent, RELAYED};
use leptos::prelude::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MediaStream;

mod chatting;
mod negotiation;
pub use chatting::with_current;

const MAX_RETRIES: u32 = 6;

#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

struct Inner {
    room: String,
    name: String,
    role: Role,
    ui: Ui,
    socket: Option<Socket>,
    joined: bool,
    /// Camera (or its failure) settled: we may call and answer now.
    media_ready: bool,
    local: Option<MediaStream>,
    /// Peers that were in the room before us: we offer to them, never the other way.
    older: HashSet<String>,
    links: HashMap<String, Link>,
    /// Chat data channels by peer id (mesh calls).
    chats: HashMap<String, super::chat::Channel>,
    chat_seq: u64,
    /// Calls (mesh) or talk requests (talker) that came in before our camera was ready.
    pending_calls: Vec<String>,
    left: bool,
    retries: u32,
}

impl Engine {
    pub fn start(room: String, name: String, role: Role, ui: Ui) -> Self {
        let engine = Engine(Rc::new(RefCell::new(Inner {
            room,
            name,
            role,
            ui,
            socket: None,
            joined: false,
            media_ready: false,
            local: None,
            older: HashSet::new(),
            links: HashMap::new(),
            chats: HashMap::new(),
            chat_seq: 0,
            pending_calls: Vec::new(),
            left: false,
            retries: 0,
        })));
        engine.make_current();
        engine.connect();
        if role == Role::Watch {
            engine.on_media(None);
            return engine;
        }
        let e = engine.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match media::camera().await {
                Ok(stream) => e.on_media(Some(stream)),
                Err(msg) if role == Role::Talk => {
                    e.shutdown();
                    ui.status.try_set(CallStatus::Failed);
                    ui.detail
                        .try_set(format!("{msg} Broadcasting needs a camera."));
                }
                Err(msg) => {
                    ui.detail
                        .try_set(format!("{msg} You can still see and hear the others."));
                    e.on_media(None)
                }
            }
        });
        engine
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.0)
    }

    fn connect(&self) {
        let (w1, w2) = (self.weak(), self.weak());
        let socket = Socket::open(
            move |text| {
                if let Some(e) = w1.upgrade() {
                    Engine(e).on_text(&text)
                }
            },
            move |code, reason| {
                if let Some(e) = w2.upgrade() {
                    Engine(e).on_close(code, reason)
                }
            },
        );
        match socket {
            Ok(s) => self.0.borrow_mut().socket = Some(s),
            Err(_) => self.on_close(1006, String::new()),
        }
    }

    pub(super) fn send(&self, msg: Value) {
        if let Some(s) = &self.0.borrow().socket {
            s.send(&msg.to_string());
        }
    }

    fn ui(&self) -> Ui {
        self.0.borrow().ui
    }

    fn on_media(&self, stream: Option<MediaStream>) {
        if let Some(s) = &stream {
            attach_local(s);
        }
        let (joined, pending, role) = {
            let mut i = self.0.borrow_mut();
            if i.left {
                if let Some(s) = &stream {
                    media::stop(s);
                }
                return;
            }
            i.local = stream;
            i.media_ready = true;
            (i.joined, std::mem::take(&mut i.pending_calls), i.role)
        };
        if joined {
            self.announce();
        }
        for peer in pending {
            match role {
                Role::Talk => self.offer(peer),
                _ => self.send(json!({"type": "response", "to": peer})),
            }
        }
        self.refresh_status();
    }

    /// Tells the room we are ready: `call` in a mesh, `talk_ready` ("On Air") for a talker.
    fn announce(&self) {
        match self.0.borrow().role {
            Role::Mesh => self.send(json!({"type": "call"})),
            Role::Talk => self.send(json!({"type": "talk_ready"})),
            Role::Watch => {}
        }
    }

    /// Does a peer with `role` get a tile (and a connection) on this page?
    fn pairs_with(&self, role: Role) -> bool {
        matches!(
            (self.0.borrow().role, role),
            (Role::Mesh, Role::Mesh) | (Role::Talk, Role::Watch) | (Role::Watch, Role::Talk)
        )
    }

    fn on_text(&self, text: &str) {
        #[derive(serde::Deserialize)]
        struct Head<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
        }
        let Ok(head) = serde_json::from_str::<Head>(text) else {
            return;
        };
        if RELAYED.contains(&head.kind) {
            if let Ok(m) = serde_json::from_str::<Relayed>(text) {
                self.on_relayed(m);
            }
            return;
        }
        match serde_json::from_str::<ServerEvent>(text) {
            Ok(ev) => self.on_event(ev),
            Err(e) => leptos::logging::warn!("unreadable server message: {e}"),
        }
    }

    fn on_event(&self, ev: ServerEvent) {
        let ui = self.ui();
        match ev {
            ServerEvent::Welcome { .. } => {
                let (room, role) = {
                    let mut i = self.0.borrow_mut();
                    i.retries = 0;
                    (i.room.clone(), i.role)
                };
                self.send(json!({"type": "join", "room": room, "role": role}));
            }
            ServerEvent::Joined { peers, .. } => {
                let paired: Vec<&PeerInfo> =
                    peers.iter().filter(|p| self.pairs_with(p.role)).collect();
                let (me, ready, role) = {
                    let mut i = self.0.borrow_mut();
                    i.joined = true;
                    i.older = paired.iter().map(|p| p.id.clone()).collect();
                    (i.name.clone(), i.media_ready, i.role)
                };
                let mut names: Vec<String> = peers.iter().map(|p| p.name.clone()).collect();
                names.push(me);
                ui.people.try_set(names);
                ui.tiles.try_set(paired.iter().map(|p| tile(p)).collect());
                self.refresh_status();
                if ready {
                    self.announce();
                }
                if role == Role::Watch {
                    // The talker may have been on air for a while: ask now.
                    for p in paired {
                        self.send(json!({"type": "talk_request", "to": p.id}));
                    }
                }
            }
            ServerEvent::PeerJoined { peer, .. } => {
                ui.people.try_update(|p| p.push(peer.name.clone()));
                if self.pairs_with(peer.role) {
                    ui.tiles.try_update(|t| t.push(tile(&peer)));
                }
                self.refresh_status();
            }
            ServerEvent::PeerLeft { id, name, .. } => {
                ui.people.try_update(|p| {
                    if let Some(pos) = p.iter().position(|n| *n == name) {
                        p.remove(pos);
                    }
                });
                let had_tile = ui.tiles.with_untracked(|t| t.iter().any(|t| t.id == id));
                self.drop_peer(&id);
                if had_tile {
                    ui.detail.try_set(format!("{name} left."));
                }
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
                ui.detail.try_set(message);
            }
            _ => {}
        }
    }

    fn on_relayed(&self, m: Relayed) {
        let from = m.from;
        let role = self.0.borrow().role;
        match (role, m.kind.as_str()) {
            (Role::Mesh, "call") => {
                let mut i = self.0.borrow_mut();
                if i.older.contains(&from) {
                    return;
                }
                if !i.media_ready {
                    i.pending_calls.push(from);
                    return;
                }
                drop(i);
                self.send(json!({"type": "response", "to": from}));
            }
            (Role::Mesh, "response") => {
                let fresh = {
                    let i = self.0.borrow();
                    i.older.contains(&from) && !i.links.contains_key(&from)
                };
                if fresh {
                    self.offer(from);
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
                self.offer(from);
            }
            (Role::Watch, "talk_ready") if !self.0.borrow().links.contains_key(&from) => {
                self.send(json!({"type": "talk_request", "to": from}));
            }
            (Role::Watch, "end_talk") => {
                self.drop_peer(&from);
                self.ui().status.try_set(CallStatus::Ended);
            }
            (Role::Mesh | Role::Watch, "offer") => self.answer(from, m.payload),
            (Role::Mesh | Role::Talk, "answer") => self.accept_answer(from, m.payload),
            (_, "candidate") => self.add_candidate(&from, &m.payload),
            (_, "bye") => self.drop_peer(&from),
            _ => {}
        }
    }

    pub(super) fn drop_peer(&self, peer: &str) {
        let link = self.0.borrow_mut().links.remove(peer);
        if let Some(l) = link {
            l.close(peer);
        }
        self.drop_chat(peer);
        self.ui().tiles.try_update(|t| t.retain(|t| t.id != peer));
        self.refresh_status();
    }

    pub(super) fn set_tile_state(&self, peer: &str, state: &'static str) {
        self.ui().tiles.with_untracked(|t| {
            if let Some(t) = t.iter().find(|t| t.id == peer) {
                t.state.set(state.to_owned());
            }
        });
        self.refresh_status();
    }

    fn refresh_status(&self) {
        let ui = self.ui();
        let settled = matches!(
            ui.status.get_untracked(),
            CallStatus::Left
                | CallStatus::Failed
                | CallStatus::RoomFull
                | CallStatus::Private
                | CallStatus::Reconnecting
                | CallStatus::Ended
        );
        let (joined, role, ready) = {
            let i = self.0.borrow();
            (i.joined, i.role, i.media_ready)
        };
        if settled || !joined {
            return;
        }
        if role == Role::Talk {
            ui.status.try_set(if ready {
                CallStatus::OnAir
            } else {
                CallStatus::Connecting
            });
            return;
        }
        let next = ui.tiles.with_untracked(|t| {
            if t.is_empty() && role == Role::Watch {
                CallStatus::NoBroadcast
            } else if t.is_empty() {
                CallStatus::Waiting
            } else if t.iter().any(|t| t.state.get_untracked() == "connected") {
                CallStatus::Live
            } else {
                CallStatus::Connecting
            }
        });
        ui.status.try_set(next);
    }

    fn close_links(&self) {
        let links: Vec<(String, Link)> = self.0.borrow_mut().links.drain().collect();
        for (id, l) in links {
            l.close(&id);
        }
        self.close_chats();
        self.ui().tiles.try_set(Vec::new());
    }

    fn on_close(&self, code: u16, reason: String) {
        let ui = self.ui();
        let retries = {
            let mut i = self.0.borrow_mut();
            if i.left {
                return;
            }
            i.socket = None;
            i.joined = false;
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

    fn stop_media(&self) {
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

fn tile(p: &PeerInfo) -> Tile {
    Tile {
        id: p.id.clone(),
        name: p.name.clone(),
        state: ArcRwSignal::new("waiting".to_owned()),
    }
}

fn attach_local(stream: &MediaStream) {
    let video = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("local-video"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlVideoElement>().ok());
    if let Some(v) = video {
        v.set_muted(true);
        v.set_src_object(Some(stream));
        let _ = v.play();
    }
}
