//! Relaying between peers of one room, under the role rules: mesh peers reach mesh peers, a
//! talker reaches its watchers and watchers their talker, and nobody else reaches anybody.
//! Without these rules a watcher could offer to a mesh peer, whose browser answers with camera
//! and microphone.
use super::queue::Refused;
use super::{Hub, RelayError, Role};
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
    /// message unless the sender has that role. Returns how many received it; `Congested` when
    /// any receiver's queue was full (it misses this message, the others got it).
    pub fn relay(
        &self,
        from: &str,
        to: Option<&str>,
        frame: Utf8Bytes,
        only_from: Option<Role>,
    ) -> Result<usize, RelayError> {
        let st = self.state.lock();
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
                } else if let Some(node) = &target.node {
                    super::remote::to_peer(&st, node, to, frame)
                } else {
                    match target.tx.try_send(frame) {
                        Ok(()) => Ok(1),
                        Err(Refused::Full) => Err(RelayError::Congested),
                        // Its task is ending; the room hears it left in a moment.
                        Err(Refused::Closed) => Err(RelayError::UnknownPeer),
                    }
                }
            }
            // Room-wide relays are dropped for a full receiver like targeted ones: a member
            // sending many of them must not get slow receivers evicted.
            None => {
                let (mut n, mut full, mut elsewhere) = (0, 0, false);
                if let Some(r) = st.rooms.get(&room) {
                    for m in r.members.iter().filter(|m| &***m != from) {
                        let Some(p) = st.peers.get(m).filter(|p| roles_may_talk(role, p.role))
                        else {
                            continue;
                        };
                        if p.node.is_some() {
                            elsewhere = true;
                            continue;
                        }
                        match p.tx.try_send(frame.clone()) {
                            Ok(()) => n += 1,
                            Err(Refused::Full) => full += 1,
                            Err(Refused::Closed) => {}
                        }
                    }
                }
                // Members on other instances get it once per room, by the room's channel.
                if elsewhere && super::remote::to_room(&st, &room, from, role, frame).is_err() {
                    full += 1;
                }
                self.metrics.relayed.fetch_add(n, Ordering::Relaxed);
                if full > 0 {
                    Err(RelayError::Congested)
                } else {
                    return Ok(n as usize);
                }
            }
        };
        match &result {
            Ok(n) => self.metrics.relayed.fetch_add(*n as u64, Ordering::Relaxed),
            Err(_) => self.metrics.dropped.fetch_add(1, Ordering::Relaxed),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Hub, HubLimits, RelayError, Role};
    use std::sync::atomic::Ordering;

    fn hub(queue: usize, queue_bytes: usize) -> Hub {
        Hub::new(HubLimits {
            queue,
            queue_bytes,
            ..HubLimits::default()
        })
    }

    #[test]
    fn room_wide_relays_drop_for_a_full_receiver_instead_of_evicting_it() {
        let h = hub(8, 1 << 20);
        let (a, _ra) = h.register("a");
        let (slow, _never_read) = h.register("slow");
        let (c, mut rc) = h.register("c");
        for p in [&a, &slow, &c] {
            h.join(p, "r", Role::Mesh).unwrap();
        }
        let mut congested = 0;
        for _ in 0..20 {
            match h.relay(&a, None, r#"{"type":"call"}"#.into(), None) {
                Ok(_) => {}
                Err(RelayError::Congested) => congested += 1,
                Err(e) => panic!("{e}"),
            }
            while rc.try_recv().is_ok() {}
        }
        assert!(congested > 0, "the sender hears its message was dropped");
        assert_eq!(h.metrics.evicted.load(Ordering::Relaxed), 0);
        assert_eq!(h.room("r").people, ["a", "slow", "c"], "nobody was evicted");
    }

    #[test]
    fn queues_are_bounded_in_bytes_and_hub_events_past_them_evict() {
        let h = hub(1000, 64 * 1024);
        let (a, _ra) = h.register("a");
        let (b, _never_read) = h.register("b");
        h.join(&a, "r", Role::Mesh).unwrap();
        h.join(&b, "r", Role::Mesh).unwrap();
        let big: String = format!(r#"{{"type":"offer","payload":"{}"}}"#, "x".repeat(20_000));
        let sent = (0..10)
            .take_while(|_| h.relay(&a, Some(&b), big.clone().into(), None).is_ok())
            .count();
        assert!(sent < 5, "64 KiB holds about three of these, not {sent}");
        // Top it up with small relays until not even those fit.
        while h
            .relay(&a, Some(&b), r#"{"type":"bye"}"#.into(), None)
            .is_ok()
        {}
        assert_eq!(
            h.room("r").people,
            ["a", "b"],
            "a dropped relay evicts nobody"
        );
        // A hub event b cannot take: b would miss a room change, so it goes.
        let (c, _rc) = h.register("c");
        h.join(&c, "r", Role::Mesh).unwrap();
        assert_eq!(h.room("r").people, ["a", "c"]);
        assert_eq!(h.metrics.evicted.load(Ordering::Relaxed), 1);
    }
}
