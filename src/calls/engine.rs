//! The call engine: reacts to the room's signaling and keeps one RTCPeerConnection per remote
//! peer. Who offers is always fixed, so two peers never offer to each other at once:
//!
//! - Mesh: the newcomer broadcasts `call`; each peer that was already in the room
//!   answers `response`; the newcomer sends each of them an `offer`. Join order comes from the
//!   server's `joined` list.
//! - Broadcast: the talker announces `talk_ready`; a watcher asks with `talk_request`
//!   (on that announcement, or at once if the talker is already there); the talker offers.
//!   Watchers send no media and need no camera.
use super::media;
use super::model::{CallStatus, Tile, Ui};
use super::peer::Link;
use super::roster::Roster;
use super::socket::{Event, ReconnectingSocket};
use crate::signaling::protocol::{ClientMessage, PeerInfo, RelayKind, Role};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::MediaStream;

mod chatting;
mod devices;
mod dispatch;
mod early_call;
mod ice_refresh;
mod late_camera;
mod lifecycle;
mod meters;
mod negotiation;
mod reconnecting;
mod recovering;
mod screen;
mod sharing;

#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

struct Inner {
    room: String,
    name: String,
    role: Role,
    /// The session's ICE configuration (`{iceServers, iceTransportPolicy, expiresAt}` JSON),
    /// for new connections; live ones get each fresh one with `setConfiguration`.
    ice: String,
    /// Bumped with every new ICE configuration, so an older refresh timer does nothing.
    ice_generation: u64,
    ui: Ui,
    /// The signaling socket; it reconnects by itself and tells `on_socket`.
    socket: Option<ReconnectingSocket>,
    joined: bool,
    /// The page's inline script sent our `join` on the socket the engine took over: the
    /// first welcome needs no second one.
    joined_early: bool,
    /// That script's state: a mesh newcomer's call it started, taken over on the first
    /// `joined` (`early_call.rs`).
    early: Option<wasm_bindgen::JsValue>,
    /// Where that script's offers still to come are sent from.
    early_out: Option<wasm_bindgen::closure::Closure<dyn FnMut(String, String)>>,
    /// Camera (or its failure) settled: we may call and answer now.
    media_ready: bool,
    local: Option<MediaStream>,
    /// While a mesh page's camera is starting: the stream our offers name, whose audio and
    /// video follow when the camera is up (`late_camera.rs`), so calling need not wait.
    camera_later: Option<MediaStream>,
    /// We have sent `call` (or `talk_ready`) since we last joined.
    announced: bool,
    /// Who is in the room and what we accept from each; peers that were there before us get
    /// our offers, never the other way.
    roster: Roster,
    links: HashMap<String, Link>,
    /// Chat data channels by peer id (mesh calls).
    chats: HashMap<String, super::chat::Channel>,
    chat_seq: u64,
    /// Files being received from all peers together.
    incoming: super::transfer::Slots,
    /// Calls (mesh) or talk requests (talker) that came in before our camera was ready.
    pending_calls: Vec<String>,
    left: bool,
    /// Our peer id, from the latest `welcome`.
    my_id: Option<String>,
}

impl Inner {
    /// Every peer connection, for work done outside the borrow.
    fn pcs(&self) -> Vec<web_sys::RtcPeerConnection> {
        self.links.values().map(|l| l.pc.clone()).collect()
    }

    fn socket_open(&self) -> bool {
        self.socket
            .as_ref()
            .is_some_and(ReconnectingSocket::is_open)
    }
}

impl Engine {
    pub fn start(room: String, name: String, role: Role, ice: String, ui: Ui) -> Self {
        let engine = Engine(Rc::new(RefCell::new(Inner {
            room,
            name,
            role,
            ice,
            ice_generation: 0,
            ui,
            socket: None,
            joined: false,
            joined_early: false,
            early: None,
            early_out: None,
            media_ready: false,
            local: None,
            camera_later: None,
            announced: false,
            roster: Roster::new(role),
            links: HashMap::new(),
            chats: HashMap::new(),
            chat_seq: 0,
            incoming: Default::default(),
            pending_calls: Vec::new(),
            left: false,
            my_id: None,
        })));
        let w = engine.weak();
        let watching = role == Role::Watch;
        super::devices::browser::after_prejoin(watching, move || {
            if let Some(e) = w.upgrade().map(Engine) {
                e.begin(role, ui)
            }
        });
        engine
    }

