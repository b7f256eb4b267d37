//! Call by name, part one: who is online. Connections registered for a user (account or guest)
//! count that user as online; watchers get the whole list, encoded once, whenever it changes.
//!
//! This lives beside the hub's rooms under the same mutex, so presence, rings and private
//! rooms can never disagree with the rooms themselves.
use super::{encode, push, Hub, PeerId, State};
use crate::signaling::protocol::{OnlineUser, ServerEvent};
use axum::extract::ws::Utf8Bytes;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// A user's stable peer id: an account's is stored with it, a guest's lives as long as its
/// session. Distinct from the per-connection [`PeerId`].
pub type UserId = Arc<str>;

/// How long a ring lasts unless configured otherwise.
pub const DEFAULT_RING_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct Desk {
    pub(super) conn_user: HashMap<PeerId, UserId>,
    pub(super) users: HashMap<UserId, Presence>,
    pub(super) watchers: HashSet<PeerId>,
    pub(super) rings: HashMap<Arc<str>, super::ringing::Ring>,
    pub(super) private: HashMap<Arc<str>, super::private::PrivateRoom>,
    pub(super) ring_timeout: Duration,
    /// When each (caller, callee) pair rang, within the last minute.
    pub(super) ring_pairs: HashMap<(UserId, UserId), Vec<std::time::Instant>>,
    online_dirty: bool,
    /// The online list as sent, encoded once per change and shared by every watcher.
    pub(super) online_frame: Option<Utf8Bytes>,
    /// Rings by how they ended, indexed by [`RingOutcome`].
    outcomes: [u64; RingOutcome::ALL.len()],
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

impl Desk {
    /// Counts a ring's outcome; called under the hub's lock, so a plain add.
    pub(super) fn count(&mut self, outcome: RingOutcome) {
        self.outcomes[outcome as usize] += 1;
    }

    /// Whether the online list changed and watchers have yet to hear; false whenever the
    /// hub's lock is free.
    pub(super) fn online_changed_unsent(&self) -> bool {
        self.online_dirty && !self.watchers.is_empty()
    }

    /// Someone came online or went offline: watchers get a fresh list at the next flush.
    fn online_changed(&mut self) {
        self.online_dirty = true;
        self.online_frame = None;
    }
}

impl Default for Desk {
    fn default() -> Self {
        Self {
            conn_user: HashMap::new(),
            users: HashMap::new(),
            watchers: HashSet::new(),
            rings: HashMap::new(),
            private: HashMap::new(),
            ring_timeout: DEFAULT_RING_TIMEOUT,
            ring_pairs: HashMap::new(),
            online_dirty: false,
            online_frame: None,
            outcomes: [0; RingOutcome::ALL.len()],
        }
    }
}

pub(super) struct Presence {
    pub(super) name: Arc<str>,
    pub(super) guest: bool,
    /// Open connections, oldest first.
    pub(super) conns: Vec<PeerId>,
}

impl Hub {
    /// Adds a connection that belongs to a user (`user` is the user's stable peer id), so the
    /// user shows as online and can be called by name. Returns the connection's id and queue.
    pub fn register_user(&self, name: &str, user: &str, guest: bool) -> (PeerId, super::Inbox) {
        let (id, rx) = self.register(name);
        let mut st = self.state.lock();
        let key: UserId = match st.desk.users.get_key_value(user) {
            Some((k, _)) => k.clone(),
            None => user.into(),
        };
        st.desk.conn_user.insert(id.clone(), key.clone());
        let presence = st.desk.users.entry(key).or_insert_with(|| Presence {
            name: name.into(),
            guest,
            conns: Vec::new(),
        });
        presence.conns.push(id.clone());
        if presence.conns.len() == 1 {
            st.desk.online_changed();
        }
        self.finish(&mut st, Vec::new(), false);
        (id, rx)
    }

    /// How long a ring lasts before the caller hears "no answer".
    pub fn set_ring_timeout(&self, timeout: Duration) {
        self.state.lock().desk.ring_timeout = timeout;
    }

    /// Subscribes `id` to online-list updates and sends it the current list. A connection
    /// already watching gets nothing new: it has the list, and will hear every change.
    pub fn watch_online(&self, id: &str) {
        let mut st = self.state.lock();
        let Some((pid, _)) = st.peers.get_key_value(id) else {
            return;
        };
        let pid = pid.clone();
        if !st.desk.watchers.insert(pid.clone()) {
            return;
        }
        let frame = online_frame(&mut st);
        let mut evict = Vec::new();
        push(&st, &pid, &frame, &mut evict);
        self.finish(&mut st, evict, false);
    }

    /// Everyone online, sorted by name.
    pub fn online(&self) -> Vec<OnlineUser> {
        online_list(&self.state.lock())
    }

    /// Rings so far by outcome.
    pub fn ring_outcomes(&self) -> [(RingOutcome, u64); RingOutcome::ALL.len()] {
        let st = self.state.lock();
        RingOutcome::ALL.map(|o| (o, st.desk.outcomes[o as usize]))
    }

    /// Whether the user with this stable peer id has a connection open.
    pub fn is_online(&self, user: &str) -> bool {
        self.state.lock().desk.users.contains_key(user)
    }

    /// The user a connection belongs to, if it was registered for one.
    pub fn user_of(&self, id: &str) -> Option<OnlineUser> {
        let st = self.state.lock();
        let user = st.desk.conn_user.get(id)?;
        st.desk.users.get(user).map(|p| OnlineUser {
            name: p.name.to_string(),
            peer_id: user.to_string(),
            guest: p.guest,
        })
    }
}

/// A connection is going away: it stops watching, its user may go offline, and rings it was
/// part of end. Called with the lock held, before the peer itself is removed.
pub(super) fn conn_gone(st: &mut State, id: &str, evict: &mut Vec<PeerId>) {
    st.desk.watchers.remove(id);
    super::ringing::conn_gone(st, id, evict);
    let Some(user) = st.desk.conn_user.remove(id) else {
        return;
    };
    let offline = match st.desk.users.get_mut(&user) {
        Some(p) => {
            p.conns.retain(|c| &**c != id);
            p.conns.is_empty()
        }
        None => false,
    };
    if offline {
        st.desk.users.remove(&user);
        st.desk.online_changed();
        super::ringing::user_gone(st, &user, evict);
    }
}

/// Sends the online list to every watcher if it changed. Watchers too slow to take it stop
/// watching, like the room lobby's.
pub(super) fn flush_online(st: &mut State) {
    if !std::mem::take(&mut st.desk.online_dirty) || st.desk.watchers.is_empty() {
        return;
    }
    let frame = online_frame(st);
    let mut slow = Vec::new();
    for w in st.desk.watchers.iter() {
        push(st, w, &frame, &mut slow);
    }
    for id in slow {
        st.desk.watchers.remove(&id);
    }
}

pub(super) fn online_list(st: &State) -> Vec<OnlineUser> {
    let mut list: Vec<OnlineUser> = st
        .desk
        .users
        .iter()
        .map(|(id, p)| OnlineUser {
            name: p.name.to_string(),
            peer_id: id.to_string(),
            guest: p.guest,
        })
        .collect();
    // Case-insensitive by name, then by id; lowercased char by char, so nothing is allocated
    // per comparison.
    list.sort_by(|a, b| {
        lower(&a.name)
            .cmp(lower(&b.name))
            .then_with(|| a.peer_id.cmp(&b.peer_id))
    });
    list
}

fn lower(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

/// The encoded online list: built once per change, then shared (the bytes are reference
/// counted) by every watcher it goes to.
fn online_frame(st: &mut State) -> Utf8Bytes {
    if let Some(frame) = &st.desk.online_frame {
        return frame.clone();
    }
    let frame = encode(&ServerEvent::Online {
        users: online_list(st),
    });
    st.desk.online_frame = Some(frame.clone());
    frame
}

/// The connections of `user`, for pushing to all of its tabs.
pub(super) fn conns_of(st: &State, user: &str) -> Vec<PeerId> {
    st.desk
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
            .any(|m| st.desk.conn_user.get(m).is_some_and(|u| &**u == user))
    })
}
