//! Resuming a dropped connection. Every room-dialect connection made by a session holds a
//! resume token. When its socket drops, the connection is parked: it stays in its room, online
//! and subscribed, and its queue keeps filling (up to its usual bounds), so nobody hears it left.
//! A socket of the same session that presents the token within the grace period takes over the
//! id, room, role and queue; when the grace ends first, the connection is removed through
//! [`Hub::unregister`] like any other, and its room hears `peer_left`.
//!
//! Tokens are kept only as SHA-256 hashes and looked up by hash, so neither a copy of this map
//! nor the timing of a lookup gives one away; each works once.
use super::{Hub, Inbox, PeerId, State};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

type TokenHash = [u8; 32];

#[derive(Default)]
pub(super) struct Grace {
    /// Outstanding tokens, by hash, naming their connection.
    tickets: HashMap<TokenHash, PeerId>,
    conns: HashMap<PeerId, Conn>,
    /// Tells one parking from a later one of the same connection.
    parkings: u64,
}

struct Conn {
    /// The session (its cookie's key) that may resume it.
    session: Arc<str>,
    ticket: TokenHash,
    attached: Attached,
}

enum Attached {
    /// A socket serves it. Cancelling `stop` ends that socket, which then hands the queue to
    /// `handover` (a resume that arrived before the server noticed the drop).
    Live {
        stop: CancellationToken,
        handover: Option<oneshot::Sender<Inbox>>,
    },
    /// Its socket dropped; it waits here for a resume until its timer fires.
    Parked { inbox: Inbox, n: u64 },
}

/// How long a dropped connection waits, and how many one session may have waiting.
#[derive(Debug, Clone, Copy)]
pub struct GracePolicy {
    pub grace: Duration,
    pub per_session: usize,
}

/// A valid resume token's connection.
pub enum Resumed {
    /// Its queue, ready to serve.
    Ready(PeerId, Inbox),
    /// Its old socket is still open (the drop was not noticed yet): the queue comes once that
    /// socket has stopped.
    Pending(PeerId, oneshot::Receiver<Inbox>),
}

impl Hub {
    /// Gives connection `id`, made by `session`, a resume token (replacing any earlier one).
    /// `stop` ends its socket should another socket resume it. `None` if `id` is gone.
    pub fn issue_resume(&self, id: &str, session: &str, stop: CancellationToken) -> Option<String> {
        let token = new_token();
        let mut st = self.state.lock();
        let pid = st.peers.get_key_value(id)?.0.clone();
        let g = &mut st.grace;
        if let Some(old) = g.conns.remove(&pid) {
            g.tickets.remove(&old.ticket);
        }
        let ticket = digest(&token);
        g.tickets.insert(ticket, pid.clone());
        let attached = Attached::Live {
            stop,
            handover: None,
        };
        g.conns.insert(
            pid,
            Conn {
                session: session.into(),
                ticket,
                attached,
            },
        );
        Some(token)
    }

    /// Takes over the connection `token` was issued for, if `session` made it and it has not
    /// been resumed or removed since. Returns it with its next token; `stop` ends the new socket
    /// should it be resumed in turn.
    pub fn resume(
        &self,
        token: &str,
        session: &str,
        stop: CancellationToken,
    ) -> Option<(Resumed, String)> {
        let next = new_token();
        let mut st = self.state.lock();
        let Grace { tickets, conns, .. } = &mut st.grace;
        let hash = digest(token);
        let id = tickets.get(&hash)?.clone();
        let conn = conns.get_mut(&id)?;
        // Another session's token is no use: it stays valid for its own session.
        if *conn.session != *session {
            return None;
        }
        tickets.remove(&hash);
        conn.ticket = digest(&next);
        tickets.insert(conn.ticket, id.clone());
        let live = Attached::Live {
            stop,
            handover: None,
        };
        let (resumed, old_stop) = match std::mem::replace(&mut conn.attached, live) {
            Attached::Parked { inbox, .. } => (Resumed::Ready(id, inbox), None),
            Attached::Live { stop: old, .. } => {
                let (tx, rx) = oneshot::channel();
                if let Attached::Live { handover, .. } = &mut conn.attached {
                    *handover = Some(tx);
                }
                (Resumed::Pending(id, rx), Some(old))
            }
        };
        drop(st);
        if let Some(old) = old_stop {
            old.cancel();
        }
        Some((resumed, next))
    }

