//! Calling a user by name over real WebSockets against a real server.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use serde_json::{json, Value};

async fn ring(ws: &mut Ws, user: &str) -> Value {
    send(ws, json!({"type": "ring", "user": user})).await;
    next_json(ws).await
}

fn call_id(v: &Value) -> String {
    v["call"].as_str().expect("a call id").to_owned()
}

#[tokio::test]
async fn ring_accept_meet_in_a_private_unlisted_room() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (bob_cookie, mut bob) = online_user(&s, "bob").await;
    let (carl_cookie, mut carl) = online_user(&s, "carl").await;

    // By name, in any letter case.
    let ringing = ring(&mut ann, "BOB").await;
    assert_eq!(ringing["type"], "ringing", "{ringing}");
    assert_eq!(ringing["name"], "bob");
    let call = call_id(&ringing);
    let incoming = next_json(&mut bob).await;
    assert_eq!(incoming["type"], "incoming");
    assert_eq!(incoming["call"], call.as_str());
    assert_eq!(incoming["from_name"], "ann");

    // The ids are the stable ones stored with the accounts.
    let bob_peer = parley::accounts::store::peer_id_of(&s.state.pool, "bob")
        .await
        .unwrap()
        .unwrap();
    let ann_peer = parley::accounts::store::peer_id_of(&s.state.pool, "ann")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ringing["peer_id"], bob_peer.as_str());
    assert_eq!(incoming["from_peer"], ann_peer.as_str());

    // Only the callee may accept.
    send(&mut carl, json!({"type": "accept", "call": call})).await;
    assert_eq!(next_json(&mut carl).await["code"], "unknown_call");

    send(&mut bob, json!({"type": "accept", "call": call})).await;
    let accepted_bob = next_json(&mut bob).await;
    let accepted_ann = next_json(&mut ann).await;
    assert_eq!(accepted_bob["type"], "call_accepted");
    assert_eq!(accepted_ann, accepted_bob);
    let room = accepted_ann["room"].as_str().unwrap().to_owned();
    assert!(room.starts_with("call-") && room.len() == 29, "{room}");

    // Accepting twice does nothing.
    send(&mut bob, json!({"type": "accept", "call": call})).await;
    assert_eq!(next_json(&mut bob).await["code"], "unknown_call");

    // Both browsers go to the room page: fresh sockets that join the room.
    let (mut bob_room, _, joined) = join(&s, &bob_cookie, &room, "mesh").await;
    assert_eq!(joined["type"], "joined", "{joined}");
    send(&mut ann, json!({"type": "join", "room": room})).await;
    let joined = next_json(&mut ann).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    assert_eq!(joined["peers"][0]["name"], "bob");
    assert_eq!(next_json(&mut bob_room).await["type"], "peer_joined");

    // A third user is refused, and so is a third tab of one of the two.
    let (mut carl_room, _, refused) = join(&s, &carl_cookie, &room, "mesh").await;
    assert_eq!(refused["code"], "private_room", "{refused}");
    let (_, _, full) = join(&s, &bob_cookie, &room, "mesh").await;
    assert_eq!(full["code"], "room_full", "{full}");
    // Nobody can open a `call-` room of their own either.
    send(&mut carl_room, json!({"type": "join", "room": "call-mine"})).await;
    assert_eq!(next_json(&mut carl_room).await["code"], "private_room");

    // Not listed anywhere.
    let rooms: Value = get_json(&s, "/api/rooms").await;
    assert_eq!(rooms, json!([]));

    // Bob is busy while he is in the call.
    let busy = ring(&mut carl, "bob").await;
    assert_eq!(busy["code"], "busy", "{busy}");
    expect_silence(&mut bob, 200).await;

    // Once the call's room empties the call is over and bob can be called again.
    send(&mut bob_room, json!({"type": "leave"})).await;
    assert_eq!(next_json(&mut ann).await["type"], "peer_left");
    send(&mut ann, json!({"type": "leave"})).await;
    send(&mut ann, json!({"type": "ping"})).await;
    assert_eq!(
        next_json(&mut ann).await["type"],
        "pong",
        "the leave has been handled"
    );
    let again = ring(&mut carl, "bob").await;
    assert_eq!(again["type"], "ringing", "{again}");
}

#[tokio::test]
async fn decline_tells_the_caller_and_quiets_the_other_tabs() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (bob_cookie, mut bob) = online_user(&s, "bob").await;
    let (mut bob2, _) = connect(&s, &bob_cookie).await;

    let call = call_id(&ring(&mut ann, "bob").await);
    assert_eq!(next_json(&mut bob).await["type"], "incoming");
    assert_eq!(next_json(&mut bob2).await["type"], "incoming");

    send(&mut bob, json!({"type": "decline", "call": call})).await;
    assert_eq!(
        next_json(&mut ann).await,
        json!({"type": "call_declined", "call": call})
    );
    assert_eq!(
        next_json(&mut bob2).await,
        json!({"type": "call_cancelled", "call": call, "reason": "declined"})
    );
    expect_silence(&mut bob, 100).await;
    // The ring is over: ann may call again.
    assert_eq!(ring(&mut ann, "bob").await["type"], "ringing");
}

