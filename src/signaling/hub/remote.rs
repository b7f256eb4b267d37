//! The hub's side of a cluster (`crate::cluster`): members of this instance's rooms who live on
//! other instances, and what this instance's connections do that the others must hear.
//!
//! A member elsewhere is a peer with a `node` and a closed queue, so every hub event skips it
//! (its own instance tells it) while rooms, roles and `joined` lists treat it like anyone. A
//! relay to it becomes an [`Outgoing`] that the cluster's one publisher sends on, in order.
//! The hub never waits for Redis: events go by `try_send`, and a full queue marks the state
//! lost, which makes the cluster re-assert it.
use super::delivery::{leave_locked, push};
pub use super::outgoing::{Outgoing, RemoteMember};
use super::{encode, Hub, PeerId, PeerInfo, RelayError, Role, RoomSummary, State};
use crate::signaling::protocol::ServerEvent;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

#[derive(Default)]
pub(super) struct Remote {
    out: Option<mpsc::Sender<Outgoing>>,
    /// Members elsewhere in the table of peers.
    pub(super) ghosts: usize,
    /// The whole cluster's room list, as last read from the store; `None` alone or while the
    /// store is unreachable (the list is then this instance's own).
    pub(super) room_list: Option<Vec<RoomSummary>>,
    /// An event for the cluster was dropped: the cluster must re-assert this instance's state.
    lost: AtomicBool,
    /// Realm addresses held on other instances: (realm, address) → instance.
    pub(super) addrs: HashMap<(Arc<str>, Arc<str>), Arc<str>>,
}

pub(super) fn send(st: &State, ev: Outgoing) -> Result<(), ()> {
    let Some(out) = &st.remote.out else {
        return Ok(());
    };
    out.try_send(ev).map_err(|_| {
        st.remote.lost.store(true, Ordering::Relaxed);
    })
}

pub(super) fn joined(st: &State, room: &Arc<str>, peer: &PeerInfo) {
    let peer = peer.clone();
    let _ = send(
        st,
        Outgoing::Joined {
            room: room.clone(),
            peer,
        },
    );
}

pub(super) fn left(st: &State, room: &Arc<str>, id: &str, name: &str) {
    let (room, id, name) = (room.clone(), id.to_owned(), name.to_owned());
    let _ = send(st, Outgoing::Left { room, id, name });
}

pub(super) fn to_peer(
    st: &State,
    node: &Arc<str>,
    to: &str,
    frame: Utf8Bytes,
) -> Result<usize, RelayError> {
    let (node, to) = (node.clone(), to.to_owned());
    let call = None;
    send(
        st,
        Outgoing::ToPeer {
            node,
            to,
            frame,
            call,
        },
    )
    .map(|()| 1)
    .map_err(|()| RelayError::Congested)
}

pub(super) fn to_room(
    st: &State,
    room: &Arc<str>,
    from: &str,
    role: Role,
    frame: Utf8Bytes,
) -> Result<(), ()> {
    let (room, from) = (room.clone(), from.to_owned());
    send(
        st,
        Outgoing::ToRoom {
            room,
            from,
            role,
            frame,
        },
    )
}

