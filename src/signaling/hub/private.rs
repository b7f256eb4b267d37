//! Call by name, part four: the private room an accepted call meets in. Rooms named `call-…`
//! exist only for an accepted call; only its two parties may join, one connection each, and
//! such rooms are never listed.
use super::users::{in_room, UserId};
use super::{JoinError, PeerId, State};
use crate::signaling::protocol::PRIVATE_ROOM_PREFIX;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long an accepted call's room stays reserved, and its two people count as busy, while
/// their browsers get there.
pub const ACCEPT_GRACE: Duration = Duration::from_secs(30);

/// The private rooms of accepted calls, by room name.
pub(super) type PrivateRooms = HashMap<Arc<str>, PrivateRoom>;

pub(super) struct PrivateRoom {
    pub(super) allowed: [UserId; 2],
    entered: [bool; 2],
    created: Instant,
}

/// Makes a private room for two users and returns its name.
pub(super) fn open(st: &mut State, allowed: [UserId; 2]) -> Arc<str> {
    let room: Arc<str> = loop {
        let r = format!("{PRIVATE_ROOM_PREFIX}{}", random_chars(24));
        if !st.rooms.contains_key(r.as_str()) && !st.private.contains_key(r.as_str()) {
            break r.into();
        }
    };
    let ev = super::Outgoing::Private {
        room: room.to_string(),
        allowed: [allowed[0].to_string(), allowed[1].to_string()],
    };
    let _ = super::remote::send(st, ev);
    adopt(st, &room, allowed);
    room
}

/// Reserves private room `room` for two users (here, or as another instance made it).
pub(super) fn adopt(st: &mut State, room: &str, allowed: [UserId; 2]) {
    if st.private.contains_key(room) {
        return;
    }
    let p = PrivateRoom {
        allowed,
        entered: [false; 2],
        created: Instant::now(),
    };
    st.private.insert(room.into(), p);
}

/// Forgets private rooms whose call is over: empty, and either both came and went or the
/// grace period passed. Their names can never be joined again.
pub(super) fn prune(st: &mut State) {
    let rooms = &st.rooms;
    st.private.retain(|room, p| {
        rooms.contains_key(room)
            || (p.created.elapsed() < ACCEPT_GRACE && !p.entered.iter().all(|e| *e))
    });
}

/// In an accepted call: in its room, or on the way there.
pub(super) fn in_call(st: &State, user: &UserId) -> bool {
    st.private.iter().any(|(room, p)| {
        p.allowed.iter().position(|a| a == user).is_some_and(|i| {
            in_room(st, room, user) || (!p.entered[i] && p.created.elapsed() < ACCEPT_GRACE)
        })
    })
}

/// May connection `id` join `room`? Marks a party of a private room as having arrived.
pub(super) fn may_join(st: &mut State, id: &str, room: &str) -> Result<(), JoinError> {
    if !room.starts_with(PRIVATE_ROOM_PREFIX) {
        return Ok(());
    }
    let user = st
        .online
        .conn_user
        .get(id)
        .cloned()
        .ok_or(JoinError::Private)?;
    let slot = st
        .private
        .get(room)
        .and_then(|p| p.allowed.iter().position(|a| *a == user))
        .ok_or(JoinError::Private)?;
    let others: Vec<&PeerId> = st
        .rooms
        .get(room)
        .map(|r| r.members.iter().filter(|m| &***m != id).collect())
        .unwrap_or_default();
    // One connection per party: a second tab must not take the other party's place.
    let same_user = |m: &PeerId| st.online.conn_user.get(m) == Some(&user);
    if others.iter().any(|m| same_user(m)) {
        return Err(JoinError::OtherTab);
    }
    if others.len() >= 2 {
        return Err(JoinError::Full(2));
    }
    if let Some(p) = st.private.get_mut(room) {
        p.entered[slot] = true;
    }
    Ok(())
}

/// Whether `user` is one of the two parties of private room `room`.
pub(super) fn is_party(st: &State, room: &str, user: &str) -> bool {
    st.private
        .get(room)
        .is_some_and(|p| p.allowed.iter().any(|a| &**a == user))
}

/// Whether `room` is a call's private room (kept out of room lists).
pub(super) fn is_private(room: &str) -> bool {
    room.starts_with(PRIVATE_ROOM_PREFIX)
}

