use super::*;

fn limits(per_id: usize, total: usize, total_bytes: usize) -> MailboxLimits {
    MailboxLimits {
        per_id,
        per_sender: usize::MAX,
        per_sender_bytes: usize::MAX,
        total,
        total_bytes,
        ttl: Duration::from_secs(5),
    }
}

fn mb(per_id: usize, total: usize, total_bytes: usize) -> Mailbox {
    Mailbox::new(limits(per_id, total, total_bytes))
}

#[test]
fn take_returns_in_order_and_empties() {
    let mut m = mb(10, 100, 10_000);
    let t = Instant::now();
    assert!(m.hold("b", "a", "1".into(), t).is_ok());
    assert!(m.hold("b", "a", "2".into(), t).is_ok());
    assert!(m.hold("c", "a", "3".into(), t).is_ok());
    let got: Vec<String> = m.take("b").iter().map(|f| f.to_string()).collect();
    assert_eq!(got, ["1", "2"]);
    assert!(m.take("b").is_empty());
    assert_eq!(m.len(), 1);
}

#[test]
fn bounds_per_id_total_and_bytes() {
    let mut m = mb(2, 3, 10_000);
    let t = Instant::now();
    assert!(m.hold("b", "a", "x".into(), t).is_ok() && m.hold("b", "a", "x".into(), t).is_ok());
    assert_eq!(m.hold("b", "a", "x".into(), t), Err(Refusal::ForId));
    assert!(m.hold("c", "a", "x".into(), t).is_ok());
    assert_eq!(m.hold("d", "a", "x".into(), t), Err(Refusal::Full));
    let mut small = mb(10, 10, 10);
    assert!(small.hold("b", "a", "12345678".into(), t).is_ok());
    assert_eq!(
        small.hold("b", "a", "1".into(), t),
        Err(Refusal::Full),
        "bytes"
    );
    small.take("b");
    assert!(
        small.hold("b", "a", "12345678".into(), t).is_ok(),
        "taking frees the bytes"
    );
}

#[test]
fn each_sender_has_a_quota_in_count_and_bytes() {
    let mut m = Mailbox::new(MailboxLimits {
        per_sender: 2,
        per_sender_bytes: 20,
        ..limits(10, 100, 10_000)
    });
    let t = Instant::now();
    assert!(m.hold("b", "a", "1".into(), t).is_ok() && m.hold("c", "a", "2".into(), t).is_ok());
    assert_eq!(m.hold("d", "a", "3".into(), t), Err(Refusal::FromSender));
    assert!(
        m.hold("d", "z", "3".into(), t).is_ok(),
        "others still have room"
    );
    assert_eq!(
        m.hold("e", "y", "x".repeat(20).into(), t),
        Err(Refusal::FromSender),
        "bytes"
    );
    assert_eq!(m.senders(), 2);
    m.take("b");
    assert!(
        m.hold("d", "a", "3".into(), t).is_ok(),
        "delivery frees the quota"
    );
    m.expire(t + Duration::from_secs(5));
    assert_eq!((m.len(), m.senders()), (0, 0), "expiry frees it too");
}

#[test]
fn refusals_are_told_once_per_pair_and_not_while_the_pair_waits() {
    let mut m = mb(1, 100, 10_000);
    let t = Instant::now();
    m.hold("b", "a", "1".into(), t).unwrap();
    assert!(m.holds_pair("a", "b") && !m.holds_pair("b", "a"));
    assert!(
        !m.tell_refused("a", "b", t),
        "what is held for the pair will expire and say so"
    );
    assert!(m.tell_refused("a", "c", t));
    assert!(
        !m.tell_refused("a", "c", t + Duration::from_secs(1)),
        "once"
    );
    assert!(m.tell_refused("z", "c", t), "per pair");
    m.expire(t + Duration::from_secs(5));
    assert!(
        m.tell_refused("a", "c", t + Duration::from_secs(5)),
        "again later"
    );
}

#[test]
fn expiry_reports_each_pair_once_after_the_ttl() {
    let mut m = mb(10, 100, 10_000);
    let t = Instant::now();
    m.hold("b", "a", "1".into(), t).unwrap();
    m.hold("b", "a", "2".into(), t).unwrap();
    m.hold("b", "c", "3".into(), t + Duration::from_secs(1))
        .unwrap();
    assert!(m.expire(t + Duration::from_millis(4_999)).is_empty());
    let gone = m.expire(t + Duration::from_secs(5));
    assert_eq!(gone, vec![(Arc::from("a"), Arc::from("b"))]);
    assert_eq!(m.len(), 1);
    assert_eq!(m.expire(t + Duration::from_secs(6)).len(), 1);
    assert!(m.is_empty());
    assert!(
        m.hold("b", "a", "x".repeat(9_990).into(), t).is_ok(),
        "all bytes were freed"
    );
}
