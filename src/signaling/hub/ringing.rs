//! Call by name, part three: ringing a user on all their tabs, and the answer. The rings
//! under way are `rings.rs`; an accepted call meets in a private room (`private.rs`).
use super::remote_users::push_call;
use super::rings::{cancelled, ring_allowed, Ring, RingOutcome, RINGS_PER_PAIR};
use super::users::{conns_of, UserId};
use super::{encode, new_id, private, push, Hub, State};
use crate::signaling::protocol::ServerEvent;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Whom to ring.
#[derive(Clone, Copy, Debug)]
pub enum Callee<'a> {
    /// A display name (usernames compare case-insensitively).
    Name(&'a str),
    /// A user's stable peer id.
    Peer(&'a str),
}

/// Why a ring did not start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RingError {
    #[error("only signed-in users and guests can call")]
    NotAUser,
    #[error("you can't call yourself")]
    SelfCall,
    #[error("not online")]
    Offline,
    #[error("already in a call")]
    Busy,
    #[error("you are already calling someone; hang up first")]
    AlreadyCalling,
    #[error("you rang this person {RINGS_PER_PAIR} times in the last minute; try again later")]
    RingLimited,
}

/// A ring that started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingStarted {
    pub call: String,
    /// The callee's display name and stable peer id.
    pub name: String,
    pub peer_id: String,
}

/// Why an answer (accept, decline, hang up) did nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnswerError {
    #[error("no such call is ringing for you")]
    UnknownCall,
}

impl Hub {
    /// Rings `callee` on every connection they have open, for the connection `id`.
    pub fn ring(&self, id: &str, callee: Callee<'_>) -> Result<RingStarted, RingError> {
        let mut st = self.state.lock();
        let caller = st
            .online
            .conn_user
            .get(id)
            .cloned()
            .ok_or(RingError::NotAUser)?;
        let (caller_conn, caller_name) =
            match (st.peers.get_key_value(id), st.online.users.get(&caller)) {
                (Some((conn, _)), Some(p)) => (conn.clone(), p.name.clone()),
                _ => return Err(RingError::NotAUser),
            };
        let target = match callee {
            Callee::Peer(p) if *p == *caller => return Err(RingError::SelfCall),
            Callee::Name(n) if n.eq_ignore_ascii_case(&caller_name) => {
                return Err(RingError::SelfCall)
            }
            Callee::Peer(p) => st.online.users.get_key_value(p).map(|(k, _)| k.clone()),
            Callee::Name(n) => st
                .online
                .users
                .iter()
                .find(|(_, p)| p.name.eq_ignore_ascii_case(n))
                .map(|(k, _)| k.clone()),
        };
        let Some(target) = target else {
            st.rings.count(RingOutcome::Offline);
            return Err(RingError::Offline);
        };
        if target == caller {
            return Err(RingError::SelfCall);
        }
        if st.rings.by_call.values().any(|r| r.caller == caller) {
            return Err(RingError::AlreadyCalling);
        }
        if !ring_allowed(&mut st, &caller, &target) {
            st.rings.count(RingOutcome::RingLimited);
            return Err(RingError::RingLimited);
        }
        if busy(&st, &target) {
            st.rings.count(RingOutcome::Busy);
            return Err(RingError::Busy);
        }
        let call: Arc<str> = loop {
            let c = new_id();
            if !st.rings.by_call.contains_key(c.as_str()) {
                break c.into();
            }
        };
        let callee_name = st
            .online
            .users
            .get(&target)
            .map(|p| p.name.to_string())
            .unwrap_or_default();
        let frame = encode(&ServerEvent::Incoming {
            call: call.to_string(),
            from_name: caller_name.to_string(),
            from_peer: caller.to_string(),
        });
        let mut evict = Vec::new();
        for c in conns_of(&st, &target) {
            push_call(&st, &c, &frame, &call, &mut evict);
        }
        let deadline = Instant::now() + st.rings.timeout;
        st.rings.by_call.insert(
            call.clone(),
            Ring {
                caller,
                caller_conn,
                callee: target.clone(),
                deadline,
            },
        );
        self.finish(&mut st, evict, false);
        Ok(RingStarted {
            call: call.to_string(),
            name: callee_name,
            peer_id: target.to_string(),
        })
    }

    /// The callee (on connection `id`) takes the call: a private room is made for the two,
    /// the caller is told where, and the callee's other tabs stop ringing. Returns the room.
    pub fn accept(&self, id: &str, call: &str) -> Result<String, AnswerError> {
        let mut st = self.state.lock();
        let ring = take_ring(&mut st, id, call, |r, u| r.callee == *u)?;
        st.rings.count(RingOutcome::Accepted);
        let room = private::open(&mut st, [ring.caller.clone(), ring.callee.clone()]);
        let mut evict = Vec::new();
        let accepted = encode(&ServerEvent::CallAccepted {
            call: call.to_owned(),
            room: room.to_string(),
        });
        push(&st, &ring.caller_conn, &accepted, &mut evict);
        let elsewhere = cancelled(call, "answered_elsewhere");
        for c in conns_of(&st, &ring.callee) {
            if &*c != id {
                push_call(&st, &c, &elsewhere, call, &mut evict);
            }
        }
        self.finish(&mut st, evict, false);
        Ok(room.to_string())
    }

