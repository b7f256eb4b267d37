//! The hub's side of a cluster, as the other instances reach it: their members joining and
//! leaving this instance's rooms, their relays for its connections, instances that died, and
//! the whole cluster's room list. What this instance sends them is `remote.rs`.
use super::delivery::{push, rooms_frame};
use super::remote::{place, RemoteMember};
use super::{Hub, PeerId, Role, RoomSummary, State};
use axum::extract::ws::Utf8Bytes;
use std::sync::atomic::Ordering;

impl Hub {
    /// A member on another instance joined `room`: this instance's members there hear it.
    pub fn remote_joined(&self, room: &str, m: &RemoteMember) {
        let mut st = self.state.lock();
        if !st
            .rooms
            .get(room)
            .is_some_and(|r| r.members.iter().any(|x| local(&st, x)))
        {
            return;
        }
        let mut evict = Vec::new();
        place(&mut st, room, m, &mut evict, true);
        self.finish(&mut st, evict, true);
    }

    /// Members elsewhere in `room` for which `gone(id, node)` holds leave (the store no
    /// longer lists them): the room hears.
    pub fn drop_absent(&self, room: &str, gone: impl Fn(&str, &str) -> bool) {
        let mut st = self.state.lock();
        let Some(r) = st.rooms.get(room) else {
            return;
        };
        let absent: Vec<PeerId> = r
            .members
            .iter()
            .filter(|m| {
                st.peers
                    .get(*m)
                    .and_then(|p| p.node.as_deref())
                    .is_some_and(|node| gone(m, node))
            })
            .cloned()
            .collect();
        let mut evict = Vec::new();
        for id in absent {
            super::remote_users::ghost_out(&mut st, &id, &mut evict);
        }
        self.finish(&mut st, evict, true);
    }

    /// Every member of instance `node` leaves (it died): their rooms hear `peer_left`.
    pub fn forget_node(&self, node: &str) -> usize {
        let mut st = self.state.lock();
        let gone: Vec<PeerId> = st
            .peers
            .iter()
            .filter(|(_, p)| p.node.as_deref() == Some(node))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &gone {
            self.remove(&mut st, id);
        }
        st.remote.addrs.retain(|_, n| &**n != node);
        gone.len()
    }

    /// Delivers a relayed frame from another instance to connection `to`; false when it is
    /// not here or not keeping up (the frame is dropped, as for a local sender).
    pub fn deliver_to(&self, to: &str, frame: Utf8Bytes) -> bool {
        let st = self.state.lock();
        let ok = st
            .peers
            .get(to)
            .filter(|p| p.node.is_none())
            .is_some_and(|p| p.tx.try_send(frame).is_ok());
        let counter = if ok {
            &self.metrics.relayed
        } else {
            &self.metrics.dropped
        };
        counter.fetch_add(1, Ordering::Relaxed);
        ok
    }

    /// Delivers a room-wide relay from `from` (role `role`, on another instance) to this
    /// instance's members of `room` whose roles take it.
    pub fn deliver_room(&self, room: &str, from: &str, role: Role, frame: Utf8Bytes) -> usize {
        let st = self.state.lock();
        let Some(r) = st.rooms.get(room) else {
            return 0;
        };
        let n = r
            .members
            .iter()
            .filter(|m| &***m != from)
            .filter_map(|m| st.peers.get(m))
            .filter(|p| p.node.is_none() && super::relay::roles_may_talk(role, p.role))
            .filter(|p| p.tx.try_send(frame.clone()).is_ok())
            .count();
        self.metrics.relayed.fetch_add(n as u64, Ordering::Relaxed);
        n
    }

    /// The whole cluster's room list (`None`: this instance's own); watchers hear a change.
    pub fn set_room_list(&self, list: Option<Vec<RoomSummary>>) {
        let mut st = self.state.lock();
        if st.remote.room_list == list {
            return;
        }
        let was_cluster = st.remote.room_list.is_some();
        st.remote.room_list = list;
        st.rooms_frame = None;
        if st.room_list_watchers.is_empty() || (!was_cluster && st.remote.room_list.is_none()) {
            return;
        }
        let frame = rooms_frame(&mut st);
        let mut slow = Vec::new();
        for w in st.room_list_watchers.iter() {
            push(&st, w, &frame, &mut slow);
        }
        for id in slow {
            st.room_list_watchers.remove(&id);
        }
    }

    /// Whether the room list is the cluster's (the store was read) rather than this instance's.
    pub fn has_cluster_room_list(&self) -> bool {
        self.state.lock().remote.room_list.is_some()
    }
}

fn local(st: &State, id: &PeerId) -> bool {
    st.peers.get(id).is_some_and(|p| p.node.is_none())
}
