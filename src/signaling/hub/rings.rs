//! Call by name, part two: the rings under way, and how rings ended. Ringing itself (starting
//! a ring, the answers, the timer) is `ringing.rs`; this is its state, and what happens to a
//! ring when a socket or a user goes away.
use super::users::{conns_of, UserId};
use super::{encode, push, Hub, PeerId, State};
use crate::signaling::protocol::ServerEvent;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a ring lasts unless configured otherwise.
pub const DEFAULT_RING_TIMEOUT: Duration = Duration::from_secs(30);

/// Rings one caller may start to one callee per [`RING_WINDOW`]: enough to retry a missed call,
/// too few to keep someone permanently busy.
pub const RINGS_PER_PAIR: usize = 3;
pub const RING_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// The rings under way, by call id, and what limits and counts them.
pub(super) struct Rings {
    pub(super) by_call: HashMap<Arc<str>, Ring>,
    pub(super) timeout: Duration,
    /// When each (caller, callee) pair rang, within the last minute.
    pub(super) pairs: HashMap<(UserId, UserId), Vec<Instant>>,
    /// Rings by how they ended, indexed by [`RingOutcome`].
    outcomes: [u64; RingOutcome::ALL.len()],
}

impl Default for Rings {
    fn default() -> Self {
        Self {
            by_call: HashMap::new(),
            timeout: DEFAULT_RING_TIMEOUT,
            pairs: HashMap::new(),
            outcomes: [0; RingOutcome::ALL.len()],
        }
    }
}

impl Rings {
    /// Counts a ring's outcome; called under the hub's lock, so a plain add.
    pub(super) fn count(&mut self, outcome: RingOutcome) {
        self.outcomes[outcome as usize] += 1;
    }
}

pub(super) struct Ring {
    pub(super) caller: UserId,
    /// The socket that rang: it alone hears how the ring ends.
    pub(super) caller_conn: PeerId,
    pub(super) callee: UserId,
    pub(super) deadline: Instant,
}

/// How a ring ended, or why it never started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingOutcome {
    Accepted,
    Declined,
    Busy,
    NoAnswer,
    Offline,
    Cancelled,
    RingLimited,
}

impl RingOutcome {
    pub const ALL: [RingOutcome; 7] = [
        Self::Accepted,
        Self::Declined,
        Self::Busy,
        Self::NoAnswer,
        Self::Offline,
        Self::Cancelled,
        Self::RingLimited,
    ];

    /// The `outcome` label in `/metrics`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Busy => "busy",
            Self::NoAnswer => "no_answer",
            Self::Offline => "offline",
            Self::Cancelled => "cancelled",
            Self::RingLimited => "ring_limited",
        }
    }
}

impl Hub {
    /// How long a ring lasts before the caller hears "no answer".
    pub fn set_ring_timeout(&self, timeout: Duration) {
        self.state.lock().rings.timeout = timeout;
    }

    /// Rings so far by outcome.
    pub fn ring_outcomes(&self) -> [(RingOutcome, u64); RingOutcome::ALL.len()] {
        let st = self.state.lock();
        RingOutcome::ALL.map(|o| (o, st.rings.outcomes[o as usize]))
    }
}

/// Counts a ring from `caller` to `callee` unless the pair used up its rings for the window.
/// Pairs whose rings all fell out of the window are forgotten, so the map stays small.
pub(super) fn ring_allowed(st: &mut State, caller: &UserId, callee: &UserId) -> bool {
    let now = Instant::now();
    let recent = |t: &Instant| now.duration_since(*t) < RING_WINDOW;
    st.rings.pairs.retain(|_, times| {
        times.retain(recent);
        !times.is_empty()
    });
    let times = st
        .rings
        .pairs
        .entry((caller.clone(), callee.clone()))
        .or_default();
    if times.len() >= RINGS_PER_PAIR {
        return false;
    }
    times.push(now);
    true
}

/// The `call_cancelled` frame for `call`.
pub(super) fn cancelled(call: &str, reason: &str) -> axum::extract::ws::Utf8Bytes {
    encode(&ServerEvent::CallCancelled {
        call: call.to_owned(),
        reason: reason.to_owned(),
    })
}

/// The ringing socket closed: the callee stops ringing.
pub(super) fn conn_gone(st: &mut State, id: &str, evict: &mut Vec<PeerId>) {
    let gone: Vec<Arc<str>> = st
        .rings
        .by_call
        .iter()
        .filter(|(_, r)| &*r.caller_conn == id)
        .map(|(c, _)| c.clone())
        .collect();
    for call in gone {
        if let Some(ring) = st.rings.by_call.remove(&call) {
            st.rings.count(RingOutcome::Cancelled);
            let frame = cancelled(&call, "hangup");
            for c in conns_of(st, &ring.callee) {
                super::remote_users::push_call(st, &c, &frame, &call, evict);
            }
        }
    }
}

/// The callee closed their last socket: the caller hears no answer.
pub(super) fn user_gone(st: &mut State, user: &UserId, evict: &mut Vec<PeerId>) {
    let gone: Vec<Arc<str>> = st
        .rings
        .by_call
        .iter()
        .filter(|(_, r)| r.callee == *user)
        .map(|(c, _)| c.clone())
        .collect();
    for call in gone {
        if let Some(ring) = st.rings.by_call.remove(&call) {
            st.rings.count(RingOutcome::NoAnswer);
            let frame = encode(&ServerEvent::CallMissed {
                call: call.to_string(),
            });
            push(st, &ring.caller_conn, &frame, evict);
        }
    }
}
