//! `welcome` carries the session's ICE configuration and a resume token; a socket that drops
//! can get its peer id, room and role back with `GET /ws?resume=…` within `RESUME_GRACE_MS`.
mod common;
use common::*;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// Opens `/ws`, presenting `resume` if given; returns the socket and its `welcome`.
async fn open(s: &TestServer, cookie: &str, resume: Option<&str>) -> (Ws, Value) {
    let query = resume.map_or(String::new(), |t| format!("?resume={t}"));
    let mut req = format!("ws://{}/ws{query}", s.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    let welcome = next_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    (ws, welcome)
}

fn token(welcome: &Value) -> String {
    welcome["resume"]
        .as_str()
        .expect("a resume token")
        .to_owned()
}

/// Ann (already welcomed on `ann`) and Bob in room `r`; returns Bob's socket and id.
async fn with_bob(s: &TestServer, ann: &mut Ws) -> (Ws, String) {
    send(ann, json!({"type": "join", "room": "r"})).await;
    assert_eq!(next_json(ann).await["type"], "joined");
    let bob = signup(s, "bob").await;
    let (ws, id, joined) = join(s, &bob, "r", "mesh").await;
    assert_eq!(joined["type"], "joined");
    assert_eq!(next_json(ann).await["type"], "peer_joined");
    (ws, id)
}

/// Waits until the server has noticed `n` dropped sockets and parked them. The drop happens on
/// the server's side of the connection, so there is no frame to wait for; a hang fails after
/// 10 s.
async fn parked(s: &TestServer, n: usize) {
    let wait = async {
        while s.state.hub.parked() != n {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .expect("the drop was never noticed");
}

/// Nothing reached `ws` before the answer to a ping: in particular no `peer_left`.
async fn heard_nothing(ws: &mut Ws) {
    send(ws, json!({"type": "ping"})).await;
    let next = next_json(ws).await;
    assert_eq!(
        next["type"], "pong",
        "expected nothing before the pong: {next}"
    );
}

#[tokio::test]
async fn welcome_carries_the_sessions_ice_config_and_a_resume_token() {
    let s = start(&[
        ("TURN_URLS", "turn:turn.example.org:3478"),
        ("TURN_SECRET", "s3cret"),
        ("ICE_POLICY", "relay"),
    ])
    .await;
    let ann = signup(&s, "ann").await;
    let (_ws, welcome) = open(&s, &ann, None).await;
    let t = token(&welcome);
    assert!(
        t.len() >= 32 && t.chars().all(|c| c.is_ascii_alphanumeric()),
        "{t}"
    );
    assert!(welcome.get("resumed").is_none(), "{welcome}");
    let ice = &welcome["ice"];
    assert_eq!(ice["iceTransportPolicy"], "relay");
    assert!(ice["expiresAt"].is_u64(), "{ice}");
    let peer: Value = http()
        .get(s.url("/api/users/ann/peer"))
        .header("cookie", &ann)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = peer["peer_id"].as_str().unwrap_or_default().to_owned();
    let turn = &ice["iceServers"][0];
    let username = turn["username"].as_str().unwrap();
    assert!(username.ends_with(&format!(":{user_id}")), "{username}");
    assert!(turn["credential"].is_string());
    assert!(s.state.metrics.counters.turn_credentials.get() >= 1);

    let plain = start(&[]).await;
    let bob = signup(&plain, "bob").await;
    let (_ws, welcome) = open(&plain, &bob, None).await;
    assert_eq!(
        welcome["ice"],
        json!({"iceServers": [], "iceTransportPolicy": "all"})
    );
}

#[tokio::test]
async fn a_resume_within_the_grace_keeps_the_id_and_room_and_nobody_hears_a_leave() {
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, welcome) = open(&s, &ann, None).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    let (mut bob, bob_id) = with_bob(&s, &mut ws).await;
    drop(ws);
    parked(&s, 1).await;
    // Sent while Ann is away: kept in her queue, no error for Bob.
    let candidate = json!({"type": "candidate", "to": id, "payload": {"candidate": "c1"}});
    send(&mut bob, candidate).await;

    let (mut ws, again) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_eq!(again["id"], id, "same peer id");
    assert_eq!(again["resumed"], true);
    assert_ne!(token(&again), token(&welcome), "a new token each time");
    let kept = next_json(&mut ws).await;
    assert_eq!(
        (&kept["type"], &kept["from"]),
        (&json!("candidate"), &json!(bob_id))
    );

    send(
        &mut ws,
        json!({"type": "offer", "to": bob_id, "payload": {"sdp": "o"}}),
    )
    .await;
    let offer = next_json(&mut bob).await;
    assert_eq!(
        (&offer["type"], &offer["from"]),
        (&json!("offer"), &json!(id))
    );
    send(
        &mut bob,
        json!({"type": "answer", "to": id, "payload": {"sdp": "a"}}),
    )
    .await;
    let answer = next_json(&mut ws).await;
    assert_eq!(
        (&answer["type"], &answer["from"]),
        (&json!("answer"), &json!(bob_id))
    );
    heard_nothing(&mut bob).await;
    assert_eq!(s.state.hub.room("r").people, ["ann", "bob"]);
    assert!(s.state.hub.check_invariants().is_ok());
}

#[tokio::test]
async fn when_the_grace_ends_the_room_hears_peer_left_and_the_token_is_dead() {
    let s = start(&[("RESUME_GRACE_MS", "50")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, welcome) = open(&s, &ann, None).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    let (mut bob, _) = with_bob(&s, &mut ws).await;
    drop(ws);
    let left = next_json(&mut bob).await;
    assert_eq!(
        (&left["type"], &left["id"]),
        (&json!("peer_left"), &json!(id))
    );
    let (_ws, fresh) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_ne!(fresh["id"], id);
    assert!(fresh.get("resumed").is_none(), "{fresh}");
    assert_eq!(s.state.hub.parked(), 0);
}

#[tokio::test]
async fn another_sessions_token_gives_a_fresh_connection() {
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, welcome) = open(&s, &ann, None).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    let (mut bob, _) = with_bob(&s, &mut ws).await;
    drop(ws);
    let mallory = signup(&s, "mallory").await;
    let (_m, stolen) = open(&s, &mallory, Some(&token(&welcome))).await;
    assert_ne!(stolen["id"], id);
    assert!(stolen.get("resumed").is_none(), "{stolen}");
    // Ann's own session still can.
    let (_ws, again) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_eq!(
        (&again["id"], &again["resumed"]),
        (&json!(id), &json!(true))
    );
    heard_nothing(&mut bob).await;
}

#[tokio::test]
async fn a_token_works_once() {
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, first) = open(&s, &ann, None).await;
    let id = first["id"].as_str().unwrap().to_owned();
    let (_bob, _) = with_bob(&s, &mut ws).await;
    drop(ws);
    let (ws, second) = open(&s, &ann, Some(&token(&first))).await;
    assert_eq!(second["id"], id);
    drop(ws);
    let (_ws, reused) = open(&s, &ann, Some(&token(&first))).await;
    assert_ne!(reused["id"], id, "a used token gives a fresh connection");
    assert!(reused.get("resumed").is_none());
    let (_ws, third) = open(&s, &ann, Some(&token(&second))).await;
    assert_eq!(
        (&third["id"], &third["resumed"]),
        (&json!(id), &json!(true))
    );
}

#[tokio::test]
async fn leave_bye_and_log_out_end_the_connection_without_grace() {
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, welcome) = open(&s, &ann, None).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    let (mut bob, _) = with_bob(&s, &mut ws).await;

    // `leave`: the room hears it at once, and the dropped socket is not kept.
    send(&mut ws, json!({"type": "leave"})).await;
    assert_eq!(next_json(&mut bob).await["type"], "peer_left");
    drop(ws);
    let (mut ws, fresh) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_ne!(fresh["id"], id, "no grace after leave");

    // `bye` to the whole room, then the socket drops: `peer_left` without waiting the grace.
    send(&mut ws, json!({"type": "join", "room": "r"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "joined");
    assert_eq!(next_json(&mut bob).await["type"], "peer_joined");
    send(&mut ws, json!({"type": "bye"})).await;
    assert_eq!(next_json(&mut bob).await["type"], "bye");
    drop(ws);
    assert_eq!(next_json(&mut bob).await["type"], "peer_left");

    // Logging out while a socket waits for its resume removes it at once.
    let (mut ws, _) = open(&s, &ann, None).await;
    send(&mut ws, json!({"type": "join", "room": "r"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "joined");
    assert_eq!(next_json(&mut bob).await["type"], "peer_joined");
    drop(ws);
    parked(&s, 1).await;
    let out = http()
        .post(s.url("/auth/logout"))
        .header("cookie", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(next_json(&mut bob).await["type"], "peer_left");
    assert_eq!(s.state.hub.parked(), 0);
}

#[tokio::test]
async fn a_resume_takes_over_a_socket_the_server_still_thinks_open() {
    // The client noticed its network change before the server did.
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut old, welcome) = open(&s, &ann, None).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    let (mut bob, bob_id) = with_bob(&s, &mut old).await;
    let (mut ws, again) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_eq!(
        (&again["id"], &again["resumed"]),
        (&json!(id), &json!(true))
    );
    close_code(&mut old).await;
    send(
        &mut ws,
        json!({"type": "offer", "to": bob_id, "payload": {}}),
    )
    .await;
    assert_eq!(next_json(&mut bob).await["from"], json!(id));
    heard_nothing(&mut bob).await;
    assert_eq!(s.state.hub.connections(), 2);
}

#[tokio::test]
async fn a_close_with_going_away_or_outside_a_room_is_not_kept() {
    let s = start(&[("RESUME_GRACE_MS", "60000")]).await;
    let ann = signup(&s, "ann").await;
    let (mut ws, welcome) = open(&s, &ann, None).await;
    let (mut bob, _) = with_bob(&s, &mut ws).await;
    // What a browser sends when its page closes.
    let away = CloseFrame {
        code: CloseCode::Away,
        reason: "".into(),
    };
    ws.close(Some(away)).await.unwrap();
    assert_eq!(next_json(&mut bob).await["type"], "peer_left");
    // A socket in no room has nothing to keep.
    let (home, _) = open(&s, &ann, None).await;
    let home_id = welcome["id"].clone();
    drop(home);
    let (_ws, fresh) = open(&s, &ann, Some(&token(&welcome))).await;
    assert_ne!(fresh["id"], home_id);
    assert_eq!(s.state.hub.parked(), 0);
}
