//! Graceful drain: the server stops accepting, `/readyz` turns 503, every room-dialect socket
//! is told to `reconnect`, and the serve future ends once they closed or the deadline passed.
mod common;
use common::*;
use std::time::Duration;
use tokio::task::JoinHandle;

/// A test server whose address is served by the drain-aware loop `run::serve` uses, with its
/// serve future kept to see when it ends.
async fn start_draining() -> (TestServer, JoinHandle<()>) {
    let mut s = start(&[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    s.addr = listener.local_addr().unwrap();
    let st = &s.state;
    let served = tokio::spawn(parley::listen::serve_draining(
        listener,
        parley::server::router(st.clone()),
        st.drain.token(),
        st.shutdown.clone(),
        st.config.header_timeout,
    ));
    (s, served)
}

/// Fails the test if `fut` hangs: 20 s is far below the drain deadlines used here, so a serve
/// future that ends within it ended because its clients left.
async fn within<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("hung")
}

#[tokio::test]
async fn clients_are_told_to_reconnect_and_the_server_ends_when_they_leave() {
    let (s, served) = start_draining().await;
    let ann = signup(&s, "ann").await;
    let bob = signup(&s, "bob").await;
    let (mut a, _, _) = join(&s, &ann, "r", "mesh").await;
    let (mut b, _, _) = join(&s, &bob, "r", "mesh").await;
    assert_eq!(next_json(&mut a).await["type"], "peer_joined");
    // A load balancer's keep-alive connection, opened before the drain.
    let lb = http();
    let ready = lb.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let _ = ready.text().await;

    let state = s.state.clone();
    let drain =
        tokio::spawn(async move { parley::run::drain(&state, Duration::from_secs(600)).await });
    for ws in [&mut a, &mut b] {
        let msg = next_json(ws).await;
        assert_eq!(msg["type"], "reconnect", "{msg}");
        let after = msg["after_ms"].as_u64().expect("after_ms");
        assert!(after <= 2000, "{after}");
    }
    let ready = lb.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "not ready while draining");
    assert!(
        !served.is_finished(),
        "still open sockets keep the server up"
    );

    drop((a, b));
    assert_eq!(within(drain).await.unwrap(), 0, "nobody was left to close");
    within(served).await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(s.addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn sockets_still_open_at_the_deadline_are_closed() {
    let (s, served) = start_draining().await;
    let ann = signup(&s, "ann").await;
    let (mut a, _) = connect(&s, &ann).await;
    let state = s.state.clone();
    let drain =
        tokio::spawn(async move { parley::run::drain(&state, Duration::from_millis(50)).await });
    assert_eq!(next_json(&mut a).await["type"], "reconnect");
    // This client ignores it: the deadline closes its socket.
    assert_eq!(close_code(&mut a).await, 1001);
    assert_eq!(within(drain).await.unwrap(), 1);
    within(served).await.unwrap();
}
