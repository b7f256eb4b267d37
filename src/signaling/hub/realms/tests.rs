//! Claiming, replacing, releasing and delivering to realm addresses.
use super::*;
use crate::signaling::hub::HubLimits;

fn hub(queue: usize) -> Hub {
    Hub::new(HubLimits {
        queue,
        ..HubLimits::default()
    })
}

#[test]
fn claim_take_replace_release() {
    let h = hub(8);
    let (a, _ra) = h.register("a");
    let (b, mut rb) = h.register("b");
    assert_eq!(h.claim(&a, "pj", "alice", "t1", 10), Ok(Claimed::New));
    assert_eq!(h.claim(&b, "pj", "alice", "t2", 10), Err(ClaimError::Taken));
    assert_eq!(
        h.claim(&b, "other", "alice", "t2", 10),
        Ok(Claimed::New),
        "realms are separate"
    );
    assert_eq!(
        h.claim(&b, "pj", "alice", "t1", 10),
        Ok(Claimed::Replaced { old: a.clone() })
    );
    assert_eq!(h.holder("pj", "alice"), Some(b.clone()));
    assert!(
        !h.release(&a, "pj", "alice"),
        "the replaced connection no longer holds it"
    );
    h.deliver("pj", "alice", "x".into()).unwrap();
    assert!(
        matches!(rb.try_recv(), Ok(crate::signaling::hub::Outbound::Frame(f)) if f.as_str() == "x")
    );
    assert!(h.release(&b, "pj", "alice"));
    assert_eq!(
        h.deliver("pj", "alice", "y".into()),
        Err(DeliverError::Absent)
    );
    assert_eq!(h.addresses("pj"), Vec::<String>::new());
}

#[test]
fn cap_counts_addresses_but_not_replacements() {
    let h = hub(8);
    let (a, _ra) = h.register("a");
    let (b, _rb) = h.register("b");
    let (c, _rc) = h.register("c");
    h.claim(&a, "pj", "one", "s", 2).unwrap();
    h.claim(&b, "pj", "two", "s", 2).unwrap();
    assert_eq!(h.claim(&c, "pj", "three", "s", 2), Err(ClaimError::Full(2)));
    assert!(matches!(
        h.claim(&c, "pj", "two", "s", 2),
        Ok(Claimed::Replaced { .. })
    ));
    assert_eq!(h.addresses("pj"), vec!["one".to_owned(), "two".to_owned()]);
}

#[test]
fn realm_peers_cannot_reach_rooms_and_slow_receivers_are_dropped() {
    let h = hub(8);
    let (room_peer, _r) = h.register("room");
    h.join(&room_peer, "team", crate::signaling::protocol::Role::Mesh)
        .unwrap();
    assert_eq!(
        h.deliver("pj", &room_peer, "x".into()),
        Err(DeliverError::Absent)
    );

    let (slow, _keep_rx_unread) = h.register("slow");
    h.claim(&slow, "pj", "slow", "s", 10).unwrap();
    for _ in 0..8 {
        h.deliver("pj", "slow", "x".into()).unwrap();
    }
    assert_eq!(
        h.deliver("pj", "slow", "x".into()),
        Err(DeliverError::Congested)
    );
    assert_eq!(h.metrics.evicted.load(Ordering::Relaxed), 1);
    assert_eq!(
        h.deliver("pj", "slow", "x".into()),
        Err(DeliverError::Absent),
        "dropped, and its address with it"
    );
    assert_eq!(h.holder("pj", "slow"), None);
    assert!(h.release(&slow, "pj", "slow"), "free: its partners hear");
    assert!(h.check_invariants().is_ok());
}
