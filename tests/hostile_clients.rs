//! Hostile or broken clients: ones that stop reading, open too many sockets, or flood. The server
//! gives up on them within its bounds and keeps serving everyone else.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// A `/ws` client on a socket with a tiny receive buffer, so the server's writes to it block as
/// soon as it stops reading. Returns it after its `joined`.
async fn tiny_window_client(
    s: &TestServer,
    cookie: &str,
    room: &str,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let tcp = sock.connect(s.addr).await.unwrap();
    let mut req = format!("ws://{}/ws", s.addr).into_client_request().unwrap();
    let h = req.headers_mut();
    h.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    h.insert(
        "origin",
        HeaderValue::from_str(&format!("http://{}", s.addr)).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(req, tcp).await.unwrap();
    ws.send(Message::text(
        json!({"type": "join", "room": room}).to_string(),
    ))
    .await
    .unwrap();
    let mut frames = 0;
    while let Some(Ok(m)) = ws.next().await {
        if m.to_text().is_ok_and(|t| t.contains("\"joined\"")) {
            return ws;
        }
        frames += 1;
        assert!(frames < 5, "no joined");
    }
    panic!("socket ended before joined");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_others_carry_on() {
    let s = start(&[
        ("PING_MS", "100"),
        ("DEAD_AFTER_MS", "500"),
        // Silent for the dead-after time before its writes stall, the client counts as dropped
        // and is kept for a resume first: a short grace so the room hears either way.
        ("RESUME_GRACE_MS", "200"),
        ("MSG_RATE", "100000"),
        ("MSG_BURST", "100000"),
    ])
    .await;
    let (c1, c2) = (guest(&s).await, guest(&s).await);
    let (sender, _, _) = join(&s, &c1, "flood", "mesh").await;
    let _stuck = tiny_window_client(&s, &c2, "flood").await;
    let (mut tx, mut rx) = sender.split();
    let joined = tokio::time::timeout(Duration::from_secs(10), rx.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let joined: serde_json::Value = serde_json::from_str(joined.to_text().unwrap()).unwrap();
    let stuck_id = joined["peer"]["id"].as_str().unwrap().to_owned();

    // Watch for the room being told, while offers far beyond any socket buffer go to the
    // client that never reads.
    let (left_tx, mut left_rx) = tokio::sync::oneshot::channel();
    let watcher = tokio::spawn(async move {
        while let Some(Ok(m)) = rx.next().await {
            if m.to_text().is_ok_and(|t| t.contains("\"peer_left\"")) {
                let _ = left_tx.send(());
                return rx;
            }
        }
        panic!("sender's socket ended");
    });
    let sdp = "x".repeat(60 * 1024);
    let offer = json!({"type": "offer", "to": stuck_id, "payload": sdp}).to_string();
    let mut sent = 0;
    while left_rx.try_recv().is_err() {
        assert!(sent < 3000, "still not dropped after {sent} offers");
        tx.send(Message::text(offer.clone())).await.unwrap();
        sent += 1;
        tokio::task::yield_now().await;
    }
    let rx = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .unwrap()
        .unwrap();

    // The server still serves the sender.
    let mut ws = tx.reunite(rx).unwrap();
    send(&mut ws, json!({"type": "ping"})).await;
    loop {
        let v = next_json(&mut ws).await;
        if v["type"] == "pong" {
            break;
        }
        assert_eq!(
            v["type"], "error",
            "only congestion reports before the pong"
        );
    }
}

/// Opens `/ws` and returns the refusal's status and body, or panics if it was accepted.
async fn refused(s: &TestServer, cookie: &str) -> (u16, String) {
    let mut req = format!("ws://{}/ws", s.addr).into_client_request().unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => (
            resp.status().as_u16(),
            String::from_utf8_lossy(resp.body().as_deref().unwrap_or_default()).into_owned(),
        ),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn sockets_are_capped_per_session_and_per_address() {
    let s = start(&[("SOCKETS_PER_USER", "2"), ("SOCKETS_PER_IP", "3")]).await;
    let (g1, g2) = (guest(&s).await, guest(&s).await);
    let _a = connect(&s, &g1).await;
    let _b = connect(&s, &g1).await;
    let (status, words) = refused(&s, &g1).await;
    assert_eq!(status, 429);
    assert!(words.contains("this account"), "{words}");

    let (mut c, _) = connect(&s, &g2).await;
    let (status, words) = refused(&s, &g2).await;
    assert_eq!(status, 429, "the address holds three");
    assert!(words.contains("your address"), "{words}");
    // Refusals happen before any WebSocket exists; the open ones carry on.
    send(&mut c, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut c).await["type"], "pong");
}

/// Sends `frame` over and over, then waits for the server to end the connection. Returns the
/// close code, or 1006 when the server's close frame was lost to the reset that follows it (we
/// were still sending).
async fn flood_until_closed(ws: &mut Ws, frame: Message) -> u16 {
    for _ in 0..1000 {
        if ws.send(frame.clone()).await.is_err() {
            break;
        }
    }
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Close(c)))) => return c.map_or(1005, |c| u16::from(c.code)),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return 1006,
            Err(_) => panic!("the server never closed the flooding connection"),
        }
    }
}

#[tokio::test]
async fn ping_and_binary_floods_are_rate_limited_in_both_dialects() {
    let s = start(&[("MSG_RATE", "5"), ("MSG_BURST", "5")]).await;
    let cookie = guest(&s).await;
    let (mut pings, _) = connect(&s, &cookie).await;
    let ping = Message::Ping(vec![1, 2, 3].into());
    let closed = [1008, 1006];
    assert!(closed.contains(&flood_until_closed(&mut pings, ping.clone()).await));
    let (mut binary, _) = connect(&s, &cookie).await;
    let bin = Message::binary(vec![0u8; 16]);
    assert!(closed.contains(&flood_until_closed(&mut binary, bin).await));

    let mut pj = peerjs_open(&s, "flooder", "t0ken").await;
    assert!(closed.contains(&flood_until_closed(&mut pj, ping).await));
    // Others are still served.
    let (mut calm, _) = connect(&s, &cookie).await;
    send(&mut calm, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut calm).await["type"], "pong");
}
