//! The PeerJS dialect against hostile clients: made-up ids, a filled mailbox, borrowed ids,
//! and sockets opened by the hundred and left idle. Real server, real WebSockets.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use parley::peerjs::service::HELD_PER_SENDER;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn parse(t: &str) -> Value {
    serde_json::from_str(t).unwrap()
}

/// The refusal frame a socket opened with `query` gets, and that it is then closed.
async fn refusal(s: &TestServer, query: &str) -> Value {
    let mut ws = peerjs_socket(s, "/peerjs", query).await;
    let frame = parse(&next_text(&mut ws).await);
    assert_ne!(frame["type"], "OPEN", "{query} should be refused");
    assert_eq!(
        close_code(&mut ws).await,
        1000,
        "refused sockets are closed"
    );
    frame
}

/// A PeerJS socket for `id` opened with the session `cookie`; returns its first frame.
async fn claim_with(s: &TestServer, id: &str, cookie: &str) -> String {
    let mut req = format!("ws://{}/peerjs?key=peerjs&id={id}&token=t1", s.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    next_text(&mut ws).await
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

/// Waits until `f` holds (at most 10 s). Only for state no frame reports, such as a socket's
/// slot being given back after its task has ended.
async fn until(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
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

#[tokio::test]
async fn a_guest_sessions_peer_id_is_claimed_only_with_that_session() {
    let s = start(&[]).await;
    let cookie = guest(&s).await;
    let own = body(http().get(s.url("/peerjs/id")).header("cookie", &cookie)).await;
    let query = format!("key=peerjs&id={own}&token=t1");
    assert_eq!(
        refusal(&s, &query).await["type"],
        "ID-TAKEN",
        "a stranger cannot take the guest's id"
    );
    let other = guest(&s).await;
    assert_eq!(
        parse(&claim_with(&s, &own, &other).await)["type"],
        "ID-TAKEN",
        "nor can another guest"
    );
    assert_eq!(claim_with(&s, &own, &cookie).await, r#"{"type":"OPEN"}"#);
}

#[tokio::test]
async fn an_accounts_peer_id_is_claimed_only_with_its_session() {
    let s = start(&[]).await;
    let cookie = signup(&s, "dora").await;
    let own = parley::accounts::store::peer_id_of(&s.state.pool, "dora")
        .await
        .unwrap()
        .unwrap();
    let refused = refusal(&s, &format!("key=peerjs&id={own}&token=t1")).await;
    assert_eq!(
        refused["type"], "ID-TAKEN",
        "a stranger cannot take dora's id"
    );
    assert_eq!(
        claim_with(&s, &own, &cookie).await,
        r#"{"type":"OPEN"}"#,
        "dora herself can"
    );
}

#[tokio::test]
async fn sockets_per_address_are_capped_and_given_back() {
    let s = start(&[("SOCKETS_PER_IP", "2")]).await;
    let _a = peerjs_open(&s, "a", "ta").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    let ips = &s.state.throttles.sockets_ip;
    assert_eq!(ips.count("127.0.0.1"), 2, "counted with the room sockets");
    assert_eq!(
        refusal(&s, "key=peerjs&id=c&token=tc").await,
        json!({"type": "ERROR", "payload": {"msg": "Too many connections from your address"}})
    );
    b.close(None).await.unwrap();
    until("b's slot is free", || ips.count("127.0.0.1") == 1).await;
    let _c = peerjs_open(&s, "c", "tc").await;
}

#[tokio::test]
async fn a_socket_that_only_answers_pings_is_dropped_after_alive_timeout() {
    let s = start(&[("ALIVE_TIMEOUT", "400"), ("PING_MS", "100")]).await;
    let mut idle = peerjs_open(&s, "idle", "t").await;
    // Reading answers the server's pings, as a browser does; it sends nothing else. Pings
    // arrive all the time, so `close_code`'s own per-frame timeout would never fire.
    let closed = tokio::time::timeout(Duration::from_secs(10), close_code(&mut idle)).await;
    assert_eq!(closed.expect("an idle socket is still open"), 1001);
    let _again = peerjs_open(&s, "idle", "t2").await;
}
