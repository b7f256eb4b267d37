//! The room dialect over real WebSockets against a real server.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn join_relay_stamp_and_leave() {
    let s = start(&[]).await;
    let (ann, bob) = (signup(&s, "ann").await, signup(&s, "bob").await);
    let (mut a, a_id, joined_a) = join(&s, &ann, "team", "mesh").await;
    assert_eq!(joined_a["type"], "joined");
    assert_eq!(joined_a["peers"], json!([]));

    let (mut b, b_id, joined_b) = join(&s, &bob, "team", "mesh").await;
    assert_eq!(joined_b["peers"][0]["id"], a_id.as_str());
    assert_eq!(joined_b["peers"][0]["name"], "ann");
    let announced = next_json(&mut a).await;
    assert_eq!(announced["type"], "peer_joined");
    assert_eq!(announced["peer"]["name"], "bob");

    // Bob claims to be someone else; the server stamps his real id.
    send(&mut b, json!({"type": "offer", "to": a_id, "from": "mallory", "payload": {"type": "offer", "sdp": "v=0"}})).await;
    let offer = next_json(&mut a).await;
    assert_eq!(
        offer,
        json!({"type": "offer", "from": b_id, "payload": {"type": "offer", "sdp": "v=0"}})
    );

    send(
        &mut a,
        json!({"type": "answer", "to": b_id, "payload": {"type": "answer", "sdp": "v=0"}}),
    )
    .await;
    assert_eq!(next_json(&mut b).await["from"], a_id.as_str());
    send(&mut a, json!({"type": "candidate", "to": b_id, "payload": {"candidate": "c", "sdpMid": "0", "sdpMLineIndex": 0}})).await;
    assert_eq!(next_json(&mut b).await["payload"]["sdpMid"], "0");

    // Presence as JSON and in the server-rendered page.
    let room: serde_json::Value = get_json(&s, "/api/rooms/team").await;
    assert_eq!(room, json!({"name": "team", "people": ["ann", "bob"]}));
    let html = body(http().get(s.url("/r/team"))).await;
    assert!(
        html.contains("data-name=\"ann\"") && html.contains("data-name=\"bob\""),
        "presence rendered on the server"
    );

    send(&mut b, json!({"type": "leave"})).await;
    let left = next_json(&mut a).await;
    assert_eq!(
        left,
        json!({"type": "peer_left", "room": "team", "id": b_id, "name": "bob"})
    );
    let rooms: serde_json::Value = get_json(&s, "/api/rooms").await;
    assert_eq!(rooms, json!([{"name": "team", "people": ["ann"]}]));
}

#[tokio::test]
async fn closing_the_socket_tells_the_room() {
    let s = start(&[]).await;
    let (g1, g2) = (guest(&s).await, guest(&s).await);
    let (mut a, _, _) = join(&s, &g1, "r1", "mesh").await;
    let (mut b, b_id, _) = join(&s, &g2, "r1", "mesh").await;
    next_json(&mut a).await; // peer_joined
                             // A normal close is a goodbye: no resume grace (a drop without one is in tests/resume.rs).
    let bye = tokio_tungstenite::tungstenite::protocol::CloseFrame {
        code: tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Normal,
        reason: "".into(),
    };
    b.close(Some(bye)).await.unwrap();
    let left = next_json(&mut a).await;
    assert_eq!(left["type"], "peer_left");
    assert_eq!(left["id"], b_id.as_str());
}

#[tokio::test]
async fn broadcast_messages_reach_the_room_but_not_the_sender() {
    let s = start(&[]).await;
    let cookies = [guest(&s).await, guest(&s).await, guest(&s).await];
    let (mut a, a_id, _) = join(&s, &cookies[0], "call", "mesh").await;
    let (mut b, _, _) = join(&s, &cookies[1], "call", "mesh").await;
    let (mut c, _, _) = join(&s, &cookies[2], "call", "mesh").await;
    next_json(&mut a).await; // b joined
    next_json(&mut a).await; // c joined
    next_json(&mut b).await; // c joined
    send(&mut a, json!({"type": "call"})).await;
    assert_eq!(
        next_json(&mut b).await,
        json!({"type": "call", "from": a_id, "payload": null})
    );
    assert_eq!(next_json(&mut c).await["from"], a_id.as_str());
    send(&mut a, json!({"type": "ping"})).await;
    assert_eq!(
        next_json(&mut a).await["type"],
        "pong",
        "the sender does not get its own broadcast"
    );
}

