//! Call by name, part one: who is online. Connections registered for a user (account or guest)
//! count that user as online; watchers get the whole list, encoded once, whenever it changes.
//!
//! This lives beside the hub's rooms, rings (`rings.rs`) and private rooms (`private.rs`)
//! under the same mutex, so none of them can ever disagree with the rooms themselves.
use super::users::UserId;
use super::RemoteConn;
use super::{encode, push, Hub, PeerId, State};
use crate::signaling::protocol::{OnlineUser, ServerEvent};
use axum::extract::ws::Utf8Bytes;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Default)]
pub(super) struct Online {
    pub(super) conn_user: HashMap<PeerId, UserId>,
    pub(super) users: HashMap<UserId, Presence>,
    pub(super) watchers: HashSet<PeerId>,
    online_dirty: bool,
    /// The online list as sent, encoded once per change and shared by every watcher.
    pub(super) online_frame: Option<Utf8Bytes>,
}

impl Online {
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
        attach_user(&mut st, &id, name, user, guest);
        let up = RemoteConn {
            conn: id.to_string(),
            user: user.to_owned(),
            name: name.to_owned(),
            guest,
        };
        let _ = super::remote::send(&st, super::Outgoing::ConnUp(up));
        self.finish(&mut st, Vec::new(), false);
        (id, rx)
    }

    /// Subscribes `id` to online-list updates and sends it the current list. A connection
    /// already watching gets nothing new: it has the list, and will hear every change.
    pub fn watch_online(&self, id: &str) {
        let mut st = self.state.lock();
        let Some((pid, _)) = st.peers.get_key_value(id) else {
            return;
        };
        let pid = pid.clone();
        if !st.online.watchers.insert(pid.clone()) {
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

    /// Whether the user with this stable peer id has a connection open.
    pub fn is_online(&self, user: &str) -> bool {
        self.state.lock().online.users.contains_key(user)
    }

    /// The user a connection belongs to, if it was registered for one.
    pub fn user_of(&self, id: &str) -> Option<OnlineUser> {
        let st = self.state.lock();
        let user = st.online.conn_user.get(id)?;
        st.online.users.get(user).map(|p| OnlineUser {
            name: p.name.to_string(),
            peer_id: user.to_string(),
            guest: p.guest,
        })
    }
}

/// Makes connection `id` one of `user`'s; the user comes online with their first.
pub(super) fn attach_user(st: &mut State, id: &PeerId, name: &str, user: &str, guest: bool) {
    let key: UserId = match st.online.users.get_key_value(user) {
        Some((k, _)) => k.clone(),
        None => user.into(),
    };
    st.online.conn_user.insert(id.clone(), key.clone());
    let presence = st.online.users.entry(key).or_insert_with(|| Presence {
        name: name.into(),
        guest,
        conns: Vec::new(),
    });
    presence.conns.push(id.clone());
    if presence.conns.len() == 1 {
        st.online.online_changed();
    }
}

/// A connection is going away: it stops watching, and its user may go offline. Returns the
/// user if they did (their rings end: `rings::user_gone`). Called with the lock held, after
/// `rings::conn_gone` and before the peer itself is removed.
pub(super) fn conn_gone(st: &mut State, id: &str) -> Option<UserId> {
    st.online.watchers.remove(id);
    let user = st.online.conn_user.remove(id)?;
    if st.peers.get(id).is_some_and(|p| p.node.is_none()) {
        let conn = id.to_owned();
        let _ = super::remote::send(st, super::Outgoing::ConnDown { conn });
    }
    let offline = match st.online.users.get_mut(&user) {
        Some(p) => {
            p.conns.retain(|c| &**c != id);
            p.conns.is_empty()
        }
        None => false,
    };
    if !offline {
        return None;
    }
    st.online.users.remove(&user);
    st.online.online_changed();
    Some(user)
}

/// Sends the online list to every watcher if it changed. Watchers too slow to take it stop
/// watching, like the room list's.
pub(super) fn flush_online(st: &mut State) {
    if !std::mem::take(&mut st.online.online_dirty) || st.online.watchers.is_empty() {
        return;
    }
    let frame = online_frame(st);
    let mut slow = Vec::new();
    for w in st.online.watchers.iter() {
        push(st, w, &frame, &mut slow);
    }
    for id in slow {
        st.online.watchers.remove(&id);
    }
}

pub(super) fn online_list(st: &State) -> Vec<OnlineUser> {
    let mut list: Vec<OnlineUser> = st
        .online
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
    if let Some(frame) = &st.online.online_frame {
        return frame.clone();
    }
    let frame = encode(&ServerEvent::Online {
        users: online_list(st),
    });
    st.online.online_frame = Some(frame.clone());
    frame
}
