//! Relaying between peers of one room, under the role rules: mesh peers reach mesh peers, a
//! talker reaches its watchers and watchers their talker, and nobody else reaches anybody.
//! Without these rules a watcher could offer to a mesh peer, whose browser answers with camera
//! and microphone.
use super::queue::{Outbox, Refused};
use super::{Hub, RelayError, Role};
use axum::extract::ws::Utf8Bytes;
use std::sync::atomic::Ordering;
use std::sync::Arc;

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
    ///
    /// Who receives is decided under the lock; the frames are queued after it is released, so
    /// a receiver that leaves in between may still get this one frame (as if it had been sent
    /// a moment earlier). Frames from one sender keep their order: its socket task relays one
    /// frame at a time. Frames for members on other instances go to the cluster under the
    /// lock, in order with the hub's own events for it.
    pub fn relay(
        &self,
        from: &str,
        to: Option<&str>,
        frame: Utf8Bytes,
        only_from: Option<Role>,
    ) -> Result<usize, RelayError> {
        let receivers = self
            .receivers(from, to, only_from, &frame)
            .inspect_err(|e| {
                // Refused by the role rules: counted as dropped (a sender outside any room, or
                // naming nobody in it, is not).
                if matches!(e, RelayError::NotYourRole | RelayError::RolesDontMatch) {
                    self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
                }
            })?;
        let result = match receivers {
            Receivers::One(target) => match target.try_send(frame) {
                Ok(()) => Ok(1),
                Err(Refused::Full) => Err(RelayError::Congested),
                // Its task is ending; the room hears it left in a moment.
                Err(Refused::Closed) => Err(RelayError::UnknownPeer),
            },
            Receivers::Elsewhere(sent) => sent,
            // Room-wide relays are dropped for a full receiver like targeted ones: a member
            // sending many of them must not get slow receivers evicted.
            Receivers::Room { members, refused } => {
                let (mut n, mut full) = (0, usize::from(refused));
                for m in members {
                    match m.try_send(frame.clone()) {
                        Ok(()) => n += 1,
                        Err(Refused::Full) => full += 1,
                        Err(Refused::Closed) => {}
                    }
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

    /// The queues a relay from `from` goes to, under the lock: the rules of [`Hub::relay`].
    fn receivers(
        &self,
        from: &str,
        to: Option<&str>,
        only_from: Option<Role>,
        frame: &Utf8Bytes,
    ) -> Result<Receivers, RelayError> {
        let st = self.state.lock();
        let (room, role) = st
            .peers
            .get(from)
            .and_then(|p| Some((p.room.clone()?, p.role)))
            .ok_or(RelayError::NotInRoom)?;
        if only_from.is_some_and(|r| r != role) {
            return Err(RelayError::NotYourRole);
        }
        match to {
            Some(to) => {
                let target = st
                    .peers
                    .get(to)
                    .filter(|p| p.room.as_ref() == Some(&room) && to != from)
                    .ok_or(RelayError::UnknownPeer)?;
                if !roles_may_talk(role, target.role) {
                    return Err(RelayError::RolesDontMatch);
                }
                Ok(match &target.node {
                    Some(node) => {
                        Receivers::Elsewhere(super::remote::to_peer(&st, node, to, frame.clone()))
                    }
                    None => Receivers::One(target.tx.clone()),
                })
            }
            None => {
                let (mut members, mut elsewhere) = (Vec::new(), false);
                let counterparts = st
                    .rooms
                    .get(&room)
                    .into_iter()
                    .flat_map(|r| r.members.iter().filter(|m| &***m != from))
                    .filter_map(|m| st.peers.get(m).filter(|p| roles_may_talk(role, p.role)));
                for p in counterparts {
                    match p.node {
                        Some(_) => elsewhere = true,
                        None => members.push(p.tx.clone()),
                    }
                }
                // Members on other instances get it once per room, by the room's channel.
                let refused = elsewhere
                    && super::remote::to_room(&st, &room, from, role, frame.clone()).is_err();
                Ok(Receivers::Room { members, refused })
            }
        }
    }
}

/// Where a relay goes.
enum Receivers {
    One(Arc<Outbox>),
    /// A member on another instance: handed to the cluster under the lock, in order with the
    /// hub's events for the cluster; what that gave.
    Elsewhere(Result<usize, RelayError>),
    /// This instance's counterparts; `refused`: the copy for members elsewhere did not fit.
    Room {
        members: Vec<Arc<Outbox>>,
        refused: bool,
    },
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
