//! Every way a connection ends leaves no trace of it, and tells whoever must hear.
use super::{Callee, GracePolicy, Hub, HubLimits, Inbox, Outbound, PeerId, Role};
use std::sync::Arc;
use std::time::Duration;

fn kinds(rx: &mut Inbox) -> Vec<String> {
    std::iter::from_fn(|| rx.try_recv().ok())
        .map(|Outbound::Frame(f)| {
            let v: serde_json::Value = serde_json::from_str(&f).unwrap();
            v["type"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

/// Ann is everywhere a connection can be: online, watching both lists, in a room with Bob,
/// ringing Cat, holding a resume token. Returns her connection and the others' queues.
struct World {
    hub: Arc<Hub>,
    ann: PeerId,
    ann_rx: Option<Inbox>,
    bob: Inbox,
    cat: Inbox,
}

fn world(limits: HubLimits) -> World {
    let hub = Arc::new(Hub::new(limits));
    let (ann, ann_rx) = hub.register_user("ann", "pa", false);
    let (bob, mut bob_rx) = hub.register_user("bob", "pb", false);
    let (_cat, mut cat_rx) = hub.register_user("cat", "pc", true);
    hub.watch_online(&bob);
    hub.watch_rooms(&bob);
    hub.watch_online(&ann);
    hub.watch_rooms(&ann);
    hub.join(&bob, "r", Role::Mesh).unwrap();
    hub.join(&ann, "r", Role::Mesh).unwrap();
    hub.ring(&ann, Callee::Name("cat")).unwrap();
    assert!(hub.issue_resume(&ann, "s1", Default::default()).is_some());
    kinds(&mut bob_rx);
    kinds(&mut cat_rx);
    assert!(hub.check_invariants().is_ok());
    assert_eq!(hub.traces(&ann).len(), 9 - 1, "everywhere but realms");
    World {
        hub,
        ann,
        ann_rx: Some(ann_rx),
        bob: bob_rx,
        cat: cat_rx,
    }
}

impl World {
    /// Ann is gone without a trace, and Bob and Cat heard what they must.
    fn assert_ann_gone(&mut self) {
        assert_eq!(self.hub.traces(&self.ann), Vec::<&str>::new());
        assert_eq!(self.hub.check_invariants(), Ok(()));
        assert!(!self.hub.is_online("pa"));
        assert_eq!(self.hub.room("r").people, ["bob"]);
        let bob = kinds(&mut self.bob);
        for k in ["peer_left", "rooms", "online"] {
            assert!(bob.iter().any(|b| b == k), "bob hears {k}: {bob:?}");
        }
        assert_eq!(kinds(&mut self.cat), ["call_cancelled"]);
    }

    fn park(&mut self, grace: Duration) {
        let policy = GracePolicy {
            grace,
            per_session: 4,
        };
        let inbox = self.ann_rx.take().unwrap();
        self.hub.park(&self.ann, inbox, policy);
        assert_eq!(self.hub.parked(), 1);
    }
}

#[tokio::test]
async fn a_closed_socket() {
    let mut w = world(HubLimits::default());
    w.hub.unregister(&w.ann);
    w.assert_ann_gone();
}

#[tokio::test]
async fn a_task_that_panics() {
    let mut w = world(HubLimits::default());
    let guard = w.hub.guard(w.ann.clone());
    let task = tokio::spawn(async move {
        let _registered = guard;
        panic!("a bug in a socket task");
    });
    assert!(task.await.unwrap_err().is_panic());
    w.assert_ann_gone();
}

#[tokio::test(start_paused = true)]
async fn a_resume_grace_that_runs_out() {
    let mut w = world(HubLimits::default());
    w.park(Duration::from_secs(5));
    assert_eq!(
        w.hub.traces(&w.ann),
        [
            "peers",
            "room",
            "room list watchers",
            "online watchers",
            "user",
            "presence",
            "rings",
            "resume"
        ]
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(w.hub.parked(), 0);
    w.assert_ann_gone();
}

#[tokio::test]
async fn a_session_that_ends() {
    let mut w = world(HubLimits::default());
    w.park(Duration::from_secs(60));
    w.hub.close_session("s1");
    w.assert_ann_gone();
}

#[tokio::test]
async fn an_eviction() {
    let mut w = world(HubLimits {
        queue: 8,
        ..HubLimits::default()
    });
    let mut others = Vec::new();
    while w.hub.traces(&w.ann).contains(&"peers") {
        let (c, rx) = w.hub.register(&format!("c{}", others.len()));
        w.hub.join(&c, "r", Role::Mesh).ok();
        w.hub.leave(&c);
        others.push(rx);
        kinds(&mut w.bob);
        assert!(others.len() < 20, "ann never overflowed");
    }
    assert!(
        w.hub
            .metrics
            .evicted
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    );
    assert_eq!(w.hub.traces(&w.ann), Vec::<&str>::new());
    assert_eq!(w.hub.check_invariants(), Ok(()));
    assert!(!w.hub.is_online("pa"));
    assert_eq!(kinds(&mut w.cat), ["call_cancelled"]);
}

#[tokio::test]
async fn a_realm_connection_replaced_or_closed() {
    let hub = Hub::new(HubLimits::default());
    let (old, _old_rx) = hub.register("x");
    hub.claim(&old, "pj", "x", "t", 10).unwrap();
    hub.claim(&old, "other", "y", "t", 10).unwrap();
    let (new, mut new_rx) = hub.register("x");
    hub.claim(&new, "pj", "x", "t", 10).unwrap();
    assert_eq!(
        hub.traces(&old),
        Vec::<&str>::new(),
        "its other address went too"
    );
    assert_eq!(hub.addresses("other"), Vec::<String>::new());
    assert_eq!(hub.check_invariants(), Ok(()));
    assert!(new_rx.try_recv().is_err());
    hub.unregister(&new);
    assert_eq!(hub.traces(&new), Vec::<&str>::new());
    assert_eq!(hub.check_invariants(), Ok(()));
}
