//! Cluster mode: calls by name across instances. The online list is the cluster's; a ring
//! reaches the callee's tabs on every instance; of two accepts from two instances the first
//! wins and the other tab hears `answered_elsewhere`; the private room works on both.
#![cfg(feature = "ssr")]
mod cluster_kit;
mod common;
use cluster_kit::{eventually, instance, next_of, shared_database, Redis};
use common::{connect, join, next_json, online_user, send, signup, Ws};
use serde_json::{json, Value};
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

/// The next frame about call `call` (skipping online lists and the like).
async fn about(ws: &mut Ws, call: &str) -> Value {
    tokio::time::timeout(SOON, async {
        loop {
            let v = next_json(ws).await;
            if v["call"] == call || v["type"] == "error" {
                return v;
            }
        }
    })
    .await
    .expect("a frame about the call")
}

#[tokio::test]
async fn ringing_across_instances_and_the_first_accept_wins() {
    let redis = Redis::start().await;
    let db = shared_database();
    let a = instance(&db, &redis.url(), "a", &[]).await;
    let b = instance(&db, &redis.url(), "b", &[]).await;
    let (_ann_cookie, mut ann) = online_user(&a, "ann").await;
    let bob = signup(&a, "bob").await;
    let (mut bob_a, _) = connect(&a, &bob).await;
    let (mut bob_b, _) = connect(&b, &bob).await;
    let (carl, mut carl_ws) = online_user(&b, "carl").await;

    // Carl, on b, sees everyone online, wherever they are connected.
    send(&mut carl_ws, json!({"type": "watch_online"})).await;
    let everyone = [json!("ann"), json!("bob"), json!("carl")];
    tokio::time::timeout(SOON, async {
        loop {
            let list = next_of(&mut carl_ws, "online", SOON).await;
            let names: Vec<Value> = list["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["name"].clone())
                .collect();
            if names == everyone {
                return;
            }
        }
    })
    .await
    .expect("carl's online list has ann, bob and carl");

    send(&mut ann, json!({"type": "ring", "user": "bob"})).await;
    let ringing = next_of(&mut ann, "ringing", SOON).await;
    let call = ringing["call"].as_str().unwrap().to_owned();
    for tab in [&mut bob_a, &mut bob_b] {
        let incoming = about(tab, &call).await;
        assert_eq!(incoming["type"], "incoming", "{incoming}");
        assert_eq!(incoming["from_name"], "ann");
    }

    // Both tabs accept at once; one wins, whichever instance it is on.
    let accept = json!({"type": "accept", "call": call});
    tokio::join!(send(&mut bob_a, accept.clone()), send(&mut bob_b, accept));
    let (got_a, got_b) = tokio::join!(about(&mut bob_a, &call), about(&mut bob_b, &call));
    let (winner, winner_on_b, other) = match (got_a["type"].as_str(), got_b["type"].as_str()) {
        (Some("call_accepted"), _) => (got_a, false, got_b),
        (_, Some("call_accepted")) => (got_b, true, got_a),
        _ => panic!("nobody won: {got_a} {got_b}"),
    };
    assert_eq!(other["type"], "call_cancelled", "{other}");
    assert_eq!(other["reason"], "answered_elsewhere");
    let accepted = about(&mut ann, &call).await;
    assert_eq!(accepted["type"], "call_accepted");
    let room = accepted["room"].as_str().unwrap().to_owned();
    assert_eq!(winner["room"], room.as_str());

    // The two meet in the private room, each on their own instance.
    let (_wa, ann_id, j) = join(&a, &_ann_cookie, &room, "mesh").await;
    assert_eq!(j["type"], "joined", "{j}");
    let bob_at = if winner_on_b { &b } else { &a };
    let (_wb, _, j) = join(bob_at, &bob, &room, "mesh").await;
    assert_eq!(j["type"], "joined", "{j}");
    assert_eq!(j["peers"][0]["id"], ann_id.as_str());
    let (_wc, _, refused) = join(&b, &carl, &room, "mesh").await;
    assert_eq!(refused["code"], "private_room", "{refused}");
}

#[tokio::test]
async fn a_callee_elsewhere_declines_and_the_caller_hears() {
    let redis = Redis::start().await;
    let db = shared_database();
    let a = instance(&db, &redis.url(), "a", &[]).await;
    let b = instance(&db, &redis.url(), "b", &[]).await;
    let (_, mut ann) = online_user(&a, "ann").await;
    let (_, mut bob) = online_user(&b, "bob").await;
    eventually("a knows bob is online", SOON, || async {
        a.state.hub.online().iter().any(|u| u.name == "bob")
    })
    .await;
    send(&mut ann, json!({"type": "ring", "user": "bob"})).await;
    let call = next_of(&mut ann, "ringing", SOON).await["call"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(about(&mut bob, &call).await["type"], "incoming");
    send(&mut bob, json!({"type": "decline", "call": call})).await;
    assert_eq!(about(&mut ann, &call).await["type"], "call_declined");
    // A second answer to the finished call is refused, from the caller's instance.
    send(&mut bob, json!({"type": "accept", "call": call})).await;
    assert_eq!(about(&mut bob, &call).await["code"], "unknown_call");
}
