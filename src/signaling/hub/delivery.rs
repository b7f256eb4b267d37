//! The hub's inner operations on locked state: leaving a room, queueing a frame, listing rooms.
use super::queue::Refused;
use super::{encode, PeerId, PeerInfo, RoomSummary, ServerEvent, State, Utf8Bytes};

/// Takes `id` out of its room and tells the rest; returns whether it was in one.
pub(super) fn leave_locked(st: &mut State, id: &str, evict: &mut Vec<PeerId>) -> bool {
    let Some(peer) = st.peers.get_mut(id) else {
        return false;
    };
    let Some(room) = peer.room.take() else {
        return false;
    };
    let name = peer.name.to_string();
    if peer.node.is_none() {
        super::remote::left(st, &room, id, &name);
    }
    let empty = match st.rooms.get_mut(&room) {
        Some(r) => {
            r.members.retain(|m| &**m != id);
            r.members.is_empty()
        }
        None => true,
    };
    st.rooms_frame = None;
    if empty {
        st.rooms.remove(&room);
        return true;
    }
    let frame = encode(&ServerEvent::PeerLeft {
        room: room.to_string(),
        id: id.to_owned(),
        name,
    });
    if let Some(r) = st.rooms.get(&room) {
        for m in &r.members {
            push(st, m, &frame, evict);
        }
    }
    true
}

/// Queues a hub event (one the peer must not miss); a full queue marks the peer for eviction.
pub(super) fn push(st: &State, to: &PeerId, frame: &Utf8Bytes, evict: &mut Vec<PeerId>) -> bool {
    match st.peers.get(to) {
        Some(p) => match p.tx.try_send(frame.clone()) {
            Ok(()) => true,
            Err(Refused::Full) => {
                evict.push(to.clone());
                false
            }
            Err(Refused::Closed) => false,
        },
        None => false,
    }
}

pub(super) fn info(st: &State, id: &PeerId) -> Option<PeerInfo> {
    st.peers.get(id).map(|p| PeerInfo {
        id: id.to_string(),
        name: p.name.to_string(),
        role: p.role,
    })
}

pub(super) fn summaries(st: &State) -> Vec<RoomSummary> {
    st.rooms
        .iter()
        .filter(|(name, _)| !super::private::is_private(name))
        .map(|(name, r)| RoomSummary {
            name: name.to_string(),
            people: r
                .members
                .iter()
                .filter_map(|m| st.peers.get(m).map(|p| p.name.to_string()))
                .collect(),
        })
        .collect()
}

/// The encoded room list: built once per change, then shared (the bytes are reference counted)
/// by every room list watcher it goes to. Whatever changes a room's members clears the cache.
pub(super) fn rooms_frame(st: &mut State) -> Utf8Bytes {
    if let Some(frame) = &st.rooms_frame {
        return frame.clone();
    }
    let rooms = match &st.remote.room_list {
        Some(list) => list.clone(),
        None => summaries(st),
    };
    let frame = encode(&ServerEvent::Rooms { rooms });
    st.rooms_frame = Some(frame.clone());
    frame
}
