//! The one way a connection leaves the hub, however it ends: its socket closed (either
//! dialect), its resume grace ran out, its session ended, it was evicted for being too slow,
//! a reconnect replaced it, or its task panicked (the registration guard).
use super::delivery::{leave_locked, push, rooms_frame};
use super::{grace, online, realms, rings, Hub, PeerId, State};
use std::sync::atomic::Ordering;

impl Hub {
    /// Removes a connection: see [`remove_locked`]. Its queue closes, so its task ends.
    pub fn unregister(&self, id: &str) {
        let mut st = self.state.lock();
        self.remove(&mut st, id);
    }

    /// [`Hub::unregister`] with the lock held.
    pub(super) fn remove(&self, st: &mut State, id: &str) {
        let mut evict = Vec::new();
        let changed = remove_locked(st, id, &mut evict).unwrap_or(false);
        self.finish(st, evict, changed);
    }

    /// Drops peers whose queues overflowed with hub events (they would miss state changes),
    /// tells their rooms, and sends room list and online watchers whatever lists changed.
    pub(super) fn finish(&self, st: &mut State, mut evict: Vec<PeerId>, mut rooms_changed: bool) {
        while let Some(id) = evict.pop() {
            if let Some(changed) = remove_locked(st, &id, &mut evict) {
                self.metrics.evicted.fetch_add(1, Ordering::Relaxed);
                rooms_changed |= changed;
            }
        }
        // A cluster's room list changes when the store says so (`Hub::set_room_list`).
        if rooms_changed && st.remote.room_list.is_none() && !st.room_list_watchers.is_empty() {
            let frame = rooms_frame(st);
            let mut again = Vec::new();
            for w in st.room_list_watchers.iter() {
                push(st, w, &frame, &mut again);
            }
            // A room list watcher too slow for room lists is evicted on the next change.
            for id in again {
                st.room_list_watchers.remove(&id);
            }
        }
        online::flush_online(st);
    }
}

/// Takes connection `id` out of everything: its room (whose members hear `peer_left`; the
/// cached room list is cleared), the room list watchers, its rings (the other side hears),
/// the online watchers, its user's presence (who may go offline: the online list changes,
/// and rings to them end), its resume token or parked queue, its realm addresses, and finally the table of peers, which closes
/// its queue. A private room is a room like any other here; the ring timer forgets it once
/// its call is over. Returns whether a room changed, or `None` if `id` was not registered.
/// The caller must [`Hub::finish`], which evicts whoever `evict` names and sends the lists.
pub(super) fn remove_locked(st: &mut State, id: &str, evict: &mut Vec<PeerId>) -> Option<bool> {
    if !st.peers.contains_key(id) {
        return None;
    }
    let changed = leave_locked(st, id, evict);
    st.room_list_watchers.remove(id);
    rings::conn_gone(st, id, evict);
    if let Some(user) = online::conn_gone(st, id) {
        rings::user_gone(st, &user, evict);
    }
    grace::forget(st, id);
    realms::forget(st, id);
    if st.peers.remove(id).is_some_and(|p| p.node.is_some()) {
        st.remote.ghosts = st.remote.ghosts.saturating_sub(1);
    }
    Some(changed)
}
