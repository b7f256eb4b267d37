//! Realms: named scopes of client-chosen addresses on top of the hub's connections.
//!
//! A room-dialect peer is addressed by the id the hub made for its connection and reaches only
//! its room. A realm peer picks its own address (a PeerJS id, say), proves ownership with a
//! secret (the PeerJS token), and reaches only addresses in the same realm. Realm connections
//! never join rooms, and room connections hold no realm address, so the two cannot reach each
//! other. Everything lives under the hub's one mutex, like the rest of its state.
use super::queue::Refused;
use super::{Hub, PeerId, State};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The hub's realm state: one map of addresses per realm name, and each connection's
/// addresses, so a connection that goes frees them at once.
#[derive(Default)]
pub(super) struct Realms {
    map: super::ServerKeyed<Arc<str>, Realm>,
    by_conn: super::ServerKeyed<PeerId, Vec<Place>>,
}

/// A realm's name and an address in it.
type Place = (Arc<str>, Arc<str>);

impl Realms {
    /// Addresses held, in every realm.
    pub(super) fn bound(&self) -> usize {
        self.map.values().map(|r| r.addrs.len()).sum()
    }

    /// `(realm, address, connection)` for every binding; for the invariant check.
    pub(super) fn bindings(&self) -> impl Iterator<Item = (&str, &str, &PeerId)> {
        self.map.iter().flat_map(|(realm, r)| {
            r.addrs
                .iter()
                .map(move |(addr, b)| (&**realm, &**addr, &b.conn))
        })
    }

    /// Whether some realm is kept with no address in it.
    pub(super) fn has_empty_realm(&self) -> bool {
        self.map.values().any(|r| r.addrs.is_empty())
    }

    /// Whether the index by connection lists exactly the bindings; for the invariant check.
    pub(super) fn index_agrees(&self) -> bool {
        let indexed: usize = self.by_conn.values().map(Vec::len).sum();
        indexed == self.bound()
            && self.by_conn.iter().all(|(conn, held)| {
                !held.is_empty()
                    && held.iter().all(|(realm, addr)| {
                        self.map
                            .get(realm)
                            .and_then(|r| r.addrs.get(addr))
                            .is_some_and(|b| b.conn == *conn)
                    })
            })
    }

    /// Removes the binding of `addr` in `realm`, and the realm if that empties it.
    fn unbind(&mut self, realm: &str, addr: &str) {
        let Some(r) = self.map.get_mut(realm) else {
            return;
        };
        if let Some(b) = r.addrs.remove(addr) {
            if let Some(held) = self.by_conn.get_mut(&b.conn) {
                held.retain(|(re, a)| !(**re == *realm && **a == *addr));
                if held.is_empty() {
                    self.by_conn.remove(&b.conn);
                }
            }
        }
        if r.addrs.is_empty() {
            self.map.remove(realm);
        }
    }
}

/// Frees every address `conn` holds; part of removing a connection (see `removal.rs`).
pub(super) fn forget(st: &mut State, conn: &str) {
    let Some(held) = st.realms.by_conn.remove(conn) else {
        return;
    };
    for (realm, addr) in held {
        let Some(r) = st.realms.map.get_mut(&realm) else {
            continue;
        };
        let freed = r.addrs.get(&addr).is_some_and(|b| &*b.conn == conn);
        if freed {
            r.addrs.remove(&addr);
        }
        if r.addrs.is_empty() {
            st.realms.map.remove(&realm);
        }
        if freed {
            let _ = super::remote::send(st, super::Outgoing::Unbound { realm, addr });
        }
    }
}

#[derive(Default)]
struct Realm {
    addrs: HashMap<Arc<str>, Binding>,
}

struct Binding {
    conn: PeerId,
    secret: Arc<str>,
}

/// How a claim succeeded.
#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    /// The address was free.
    New,
    /// The same secret held it on another connection, which the hub has now dropped (its
    /// queue closes, so its task ends).
    Replaced { old: PeerId },
}

/// Why a claim was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClaimError {
    #[error("address is held by someone else")]
    Taken,
    #[error("realm is full ({0} addresses is the limit)")]
    Full(usize),
    #[error("unknown connection")]
    Gone,
}

/// Why a delivery did not happen.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeliverError {
    #[error("nobody holds that address")]
    Absent,
    #[error("the receiver was not keeping up and has been dropped")]
    Congested,
}

/// A frame [`Hub::deliver_or_return`] did not deliver: why, and the frame itself when it is
/// still the caller's (nobody holds the address; a congested receiver's frame is dropped).
#[derive(Debug)]
pub struct Undelivered {
    pub why: DeliverError,
    pub frame: Option<Utf8Bytes>,
}

