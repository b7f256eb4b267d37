//! The mesh call engine: reacts to the room's signaling and keeps one RTCPeerConnection per
//! remote peer.
//!
//! Who offers is fixed, so two peers never offer at once: the newcomer broadcasts `call`, each
//! peer that was already in the room answers `response`, and the newcomer sends each of them an
//! `offer` (seed 001). A peer's own join order comes from the server's `joined` list.
use super::media;
use super::peer::{candidate_init, Link, LinkEvent};
use super::socket::Socket;
use super::stage::{CallStatus, Tile, Ui};
use crate::signaling::protocol::{PeerInfo, Relayed, ServerEvent, RELAYED};
use leptos::prelude::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{MediaStream, RtcSdpType, RtcSessionDescriptionInit};

const MAX_RETRIES: u32 = 6;

#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

struct Inner {
    room: String,
    name: String,
    ui: Ui,
    socket: Option<Socket>,
    joined: bool,
    /// Camera (or its failure) settled: we may call and answer now.
    media_ready: bool,
    local: Option<MediaStream>,
    /// Peers that were in the room before us: we offer to them, never the other way.
    older: HashSet<String>,
    links: HashMap<String, Link>,
    /// Calls that came in before our camera was ready.
    pending_calls: Vec<String>,
    left: bool,
    retries: u32,
}

