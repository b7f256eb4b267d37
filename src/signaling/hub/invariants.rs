//! A consistency check of the hub's state, for tests and fuzzing: rooms and roles, presence
//! and the online list, rings, private rooms, realms, resume tokens, queues, and the cached
//! lists. Whatever names a connection must name a registered one: a removed connection
//! leaves no trace.
use super::delivery::summaries;
use super::{encode, grace, private, Hub, Role, ServerEvent, State};

type Check = Result<(), String>;

impl Hub {
    /// Checks the hub's internal consistency; for tests and fuzzing. Returns what is wrong.
    pub fn check_invariants(&self) -> Check {
        let st = self.state.lock();
        rooms(&st)?;
        presence(&st)?;
        rings(&st)?;
        private_rooms(&st)?;
        realms(&st)?;
        grace::check(&st)?;
        queues(&st)?;
        cached_lists(&st)
    }

    /// Every part of the state that still names connection `id`; for tests.
    #[cfg(test)]
    pub(super) fn traces(&self, id: &str) -> Vec<&'static str> {
        let st = self.state.lock();
        let online = &st.online;
        let seen = [
            ("peers", st.peers.contains_key(id)),
            (
                "room",
                st.rooms
                    .values()
                    .any(|r| r.members.iter().any(|m| &**m == id)),
            ),
            ("room list watchers", st.room_list_watchers.contains(id)),
            ("online watchers", online.watchers.contains(id)),
            ("user", online.conn_user.contains_key(id)),
            (
                "presence",
                online
                    .users
                    .values()
                    .any(|p| p.conns.iter().any(|c| &**c == id)),
            ),
            (
                "rings",
                st.rings.by_call.values().any(|r| &*r.caller_conn == id),
            ),
            ("resume", grace::names(&st, id)),
            ("realms", st.realms.bindings().any(|(_, _, c)| &**c == id)),
        ];
        seen.into_iter()
            .filter(|(_, s)| *s)
            .map(|(w, _)| w)
            .collect()
    }

    /// A connection's room and role, if it is in one; for tests and fuzzing.
    pub fn placement(&self, id: &str) -> Option<(String, Role)> {
        let st = self.state.lock();
        let p = st.peers.get(id)?;
        p.room.as_ref().map(|r| (r.to_string(), p.role))
    }
}

fn rooms(st: &State) -> Check {
    for (name, room) in &st.rooms {
        if room.members.is_empty() {
            return Err(format!("empty room {name} kept"));
        }
        for m in &room.members {
            let Some(p) = st.peers.get(m) else {
                return Err(format!("{m} in {name} is not registered"));
            };
            if p.room.as_deref() != Some(&**name) {
                return Err(format!(
                    "{m} listed in {name} but thinks it is in {:?}",
                    p.room
                ));
            }
        }
        let roles = |r: Role| {
            room.members
                .iter()
                .filter(|m| st.peers.get(*m).is_some_and(|p| p.role == r))
                .count()
        };
        if roles(Role::Talk) > 1 {
            return Err(format!("two talkers in {name}"));
        }
    }
    for (id, p) in &st.peers {
        if let Some(r) = &p.room {
            let n = st
                .rooms
                .get(r)
                .map_or(0, |room| room.members.iter().filter(|m| *m == id).count());
            if n != 1 {
                return Err(format!("{id} is in {r} {n} times"));
            }
        }
    }
    for w in &st.room_list_watchers {
        if !st.peers.contains_key(w) {
            return Err(format!("room list watcher {w} is not registered"));
        }
    }
    Ok(())
}

/// Who is online agrees with the connections: every user's connections are registered and
/// point back to it, and a user with none is offline.
fn presence(st: &State) -> Check {
    let online = &st.online;
    for (conn, user) in &online.conn_user {
        if !st.peers.contains_key(conn) {
            return Err(format!("{conn} of user {user} is not registered"));
        }
        if !online
            .users
            .get(user)
            .is_some_and(|p| p.conns.contains(conn))
        {
            return Err(format!("{conn} belongs to {user}, who does not list it"));
        }
    }
    for (user, p) in &online.users {
        if p.conns.is_empty() {
            return Err(format!("{user} is online with no connection"));
        }
        for c in &p.conns {
            if online.conn_user.get(c) != Some(user) {
                return Err(format!("{user} lists {c}, which is not theirs"));
            }
        }
    }
    for w in &online.watchers {
        if !st.peers.contains_key(w) {
            return Err(format!("online watcher {w} is not registered"));
        }
    }
    if online.online_changed_unsent() {
        return Err("the online list changed and its watchers were not told".into());
    }
    Ok(())
}

