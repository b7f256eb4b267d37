//! Realm addresses (PeerJS ids) across a cluster: this hub knows which addresses other
//! instances hold, so a frame for one goes there; an address is held once in the cluster
//! (the cluster claims it in Redis before the hub binds it here).
use super::outgoing::Outgoing;
use super::{DeliverError, Hub, State, Undelivered};
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;

/// Sends `frame` to the instance that holds `addr` in `realm`; when none does, `Absent` with
/// the frame handed back (and no allocation when no other instance holds anything).
pub(super) fn to_addr(
    st: &State,
    realm: &str,
    addr: &str,
    frame: Utf8Bytes,
) -> Result<(), Undelivered> {
    let node = match st.remote.addrs.is_empty() {
        true => None,
        false => {
            let key = (Arc::<str>::from(realm), Arc::<str>::from(addr));
            st.remote.addrs.get(&key).cloned()
        }
    };
    let Some(node) = node else {
        return Err(Undelivered {
            why: DeliverError::Absent,
            frame: Some(frame),
        });
    };
    let (realm, addr) = (realm.to_owned(), addr.to_owned());
    super::remote::send(
        st,
        Outgoing::ToAddr {
            node,
            realm,
            addr,
            frame,
        },
    )
    .map_err(|()| Undelivered {
        why: DeliverError::Congested,
        frame: None,
    })
}

impl Hub {
    /// Instance `node` holds `addr` in `realm` now.
    pub fn remote_bound(&self, node: &str, realm: &str, addr: &str) {
        let mut st = self.state.lock();
        st.remote
            .addrs
            .insert((realm.into(), addr.into()), node.into());
    }

    /// Instance `node` no longer holds `addr` in `realm`.
    pub fn remote_unbound(&self, node: &str, realm: &str, addr: &str) {
        let mut st = self.state.lock();
        let key = (Arc::<str>::from(realm), Arc::<str>::from(addr));
        if st.remote.addrs.get(&key).is_some_and(|n| &**n == node) {
            st.remote.addrs.remove(&key);
        }
    }

    /// Instance `node` holds exactly `addrs` (realm, address); `None` forgets them all.
    pub fn sync_node_addrs(&self, node: &str, addrs: &[(String, String)]) {
        let mut st = self.state.lock();
        st.remote.addrs.retain(|_, n| &**n != node);
        let node: Arc<str> = node.into();
        for (realm, addr) in addrs {
            st.remote
                .addrs
                .insert((realm.as_str().into(), addr.as_str().into()), node.clone());
        }
    }

    /// Every address held here, as (realm, address), for re-asserting them in the store.
    pub fn local_addrs(&self) -> Vec<(String, String)> {
        let st = self.state.lock();
        st.realms
            .bindings()
            .map(|(realm, addr, _)| (realm.to_owned(), addr.to_owned()))
            .collect()
    }

    /// Delivers a frame another instance sent for `addr` here (never onward again).
    pub fn deliver_here(
        &self,
        realm: &str,
        addr: &str,
        frame: Utf8Bytes,
    ) -> Result<(), DeliverError> {
        self.deliver_in(realm, addr, frame, false)
            .map_err(|e| e.why)
    }
}
