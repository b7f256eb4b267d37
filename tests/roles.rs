//! Role rules over real sockets: mesh peers reach mesh peers, a talker its watchers and the
//! watchers their talker; nobody else reaches anybody.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_watcher_cannot_reach_a_mesh_room() {
    let s = start(&[]).await;
    let cs = [guest(&s).await, guest(&s).await, guest(&s).await];
    let (mut a, a_id, _) = join(&s, &cs[0], "team", "mesh").await;
    let (mut b, b_id, _) = join(&s, &cs[1], "team", "mesh").await;
    let (mut w, _, joined) = join(&s, &cs[2], "team", "watch").await;
    assert_eq!(
        joined["type"], "joined",
        "watching is allowed, reaching is not"
    );
    assert_eq!(next_json(&mut a).await["type"], "peer_joined");
    let w_id = next_json(&mut a).await["peer"]["id"].clone();
    next_json(&mut b).await; // the watcher joined

    send(
        &mut w,
        json!({"type": "offer", "to": a_id, "payload": {"type": "offer", "sdp": "v=0"}}),
    )
    .await;
    let e = next_json(&mut w).await;
    assert_eq!(
        (e["type"].as_str(), e["code"].as_str()),
        (Some("error"), Some("wrong_role"))
    );
    // A room-wide call from the watcher reaches no mesh peer.
    send(&mut w, json!({"type": "call"})).await;
    send(&mut w, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut w).await["type"], "pong");
    // A mesh peer cannot reach the watcher either.
    send(&mut a, json!({"type": "answer", "to": w_id, "payload": {}})).await;
    assert_eq!(next_json(&mut a).await["code"], "wrong_role");

    // The next thing A hears is B, not the watcher's offer or call.
    send(&mut b, json!({"type": "bye", "to": a_id})).await;
    let got = next_json(&mut a).await;
    assert_eq!(
        (got["type"].as_str(), got["from"].as_str()),
        (Some("bye"), Some(b_id.as_str()))
    );
}

#[tokio::test]
async fn only_the_talker_announces_and_only_its_watchers_hear() {
    let s = start(&[]).await;
    let cs = [
        guest(&s).await,
        guest(&s).await,
        guest(&s).await,
        guest(&s).await,
    ];
    let (mut t, t_id, _) = join(&s, &cs[0], "show", "talk").await;
    let (mut w1, w1_id, _) = join(&s, &cs[1], "show", "watch").await;
    let (mut w2, _, _) = join(&s, &cs[2], "show", "watch").await;
    let (mut m, _, _) = join(&s, &cs[3], "show", "mesh").await;
    for _ in 0..3 {
        assert_eq!(next_json(&mut t).await["type"], "peer_joined");
    }
    next_json(&mut w1).await; // w2 joined
    next_json(&mut w1).await; // m joined
    next_json(&mut w2).await; // m joined

    let refused = |kind: &'static str| (kind, json!({"type": kind}));
    for (ws, (kind, msg)) in [
        (&mut w1, refused("talk_ready")),
        (&mut m, refused("end_talk")),
        (&mut t, refused("talk_request")),
    ] {
        send(ws, msg).await;
        let e = next_json(ws).await;
        assert_eq!(e["code"], "wrong_role", "{kind} from the wrong role");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(kind)));
    }

    send(&mut t, json!({"type": "talk_ready"})).await;
    assert_eq!(
        next_json(&mut w1).await,
        json!({"type": "talk_ready", "from": t_id, "payload": null})
    );
    assert_eq!(next_json(&mut w2).await["type"], "talk_ready");
    // A watcher's room-wide request reaches the talker only, not the other watcher.
    send(&mut w1, json!({"type": "talk_request"})).await;
    assert_eq!(next_json(&mut t).await["from"], w1_id.as_str());
    send(
        &mut t,
        json!({"type": "offer", "to": w1_id, "payload": {"sdp": "x"}}),
    )
    .await;
    assert_eq!(next_json(&mut w1).await["type"], "offer");
    send(&mut t, json!({"type": "end_talk"})).await;
    assert_eq!(
        next_json(&mut w2).await["type"],
        "end_talk",
        "not w1's request first"
    );
    // The mesh peer in the room heard none of it.
    send(&mut m, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut m).await["type"], "pong");
}

#[tokio::test]
async fn room_wide_relays_carry_small_payloads_only() {
    let s = start(&[]).await;
    let (c1, c2) = (guest(&s).await, guest(&s).await);
    let (mut a, _, _) = join(&s, &c1, "r", "mesh").await;
    let (mut b, b_id, _) = join(&s, &c2, "r", "mesh").await;
    next_json(&mut a).await; // b joined
    let big = "x".repeat(2000);
    send(&mut b, json!({"type": "call", "payload": big})).await;
    assert_eq!(next_json(&mut b).await["code"], "too_large");
    send(&mut b, json!({"type": "call", "payload": {"small": true}})).await;
    assert_eq!(next_json(&mut a).await["payload"], json!({"small": true}));
    // One peer at a time, large payloads (an offer's SDP) still pass.
    send(&mut a, json!({"type": "offer", "to": b_id, "payload": big})).await;
    assert_eq!(next_json(&mut b).await["payload"], json!(big));
}

/// The page already in a room answers a newcomer's arrival (`peer_joined`) with `response`
/// before the newcomer has sent `call`: that relay must reach it, so its first offer can go
/// out as soon as it is made.
#[tokio::test]
async fn a_response_to_peer_joined_reaches_the_newcomer_before_its_call() {
    let s = start(&[]).await;
    let (ca, cb) = (guest(&s).await, guest(&s).await);
    let (mut a, a_id, _) = join(&s, &ca, "early", "mesh").await;
    let (mut b, b_id, joined) = join(&s, &cb, "early", "mesh").await;
    assert_eq!(joined["type"], "joined");
    let arrived = next_json(&mut a).await;
    assert_eq!(
        (arrived["type"].as_str(), arrived["peer"]["id"].as_str()),
        (Some("peer_joined"), Some(b_id.as_str()))
    );
    send(&mut a, json!({"type": "response", "to": b_id})).await;
    let got = next_json(&mut b).await;
    assert_eq!(
        (got["type"].as_str(), got["from"].as_str()),
        (Some("response"), Some(a_id.as_str())),
        "{got}"
    );
}