/// A ring is between two online users, rung from a live socket of the caller's; one caller
/// rings one callee at a time.
fn rings(st: &State) -> Check {
    let mut callers = std::collections::HashSet::new();
    for (call, r) in &st.rings.by_call {
        if !st.peers.contains_key(&r.caller_conn) {
            return Err(format!("ring {call}: its socket is not registered"));
        }
        if st.online.conn_user.get(&r.caller_conn) != Some(&r.caller) {
            return Err(format!("ring {call}: its socket is not the caller's"));
        }
        if !st.online.users.contains_key(&r.callee) {
            return Err(format!("ring {call}: the callee is offline"));
        }
        if r.caller == r.callee {
            return Err(format!("ring {call}: a user rings themself"));
        }
        if !callers.insert(r.caller.clone()) {
            return Err(format!("{} rings twice at once", r.caller));
        }
    }
    for (pair, times) in &st.rings.pairs {
        if times.is_empty() || times.len() > super::rings::RINGS_PER_PAIR {
            return Err(format!("{pair:?} has {} rings counted", times.len()));
        }
    }
    Ok(())
}

/// A call's room exists only for an accepted call, and holds its two parties, one
/// connection each.
fn private_rooms(st: &State) -> Check {
    for (name, room) in &st.rooms {
        if !private::is_private(name) {
            continue;
        }
        let Some(p) = st.private.get(name) else {
            return Err(format!("private room {name} with no call"));
        };
        let mut seen = [0; 2];
        for m in &room.members {
            let user = st.online.conn_user.get(m);
            match p.allowed.iter().position(|a| Some(a) == user) {
                Some(i) => seen[i] += 1,
                None => return Err(format!("{m} is in {name}, not its call")),
            }
        }
        if seen.iter().any(|n| *n > 1) {
            return Err(format!("a party is in {name} twice"));
        }
    }
    Ok(())
}

/// Every address is held by a registered connection, which joins no room and belongs to no
/// user; no realm is kept empty; the index by connection agrees with the addresses.
fn realms(st: &State) -> Check {
    if st.realms.has_empty_realm() {
        return Err("an empty realm is kept".into());
    }
    if !st.realms.index_agrees() {
        return Err("the realm index by connection disagrees with the addresses".into());
    }
    for (realm, addr, conn) in st.realms.bindings() {
        let Some(p) = st.peers.get(conn) else {
            return Err(format!(
                "{addr} in realm {realm} is held by a removed {conn}"
            ));
        };
        if p.room.is_some() {
            return Err(format!("{addr} in realm {realm} is also in a room"));
        }
        if st.online.conn_user.contains_key(conn) {
            return Err(format!("{addr} in realm {realm} is also a user's"));
        }
    }
    Ok(())
}

/// A queue's byte count matches what it holds: nothing queued counts no bytes, and only a
/// lone frame may pass the byte limit.
fn queues(st: &State) -> Check {
    for (id, p) in &st.peers {
        let (frames, bytes) = (p.tx.queued_frames(), p.tx.queued_bytes());
        if frames == 0 && bytes != 0 {
            return Err(format!("{id}: an empty queue counts {bytes} bytes"));
        }
        if bytes > p.tx.max_bytes() && frames > 1 {
            return Err(format!(
                "{id}: {frames} frames, {bytes} bytes, past the limit"
            ));
        }
    }
    Ok(())
}

/// A cached list is what encoding the state now would give: every change cleared it.
fn cached_lists(st: &State) -> Check {
    if let Some(cached) = &st.rooms_frame {
        let fresh = encode(&ServerEvent::Rooms {
            rooms: summaries(st),
        });
        if *cached != fresh {
            return Err(format!("stale room list {cached}, now {fresh}"));
        }
    }
    if let Some(cached) = &st.online.online_frame {
        let fresh = encode(&ServerEvent::Online {
            users: super::online::online_list(st),
        });
        if *cached != fresh {
            return Err(format!("stale online list {cached}, now {fresh}"));
        }
    }
    Ok(())
}