    /// Connection `id`'s socket dropped: park it for `policy.grace` with its queue, or hand
    /// the queue to a socket already resuming it. Without a resume token it is removed now.
    pub fn park(self: &Arc<Self>, id: &str, inbox: Inbox, policy: GracePolicy) {
        let mut st = self.state.lock();
        let Some(conn) = st.grace.conns.get_mut(id) else {
            drop(st);
            self.unregister(id);
            return;
        };
        let mut inbox = inbox;
        if let Attached::Live { handover, .. } = &mut conn.attached {
            if let Some(tx) = handover.take() {
                match tx.send(inbox) {
                    Ok(()) => return,
                    // The resuming socket gave up waiting: park as usual.
                    Err(back) => inbox = back,
                }
            }
        }
        let session = conn.session.clone();
        // Only a call is worth holding a place for: a socket in no room simply goes.
        if st.peers.get(id).is_none_or(|p| p.room.is_none()) {
            drop(st);
            self.unregister(id);
            return;
        }
        st.grace.parkings += 1;
        let n = st.grace.parkings;
        if let Some(conn) = st.grace.conns.get_mut(id) {
            conn.attached = Attached::Parked { inbox, n };
        }
        let Some(pid) = st.peers.get_key_value(id).map(|(k, _)| k.clone()) else {
            // Evicted meanwhile: nothing to wait for.
            drop(st);
            self.unregister(id);
            return;
        };
        let over = over_limit(&st, &session, policy.per_session);
        drop(st);
        for old in over {
            self.unregister(&old);
        }
        let hub = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(policy.grace).await;
            hub.expire(&pid, n);
        });
    }

    /// Ends parking `n` of `id` if it is still waiting.
    fn expire(&self, id: &str, n: u64) {
        let waiting = {
            let mut st = self.state.lock();
            let waiting = matches!(
                st.grace.conns.get(id),
                Some(Conn { attached: Attached::Parked { n: m, .. }, .. }) if *m == n
            );
            if waiting {
                forget(&mut st, id);
            }
            waiting
        };
        if waiting {
            self.unregister(id);
        }
    }

    /// Removes at once every connection of `session` that waits for a resume (the session
    /// ended: nobody may resume them).
    pub(super) fn end_parked(&self, session: &str) {
        let gone: Vec<PeerId> = {
            let st = self.state.lock();
            st.grace
                .conns
                .iter()
                .filter(|(_, c)| {
                    *c.session == *session && matches!(c.attached, Attached::Parked { .. })
                })
                .map(|(id, _)| id.clone())
                .collect()
        };
        for id in gone {
            self.unregister(&id);
        }
    }

    /// Connections waiting for a resume.
    pub fn parked(&self) -> usize {
        let st = self.state.lock();
        let parked = |c: &&Conn| matches!(c.attached, Attached::Parked { .. });
        st.grace.conns.values().filter(parked).count()
    }
}

/// The oldest parked connections of `session` beyond `limit` (counting the newest), which
/// make way: a client dropping and reopening sockets in a loop cannot pile up queues.
fn over_limit(st: &State, session: &str, limit: usize) -> Vec<PeerId> {
    let mut mine: Vec<(u64, PeerId)> = st
        .grace
        .conns
        .iter()
        .filter_map(|(id, c)| match c.attached {
            Attached::Parked { n, .. } if *c.session == *session => Some((n, id.clone())),
            _ => None,
        })
        .collect();
    let extra = mine.len().saturating_sub(limit.max(1));
    mine.sort_unstable_by_key(|(n, _)| *n);
    mine.into_iter().take(extra).map(|(_, id)| id).collect()
}

/// Drops `id`'s token and parked queue; called with the lock held whenever it is removed.
pub(super) fn forget(st: &mut State, id: &str) {
    if let Some(c) = st.grace.conns.remove(id) {
        st.grace.tickets.remove(&c.ticket);
    }
}

/// Every token names a connection that is registered and holds that token; every parked
/// connection is in a room (only a call is worth waiting for). For the invariant check.
pub(super) fn check(st: &State) -> Result<(), String> {
    let g = &st.grace;
    if g.tickets.len() != g.conns.len() {
        return Err(format!(
            "{} resume tokens for {} connections",
            g.tickets.len(),
            g.conns.len()
        ));
    }
    for (hash, id) in &g.tickets {
        if g.conns.get(id).is_none_or(|c| c.ticket != *hash) {
            return Err(format!("a resume token of {id} is not its current one"));
        }
    }
    for (id, c) in &g.conns {
        let Some(p) = st.peers.get(id) else {
            return Err(format!("resumable {id} is not registered"));
        };
        if matches!(c.attached, Attached::Parked { .. }) && p.room.is_none() {
            return Err(format!("parked {id} is in no room"));
        }
    }
    Ok(())
}

/// Whether a token or a parked queue names `id`; for tests.
#[cfg(test)]
pub(super) fn names(st: &State, id: &str) -> bool {
    st.grace.conns.contains_key(id) || st.grace.tickets.values().any(|c| &**c == id)
}

fn digest(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// 43 characters of letters and digits: about 256 bits.
fn new_token() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 43)
}
