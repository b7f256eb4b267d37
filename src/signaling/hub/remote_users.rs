//! The cluster's users: every instance keeps the user connections of the others as members
//! elsewhere (a peer with a `node`), so the online list, ringing by name and busy checks work
//! as on one instance. A ring lives on its caller's instance: its frames for connections
//! elsewhere are forwarded there, and answers from elsewhere come back to it (`answer_for`),
//! where the hub's lock makes the first accept win.
use super::delivery::{leave_locked, push};
use super::online::attach_user;
use super::outgoing::{Answer, Outgoing, RemoteConn};
use super::removal::remove_locked;
use super::rings::cancelled;
use super::{encode, queue, Hub, Peer, PeerId, Role, State};
use crate::signaling::frames::error;
use crate::signaling::protocol::ServerEvent;
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;

/// Queues a ring's frame for connection `to`: a connection elsewhere gets it through its
/// instance, marked with the call so that its answers come back here.
pub(super) fn push_call(
    st: &State,
    to: &PeerId,
    frame: &Utf8Bytes,
    call: &str,
    evict: &mut Vec<PeerId>,
) {
    match st.peers.get(to).and_then(|p| p.node.clone()) {
        Some(node) => {
            let (to, frame, call) = (to.to_string(), frame.clone(), Some(call.into()));
            let _ = super::remote::send(
                st,
                Outgoing::ToPeer {
                    node,
                    to,
                    frame,
                    call,
                },
            );
        }
        None => {
            push(st, to, frame, evict);
        }
    }
}

/// A member elsewhere leaves its room; it stays as long as it is a user's connection.
pub(super) fn ghost_out(st: &mut State, id: &str, evict: &mut Vec<PeerId>) {
    if st.online.conn_user.contains_key(id) {
        leave_locked(st, id, evict);
    } else {
        remove_locked(st, id, evict);
    }
}

/// Adds a peer for a connection on instance `node` unless one exists; returns its id.
pub(super) fn ghost(
    st: &mut State,
    id: &str,
    node: &str,
    name: &str,
    role: Role,
) -> Option<PeerId> {
    if let Some((pid, p)) = st.peers.get_key_value(id) {
        return p.node.is_some().then(|| pid.clone());
    }
    // A closed queue: hub events pushed to it go nowhere.
    let (tx, _closed) = queue::queue(1, 1);
    let peer = Peer {
        tx: Arc::new(tx),
        name: name.into(),
        room: None,
        role,
        node: Some(node.into()),
    };
    let pid: PeerId = id.into();
    st.peers.insert(pid.clone(), peer);
    st.remote.ghosts += 1;
    Some(pid)
}

impl Hub {
    /// A user's connection opened on instance `node`.
    pub fn remote_conn_up(&self, node: &str, c: &RemoteConn) {
        let mut st = self.state.lock();
        if st.online.conn_user.contains_key(c.conn.as_str()) {
            return;
        }
        if let Some(pid) = ghost(&mut st, &c.conn, node, &c.name, Role::Mesh) {
            attach_user(&mut st, &pid, &c.name, &c.user, c.guest);
        }
        self.finish(&mut st, Vec::new(), false);
    }

    /// A user's connection elsewhere closed: its rings and its room hear, as for one here.
    pub fn remote_conn_down(&self, conn: &str) {
        let mut st = self.state.lock();
        if st.peers.get(conn).is_some_and(|p| p.node.is_some()) {
            self.remove(&mut st, conn);
        }
    }

    /// Instance `node`'s user connections are exactly `conns` (as its store entry says).
    pub fn sync_node_conns(&self, node: &str, conns: &[RemoteConn]) {
        let stale: Vec<PeerId> = {
            let st = self.state.lock();
            st.online
                .conn_user
                .keys()
                .filter(|c| {
                    st.peers
                        .get(*c)
                        .is_some_and(|p| p.node.as_deref() == Some(node))
                })
                .filter(|c| !conns.iter().any(|x| x.conn == ***c))
                .cloned()
                .collect()
        };
        for c in stale {
            self.remote_conn_down(&c);
        }
        for c in conns {
            self.remote_conn_up(node, c);
        }
    }

    /// This instance's user connections, for re-asserting them in the store.
    pub fn local_user_conns(&self) -> Vec<RemoteConn> {
        let st = self.state.lock();
        st.online
            .conn_user
            .iter()
            .filter(|(c, _)| st.peers.get(*c).is_some_and(|p| p.node.is_none()))
            .filter_map(|(c, u)| {
                let p = st.online.users.get(u)?;
                Some(RemoteConn {
                    conn: c.to_string(),
                    user: u.to_string(),
                    name: p.name.to_string(),
                    guest: p.guest,
                })
            })
            .collect()
    }

    /// A callee's connection elsewhere answers a call ringing from here; what the answer
    /// comes to goes back to it, as the reply it would have had here.
    pub fn answer_for(&self, conn: &str, answer: Answer, call: &str) {
        let reply = match answer {
            Answer::Accept => self.accept(conn, call).map(|room| {
                let call = call.to_owned();
                Some(encode(&ServerEvent::CallAccepted { call, room }))
            }),
            Answer::Decline => self.decline(conn, call).map(|()| None),
            Answer::Hangup => self
                .hangup(conn, call)
                .map(|()| Some(cancelled(call, "hangup"))),
        };
        let frame = match reply {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(e) => error(e.code(), &e.to_string()),
        };
        let st = self.state.lock();
        if let Some((pid, _)) = st.peers.get_key_value(conn) {
            let pid = pid.clone();
            push_call(&st, &pid, &frame, call, &mut Vec::new());
        }
    }

    /// A call accepted on another instance has private room `room`: its two users may meet
    /// in it here too.
    pub fn remote_private(&self, room: &str, allowed: &[String; 2]) {
        let mut st = self.state.lock();
        let allowed: [Arc<str>; 2] = [allowed[0].as_str().into(), allowed[1].as_str().into()];
        super::private::adopt(&mut st, room, allowed);
    }
}