impl Hub {
    /// Binds `addr` in `realm` to connection `conn`. A holder with the same `secret` is
    /// replaced; one with another secret keeps it. New addresses are refused once the realm
    /// holds `cap` of them.
    pub fn claim(
        &self,
        conn: &str,
        realm: &str,
        addr: &str,
        secret: &str,
        cap: usize,
    ) -> Result<Claimed, ClaimError> {
        let mut st = self.state.lock();
        let Some((conn, _)) = st.peers.get_key_value(conn) else {
            return Err(ClaimError::Gone);
        };
        let conn = conn.clone();
        let existing = st.realms.map.get(realm).and_then(|r| r.addrs.get(addr));
        let old = match existing {
            Some(b) if *b.secret != *secret => return Err(ClaimError::Taken),
            Some(b) => Some(b.conn.clone()),
            None => {
                if st.realms.map.get(realm).map_or(0, |r| r.addrs.len()) >= cap {
                    return Err(ClaimError::Full(cap));
                }
                None
            }
        };
        if old.is_some() {
            st.realms.unbind(realm, addr);
        }
        let realm_key: Arc<str> = match st.realms.map.get_key_value(realm) {
            Some((k, _)) => k.clone(),
            None => realm.into(),
        };
        let addr: Arc<str> = addr.into();
        let binding = Binding {
            conn: conn.clone(),
            secret: secret.into(),
        };
        st.realms
            .map
            .entry(realm_key.clone())
            .or_default()
            .addrs
            .insert(addr.clone(), binding);
        let held = st.realms.by_conn.entry(conn.clone()).or_default();
        held.push((realm_key.clone(), addr.clone()));
        let bound = super::Outgoing::Bound {
            realm: realm_key,
            addr,
        };
        let _ = super::remote::send(&st, bound);
        match old {
            Some(old) if old != conn => {
                // Not an eviction: the same client came back on a new socket.
                self.remove(&mut st, &old);
                Ok(Claimed::Replaced { old })
            }
            _ => Ok(Claimed::New),
        }
    }

    /// Frees `addr` unless another connection holds it; returns whether it is free now. A
    /// connection that was replaced gets `false`, so it knows the address lives on elsewhere;
    /// one the hub dropped (its addresses went with it) gets `true`.
    pub fn release(&self, conn: &str, realm: &str, addr: &str) -> bool {
        let mut st = self.state.lock();
        let holder = st.realms.map.get(realm).and_then(|r| r.addrs.get(addr));
        match holder {
            None => true,
            Some(b) if &*b.conn != conn => false,
            Some(_) => {
                st.realms.unbind(realm, addr);
                let (realm, addr) = (realm.into(), addr.into());
                let _ = super::remote::send(&st, super::Outgoing::Unbound { realm, addr });
                true
            }
        }
    }

    /// Queues `frame` for whoever holds `addr` in `realm`. A receiver whose queue is full is
    /// dropped (as for hub events), so its own task ends and its peers hear it left.
    /// An address held on another instance of a cluster gets it there (handed to the cluster
    /// under the lock); a local receiver is looked up under the lock and the frame queued after
    /// it is released.
    pub fn deliver(&self, realm: &str, addr: &str, frame: Utf8Bytes) -> Result<(), DeliverError> {
        self.deliver_in(realm, addr, frame, true).map_err(|e| e.why)
    }

    /// [`Hub::deliver`], handing the frame back when nobody here or elsewhere holds `addr`, so
    /// the caller can keep it for later without having copied it first.
    pub fn deliver_or_return(
        &self,
        realm: &str,
        addr: &str,
        frame: Utf8Bytes,
    ) -> Result<(), Undelivered> {
        self.deliver_in(realm, addr, frame, true)
    }

    /// [`Hub::deliver`]; `onward`: to an address held elsewhere too.
    pub(super) fn deliver_in(
        &self,
        realm: &str,
        addr: &str,
        frame: Utf8Bytes,
        onward: bool,
    ) -> Result<(), Undelivered> {
        let absent = |frame| Undelivered {
            why: DeliverError::Absent,
            frame: Some(frame),
        };
        let (conn, tx) = {
            let st = self.state.lock();
            let local = st.realms.map.get(realm).and_then(|r| r.addrs.get(addr));
            let Some(conn) = local.map(|b| b.conn.clone()) else {
                return match onward {
                    true => super::remote_realms::to_addr(&st, realm, addr, frame),
                    false => Err(absent(frame)),
                };
            };
            let Some(peer) = st.peers.get(&conn) else {
                return Err(absent(frame));
            };
            (conn, peer.tx.clone())
        };
        match tx.try_send_or_return(frame) {
            Ok(()) => {
                self.metrics.relayed.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err((Refused::Full, _)) => {
                self.metrics.dropped.fetch_add(1, Ordering::Relaxed);
                // The id still names that queue (a resumed socket takes the queue over with
                // the id), or nothing if the connection is gone already.
                let mut st = self.state.lock();
                self.finish(&mut st, vec![conn], false);
                Err(Undelivered {
                    why: DeliverError::Congested,
                    frame: None,
                })
            }
            Err((Refused::Closed, frame)) => Err(absent(frame)),
        }
    }

    /// The connection holding `addr` in `realm`, if any.
    pub fn holder(&self, realm: &str, addr: &str) -> Option<PeerId> {
        let st = self.state.lock();
        st.realms
            .map
            .get(realm)
            .and_then(|r| r.addrs.get(addr))
            .map(|b| b.conn.clone())
    }

    /// Every address held in `realm`, sorted.
    pub fn addresses(&self, realm: &str) -> Vec<String> {
        let st = self.state.lock();
        let mut v: Vec<String> = st
            .realms
            .map
            .get(realm)
            .map(|r| r.addrs.keys().map(|a| a.to_string()).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests;