    /// The callee turns the call down: the caller hears `call_declined`.
    pub fn decline(&self, id: &str, call: &str) -> Result<(), AnswerError> {
        let mut st = self.state.lock();
        let ring = take_ring(&mut st, id, call, |r, u| r.callee == *u)?;
        st.rings.count(RingOutcome::Declined);
        let mut evict = Vec::new();
        let declined = encode(&ServerEvent::CallDeclined {
            call: call.to_owned(),
        });
        push(&st, &ring.caller_conn, &declined, &mut evict);
        let withdrawn = cancelled(call, "declined");
        for c in conns_of(&st, &ring.callee) {
            if &*c != id {
                push_call(&st, &c, &withdrawn, call, &mut evict);
            }
        }
        self.finish(&mut st, evict, false);
        Ok(())
    }

    /// Either side ends a ring: the caller cancels it, or the callee declines it.
    pub fn hangup(&self, id: &str, call: &str) -> Result<(), AnswerError> {
        let is_callee = {
            let st = self.state.lock();
            let user = st.online.conn_user.get(id);
            st.rings
                .by_call
                .get(call)
                .is_some_and(|r| user == Some(&r.callee))
        };
        if is_callee {
            return self.decline(id, call);
        }
        let mut st = self.state.lock();
        let ring = take_ring(&mut st, id, call, |r, u| r.caller == *u)?;
        st.rings.count(RingOutcome::Cancelled);
        let mut evict = Vec::new();
        let frame = cancelled(call, "hangup");
        for c in conns_of(&st, &ring.callee) {
            push_call(&st, &c, &frame, call, &mut evict);
        }
        self.finish(&mut st, evict, false);
        Ok(())
    }

    /// Ends rings nobody answered in time and forgets private rooms that are over. Returns
    /// when to look again.
    pub fn expire_rings(&self) -> Instant {
        let now = Instant::now();
        let mut guard = self.state.lock();
        let st = &mut *guard;
        let due: Vec<Arc<str>> = st
            .rings
            .by_call
            .iter()
            .filter(|(_, r)| r.deadline <= now)
            .map(|(c, _)| c.clone())
            .collect();
        let mut evict = Vec::new();
        for call in due {
            if let Some(ring) = st.rings.by_call.remove(&call) {
                st.rings.count(RingOutcome::NoAnswer);
                let missed = encode(&ServerEvent::CallMissed {
                    call: call.to_string(),
                });
                push(st, &ring.caller_conn, &missed, &mut evict);
                let withdrawn = cancelled(&call, "missed");
                for c in conns_of(st, &ring.callee) {
                    push_call(st, &c, &withdrawn, &call, &mut evict);
                }
            }
        }
        private::prune(st);
        let next = st
            .rings
            .by_call
            .values()
            .map(|r| r.deadline)
            .min()
            .unwrap_or(now + st.rings.timeout);
        self.finish(st, evict, false);
        next
    }

    /// Runs [`Hub::expire_rings`] whenever a ring is due, until `shutdown`. A ring made while
    /// this sleeps is due after the sleep ends (every sleep is at most one ring timeout), so
    /// no wake-up is needed when one starts.
    pub fn spawn_ring_timer(self: &Arc<Self>, shutdown: CancellationToken) {
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(next) = hub.upgrade().map(|h| h.expire_rings()) else {
                    return;
                };
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep_until(next.into()) => {}
                }
            }
        });
    }
}

/// In a ring (either side), or in an accepted call.
fn busy(st: &State, user: &UserId) -> bool {
    st.rings
        .by_call
        .values()
        .any(|r| r.caller == *user || r.callee == *user)
        || private::in_call(st, user)
}

/// Removes and returns ring `call` if the user of connection `id` may act on it.
fn take_ring(
    st: &mut State,
    id: &str,
    call: &str,
    allowed: impl Fn(&Ring, &UserId) -> bool,
) -> Result<Ring, AnswerError> {
    let user = st
        .online
        .conn_user
        .get(id)
        .cloned()
        .ok_or(AnswerError::UnknownCall)?;
    if !st
        .rings
        .by_call
        .get(call)
        .is_some_and(|r| allowed(r, &user))
    {
        return Err(AnswerError::UnknownCall);
    }
    st.rings
        .by_call
        .remove(call)
        .ok_or(AnswerError::UnknownCall)
}
