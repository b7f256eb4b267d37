//! The one signaling hub: peers, rooms, presence, rings, realms, delivery.
//! Frames it relays come encoded by the dialect that read them, and it passes their bytes on
//! untouched. The events it makes itself (`peer_joined`, `peer_left`, `rooms`, `online`,
//! `call_*`) are room-dialect frames: it encodes each once (`frames::encode`) and the same
//! bytes go to every receiver. Only room-dialect connections ever get them: a PeerJS
//! connection joins no room, watches no list and belongs to no user.
//! All state sits behind one short-held mutex; nothing awaits while holding it. Delivery uses
//! bounded queues and `try_send`, so a slow receiver can never stall a sender or the hub.
//! Relays between peers look their receivers up under the lock and queue the frames after
//! releasing it (queueing may wake the receiver's task, the slowest step); the hub's own
//! events are queued under the lock, so every receiver sees them in the hub's order. In a
//! cluster, connections on other instances are peers here too (`remote.rs`).
use super::protocol::{PeerInfo, Role, RoomSummary, ServerEvent};
use axum::extract::ws::Utf8Bytes;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

mod codes;
mod delivery;
mod errors;
mod grace;
mod guard;
pub use grace::{GracePolicy, Resumed};
mod invariants;
mod outgoing;
mod queries;
mod remote;
mod remote_members;
mod remote_realms;
mod remote_users;
pub use errors::{JoinError, RelayError};
pub use outgoing::{Answer, Outgoing, RemoteConn, RemoteMember};
#[cfg(test)]
mod lists_tests;
mod queue;
pub use guard::Registration;
mod realms;
mod relay;
mod removal;
#[cfg(test)]
mod removal_tests;
use delivery::{info, leave_locked, push, rooms_frame};
pub use queue::Inbox;
pub use realms::{ClaimError, Claimed, DeliverError, Undelivered};
mod online;
mod private;
mod ringing;
mod rings;
pub mod sessions;
pub mod striped;
pub use striped::Metrics;
mod timed;
mod users;
pub use super::frames::encode;
pub use crate::ids::new_id;
pub use private::ACCEPT_GRACE;
pub use ringing::{AnswerError, Callee, RingError, RingStarted};
pub use rings::{RingOutcome, DEFAULT_RING_TIMEOUT};
pub use timed::{HoldSnapshot, HOLD_BUCKETS_NS};
pub use users::UserId;

pub type PeerId = Arc<str>;

/// What a connection's writer receives from the hub.
#[derive(Debug, Clone)]
pub enum Outbound {
    Frame(Utf8Bytes),
}

/// Capacity limits the hub enforces.
#[derive(Debug, Clone, Copy)]
pub struct HubLimits {
    /// Most mesh peers in one room.
    pub mesh_cap: usize,
    /// Most watchers of one broadcast.
    pub watch_cap: usize,
    /// Frames queued per connection before it counts as too slow.
    pub queue: usize,
    /// Bytes queued per connection before it counts as too slow.
    pub queue_bytes: usize,
}

impl Default for HubLimits {
    fn default() -> Self {
        Self {
            mesh_cap: 6,
            watch_cap: 50,
            queue: 256,
            queue_bytes: 1 << 20,
        }
    }
}

struct Peer {
    /// Shared, so a relay can look the queue up under the lock and fill it after.
    tx: Arc<queue::Outbox>,
    name: Arc<str>,
    room: Option<Arc<str>>,
    role: Role,
    /// The instance a cluster member lives on (`remote.rs`); `None` for this instance's own.
    node: Option<Arc<str>>,
}

#[derive(Default)]
struct Room {
    /// Members in join order.
    members: Vec<PeerId>,
}

/// A map whose keys the server made (connection ids, realm names), never a client: hashed with
/// foldhash, several times quicker than std's SipHash on every relayed frame. Keys a client
/// chooses (PeerJS ids, room names) stay on SipHash, which resists collisions made on purpose.
type ServerKeyed<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Default)]
struct State {
    peers: ServerKeyed<PeerId, Peer>,
    rooms: BTreeMap<Arc<str>, Room>,
    /// Connections that asked for the room list (`watch_rooms`), to hear each change.
    room_list_watchers: HashSet<PeerId>,
    /// Client-chosen addresses in named realms (the PeerJS dialect); see `realms.rs`.
    realms: realms::Realms,
    /// Who is online: users' connections, and the watchers of the online list.
    online: online::Online,
    /// Rings under way, and how past rings ended.
    rings: rings::Rings,
    /// The private rooms of accepted calls.
    private: private::PrivateRooms,
    sessions: sessions::Sessions,
    /// The room list as room list watchers get it; `None` after any change to a room's members.
    rooms_frame: Option<Utf8Bytes>,
    /// Resume tokens, and connections waiting for one after a drop.
    grace: grace::Grace,
    remote: remote::Remote, // members on other instances, events for them, their rooms
}

pub struct Hub {
    /// Every lock of the state goes through `Timed::lock`, which records the hold time.
    state: timed::Timed<State>,
    limits: HubLimits,
    pub metrics: Metrics,
}