/// Brings `room`'s members elsewhere in line with the store's list: those it no longer has
/// leave (the room hears), those it has and we lack arrive quietly (the joiner's `joined`
/// lists them).
pub(super) fn reconcile(
    st: &mut State,
    room: &str,
    members: &[RemoteMember],
    evict: &mut Vec<PeerId>,
) {
    let stale: Vec<PeerId> = st
        .rooms
        .get(room)
        .map(|r| {
            r.members
                .iter()
                .filter(|m| st.peers.get(*m).is_some_and(|p| p.node.is_some()))
                .filter(|m| !members.iter().any(|x| x.id == ***m))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for id in stale {
        super::remote_users::ghost_out(st, &id, evict);
    }
    for m in members {
        place(st, room, m, evict, false);
    }
}

/// Puts member `m` in `room` (moving it from any other), telling local members when `announce`.
pub(super) fn place(
    st: &mut State,
    room: &str,
    m: &RemoteMember,
    evict: &mut Vec<PeerId>,
    announce: bool,
) {
    let id: &str = &m.id;
    match st.peers.get(id) {
        Some(p) if p.node.is_none() => return,
        Some(p) if p.room.as_deref() == Some(room) => return,
        Some(_) => {
            leave_locked(st, id, evict);
        }
        None => {
            super::remote_users::ghost(st, id, &m.node, &m.name, m.role);
        }
    }
    let key: Arc<str> = match st.rooms.get_key_value(room) {
        Some((k, _)) => k.clone(),
        None => room.into(),
    };
    let Some((pid, _)) = st.peers.get_key_value(id) else {
        return;
    };
    let pid = pid.clone();
    if announce {
        let frame = encode(&ServerEvent::PeerJoined {
            room: room.to_owned(),
            peer: PeerInfo {
                id: m.id.clone(),
                name: m.name.clone(),
                role: m.role,
            },
        });
        if let Some(r) = st.rooms.get(&key) {
            for member in &r.members {
                push(st, member, &frame, evict);
            }
        }
    }
    st.rooms
        .entry(key.clone())
        .or_default()
        .members
        .push(pid.clone());
    st.rooms_frame = None;
    if let Some(p) = st.peers.get_mut(&pid) {
        p.room = Some(key);
        p.role = m.role;
    }
}

impl Hub {
    /// Sends this instance's room events and relays for other instances into `out`.
    pub fn set_cluster(&self, out: mpsc::Sender<Outgoing>) {
        self.state.lock().remote.out = Some(out);
    }

    /// Whether an event for the cluster was dropped since the last call (then the cluster
    /// re-asserts this instance's state).
    pub fn take_lost(&self) -> bool {
        self.state.lock().remote.lost.swap(false, Ordering::Relaxed)
    }

    /// [`Hub::join`] for a join the cluster's store has admitted; `members` are the room's
    /// members on other instances.
    pub fn join_admitted(
        &self,
        id: &str,
        room: &str,
        role: Role,
        members: &[RemoteMember],
    ) -> Result<Vec<PeerInfo>, super::JoinError> {
        self.join_as(id, room, role, Some(members))
    }

    /// A member on another instance left `room` (or its instance died): the room hears.
    pub fn remote_left(&self, room: &str, id: &str) {
        let mut st = self.state.lock();
        let here = st
            .peers
            .get(id)
            .is_some_and(|p| p.node.is_some() && p.room.as_deref() == Some(room));
        if here {
            let mut evict = Vec::new();
            super::remote_users::ghost_out(&mut st, id, &mut evict);
            self.finish(&mut st, evict, true);
        }
    }

    /// A connection's display name.
    pub fn name_of(&self, id: &str) -> Option<String> {
        self.state.lock().peers.get(id).map(|p| p.name.to_string())
    }

    /// Forgets members elsewhere in rooms this instance has nobody in (quietly: nobody here
    /// to tell). Returns the rooms this instance does have members in.
    pub fn prune_ghosts(&self) -> Vec<String> {
        let mut st = self.state.lock();
        let (mut busy, mut idle) = (Vec::new(), Vec::new());
        for (name, r) in &st.rooms {
            if r.members.iter().any(|m| local(&st, m)) {
                busy.push(name.to_string());
            } else {
                idle.extend(r.members.iter().cloned());
            }
        }
        let mut evict = Vec::new();
        for id in idle {
            super::remote_users::ghost_out(&mut st, &id, &mut evict);
        }
        self.finish(&mut st, evict, false);
        busy
    }

    /// This instance's own connections in rooms, for re-asserting them in the store.
    pub fn local_members(&self) -> Vec<(String, PeerInfo)> {
        let st = self.state.lock();
        st.peers
            .iter()
            .filter(|(_, p)| p.node.is_none())
            .filter_map(|(id, p)| {
                let room = p.room.as_ref()?.to_string();
                let info = PeerInfo {
                    id: id.to_string(),
                    name: p.name.to_string(),
                    role: p.role,
                };
                Some((room, info))
            })
            .collect()
    }
}

fn local(st: &State, id: &PeerId) -> bool {
    st.peers.get(id).is_some_and(|p| p.node.is_none())
}