impl Engine {
    pub fn start(room: String, name: String, ui: Ui) -> Self {
        let engine = Engine(Rc::new(RefCell::new(Inner {
            room,
            name,
            ui,
            socket: None,
            joined: false,
            media_ready: false,
            local: None,
            older: HashSet::new(),
            links: HashMap::new(),
            pending_calls: Vec::new(),
            left: false,
            retries: 0,
        })));
        engine.connect();
        let e = engine.clone();
        spawn_local(async move {
            match media::camera().await {
                Ok(stream) => e.on_media(Some(stream)),
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

    fn send(&self, msg: Value) {
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
        let (joined, pending) = {
            let mut i = self.0.borrow_mut();
            if i.left {
                if let Some(s) = &stream {
                    media::stop(s);
                }
                return;
            }
            i.local = stream;
            i.media_ready = true;
            (i.joined, std::mem::take(&mut i.pending_calls))
        };
        if joined {
            self.send(json!({"type": "call"}));
        }
        for peer in pending {
            self.send(json!({"type": "response", "to": peer}));
        }
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
                let room = {
                    let mut i = self.0.borrow_mut();
                    i.retries = 0;
                    i.room.clone()
                };
                self.send(json!({"type": "join", "room": room, "role": "mesh"}));
            }
            ServerEvent::Joined { peers, .. } => {
                let (me, ready) = {
                    let mut i = self.0.borrow_mut();
                    i.joined = true;
                    i.older = peers.iter().map(|p| p.id.clone()).collect();
                    (i.name.clone(), i.media_ready)
                };
                let mut names: Vec<String> = peers.iter().map(|p| p.name.clone()).collect();
                names.push(me);
                ui.people.try_set(names);
                ui.tiles.try_set(peers.iter().map(tile).collect());
                self.refresh_status();
                if ready {
                    self.send(json!({"type": "call"}));
                }
            }
            ServerEvent::PeerJoined { peer, .. } => {
                ui.people.try_update(|p| p.push(peer.name.clone()));
                ui.tiles.try_update(|t| t.push(tile(&peer)));
                self.refresh_status();
            }
            ServerEvent::PeerLeft { id, name, .. } => {
                ui.people.try_update(|p| {
                    if let Some(pos) = p.iter().position(|n| *n == name) {
                        p.remove(pos);
                    }
                });
                self.drop_peer(&id);
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
        match m.kind.as_str() {
            "call" => {
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
            "response" => {
                let fresh = {
                    let i = self.0.borrow();
                    i.older.contains(&from) && !i.links.contains_key(&from)
                };
                if fresh {
                    self.offer(from);
                }
            }
            "offer" => self.answer(from, m.payload),
            "answer" => self.accept_answer(from, m.payload),
            "candidate" => self.add_candidate(&from, &m.payload),
            "bye" => self.drop_peer(&from),
            _ => {}
        }
    }

    /// The peer connection to `peer`, made on first use.
    fn link(&self, peer: &str) -> Option<web_sys::RtcPeerConnection> {
        if let Some(l) = self.0.borrow().links.get(peer) {
            return Some(l.pc.clone());
        }
        let w = self.weak();
        let id = peer.to_owned();
        let local = self.0.borrow().local.clone();
        let link = Link::new(peer, local.as_ref(), move |ev| {
            let Some(e) = w.upgrade().map(Engine) else {
                return;
            };
            match ev {
                LinkEvent::Candidate(c) => {
                    e.send(json!({"type": "candidate", "to": id, "payload": c}))
                }
                LinkEvent::State(s) => e.set_tile_state(&id, s),
            }
        });
        match link {
            Ok(l) => {
                let pc = l.pc.clone();
                self.0.borrow_mut().links.insert(peer.to_owned(), l);
                Some(pc)
            }
            Err(e) => {
                leptos::logging::error!("cannot create a peer connection: {e:?}");
                self.set_tile_state(peer, "failed");
                None
            }
        }
    }

    fn offer(&self, peer: String) {
        let Some(pc) = self.link(&peer) else { return };
        let e = self.clone();
        spawn_local(async move {
            let result: Result<(), JsValue> = async {
                let offer = JsFuture::from(pc.create_offer()).await?;
                let sdp = sdp_of(&offer);
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_local_description(&init)).await?;
                e.send(
                    json!({"type": "offer", "to": peer, "payload": {"type": "offer", "sdp": sdp}}),
                );
                Ok(())
            }
            .await;
            if let Err(err) = result {
                leptos::logging::error!("offer failed: {err:?}");
            }
        });
    }

    fn answer(&self, peer: String, payload: Value) {
        let Some(sdp) = payload
            .get("sdp")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let Some(pc) = self.link(&peer) else { return };
        let e = self.clone();
        spawn_local(async move {
            let result: Result<(), JsValue> = async {
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_remote_description(&init)).await?;
                e.remote_ready(&peer);
                let answer = JsFuture::from(pc.create_answer()).await?;
                let sdp = sdp_of(&answer);
                let init = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
                init.set_sdp(&sdp);
                JsFuture::from(pc.set_local_description(&init)).await?;
                e.send(json!({"type": "answer", "to": peer, "payload": {"type": "answer", "sdp": sdp}}));
                Ok(())
            }
            .await;
            if let Err(err) = result {
                leptos::logging::error!("answer failed: {err:?}");
            }
        });
    }

    fn accept_answer(&self, peer: String, payload: Value) {
        let Some(sdp) = payload
            .get("sdp")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let Some(pc) = self.0.borrow().links.get(&peer).map(|l| l.pc.clone()) else {
            return;
        };
        let e = self.clone();
        spawn_local(async move {
            let init = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
            init.set_sdp(&sdp);
            match JsFuture::from(pc.set_remote_description(&init)).await {
                Ok(_) => e.remote_ready(&peer),
                Err(err) => leptos::logging::error!("bad answer: {err:?}"),
            }
        });
    }

    /// The remote description is set: queued candidates can go in now.
    fn remote_ready(&self, peer: &str) {
        let (pc, pending) = {
            let mut i = self.0.borrow_mut();
            let Some(l) = i.links.get_mut(peer) else {
                return;
            };
            l.has_remote = true;
            (l.pc.clone(), std::mem::take(&mut l.pending))
        };
        for c in pending {
            let _ = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&c));
        }
    }

    fn add_candidate(&self, peer: &str, payload: &Value) {
        let Some(c) = candidate_init(payload) else {
            return;
        };
        let mut i = self.0.borrow_mut();
        let Some(l) = i.links.get_mut(peer) else {
            return;
        };
        if l.has_remote {
            let _ =
                l.pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&c));
        } else {
            l.pending.push(c);
        }
    }

    fn drop_peer(&self, peer: &str) {
        let link = self.0.borrow_mut().links.remove(peer);
        if let Some(l) = link {
            l.close(peer);
        }
        self.ui().tiles.try_update(|t| t.retain(|t| t.id != peer));
        self.refresh_status();
    }

    fn set_tile_state(&self, peer: &str, state: &'static str) {
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
        );
        if settled || !self.0.borrow().joined {
            return;
        }
        let next = ui.tiles.with_untracked(|t| {
            if t.is_empty() {
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

fn sdp_of(desc: &JsValue) -> String {
    js_sys::Reflect::get(desc, &"sdp".into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
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
