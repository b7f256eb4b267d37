//! A connection's registration as a value: dropping it unregisters the connection, so a socket
//! task that ends in any way, a panic included, leaves no ghost behind in its room.
use super::{GracePolicy, Hub, Inbox, PeerId};
use std::sync::Arc;

pub struct Registration {
    hub: Arc<Hub>,
    id: PeerId,
    parked: bool,
}

impl Registration {
    pub fn id(&self) -> &PeerId {
        &self.id
    }

    /// The socket dropped but the connection may be resumed: park it (see `grace.rs`) instead
    /// of removing it.
    pub fn park(mut self, inbox: Inbox, policy: GracePolicy) {
        self.parked = true;
        self.hub.park(&self.id, inbox, policy);
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if !self.parked {
            self.hub.unregister(&self.id);
        }
    }
}

impl Hub {
    /// Ties connection `id` to a guard that unregisters it when dropped.
    pub fn guard(self: &Arc<Self>, id: PeerId) -> Registration {
        Registration {
            hub: self.clone(),
            id,
            parked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Hub, HubLimits, Outbound, Role};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_task_that_panics_still_leaves_its_room() {
        let hub = Arc::new(Hub::new(HubLimits::default()));
        let (a, mut ra) = hub.register("ann");
        hub.join(&a, "r", Role::Mesh).unwrap();
        let (b, _rb) = hub.register("bob");
        hub.join(&b, "r", Role::Mesh).unwrap();
        let guard = hub.guard(b.clone());
        let task = tokio::spawn(async move {
            let _registered = guard;
            panic!("a bug in a socket task");
        });
        assert!(task.await.unwrap_err().is_panic());
        assert_eq!(hub.connections(), 1);
        assert_eq!(hub.room("r").people, ["ann"]);
        let frames: Vec<String> = std::iter::from_fn(|| ra.try_recv().ok())
            .map(|Outbound::Frame(f)| f.to_string())
            .collect();
        assert!(
            frames.last().is_some_and(|f| f.contains("peer_left")),
            "{frames:?}"
        );
        assert!(hub.check_invariants().is_ok());
    }
}
