//! Room and online lists over real sockets: a repeated subscribe sends no second copy.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn repeated_subscribes_get_no_duplicate_list() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    for kind in ["watch_rooms", "watch_online"] {
        send(&mut ann, json!({"type": kind})).await;
        send(&mut ann, json!({"type": kind})).await;
        send(&mut ann, json!({"type": kind})).await;
    }
    send(&mut ann, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut ann).await["type"], "rooms");
    assert_eq!(next_json(&mut ann).await["type"], "online");
    assert_eq!(
        next_json(&mut ann).await["type"],
        "pong",
        "one list of each"
    );

    // Changes still arrive, once.
    let (_, mut bob) = online_user(&s, "bob").await;
    let online = next_json(&mut ann).await;
    assert_eq!(online["type"], "online");
    assert_eq!(online["users"].as_array().map(Vec::len), Some(2));
    let (_b, _, joined) = join(&s, &guest(&s).await, "lobby", "mesh").await;
    assert_eq!(joined["type"], "joined");
    // A guest is a user too: it comes online, then fills a room.
    assert_eq!(next_json(&mut ann).await["type"], "online");
    let rooms = next_json(&mut ann).await;
    assert_eq!(rooms["rooms"][0]["name"], "lobby", "{rooms}");
    send(&mut ann, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut ann).await["type"], "pong");
    send(&mut bob, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut bob).await["type"], "pong");
}