/// `n` random lowercase letters and digits.
fn random_chars(n: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Callee, Hub, HubLimits, Inbox, JoinError, Outbound, RingError};
    use crate::signaling::protocol::Role;

    fn frames(rx: &mut Inbox) -> Vec<serde_json::Value> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .map(|Outbound::Frame(f)| serde_json::from_str(&f).unwrap())
            .collect()
    }

    #[test]
    fn accepted_room_is_private_and_busy_until_the_call_is_over() {
        let hub = Hub::new(HubLimits::default());
        let (a, _ra) = hub.register_user("ann", "pa", false);
        let (b, _rb) = hub.register_user("bob", "pb", false);
        let (c, _rc) = hub.register_user("carl", "pc", false);
        let ring = hub.ring(&a, Callee::Name("bob")).unwrap();
        let room = hub.accept(&b, &ring.call).unwrap();

        // Accepted but not there yet: still busy, and the room is theirs alone.
        assert_eq!(hub.ring(&c, Callee::Peer("pb")), Err(RingError::Busy));
        assert_eq!(hub.join(&c, &room, Role::Mesh), Err(JoinError::Private));
        hub.join(&a, &room, Role::Mesh).unwrap();
        hub.join(&b, &room, Role::Mesh).unwrap();
        assert!(hub.rooms().is_empty(), "never listed");
        assert_eq!(hub.room(&room).people, ["ann", "bob"]);

        // Both left: the call is over, its name is never usable again.
        hub.leave(&a);
        hub.leave(&b);
        hub.expire_rings();
        assert_eq!(hub.join(&a, &room, Role::Mesh), Err(JoinError::Private));
        assert!(hub.ring(&c, Callee::Name("bob")).is_ok());
    }

    #[test]
    fn a_second_tab_cannot_shut_the_other_party_out() {
        let hub = Hub::new(HubLimits::default());
        let (a1, _ra1) = hub.register_user("ann", "pa", false);
        let (a2, _ra2) = hub.register_user("ann", "pa", false);
        let (b, _rb) = hub.register_user("bob", "pb", false);
        let ring = hub.ring(&a1, Callee::Name("bob")).unwrap();
        let room = hub.accept(&b, &ring.call).unwrap();
        hub.join(&a1, &room, Role::Mesh).unwrap();
        assert_eq!(hub.join(&a2, &room, Role::Mesh), Err(JoinError::OtherTab));
        hub.join(&b, &room, Role::Mesh).unwrap();
        assert_eq!(hub.room(&room).people, ["ann", "bob"]);
        // Bob's seat is his even if he arrives after Ann's second tab tried.
        hub.leave(&a1);
        hub.join(&a2, &room, Role::Mesh).unwrap();
        assert_eq!(hub.room(&room).people, ["bob", "ann"]);
    }

    #[test]
    fn one_caller_rings_one_callee_only_a_few_times_a_minute() {
        let hub = Hub::new(HubLimits::default());
        let (a, _ra) = hub.register_user("ann", "pa", false);
        let (_b, _rb) = hub.register_user("bob", "pb", false);
        let (c, _rc) = hub.register_user("carl", "pc", false);
        for _ in 0..super::super::rings::RINGS_PER_PAIR {
            let call = hub.ring(&a, Callee::Name("bob")).unwrap().call;
            hub.hangup(&a, &call).unwrap();
        }
        assert_eq!(
            hub.ring(&a, Callee::Name("bob")),
            Err(RingError::RingLimited)
        );
        // The refused ring left bob free for everyone else.
        assert!(hub.ring(&c, Callee::Name("bob")).is_ok());
    }

    #[test]
    fn a_ring_nobody_answers_expires_on_both_sides() {
        let hub = Hub::new(HubLimits::default());
        hub.set_ring_timeout(std::time::Duration::from_millis(1));
        let (a, mut ra) = hub.register_user("ann", "pa", false);
        let (_b1, mut rb1) = hub.register_user("bob", "pb", false);
        let (_b2, mut rb2) = hub.register_user("bob", "pb", false);
        let call = hub.ring(&a, Callee::Name("bob")).unwrap().call;
        std::thread::sleep(std::time::Duration::from_millis(5));
        hub.expire_rings();
        assert_eq!(
            frames(&mut ra),
            [serde_json::json!({"type": "call_missed", "call": call})]
        );
        for rb in [&mut rb1, &mut rb2] {
            let got = frames(rb);
            assert_eq!(got[0]["type"], "incoming");
            assert_eq!(got[1]["reason"], "missed");
        }
    }

    #[test]
    fn connections_without_a_user_can_neither_call_nor_be_listed() {
        let hub = Hub::new(HubLimits::default());
        let (anon, _r) = hub.register("anon");
        let (_b, _rb) = hub.register_user("bob", "pb", false);
        assert_eq!(
            hub.ring(&anon, Callee::Name("bob")),
            Err(RingError::NotAUser)
        );
        assert_eq!(hub.online().len(), 1);
        assert_eq!(
            hub.join(&anon, "call-anything", Role::Mesh),
            Err(JoinError::Private)
        );
    }
}
