//! Cluster mode when an instance dies: one instance is a child process killed with SIGKILL
//! (no shutdown, no goodbye to Redis); the other, in this process, notices its liveness key
//! expire and tells its clients `peer_left`.
#![cfg(feature = "ssr")]
mod cluster_kit;
mod common;
use cluster_kit::{eventually, instance, join_at, next_of, shared_database, ChildServer, Redis};
use common::{get_json, signup};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_killed_instance_is_swept_and_its_peers_leave() {
    let redis = Redis::start().await;
    let db = shared_database();
    let b = instance(&db, &redis.url(), "b", &[]).await;
    let mut a = ChildServer::start(&db, &redis.url(), "a").await;
    let ann = signup(&b, "ann").await;
    let bob = signup(&b, "bob").await;

    let (_wa, ann_id, _) = join_at(a.addr, &ann, "team").await;
    let (mut wb, _, joined) = join_at(b.addr, &bob, "team").await;
    assert_eq!(joined["peers"][0]["id"], ann_id.as_str(), "{joined}");

    a.kill();
    let killed = Instant::now();
    let left = next_of(&mut wb, "peer_left", Duration::from_secs(15)).await;
    let took = killed.elapsed();
    assert_eq!(left["id"], ann_id.as_str());
    // The liveness key lives 1.5 s here, checked every 200 ms.
    assert!(took < Duration::from_secs(5), "noticed after {took:?}");
    eventually(
        "the store no longer lists ann",
        Duration::from_secs(5),
        || async {
            get_json(&b, "/api/rooms").await == json!([{"name": "team", "people": ["bob"]}])
        },
    )
    .await;
}

#[tokio::test]
async fn a_killed_instance_restarted_under_its_name_clears_what_it_left() {
    let redis = Redis::start().await;
    let db = shared_database();
    let b = instance(&db, &redis.url(), "b", &[]).await;
    let mut a = ChildServer::start(&db, &redis.url(), "a").await;
    let ann = signup(&b, "ann").await;
    let bob = signup(&b, "bob").await;
    let (_wa, ann_id, _) = join_at(a.addr, &ann, "team").await;
    let (mut wb, _, _) = join_at(b.addr, &bob, "team").await;

    // Killed and back at once, before its liveness key could expire: the new process finds
    // ann's membership left behind by the old one, removes it, and b's room hears.
    a.kill();
    let _a = ChildServer::start(&db, &redis.url(), "a").await;
    let left = next_of(&mut wb, "peer_left", Duration::from_secs(10)).await;
    assert_eq!(left["id"], ann_id.as_str());
    eventually(
        "the store lists bob alone",
        Duration::from_secs(5),
        || async {
            get_json(&b, "/api/rooms").await == json!([{"name": "team", "people": ["bob"]}])
        },
    )
    .await;
}
