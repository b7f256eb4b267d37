//! Users as the hub's parts share them: a user's stable id, and who a user is across
//! connections and rooms. Presence itself (which connections a user has) is `online.rs`'s;
//! these read it for rings and private rooms.
use super::{PeerId, State};
use std::sync::Arc;

/// A user's stable peer id: an account's is stored with it, a guest's lives as long as its
/// session. Distinct from the per-connection [`PeerId`].
pub type UserId = Arc<str>;

/// The connections of `user`, for pushing to all of its tabs.
pub(super) fn conns_of(st: &State, user: &str) -> Vec<PeerId> {
    st.online
        .users
        .get(user)
        .map(|p| p.conns.clone())
        .unwrap_or_default()
}

/// Whether `user` has a connection in `room`.
pub(super) fn in_room(st: &State, room: &str, user: &str) -> bool {
    st.rooms.get(room).is_some_and(|r| {
        r.members
            .iter()
            .any(|m| st.online.conn_user.get(m).is_some_and(|u| &**u == user))
    })
}