    /// Connects and starts the camera (at once, or when the pre-join screen says Join).
    fn begin(&self, role: Role, ui: Ui) {
        if self.0.borrow().left {
            return;
        }
        let engine = self;
        engine.schedule_ice_refresh();
        engine.connect();
        if role == Role::Watch {
            engine.on_media(None);
            return;
        }
        // Asked now rather than when the task first runs (after hydration): the camera starts
        // while the socket opens, and a mesh call gets under way before it is up.
        let camera = media::camera(ui.words);
        if role == Role::Mesh {
            self.0.borrow_mut().camera_later = MediaStream::new().ok();
        }
        let e = engine.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match camera.await {
                Ok(stream) => {
                    super::devices::browser::started(&stream, ui);
                    e.on_media(Some(stream))
                }
                Err(msg) if role == Role::Talk => {
                    e.shutdown();
                    ui.status.try_set(CallStatus::Failed);
                    ui.detail.try_set((ui.words.camera_needed)(&msg));
                }
                Err(msg) => {
                    ui.detail.try_set((ui.words.camera_optional)(&msg));
                    e.on_media(None)
                }
            }
        });
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.0)
    }

    fn connect(&self) {
        let w = self.weak();
        let (socket, early) = ReconnectingSocket::open_early(move |_, ev| {
            let Some(e) = w.upgrade().map(Engine) else {
                return;
            };
            match ev {
                Event::Text(text) => e.on_text(text),
                Event::Dropped(d) => e.on_dropped(d),
                Event::Reopening => e.on_reopening(),
            }
        });
        let mut i = self.0.borrow_mut();
        i.socket = Some(socket);
        i.joined_early = early.is_some();
        i.early = early;
    }

    pub(super) fn send(&self, msg: &ClientMessage<'_>) {
        if let Some(s) = &self.0.borrow().socket {
            s.send(&msg.to_json());
        }
    }

    fn ui(&self) -> Ui {
        self.0.borrow().ui
    }

    fn on_media(&self, stream: Option<MediaStream>) {
        if let Some(s) = &stream {
            media::attach_local(s);
        }
        let (joined, announced, pending, role) = {
            let mut i = self.0.borrow_mut();
            if i.left {
                if let Some(s) = &stream {
                    media::stop(s);
                }
                return;
            }
            i.camera_later = None;
            i.local = stream.clone();
            i.media_ready = true;
            let pending = std::mem::take(&mut i.pending_calls);
            (i.joined, i.announced, pending, i.role)
        };
        if let Some(s) = &stream {
            self.camera_arrived(s);
        }
        // Those we are connected to already learn that our camera and microphone are on.
        self.media_changed();
        if joined && !announced {
            self.announce(false);
        }
        for peer in pending {
            match role {
                Role::Talk => self.offer(peer, false),
                _ => self.respond(&peer),
            }
        }
        self.refresh_status();
    }

    /// Tells the room we are ready: `call` in a mesh, `talk_ready` ("On Air") for a talker
    /// (unless the page's early script has said it: `sent`). A mesh page then makes its offers
    /// to the peers that were there before it at once, and sends each when that peer answers
    /// the call.
    fn announce(&self, sent: bool) {
        let role = {
            let mut i = self.0.borrow_mut();
            i.announced = true;
            i.role
        };
        match role {
            _ if sent => {}
            Role::Mesh => self.send(&RelayKind::Call.to_room()),
            Role::Talk => self.send(&RelayKind::TalkReady.to_room()),
            Role::Watch => {}
        }
        let older = self.0.borrow().roster.older_mesh_peers();
        for peer in older {
            if !self.0.borrow().links.contains_key(&peer) {
                self.offer(peer, true);
            }
        }
    }

    /// Answers a newer mesh peer's `call`, and makes the connection its offer will need now.
    fn respond(&self, peer: &str) {
        self.send(&RelayKind::Response.to(peer));
        self.link(peer, false);
    }

    /// Does a peer with `role` get a tile (and a connection) on this page?
    fn pairs_with(&self, role: Role) -> bool {
        matches!(
            (self.0.borrow().role, role),
            (Role::Mesh, Role::Mesh) | (Role::Talk, Role::Watch) | (Role::Watch, Role::Talk)
        )
    }

    pub(super) fn drop_peer(&self, peer: &str) {
        let link = self.0.borrow_mut().links.remove(peer);
        if let Some(l) = link {
            l.close(peer);
        }
        self.drop_chat(peer);
        self.ui().tiles.try_update(|t| t.retain(|t| t.id != peer));
        self.show_problems();
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
                | CallStatus::Resuming
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
}

/// Puts `track` on `sender` in place of what it sends (`replaceTrack`: nothing is
/// renegotiated); a refusal is logged as `what` failing.
fn replace_track(
    sender: &web_sys::RtcRtpSender,
    track: &web_sys::MediaStreamTrack,
    what: &'static str,
) {
    let done = sender.replace_track(Some(track));
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = wasm_bindgen_futures::JsFuture::from(done).await {
            leptos::logging::error!("{what} failed: {err:?}");
        }
    });
}

/// Runs `f` with the engine after `ms` milliseconds, unless the engine is gone by then.
fn later(engine: &Engine, ms: i32, f: impl FnOnce(Engine) + 'static) {
    let w = engine.weak();
    let run = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(e) = w.upgrade().map(Engine) {
            f(e)
        }
    });
    if let Some(win) = web_sys::window() {
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), ms);
    }
}

fn tile(p: &PeerInfo) -> Tile {
    Tile::new(p.id.clone(), p.name.clone())
}
