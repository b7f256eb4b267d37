//! The HTTP accept loop. `axum::serve` leaves hyper's header-read timeout off (it sets no
//! timer), so a client could hold a connection forever by sending half a request line; this
//! loop sets one, hands each request the peer's address (`ConnectInfo`), and shuts down
//! gracefully when the token is cancelled.
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// How long shutdown waits for open connections (WebSocket tasks end on the same token).
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` until `shutdown` is cancelled. A client that has not sent a whole request
/// head within `header_timeout` is disconnected.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
    header_timeout: Duration,
) {
    serve_draining(listener, app, shutdown.clone(), shutdown, header_timeout).await;
}

/// [`serve`], but new connections stop when `stop_accepting` is cancelled (a drain), while the
/// open ones (WebSockets, keep-alive requests such as a load balancer's `/readyz`) go on
/// until `shutdown`.
pub async fn serve_draining(
    listener: TcpListener,
    app: Router,
    stop_accepting: CancellationToken,
    shutdown: CancellationToken,
    header_timeout: Duration,
) {
    let (done_tx, done_rx) = tokio::sync::watch::channel(());
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop_accepting.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let shutdown = shutdown.clone();
        let done_rx = done_rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req)
            });
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(done_rx);
        });
    }
    // Closing the listener refuses new connections at once, rather than leaving them queued.
    drop(listener);
    shutdown.cancelled().await;
    drop(done_rx);
    let _ = tokio::time::timeout(DRAIN, done_tx.closed()).await;
}