impl Hub {
    pub fn new(limits: HubLimits) -> Self {
        Self {
            state: timed::Timed::default(),
            limits,
            metrics: Metrics::default(),
        }
    }

    pub fn limits(&self) -> HubLimits {
        self.limits
    }

    /// Adds a connection under a fresh id and returns its id and queue.
    pub fn register(&self, name: &str) -> (PeerId, Inbox) {
        let (tx, rx) = queue::queue(self.limits.queue, self.limits.queue_bytes);
        let mut st = self.state.lock();
        let id = loop {
            let id: PeerId = new_id().into();
            if !st.peers.contains_key(&id) {
                break id;
            }
        };
        st.peers.insert(
            id.clone(),
            Peer {
                tx: Arc::new(tx),
                name: name.into(),
                room: None,
                role: Role::Mesh,
                node: None,
            },
        );
        (id, rx)
    }

    /// Puts `id` in `room` with `role`, leaving any room it was in. Returns who was there.
    pub fn join(&self, id: &str, room: &str, role: Role) -> Result<Vec<PeerInfo>, JoinError> {
        self.join_as(id, room, role, None)
    }

    /// [`Hub::join`]; with `admitted`, the cluster's store already admitted the join under the
    /// caps and listed the room's members elsewhere: those are brought in, caps not counted.
    fn join_as(
        &self,
        id: &str,
        room: &str,
        role: Role,
        admitted: Option<&[RemoteMember]>,
    ) -> Result<Vec<PeerInfo>, JoinError> {
        let mut st = self.state.lock();
        let mut evict = Vec::new();
        if !st.peers.contains_key(id) {
            return Err(JoinError::Gone);
        }
        private::may_join(&mut st, id, room)?;
        let Some(peer) = st.peers.get(id) else {
            return Err(JoinError::Gone);
        };
        let peer_room_was_left = peer.room.is_some() && leave_locked(&mut st, id, &mut evict);
        if let Some(members) = admitted {
            remote::reconcile(&mut st, room, members, &mut evict);
        }
        let present: Vec<PeerInfo> = st
            .rooms
            .get(room)
            .map(|r| r.members.iter().filter_map(|m| info(&st, m)).collect())
            .unwrap_or_default();
        let count = |r: Role| present.iter().filter(|p| p.role == r).count();
        let refusal = match role {
            _ if admitted.is_some() => None,
            Role::Mesh if count(Role::Mesh) >= self.limits.mesh_cap => {
                Some(JoinError::Full(self.limits.mesh_cap))
            }
            Role::Watch if count(Role::Watch) >= self.limits.watch_cap => {
                Some(JoinError::Full(self.limits.watch_cap))
            }
            Role::Talk if count(Role::Talk) > 0 => Some(JoinError::TalkerPresent),
            _ => None,
        };
        if let Some(err) = refusal {
            let changed = !evict.is_empty() || peer_room_was_left;
            self.finish(&mut st, evict, changed);
            return Err(err);
        }
        let room_key: Arc<str> = match st.rooms.get_key_value(room) {
            Some((k, _)) => k.clone(),
            None => room.into(),
        };
        let (pid, name) = {
            let Some((pid, peer)) = st.peers.get_key_value(id) else {
                return Err(JoinError::Gone);
            };
            (pid.clone(), peer.name.clone())
        };
        let me = PeerInfo {
            id: pid.to_string(),
            name: name.to_string(),
            role,
        };
        remote::joined(&st, &room_key, &me);
        let announce = encode(&ServerEvent::PeerJoined {
            room: room.to_owned(),
            peer: me,
        });
        if let Some(r) = st.rooms.get(&room_key) {
            for m in &r.members {
                push(&st, m, &announce, &mut evict);
            }
        }
        st.rooms
            .entry(room_key.clone())
            .or_default()
            .members
            .push(pid.clone());
        st.rooms_frame = None;
        if let Some(p) = st.peers.get_mut(&pid) {
            p.room = Some(room_key);
            p.role = role;
        }
        self.finish(&mut st, evict, true);
        Ok(present)
    }

    /// Takes `id` out of its room, telling the others.
    pub fn leave(&self, id: &str) {
        let mut st = self.state.lock();
        let mut evict = Vec::new();
        let changed = leave_locked(&mut st, id, &mut evict);
        self.finish(&mut st, evict, changed);
    }

    /// Subscribes `id` to room-list updates and sends it the current list. A connection
    /// already watching gets nothing new: it has the list, and will hear every change.
    pub fn watch_rooms(&self, id: &str) {
        let mut st = self.state.lock();
        let Some((pid, _)) = st.peers.get_key_value(id) else {
            return;
        };
        let pid = pid.clone();
        if !st.room_list_watchers.insert(pid.clone()) {
            return;
        }
        let frame = rooms_frame(&mut st);
        let mut evict = Vec::new();
        push(&st, &pid, &frame, &mut evict);
        let changed = !evict.is_empty();
        self.finish(&mut st, evict, changed);
    }

    /// How long the hub's lock has been held, as a histogram.
    pub fn lock_holds(&self) -> HoldSnapshot {
        self.state.holds().snapshot()
    }
}
