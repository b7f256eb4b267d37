//! PeerJS sockets opened with a site session belong to it: logging out closes them, as it does
//! the session's room sockets.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use futures_util::StreamExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// A PeerJS socket for `id`, opened by a page of this site with `cookie`, after its `OPEN`.
async fn peerjs_with_cookie(s: &TestServer, cookie: &str, id: &str) -> Ws {
    let url = format!(
        "ws://{}/peerjs?key=peerjs&id={id}&token=tok&version=1.5.5",
        s.addr
    );
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    assert_eq!(next_text(&mut ws).await, r#"{"type":"OPEN"}"#);
    ws
}

/// Waits (bounded, so a hang fails) until the server ends the socket.
async fn ends(ws: &mut Ws) {
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(m)) = ws.next().await {
            if m.is_close() {
                break;
            }
        }
    });
    end.await.expect("the socket stays open");
}

#[tokio::test]
async fn logging_out_closes_the_sessions_peerjs_sockets() {
    let s = start(&[]).await;
    let mine = guest(&s).await;
    let theirs = guest(&s).await;
    let mut own = peerjs_with_cookie(&s, &mine, "freshid1").await;
    let mut other = peerjs_with_cookie(&s, &theirs, "freshid2").await;
    let mut anonymous = peerjs_open(&s, "freshid3", "tok").await;

    let out = http()
        .post(s.url("/auth/logout"))
        .header("cookie", &mine)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    ends(&mut own).await;
    let mut again = peerjs_open(&s, "freshid1", "another-token").await;
    // Other sessions, and sockets with no session, stay: they still reach each other.
    send_text(
        &mut other,
        r#"{"type":"OFFER","dst":"freshid3","payload":{}}"#,
    )
    .await;
    assert!(next_text(&mut anonymous)
        .await
        .contains(r#""src":"freshid2""#));
    send_text(
        &mut anonymous,
        r#"{"type":"ANSWER","dst":"freshid1","payload":{}}"#,
    )
    .await;
    assert!(next_text(&mut again).await.contains(r#""src":"freshid3""#));
}
