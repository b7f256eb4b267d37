//! The PeerJS dialect over real WebSockets against a real server.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use futures_util::SinkExt;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn parse(t: &str) -> Value {
    serde_json::from_str(t).unwrap()
}

/// The refusal frame a socket opened with `query` gets, and that it is then closed.
async fn refusal(s: &TestServer, path: &str, query: &str) -> Value {
    let mut ws = peerjs_socket(s, path, query).await;
    let frame = parse(&next_text(&mut ws).await);
    assert_eq!(
        close_code(&mut ws).await,
        1000,
        "refused sockets are closed"
    );
    frame
}

#[tokio::test]
async fn relay_stamps_src_keeps_payload_bytes_and_counts_in_hub_metrics() {
    let s = start(&[]).await;
    let mut a = peerjs_open(&s, "alice", "ta").await;
    let mut b = peerjs_open(&s, "bob", "tb").await;
    // Odd spacing, key order and number formats survive only if the payload is not re-encoded.
    let payload = r#"{ "sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" ,"type":"data","connectionId":"dc_1","n":1.50,"x":[ ] }"#;
    send_text(
        &mut a,
        &format!(r#"{{"type":"OFFER","src":"mallory","dst":"bob","payload":{payload}}}"#),
    )
    .await;
    assert_eq!(
        next_text(&mut b).await,
        format!(r#"{{"type":"OFFER","src":"alice","dst":"bob","payload":{payload}}}"#)
    );
    send_text(
        &mut b,
        r#"{"type":"ANSWER","dst":"alice","payload":{"sdp":"v=0","type":"data"}}"#,
    )
    .await;
    assert_eq!(
        next_text(&mut a).await,
        r#"{"type":"ANSWER","src":"bob","dst":"alice","payload":{"sdp":"v=0","type":"data"}}"#
    );
    send_text(&mut a, r#"{"type":"CANDIDATE","dst":"bob","payload":{"candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0},"type":"data","connectionId":"dc_1"}}"#).await;
    let cand = parse(&next_text(&mut b).await);
    assert_eq!(
        (cand["type"].as_str(), cand["src"].as_str()),
        (Some("CANDIDATE"), Some("alice"))
    );
    assert_eq!(cand["payload"]["candidate"]["sdpMid"], "0");
    assert!(
        s.state.hub.metrics.relayed.load(Ordering::Relaxed) >= 3,
        "PeerJS traffic counts in the hub's metrics"
    );
}

#[tokio::test]
async fn refusals_use_the_reference_messages() {
    let s = start(&[("CONCURRENT_LIMIT", "2")]).await;
    let missing = json!({"type": "ERROR", "payload": {"msg": "No id, token, or key supplied to websocket server"}});
    for q in [
        "key=peerjs&token=t",
        "key=peerjs&id=a",
        "id=a&token=t",
        "key=peerjs&id=&token=t",
        "",
    ] {
        assert_eq!(refusal(&s, "/peerjs", q).await, missing, "query {q:?}");
    }
    let bad_key = json!({"type": "ERROR", "payload": {"msg": "Invalid key provided"}});
    assert_eq!(
        refusal(&s, "/peerjs", "key=nope&id=a&token=t").await,
        bad_key
    );

    let _one = peerjs_open(&s, "one", "t1").await;
    let _two = peerjs_open(&s, "two", "t2").await;
    let full = json!({"type": "ERROR", "payload": {"msg": "Server has reached its concurrent user limit"}});
    assert_eq!(
        refusal(&s, "/peerjs", "key=peerjs&id=three&token=t3").await,
        full
    );
    // A reconnect of a held id is not a new user: allowed at the limit.
    let _two_again = peerjs_open(&s, "two", "t2").await;

    let taken = json!({"type": "ID-TAKEN", "payload": {"msg": "ID is taken"}});
    assert_eq!(
        refusal(&s, "/peerjs", "key=peerjs&id=one&token=other").await,
        taken
    );
}

#[tokio::test]
async fn same_id_and_token_replaces_the_old_socket_without_a_leave() {
    let s = start(&[]).await;
    let mut old = peerjs_open(&s, "x", "tok").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    send_text(&mut b, r#"{"type":"OFFER","dst":"x","payload":{"n":1}}"#).await;
    assert_eq!(parse(&next_text(&mut old).await)["src"], "b");

    let mut new = peerjs_open(&s, "x", "tok").await;
    assert_eq!(close_code(&mut old).await, 1000, "the old socket is closed");
    send_text(
        &mut b,
        r#"{"type":"CANDIDATE","dst":"x","payload":{"n":2}}"#,
    )
    .await;
    assert_eq!(
        parse(&next_text(&mut new).await)["payload"]["n"],
        2,
        "the id now reaches the new socket"
    );
    send_text(&mut new, r#"{"type":"ANSWER","dst":"b","payload":{"n":3}}"#).await;
    let next = parse(&next_text(&mut b).await);
    assert_eq!(
        next["type"], "ANSWER",
        "b got no LEAVE: the id never went away"
    );
}

#[tokio::test]
async fn held_messages_arrive_on_connect() {
    let s = start(&[]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    send_text(&mut a, r#"{"type":"OFFER","dst":"late","payload":{"n":1}}"#).await;
    send_text(
        &mut a,
        r#"{"type":"CANDIDATE","dst":"late","payload":{"n":2}}"#,
    )
    .await;
    // A round trip through a's own socket orders the test after the server handled both.
    send_text(&mut a, r#"{"type":"OFFER","dst":"a","payload":"self"}"#).await;
    assert_eq!(parse(&next_text(&mut a).await)["payload"], "self");
    let mut late = peerjs_socket(&s, "/peerjs", "key=peerjs&id=late&token=tl").await;
    assert_eq!(
        next_text(&mut late).await,
        r#"{"type":"OPEN"}"#,
        "OPEN comes first"
    );
    assert_eq!(
        next_text(&mut late).await,
        r#"{"type":"OFFER","src":"a","dst":"late","payload":{"n":1}}"#
    );
    assert_eq!(parse(&next_text(&mut late).await)["payload"]["n"], 2);
}

#[tokio::test]
async fn unclaimed_messages_expire_with_one_expire_per_receiver() {
    let s = start(&[("EXPIRE_TIMEOUT", "200")]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut late = peerjs_open(&s, "late", "tl").await;
    send_text(&mut a, r#"{"type":"OFFER","dst":"ghost","payload":{}}"#).await;
    send_text(&mut a, r#"{"type":"CANDIDATE","dst":"ghost","payload":{}}"#).await;
    assert_eq!(
        next_text(&mut a).await,
        r#"{"type":"EXPIRE","src":"ghost","dst":"a"}"#
    );
    send_text(
        &mut late,
        r#"{"type":"ANSWER","dst":"a","payload":"after"}"#,
    )
    .await;
    assert_eq!(
        parse(&next_text(&mut a).await)["payload"],
        "after",
        "one EXPIRE per receiver, not per message"
    );
    assert!(s.state.peerjs.metrics.expired.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn a_disconnect_sends_leave_to_the_peers_it_signaled_only() {
    let s = start(&[]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    let mut c = peerjs_open(&s, "c", "tc").await;
    send_text(&mut a, r#"{"type":"OFFER","dst":"b","payload":{}}"#).await;
    next_text(&mut b).await;
    a.close(None).await.unwrap();
    assert_eq!(
        next_text(&mut b).await,
        r#"{"type":"LEAVE","src":"a","dst":"b"}"#
    );
    // Any LEAVE for c would have been queued before this message.
    send_text(&mut b, r#"{"type":"OFFER","dst":"c","payload":"hi"}"#).await;
    assert_eq!(
        parse(&next_text(&mut c).await)["type"],
        "OFFER",
        "c never signaled with a"
    );
    // The id is free again, under any token.
    let _a2 = peerjs_open(&s, "a", "another").await;
}

#[tokio::test]
async fn client_leave_is_relayed_and_leave_without_dst_signs_off() {
    let s = start(&[]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    let mut c = peerjs_open(&s, "c", "tc").await;
    for (dst, ws) in [("b", &mut b), ("c", &mut c)] {
        send_text(
            &mut a,
            &format!(r#"{{"type":"OFFER","dst":"{dst}","payload":{{}}}}"#),
        )
        .await;
        assert_eq!(parse(&next_text(ws).await)["type"], "OFFER");
    }
    // a ends its pairing with c itself: c hears that LEAVE, and no second one from the server.
    send_text(&mut a, r#"{"type":"LEAVE","dst":"c"}"#).await;
    assert_eq!(
        next_text(&mut c).await,
        r#"{"type":"LEAVE","src":"a","dst":"c"}"#
    );
    send_text(&mut a, r#"{"type":"LEAVE"}"#).await;
    assert_eq!(
        close_code(&mut a).await,
        1000,
        "LEAVE with no dst signs off"
    );
    assert_eq!(
        next_text(&mut b).await,
        r#"{"type":"LEAVE","src":"a","dst":"b"}"#
    );
    send_text(&mut b, r#"{"type":"OFFER","dst":"c","payload":"x"}"#).await;
    assert_eq!(parse(&next_text(&mut c).await)["type"], "OFFER");
}

#[tokio::test]
async fn heartbeats_keep_clients_alive_and_silent_ones_are_dropped() {
    let s = start(&[("ALIVE_TIMEOUT", "300"), ("PING_MS", "60000")]).await;
    let mut beating = peerjs_open(&s, "beating", "t1").await;
    let mut silent = peerjs_open(&s, "silent", "t2").await;
    let mut watcher = peerjs_open(&s, "watcher", "t3").await;
    send_text(
        &mut watcher,
        r#"{"type":"OFFER","dst":"silent","payload":{}}"#,
    )
    .await;
    // Heartbeats (and no reading) for over three times alive_timeout.
    let mut every = tokio::time::interval(Duration::from_millis(75));
    for _ in 0..14 {
        every.tick().await;
        send_text(&mut beating, r#"{"type":"HEARTBEAT"}"#).await;
        send_text(&mut watcher, r#"{"type":"HEARTBEAT"}"#).await;
    }
    assert_eq!(
        next_text(&mut watcher).await,
        r#"{"type":"LEAVE","src":"silent","dst":"watcher"}"#
    );
    assert_eq!(
        parse(&next_text(&mut silent).await)["type"],
        "OFFER",
        "its last frame before the close"
    );
    assert_eq!(close_code(&mut silent).await, 1001);
    send_text(
        &mut watcher,
        r#"{"type":"OFFER","dst":"beating","payload":"still there?"}"#,
    )
    .await;
    assert_eq!(
        parse(&next_text(&mut beating).await)["payload"],
        "still there?"
    );
}

#[tokio::test]
async fn bad_frames_never_break_later_messages_or_other_clients() {
    let s = start(&[]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    let mut b = peerjs_open(&s, "b", "tb").await;
    let mut big = peerjs_open(&s, "big", "tc").await;
    for junk in [
        "not json",
        "[1,2]",
        r#"{"type":"NOPE","dst":"b"}"#,
        r#"{"dst":"b"}"#,
        r#"{"type":7}"#,
        r#"{"type":"OFFER"}"#,
    ] {
        send_text(&mut a, junk).await;
    }
    a.send(Message::binary(vec![0xff, 0xfe, 0x00]))
        .await
        .unwrap();
    // JSON in a binary frame is accepted, as by the reference.
    a.send(Message::binary(
        br#"{"type":"OFFER","dst":"b","payload":"bin"}"#.to_vec(),
    ))
    .await
    .unwrap();
    send_text(&mut a, r#"{"type":"OFFER","dst":"b","payload":"text"}"#).await;
    assert_eq!(parse(&next_text(&mut b).await)["payload"], "bin");
    assert_eq!(parse(&next_text(&mut b).await)["payload"], "text");
    send_text(&mut b, r#"{"type":"ANSWER","dst":"a","payload":"back"}"#).await;
    assert_eq!(
        parse(&next_text(&mut a).await)["payload"],
        "back",
        "a got no ERROR for its junk"
    );

    let huge = format!(
        r#"{{"type":"OFFER","dst":"b","payload":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    big.send(Message::text(huge)).await.unwrap();
    assert_eq!(close_code(&mut big).await, 1009);
    send_text(
        &mut a,
        r#"{"type":"CANDIDATE","dst":"b","payload":"after"}"#,
    )
    .await;
    assert_eq!(parse(&next_text(&mut b).await)["payload"], "after");
}

#[tokio::test]
async fn floods_are_closed_by_the_shared_rate_limiter() {
    let s = start(&[("MSG_RATE", "5"), ("MSG_BURST", "5")]).await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    for _ in 0..400 {
        if a.send(Message::text(r#"{"type":"HEARTBEAT"}"#))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut a).await, 1008);
}

#[tokio::test]
async fn peerjs_peers_cannot_reach_room_peers() {
    let s = start(&[("EXPIRE_TIMEOUT", "100")]).await;
    let cookie = guest(&s).await;
    let (mut room, room_id, _) = join(&s, &cookie, "team", "mesh").await;
    let mut a = peerjs_open(&s, "a", "ta").await;
    send_text(
        &mut a,
        &format!(r#"{{"type":"OFFER","dst":"{room_id}","payload":{{}}}}"#),
    )
    .await;
    assert_eq!(
        parse(&next_text(&mut a).await)["type"],
        "EXPIRE",
        "nobody in the realm holds that id"
    );
    send(&mut room, json!({"type": "ping"})).await;
    assert_eq!(
        next_json(&mut room).await["type"],
        "pong",
        "the room peer got nothing"
    );
}

#[tokio::test]
async fn id_route_gives_fresh_ids_or_the_users_own() {
    let s = start(&[]).await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let r = http()
            .get(s.url("/peerjs/id?ts=1&version=1.5.5"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        let id = r.text().await.unwrap();
        assert!(
            id.len() == 16
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{id}"
        );
        assert!(seen.insert(id), "ids are unique");
    }
    let cookie = signup(&s, "carol").await;
    let own = parley::accounts::store::peer_id_of(&s.state.pool, "carol")
        .await
        .unwrap()
        .unwrap();
    for _ in 0..2 {
        let r = http()
            .get(s.url("/peerjs/id"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.text().await.unwrap(),
            own,
            "a signed-in user always gets their persisted peer id"
        );
    }
    let r = http().get(s.url("/peerjs/peers")).send().await.unwrap();
    assert_eq!(r.status(), 401, "discovery is off by default");
}

#[tokio::test]
async fn custom_path_key_and_discovery() {
    let s = start(&[
        ("PEERJS_PATH", "/signal"),
        ("PEERJS_KEY", "k2"),
        ("ALLOW_DISCOVERY", "true"),
    ])
    .await;
    assert_eq!(
        http()
            .get(s.url("/signal/k2/id"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        http()
            .get(s.url("/peerjs/id"))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "not mounted at the default"
    );
    let mut z = peerjs_socket(&s, "/signal/peerjs", "key=k2&id=zed&token=t").await;
    assert_eq!(next_text(&mut z).await, r#"{"type":"OPEN"}"#);
    let _y = {
        let mut y = peerjs_socket(&s, "/signal/peerjs", "key=k2&id=yan&token=t").await;
        assert_eq!(next_text(&mut y).await, r#"{"type":"OPEN"}"#);
        y
    };
    let bad = refusal(&s, "/signal/peerjs", "key=peerjs&id=a&token=t").await;
    assert_eq!(bad["payload"]["msg"], "Invalid key provided");
    let peers: Value = get_json(&s, "/signal/k2/peers").await;
    assert_eq!(peers, json!(["yan", "zed"]));
}
