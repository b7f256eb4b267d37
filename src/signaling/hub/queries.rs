//! What the hub tells about itself: rooms and their people, connection and role counts. With
//! a cluster (`crate::cluster`), the room list and a room's people are the whole cluster's, as
//! last read from the shared store; the counts are this instance's own connections.
use super::delivery::summaries;
use super::{private, Hub, Role, RoomSummary};

impl Hub {
    /// Every room with anyone in it, by name.
    pub fn rooms(&self) -> Vec<RoomSummary> {
        let st = self.state.lock();
        match &st.remote.room_list {
            Some(list) => list.clone(),
            None => summaries(&st),
        }
    }

    /// One room's people (an unknown room is simply empty).
    pub fn room(&self, name: &str) -> RoomSummary {
        let st = self.state.lock();
        if let Some(list) = st
            .remote
            .room_list
            .as_ref()
            .filter(|_| !private::is_private(name))
        {
            let found = list.iter().find(|r| r.name == name);
            return found.cloned().unwrap_or_else(|| RoomSummary {
                name: name.to_owned(),
                people: Vec::new(),
            });
        }
        let people = st
            .rooms
            .get(name)
            .map(|r| {
                r.members
                    .iter()
                    .filter_map(|m| st.peers.get(m).map(|p| p.name.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        RoomSummary {
            name: name.to_owned(),
            people,
        }
    }

    /// One room's people as `viewer` (a user's stable peer id) may see them: a private call's
    /// room is visible only to its two parties; to anyone else it does not exist (`None`).
    pub fn room_for(&self, name: &str, viewer: Option<&str>) -> Option<RoomSummary> {
        if private::is_private(name) {
            let st = self.state.lock();
            if !viewer.is_some_and(|v| private::is_party(&st, name, v)) {
                return None;
            }
        }
        Some(self.room(name))
    }

    /// How many connections are registered.
    pub fn connections(&self) -> usize {
        let st = self.state.lock();
        st.peers.len() - st.remote.ghosts
    }

    /// Open connections by dialect: `(room, peerjs)`. A PeerJS connection counts once it
    /// holds its id.
    pub fn connections_by_dialect(&self) -> (usize, usize) {
        let st = self.state.lock();
        let peerjs = st.realms.bound();
        let local = st.peers.len() - st.remote.ghosts;
        (local.saturating_sub(peerjs), peerjs)
    }

    /// People in rooms by role: `[(role, count)]` for mesh, talk and watch.
    pub fn people_by_role(&self) -> [(Role, usize); 3] {
        let st = self.state.lock();
        let mut counts = [(Role::Mesh, 0), (Role::Talk, 0), (Role::Watch, 0)];
        for room in st.rooms.values() {
            for m in &room.members {
                if let Some(p) = st.peers.get(m).filter(|p| p.node.is_none()) {
                    if let Some(c) = counts.iter_mut().find(|(r, _)| *r == p.role) {
                        c.1 += 1;
                    }
                }
            }
        }
        counts
    }
}
