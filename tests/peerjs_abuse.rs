//! The PeerJS dialect against hostile clients: made-up ids, a filled mailbox, borrowed ids,
//! and sockets opened by the hundred and left idle. Real server, real WebSockets.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use parley::peerjs::service::HELD_PER_SENDER;
use serde_json::{json, Value};

fn parse(t: &str) -> Value {
    serde_json::from_str(t).unwrap()
}

/// Sends `{"type":"OFFER","dst":a,"payload":"mark"}` from `a` to itself and reads `a` until it
/// comes back, so everything `a` sent before has been handled. Returns what came first.
async fn round_trip(a: &mut Ws, id: &str) -> Vec<Value> {
    send_text(
        a,
        &format!(r#"{{"type":"OFFER","dst":"{id}","payload":"mark"}}"#),
    )
    .await;
    let mut before = Vec::new();
    loop {
        let v = parse(&next_text(a).await);
        if v["payload"] == "mark" {
            return before;
        }
        before.push(v);
    }
}

const FAST: [(&str, &str); 2] = [("MSG_RATE", "100000"), ("MSG_BURST", "100000")];

#[tokio::test]
async fn a_flood_of_made_up_ids_leaves_bounded_state_and_leave_still_reaches_partners() {
    let s = start(&FAST).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    send_text(&mut a, r#"{"type":"OFFER","dst":"b","payload":{}}"#).await;
    assert_eq!(parse(&next_text(&mut b).await)["type"], "OFFER");

    let flood = 1_000;
    for i in 0..flood {
        let kind = ["OFFER", "ANSWER", "CANDIDATE"][i % 3];
        send_text(
            &mut a,
            &format!(r#"{{"type":"{kind}","dst":"made-up-{i}","payload":{{}}}}"#),
        )
        .await;
    }
    let answers = round_trip(&mut a, "a").await;

    let (pairs, ids) = s.state.peerjs.pair_count();
    assert!(
        pairs <= HELD_PER_SENDER + 1 && ids <= HELD_PER_SENDER + 2,
        "only b and the ids with messages waiting are remembered: {pairs} pairs, {ids} ids"
    );
    assert_eq!(
        answers.len(),
        flood - HELD_PER_SENDER,
        "every message that could not wait was answered with EXPIRE"
    );
    assert!(answers.iter().all(|v| v["type"] == "EXPIRE"));

    a.close(None).await.unwrap();
    assert_eq!(
        next_text(&mut b).await,
        r#"{"type":"LEAVE","src":"a","dst":"b"}"#
    );
    assert_eq!(
        s.state.peerjs.pair_count(),
        (0, 0),
        "a's pairs went with it"
    );
}

#[tokio::test]
async fn a_sender_over_its_mailbox_quota_hears_expire_and_others_still_get_through() {
    let s = start(&FAST).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut z = peerjs_open(&s, "z", "tz").await;
    for i in 0..HELD_PER_SENDER {
        send_text(
            &mut a,
            &format!(r#"{{"type":"OFFER","dst":"away-{i}","payload":{{}}}}"#),
        )
        .await;
    }
    // The quota is full: an offer and its candidate to one more absent id get one EXPIRE.
    send_text(
        &mut a,
        r#"{"type":"OFFER","dst":"late","payload":"from a"}"#,
    )
    .await;
    send_text(
        &mut a,
        r#"{"type":"CANDIDATE","dst":"late","payload":"from a"}"#,
    )
    .await;
    let answers = round_trip(&mut a, "a").await;
    assert_eq!(
        answers,
        [json!({"type": "EXPIRE", "src": "late", "dst": "a"})],
        "refused at once, told once"
    );
    assert_eq!(s.state.peerjs.held_count(), (HELD_PER_SENDER, 1));

    send_text(
        &mut z,
        r#"{"type":"OFFER","dst":"late","payload":"from z"}"#,
    )
    .await;
    assert!(round_trip(&mut z, "z").await.is_empty(), "z's offer waits");
    let mut late = peerjs_open(&s, "late", "tl").await;
    assert_eq!(parse(&next_text(&mut late).await)["payload"], "from z");
    send_text(
        &mut z,
        r#"{"type":"CANDIDATE","dst":"late","payload":"live"}"#,
    )
    .await;
    assert_eq!(
        parse(&next_text(&mut late).await)["payload"],
        "live",
        "nothing of a's was held for late"
    );
}
