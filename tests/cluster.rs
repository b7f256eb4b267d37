//! Cluster mode: two instances in this process share rooms through a real `redis-server`.
#![cfg(feature = "ssr")]
mod cluster_kit;
mod common;
use cluster_kit::{eventually, instance, next_of, shared_database, Redis};
use common::{get_json, join, next_json, send, signup};
use serde_json::{json, Value};
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

#[tokio::test]
async fn relays_cross_instances_stamped_and_in_order() {
    let redis = Redis::start().await;
    let db = shared_database();
    // 500 candidates at once is past the default burst.
    let burst = [("MSG_BURST", "1000")];
    let a = instance(&db, &redis.url(), "a", &burst).await;
    let b = instance(&db, &redis.url(), "b", &burst).await;
    let ann = signup(&a, "ann").await;
    let bob = signup(&b, "bob").await;

    let (mut wa, ann_id, joined) = join(&a, &ann, "team", "mesh").await;
    assert_eq!(joined["peers"], json!([]));
    let (mut wb, bob_id, joined) = join(&b, &bob, "team", "mesh").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(
        joined["peers"][0]["id"],
        ann_id.as_str(),
        "bob's joined lists ann on the other instance"
    );
    let pj = next_of(&mut wa, "peer_joined", SOON).await;
    assert_eq!(pj["peer"]["id"], bob_id.as_str());
    assert_eq!(pj["peer"]["name"], "bob");

    // A room-wide call, then 500 candidates to one peer: the forged `from` is replaced by
    // bob's id on his own instance, and the order holds.
    send(&mut wb, json!({"type": "call", "from": "forged"})).await;
    let call = next_json(&mut wa).await;
    assert_eq!(
        (call["type"].as_str(), call["from"].as_str()),
        (Some("call"), Some(bob_id.as_str()))
    );
    for n in 0..500 {
        let c = json!({"type": "candidate", "to": ann_id, "from": ann_id, "payload": {"n": n}});
        send(&mut wb, c).await;
    }
    for n in 0..500 {
        let got = next_json(&mut wa).await;
        assert_eq!(got["type"], "candidate");
        assert_eq!(got["from"], bob_id.as_str(), "stamped by bob's instance");
        assert_eq!(got["payload"]["n"], n, "in order");
    }
    // And back the other way.
    send(
        &mut wa,
        json!({"type": "answer", "to": bob_id, "payload": {"sdp": "x"}}),
    )
    .await;
    let answer = next_json(&mut wb).await;
    assert_eq!(
        (answer["type"].as_str(), answer["from"].as_str()),
        (Some("answer"), Some(ann_id.as_str()))
    );

    // Either instance lists the whole cluster's rooms.
    for s in [&a, &b] {
        eventually("both instances list ann and bob in team", SOON, || async {
            get_json(s, "/api/rooms").await == json!([{"name": "team", "people": ["ann", "bob"]}])
        })
        .await;
    }
    assert_eq!(
        get_json(&a, "/api/rooms/team").await["people"],
        json!(["ann", "bob"])
    );

    // Bob leaves: ann hears it from her own instance.
    send(&mut wb, json!({"type": "leave"})).await;
    let left = next_of(&mut wa, "peer_left", SOON).await;
    assert_eq!(left["id"], bob_id.as_str());
}

#[tokio::test]
async fn room_caps_hold_across_instances() {
    let redis = Redis::start().await;
    let db = shared_database();
    let cap = [("ROOM_CAP", "2")];
    let a = instance(&db, &redis.url(), "a", &cap).await;
    let b = instance(&db, &redis.url(), "b", &cap).await;
    let mut cookies = Vec::new();
    for name in ["ann", "bob", "cat", "dan"] {
        cookies.push(signup(&a, name).await);
    }
    let (_wa, _, j) = join(&a, &cookies[0], "r", "mesh").await;
    assert_eq!(j["type"], "joined");
    let (_wb, _, j) = join(&b, &cookies[1], "r", "mesh").await;
    assert_eq!(j["type"], "joined");
    for (s, cookie) in [(&a, &cookies[2]), (&b, &cookies[3])] {
        let (_w, _, refused) = join(s, cookie, "r", "mesh").await;
        assert_eq!(refused["code"], "room_full", "{refused}");
    }
    // One talker per broadcast, cluster-wide.
    let (_t1, _, j) = join(&a, &cookies[2], "live", "talk").await;
    assert_eq!(j["type"], "joined");
    let (_t2, _, refused) = join(&b, &cookies[3], "live", "talk").await;
    assert_eq!(refused["code"], "room_full", "{refused}");
}

#[tokio::test]
async fn redis_restart_degrades_then_service_resumes() {
    let mut redis = Redis::start().await;
    let port = redis.port;
    let db = shared_database();
    let a = instance(&db, &redis.url(), "a", &[]).await;
    let b = instance(&db, &redis.url(), "b", &[]).await;
    let ann = signup(&a, "ann").await;
    let bob = signup(&b, "bob").await;
    let (mut wa, ann_id, _) = join(&a, &ann, "team", "mesh").await;
    let (mut wb, bob_id, _) = join(&b, &bob, "team", "mesh").await;
    next_of(&mut wa, "peer_joined", SOON).await;

    redis.kill();
    let http = common::http();
    for s in [&a, &b] {
        eventually("readyz says degraded", SOON, || async {
            let r = http.get(s.url("/readyz")).send().await.unwrap();
            r.status() == 200 && r.text().await.unwrap().contains("degraded")
        })
        .await;
    }
    // Alone, an instance still serves its own clients.
    let cat = signup(&a, "cat").await;
    let (_wc, _, j) = join(&a, &cat, "solo", "mesh").await;
    assert_eq!(j["type"], "joined");

    let _redis = Redis::start_on(port).await;
    for s in [&a, &b] {
        eventually(
            "readyz says ready again",
            Duration::from_secs(10),
            || async {
                let r = http.get(s.url("/readyz")).send().await.unwrap();
                r.text().await.unwrap() == "ready"
            },
        )
        .await;
    }
    // Re-asserted: the rooms are listed again, and relays cross again both ways.
    // (Join order within a room is as the instances re-asserted their members.)
    eventually("the cluster's rooms are back", SOON, || async {
        let mut got = get_json(&b, "/api/rooms").await;
        for room in got.as_array_mut().into_iter().flatten() {
            if let Some(p) = room.get_mut("people").and_then(Value::as_array_mut) {
                p.sort_by_key(|n| n.to_string());
            }
        }
        got == json!([{"name": "solo", "people": ["cat"]}, {"name": "team", "people": ["ann", "bob"]}])
    })
    .await;
    send(
        &mut wa,
        json!({"type": "offer", "to": bob_id, "payload": 1}),
    )
    .await;
    assert_eq!(
        next_of(&mut wb, "offer", SOON).await["from"],
        ann_id.as_str()
    );
    send(
        &mut wb,
        json!({"type": "answer", "to": ann_id, "payload": 2}),
    )
    .await;
    assert_eq!(
        next_of(&mut wa, "answer", SOON).await["from"],
        bob_id.as_str()
    );
}
