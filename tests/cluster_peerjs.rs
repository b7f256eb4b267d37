//! Cluster mode for the PeerJS dialect: an id is held once in the whole cluster (`ID-TAKEN`
//! on another instance too), messages reach an id wherever it is connected, and messages
//! held for an absent id follow it to the instance it connects to.
#![cfg(feature = "ssr")]
mod cluster_kit;
mod common;
use cluster_kit::{eventually, instance, shared_database, Redis};
use common::{next_text, peerjs_open, peerjs_socket, send_text};
use serde_json::Value;
use std::time::Duration;

fn parse(t: &str) -> Value {
    serde_json::from_str(t).unwrap()
}

#[tokio::test]
async fn ids_are_unique_and_reachable_across_instances() {
    let redis = Redis::start().await;
    let db = shared_database();
    let a = instance(&db, &redis.url(), "a", &[]).await;
    let b = instance(&db, &redis.url(), "b", &[]).await;

    let mut alice = peerjs_open(&a, "alice", "ta").await;
    for token in ["tb", "ta"] {
        let mut again =
            peerjs_socket(&b, "/peerjs", &format!("key=peerjs&id=alice&token={token}")).await;
        assert_eq!(
            parse(&next_text(&mut again).await)["type"],
            "ID-TAKEN",
            "token {token}"
        );
    }

    // A message for an id nobody holds waits on alice's instance, and follows bob to his.
    send_text(
        &mut alice,
        r#"{"type":"OFFER","dst":"bob","payload":{"n":1}}"#,
    )
    .await;
    // A round trip through alice's own socket orders the test after the server held it.
    send_text(
        &mut alice,
        r#"{"type":"OFFER","dst":"alice","payload":"self"}"#,
    )
    .await;
    assert_eq!(parse(&next_text(&mut alice).await)["payload"], "self");
    let mut bob = peerjs_open(&b, "bob", "tb").await;
    assert_eq!(
        next_text(&mut bob).await,
        r#"{"type":"OFFER","src":"alice","dst":"bob","payload":{"n":1}}"#
    );

    // Both connected: messages cross both ways, with the sender's id stamped.
    send_text(
        &mut bob,
        r#"{"type":"ANSWER","src":"mallory","dst":"alice","payload":{"n":2}}"#,
    )
    .await;
    assert_eq!(
        next_text(&mut alice).await,
        r#"{"type":"ANSWER","src":"bob","dst":"alice","payload":{"n":2}}"#
    );
    for n in 0..100 {
        send_text(
            &mut alice,
            &format!(r#"{{"type":"CANDIDATE","dst":"bob","payload":{{"n":{n}}}}}"#),
        )
        .await;
    }
    for n in 0..100 {
        assert_eq!(
            parse(&next_text(&mut bob).await)["payload"]["n"],
            n,
            "in order"
        );
    }

    // Once alice is gone, her id is free on the other instance.
    drop(alice);
    eventually(
        "alice's id is free on b",
        Duration::from_secs(5),
        || async {
            let mut ws = peerjs_socket(&b, "/peerjs", "key=peerjs&id=alice&token=tc").await;
            parse(&next_text(&mut ws).await)["type"] == "OPEN"
        },
    )
    .await;
}
