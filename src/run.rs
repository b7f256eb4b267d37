//! Start-up and shutdown: config, database, state, listener, signals.
use crate::config::Config;
use crate::peerjs::PeerJs;
use crate::signaling::hub::Hub;
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub async fn serve() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    init_logs()?;
    let config = Config::load()?;
    let leptos = leptos::prelude::get_configuration(None)?.leptos_options;
    let state = build_state(config, leptos.clone()).await?;
    let pool = state.pool.clone();
    let app = crate::server::router(state.clone());
    let listener = tokio::net::TcpListener::bind(leptos.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", leptos.site_addr))?;
    tracing::info!("listening on http://{}", leptos.site_addr);
    let st = state.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        let deadline = st.config.drain;
        tokio::select! {
            _ = drain(&st, deadline) => {}
            // A second signal means now.
            _ = shutdown_signal() => st.shutdown.cancel(),
        }
    });
    crate::listen::serve_draining(
        listener,
        app,
        state.drain.token(),
        state.shutdown.clone(),
        state.config.header_timeout,
    )
    .await;
    pool.close().await;
    Ok(())
}

/// Drains, then shuts down: stops accepting, turns `/readyz` to 503, asks every room-dialect
/// socket to reconnect, waits up to `deadline` for them to close, then cancels the shutdown
/// token, which closes the rest. Returns how many sockets were still open at the end.
pub async fn drain(state: &AppState, deadline: Duration) -> usize {
    let d = &state.drain;
    d.start();
    tracing::info!(
        sockets = d.open_sockets(),
        "draining: clients asked to reconnect"
    );
    let _ = tokio::time::timeout(deadline, d.sockets_closed()).await;
    let left = d.open_sockets();
    tracing::info!(sockets_left = left, "shutting down");
    state.shutdown.cancel();
    left
}

/// Opens (creating and migrating) the database and makes the shared state.
pub async fn build_state(
    config: Config,
    leptos: leptos::prelude::LeptosOptions,
) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let pool = crate::db::connect(&config.database_url, config.database_connections).await?;
    let removed = crate::accounts::store::purge_expired(&pool).await?;
    let database = crate::db::redacted(&config.database_url);
    tracing::info!(%database, expired_sessions_removed = removed, "database ready");
    let hub = Arc::new(Hub::new(config.hub));
    let peerjs = Arc::new(PeerJs::new(hub.clone(), config.peerjs.clone()));
    let shutdown = CancellationToken::new();
    crate::peerjs::spawn_expiry(peerjs.clone(), shutdown.clone());
    crate::accounts::expiry::spawn_purge(pool.clone(), config.session_purge, shutdown.clone());
    hub.set_ring_timeout(config.ring_timeout);
    hub.spawn_ring_timer(shutdown.clone());
    let metrics = Arc::new(crate::metrics::Metrics::new(hub.clone()));
    let cluster = match config.cluster.clone() {
        Some(c) => {
            tracing::info!(node = %c.node_id, "cluster mode: sharing rooms through Redis");
            Some(crate::cluster::Cluster::start(
                c,
                hub.clone(),
                Some(peerjs.clone()),
                shutdown.clone(),
            )?)
        }
        None => None,
    };
    Ok(AppState {
        metrics,
        leptos_options: leptos,
        pool,
        hub,
        peerjs,
        throttles: Arc::new(crate::throttle::Throttles::new(config.throttle)),
        config: Arc::new(config),
        drain: crate::signaling::drain::Drain::new(&shutdown),
        shutdown,
        cluster,
    })
}

/// Logs to stderr, filtered by `RUST_LOG`; one JSON object per line with `LOG_FORMAT=json`.
fn init_logs() -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().init(),
        Ok("text") | Ok("") | Err(_) => logs.init(),
        Ok(other) => return Err(format!("LOG_FORMAT: {other:?}: use text or json")),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
