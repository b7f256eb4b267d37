//! Relaying between peers of one room, under the role rules: mesh peers reach mesh peers, a
//! talker reaches its watchers and watchers their talker, and nobody else reaches anybody.
//! Without these rules a watcher could offer to a mesh peer, whose browser answers with camera
//! and microphone.
use super::{push, Hub, Outbound, RelayError, Role};
use axum::extract::ws::Utf8Bytes;
use std::sync::atomic::Ordering;

/// Whether a peer in role `a` may send to one in role `b` (the rule is symmetric).
pub fn roles_may_talk(a: Role, b: Role) -> bool {
    matches!(
        (a, b),
        (Role::Mesh, Role::Mesh) | (Role::Talk, Role::Watch) | (Role::Watch, Role::Talk)
    )
}

impl Hub {
    /// Sends `frame` from `from` to `to` (which must share its room and be a counterpart of its
    /// role), or to every counterpart in the room when `to` is `None`. `only_from` refuses the
    /// message unless the sender has that role. Returns how many received it.
    pub fn relay(
        &self,
        from: &str,
        to: Option<&str>,
        frame: Utf8Bytes,
        only_from: Option<Role>,
    ) -> Result<usize, RelayError> {
        let mut st = self.state.lock();
        let (room, role) = st
            .peers
            .get(from)
            .and_then(|p| Some((p.room.clone()?, p.role)))
            .ok_or(RelayError::NotInRoom)?;
        if only_from.is_some_and(|r| r != role) {
            self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
            return Err(RelayError::NotYourRole);
        }
        let result = match to {
            Some(to) => {
                let target = st
                    .peers
                    .get(to)
                    .filter(|p| p.room.as_ref() == Some(&room) && to != from)
                    .ok_or(RelayError::UnknownPeer)?;
                if !roles_may_talk(role, target.role) {
                    Err(RelayError::RolesDontMatch)
                } else {
                    match target.tx.try_send(Outbound::Frame(frame)) {
                        Ok(()) => Ok(1),
                        Err(_) => Err(RelayError::Congested),
                    }
                }
            }
            None => {
                let mut evict = Vec::new();
                let mut n = 0;
                if let Some(r) = st.rooms.get(&room) {
                    let counterparts = r.members.iter().filter(|m| {
                        &***m != from
                            && st
                                .peers
                                .get(*m)
                                .is_some_and(|p| roles_may_talk(role, p.role))
                    });
                    for m in counterparts {
                        if push(&st, m, &frame, &mut evict) {
                            n += 1;
                        }
                    }
                }
                let changed = !evict.is_empty();
                self.finish(&mut st, evict, changed);
                Ok(n)
            }
        };
        match &result {
            Ok(n) => self.metrics.relayed.fetch_add(*n as u64, Ordering::Relaxed),
            Err(_) => self.metrics.dropped.fetch_add(1, Ordering::Relaxed),
        };
        result
    }
}