#[tokio::test]
async fn busy_while_ringing_on_either_side() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (_, mut bob) = online_user(&s, "bob").await;
    let (_, mut carl) = online_user(&s, "carl").await;

    let ringing = ring(&mut ann, "bob").await;
    assert_eq!(ringing["type"], "ringing");
    next_json(&mut bob).await; // incoming
    let to_callee = ring(&mut carl, "bob").await;
    assert_eq!(to_callee["type"], "error");
    assert_eq!(to_callee["code"], "busy");
    assert_eq!(to_callee["message"], "bob is busy in another call");
    assert_eq!(ring(&mut carl, "ann").await["code"], "busy");
    assert_eq!(ring(&mut ann, "carl").await["code"], "already_calling");
    expect_silence(&mut bob, 100).await;
}

/// Asks the accounts database (run on both backends).
async fn offline_unknown_and_self(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    signup(&s, "dora").await; // signed up, but no socket
    let dora_peer = parley::accounts::store::peer_id_of(&s.state.pool, "dora")
        .await
        .unwrap()
        .unwrap();
    let ann_peer = parley::accounts::store::peer_id_of(&s.state.pool, "ann")
        .await
        .unwrap()
        .unwrap();

    let off = ring(&mut ann, "dora").await;
    assert_eq!(off["code"], "offline", "{off}");
    assert_eq!(off["message"], "dora is offline");
    send(&mut ann, json!({"type": "ring", "peer": dora_peer})).await;
    assert_eq!(next_json(&mut ann).await["code"], "offline");

    assert_eq!(ring(&mut ann, "nobody-here").await["code"], "unknown_user");
    send(
        &mut ann,
        json!({"type": "ring", "peer": "zzzzzzzzzzzzzzzz"}),
    )
    .await;
    assert_eq!(next_json(&mut ann).await["code"], "unknown_user");

    assert_eq!(ring(&mut ann, "Ann").await["code"], "self_call");
    send(&mut ann, json!({"type": "ring", "peer": ann_peer})).await;
    assert_eq!(next_json(&mut ann).await["code"], "self_call");

    send(&mut ann, json!({"type": "ring"})).await;
    assert_eq!(next_json(&mut ann).await["code"], "missing_field");
    send(&mut ann, json!({"type": "accept"})).await;
    assert_eq!(next_json(&mut ann).await["code"], "missing_field");
}

#[tokio::test]
async fn no_answer_times_out_on_both_sides() {
    let s = start(&[("RING_TIMEOUT_MS", "300")]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (_, mut bob) = online_user(&s, "bob").await;
    let started = std::time::Instant::now();
    let call = call_id(&ring(&mut ann, "bob").await);
    assert_eq!(next_json(&mut bob).await["type"], "incoming");
    assert_eq!(
        next_json(&mut ann).await,
        json!({"type": "call_missed", "call": call})
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(250));
    assert_eq!(
        next_json(&mut bob).await,
        json!({"type": "call_cancelled", "call": call, "reason": "missed"})
    );
    // Too late to accept.
    send(&mut bob, json!({"type": "accept", "call": call})).await;
    assert_eq!(next_json(&mut bob).await["code"], "unknown_call");
}

#[tokio::test]
async fn caller_hangs_up_or_leaves_while_ringing() {
    let s = start(&[]).await;
    let (ann_cookie, mut ann) = online_user(&s, "ann").await;
    let (_, mut bob) = online_user(&s, "bob").await;

    let call = call_id(&ring(&mut ann, "bob").await);
    next_json(&mut bob).await; // incoming
    send(&mut ann, json!({"type": "hangup", "call": call})).await;
    assert_eq!(
        next_json(&mut ann).await,
        json!({"type": "call_cancelled", "call": call, "reason": "hangup"})
    );
    assert_eq!(
        next_json(&mut bob).await,
        json!({"type": "call_cancelled", "call": call, "reason": "hangup"})
    );
    send(&mut bob, json!({"type": "accept", "call": call})).await;
    assert_eq!(next_json(&mut bob).await["code"], "unknown_call");

    // Closing the ringing tab hangs up too.
    let (mut ann2, _) = connect(&s, &ann_cookie).await;
    let call = call_id(&ring(&mut ann2, "bob").await);
    next_json(&mut bob).await; // incoming
    drop(ann2);
    assert_eq!(
        next_json(&mut bob).await,
        json!({"type": "call_cancelled", "call": call, "reason": "hangup"})
    );
}

#[tokio::test]
async fn callee_going_offline_is_no_answer() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (_, mut bob) = online_user(&s, "bob").await;
    let call = call_id(&ring(&mut ann, "bob").await);
    next_json(&mut bob).await; // incoming
    drop(bob);
    assert_eq!(
        next_json(&mut ann).await,
        json!({"type": "call_missed", "call": call})
    );
}

