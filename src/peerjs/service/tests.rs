use super::*;
use crate::signaling::hub::{HubLimits, Inbox, Outbound};

fn service() -> PeerJs {
    let hub = Arc::new(Hub::new(HubLimits::default()));
    PeerJs::new(hub, PeerJsOptions::default())
}

fn open(svc: &PeerJs, id: &str) -> (PeerId, Inbox) {
    let (conn, rx) = svc.register(id);
    svc.connect(&conn, id, "token").unwrap();
    (conn, rx)
}

fn frames(rx: &mut Inbox) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(Outbound::Frame(f)) = rx.try_recv() {
        out.push(f.to_string());
    }
    out
}

#[test]
fn pairs_need_a_connected_or_waiting_receiver_and_go_with_what_waited() {
    let svc = service();
    let (_a, mut ra) = open(&svc, "a");
    let (_b, _rb) = open(&svc, "b");
    svc.relay("a", Kind::Offer, "b", None);
    svc.relay("a", Kind::Offer, "ghost", None);
    svc.relay("a", Kind::Leave, "nobody", None);
    svc.relay("a", Kind::Expire, "nobody", None);
    assert_eq!(
        svc.pair_count(),
        (2, 3),
        "b, and ghost while a message waits"
    );

    svc.expire(Instant::now() + svc.options.expire_timeout);
    assert_eq!(
        frames(&mut ra),
        [r#"{"type":"EXPIRE","src":"ghost","dst":"a"}"#]
    );
    assert_eq!(
        svc.pair_count(),
        (1, 2),
        "the ghost's pair went with its messages"
    );
}

#[test]
fn a_sender_over_its_quota_hears_expire_once_and_others_still_get_room() {
    let svc = service();
    let (_a, mut ra) = open(&svc, "a");
    let (_z, mut rz) = open(&svc, "z");
    for i in 0..HELD_PER_SENDER {
        svc.relay("a", Kind::Offer, &format!("g{i}"), None);
    }
    assert!(frames(&mut ra).is_empty(), "all of those wait");
    svc.relay("a", Kind::Offer, "late", None);
    svc.relay("a", Kind::Candidate, "late", None);
    assert_eq!(
        frames(&mut ra),
        [r#"{"type":"EXPIRE","src":"late","dst":"a"}"#],
        "refused at once, and told once for the burst"
    );
    assert_eq!(svc.held_count(), (HELD_PER_SENDER, 1));
    assert_eq!(
        svc.pair_count().0,
        HELD_PER_SENDER,
        "no pair for the refused one"
    );

    svc.relay("z", Kind::Offer, "late", None);
    assert!(frames(&mut rz).is_empty(), "another sender's message waits");
    let (_late, mut rl) = open(&svc, "late");
    let got = frames(&mut rl);
    assert_eq!(got.len(), 1, "only z's message was held: {got:?}");
    assert!(got[0].contains(r#""src":"z""#));
}

#[test]
fn leaving_tells_real_partners_and_forgets_every_pair() {
    let svc = service();
    let (a, _ra) = open(&svc, "a");
    let (_b, mut rb) = open(&svc, "b");
    svc.relay("a", Kind::Offer, "b", None);
    svc.relay("a", Kind::Offer, "ghost", None);
    frames(&mut rb);
    assert!(svc.disconnect(&a, "a"));
    assert_eq!(frames(&mut rb), [r#"{"type":"LEAVE","src":"a","dst":"b"}"#]);
    assert_eq!(svc.pair_count(), (0, 0));
}