#[tokio::test]
async fn cross_room_targets_are_refused_and_never_delivered() {
    let s = start(&[]).await;
    let (x, y, z) = (guest(&s).await, guest(&s).await, guest(&s).await);
    let (mut a, a_id, _) = join(&s, &x, "one", "mesh").await;
    let (mut b, b_id, _) = join(&s, &y, "one", "mesh").await;
    let (mut c, _, _) = join(&s, &z, "two", "mesh").await;
    next_json(&mut a).await; // b joined
    send(
        &mut c,
        json!({"type": "offer", "to": a_id, "payload": {"sdp": "x"}}),
    )
    .await;
    let err = next_json(&mut c).await;
    assert_eq!(err["type"], "error");
    assert_eq!(err["code"], "unknown_peer");
    // The next thing A receives is B's marker, not C's offer.
    send(&mut b, json!({"type": "bye", "to": a_id})).await;
    let got = next_json(&mut a).await;
    assert_eq!(got["type"], "bye");
    assert_eq!(got["from"], b_id.as_str());
}

/// Each bad input gets its error frame, and the connection keeps working afterwards.
#[tokio::test]
async fn bad_input_table() {
    let s = start(&[]).await;
    let cookie = guest(&s).await;
    let (mut ws, _) = connect(&s, &cookie).await;
    let cases: &[(&str, &str)] = &[
        ("{not json", "bad_json"),
        ("[1,2,3]", "missing_field"),
        (r#"{"to":"x"}"#, "missing_field"),
        (r#"{"type":42}"#, "missing_field"),
        (r#"{"type":"teleport"}"#, "unknown_type"),
        (r#"{"type":"join"}"#, "missing_field"),
        (r#"{"type":"join","room":"../etc"}"#, "bad_room"),
        (
            r#"{"type":"join","room":"r","role":"king"}"#,
            "missing_field",
        ),
        (
            r#"{"type":"offer","to":"nobody","payload":{}}"#,
            "not_in_room",
        ),
        (r#"{"type":"offer","payload":{}}"#, "needs_target"),
    ];
    for (input, code) in cases {
        ws.send(Message::text(*input)).await.unwrap();
        let e = next_json(&mut ws).await;
        assert_eq!(
            (e["type"].as_str(), e["code"].as_str()),
            (Some("error"), Some(*code)),
            "input {input}"
        );
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    send(&mut ws, json!({"type": "join", "room": "ok"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "joined");
    send(
        &mut ws,
        json!({"type": "answer", "to": "nobody", "payload": {}}),
    )
    .await;
    assert_eq!(next_json(&mut ws).await["code"], "unknown_peer");
    ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(next_json(&mut ws).await["code"], "bad_json");
    send(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "pong");
}

#[tokio::test]
async fn oversized_frames_close_with_1009_and_others_carry_on() {
    let s = start(&[]).await;
    let (c1, c2) = (guest(&s).await, guest(&s).await);
    let (mut big, _, _) = join(&s, &c1, "r", "mesh").await;
    let (mut other, _, _) = join(&s, &c2, "r", "mesh").await;
    let huge = format!(r#"{{"type":"call","payload":"{}"}}"#, "x".repeat(70 * 1024));
    big.send(Message::text(huge)).await.unwrap();
    assert_eq!(close_code(&mut big).await, 1009);
    assert_eq!(next_json(&mut other).await["type"], "peer_left");
    send(&mut other, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut other).await["type"], "pong");
}

#[tokio::test]
async fn full_rooms_refuse_with_a_clear_error() {
    let s = start(&[("ROOM_CAP", "2")]).await;
    let cs = [guest(&s).await, guest(&s).await, guest(&s).await];
    let _a = join(&s, &cs[0], "small", "mesh").await;
    let _b = join(&s, &cs[1], "small", "mesh").await;
    let (_, _, refused) = join(&s, &cs[2], "small", "mesh").await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "room_full");
    assert!(refused["message"].as_str().unwrap().contains("full"));
}

#[tokio::test]
async fn floods_are_throttled_then_closed() {
    let s = start(&[("MSG_RATE", "5"), ("MSG_BURST", "5")]).await;
    let cookie = guest(&s).await;
    let (mut ws, _) = connect(&s, &cookie).await;
    for _ in 0..5 {
        send(&mut ws, json!({"type": "ping"})).await;
    }
    for _ in 0..5 {
        assert_eq!(next_json(&mut ws).await["type"], "pong");
    }
    // Far beyond the burst: one rate_limited error, then the connection is closed.
    for _ in 0..400 {
        if ws.send(Message::text(r#"{"type":"ping"}"#)).await.is_err() {
            break;
        }
    }
    let mut saw_limit = false;
    let code = loop {
        match tokio::time::timeout(
            std::time::Duration::from_secs(10),
            futures_util::StreamExt::next(&mut ws),
        )
        .await
        {
            Ok(Some(Ok(Message::Text(t)))) => saw_limit |= t.contains("rate_limited"),
            Ok(Some(Ok(Message::Close(c)))) => break c.map(|c| u16::from(c.code)),
            Ok(Some(Ok(_))) => {}
            other => panic!("expected a close, got {other:?}"),
        }
    };
    assert!(saw_limit, "a throttled client is told why");
    assert_eq!(code, Some(1008));
}

#[tokio::test]
async fn dead_connections_are_dropped_and_the_room_is_told() {
    let s = start(&[("PING_MS", "100"), ("DEAD_AFTER_MS", "400")]).await;
    let (c1, c2) = (guest(&s).await, guest(&s).await);
    let (mut live, _, _) = join(&s, &c1, "hb", "mesh").await;
    // The silent client never reads again, so it never answers pings.
    let (_silent, silent_id, _) = join(&s, &c2, "hb", "mesh").await;
    assert_eq!(next_json(&mut live).await["type"], "peer_joined");
    let left = next_json(&mut live).await;
    assert_eq!(
        (left["type"].as_str(), left["id"].as_str()),
        (Some("peer_left"), Some(silent_id.as_str()))
    );
}

#[tokio::test]
async fn upgrades_need_a_session_and_our_origin() {
    let s = start(&[]).await;
    let req = format!("ws://{}/ws", s.addr);
    let err = tokio_tungstenite::connect_async(req.as_str())
        .await
        .unwrap_err();
    assert!(
        matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 401),
        "{err:?}"
    );

    let cookie = guest(&s).await;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut evil = req.as_str().into_client_request().unwrap();
    evil.headers_mut().insert("cookie", cookie.parse().unwrap());
    evil.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(evil).await.unwrap_err();
    assert!(
        matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 403),
        "{err:?}"
    );

    let mut forged = req.as_str().into_client_request().unwrap();
    forged.headers_mut().insert(
        "cookie",
        format!("parley_session={}", "ab".repeat(32))
            .parse()
            .unwrap(),
    );
    let err = tokio_tungstenite::connect_async(forged).await.unwrap_err();
    assert!(
        matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 401),
        "{err:?}"
    );
}

#[tokio::test]
async fn room_list_watchers_see_rooms_change() {
    let s = start(&[]).await;
    let (c1, c2) = (guest(&s).await, guest(&s).await);
    let (mut watcher, _) = connect(&s, &c1).await;
    send(&mut watcher, json!({"type": "watch_rooms"})).await;
    assert_eq!(
        next_json(&mut watcher).await,
        json!({"type": "rooms", "rooms": []})
    );
    let (_ws, _, _) = join(&s, &c2, "news", "mesh").await;
    let update = next_json(&mut watcher).await;
    assert_eq!(update["rooms"][0]["name"], "news");
    assert_eq!(update["rooms"][0]["people"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn broadcasts_allow_one_talker_and_cap_watchers() {
    let s = start(&[("WATCH_CAP", "2")]).await;
    let cs = [
        guest(&s).await,
        guest(&s).await,
        guest(&s).await,
        guest(&s).await,
        guest(&s).await,
    ];
    let (mut talker, talker_id, _) = join(&s, &cs[0], "live", "talk").await;
    let (_, _, second) = join(&s, &cs[1], "live", "talk").await;
    assert_eq!(second["code"], "room_full", "a second talker is refused");
    let (mut w1, _, j1) = join(&s, &cs[2], "live", "watch").await;
    assert_eq!(j1["peers"][0]["role"], "talk");
    let (_w2, _, _) = join(&s, &cs[3], "live", "watch").await;
    let (_, _, third) = join(&s, &cs[4], "live", "watch").await;
    assert_eq!(third["code"], "room_full");
    assert!(third["message"]
        .as_str()
        .unwrap()
        .contains("2 people is the limit"));
    // The talk/watch messages are relayed like any other.
    send(&mut w1, json!({"type": "talk_request", "to": talker_id})).await;
    loop {
        let m = next_json(&mut talker).await;
        if m["type"] == "talk_request" {
            break;
        }
        assert_eq!(m["type"], "peer_joined");
    }
}