#[tokio::test]
async fn online_list_follows_users_not_sockets() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    send(&mut ann, json!({"type": "watch_online"})).await;
    let first = next_json(&mut ann).await;
    assert_eq!(first["type"], "online");
    assert_eq!(first["users"].as_array().unwrap().len(), 1);

    let bob_cookie = signup(&s, "bob").await;
    let (bob1, _) = connect(&s, &bob_cookie).await;
    let list = next_json(&mut ann).await;
    let users: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["ann", "bob"]);
    assert_eq!(list["users"][1]["guest"], false);

    // A second tab of bob: same user, no change to announce.
    let (bob2, _) = connect(&s, &bob_cookie).await;
    expect_silence(&mut ann, 150).await;
    drop(bob1);
    expect_silence(&mut ann, 150).await;
    drop(bob2);
    let list = next_json(&mut ann).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 1);

    // Guests are online too, flagged as such.
    let g = guest(&s).await;
    let (_g_ws, _) = connect(&s, &g).await;
    let list = next_json(&mut ann).await;
    let guest_entry = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["guest"] == true)
        .expect("the guest is listed")
        .clone();
    assert!(guest_entry["name"].as_str().unwrap().starts_with("guest-"));
}

#[tokio::test]
async fn guests_can_call_and_be_called() {
    let s = start(&[]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let g = guest(&s).await;
    let (mut gw, _) = connect(&s, &g).await;
    send(&mut gw, json!({"type": "watch_online"})).await;
    let list = next_json(&mut gw).await;
    let ann_peer = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "ann")
        .unwrap()["peer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    send(&mut gw, json!({"type": "ring", "peer": ann_peer})).await;
    let ringing = next_json(&mut gw).await;
    assert_eq!(ringing["type"], "ringing", "{ringing}");
    let incoming = next_json(&mut ann).await;
    let guest_name = incoming["from_name"].as_str().unwrap().to_owned();
    assert!(guest_name.starts_with("guest-"));
    send(
        &mut ann,
        json!({"type": "decline", "call": incoming["call"]}),
    )
    .await;
    assert_eq!(next_json(&mut gw).await["type"], "call_declined");
    // And back, by the guest's name.
    assert_eq!(ring(&mut ann, &guest_name).await["type"], "ringing");
}

/// Asks the accounts database (run on both backends).
async fn peer_id_api(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let ann = signup(&s, "ann").await;
    let bob = signup(&s, "bob").await;
    let get = |path: &str, cookie: Option<&str>| {
        let mut req = http().get(s.url(path));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send()
    };
    assert_eq!(
        get("/api/users/bob/peer", None).await.unwrap().status(),
        401
    );
    let missing = get("/api/users/nobody-here/peer", Some(&ann))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "unknown_user"
    );

    let offline: Value = get("/api/users/BOB/peer", Some(&ann))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(offline["name"], "bob");
    assert_eq!(offline["online"], false);
    let peer = offline["peer_id"].as_str().unwrap().to_owned();

    // The same id on every socket and every session of the account.
    let (_b1, _) = connect(&s, &bob).await;
    let bob_again = post_form(
        &s,
        "/auth/login",
        &[("username", "bob"), ("password", "correct horse battery")],
    )
    .await;
    let bob_again = session_cookie(&bob_again).unwrap();
    let online: Value = get("/api/users/bob/peer", Some(&bob_again))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        online,
        json!({"name": "bob", "peer_id": peer, "online": true})
    );
}

#[tokio::test]
async fn home_page_lists_who_is_online_for_signed_in_visitors() {
    let s = start(&[]).await;
    let ann = signup(&s, "ann").await;
    let (_, _bob) = online_user(&s, "bob").await;
    let (_ann_ws, _) = connect(&s, &ann).await;
    let html = page(&s, "/", &ann).await;
    assert!(
        html.contains("data-testid=\"online\""),
        "online list rendered"
    );
    assert!(html.contains("data-user=\"bob\""), "bob listed");
    assert!(!html.contains("data-user=\"ann\""), "not myself");
    let anon = body(http().get(s.url("/"))).await;
    assert!(!anon.contains("data-user=\"bob\""), "not for visitors");
}

on_both_backends!(offline_unknown_and_self, peer_id_api);
