//! Shared server state, handed to axum handlers and (as context) to server functions.
use crate::config::Config;
use crate::peerjs::PeerJs;
use crate::signaling::hub::Hub;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The database pool (SQLite or PostgreSQL).
    pub pool: crate::db::Db,
    pub hub: Arc<Hub>,
    /// The PeerJS dialect's realm on the hub (its mailbox and signaling pairs).
    pub peerjs: Arc<PeerJs>,
    pub config: Arc<Config>,
    /// Per-address and per-account limits, and the password-hashing permits.
    pub throttles: Arc<crate::throttle::Throttles>,
    /// What `/metrics` shows.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Cancelled at shutdown; WebSocket tasks watch it (axum's graceful shutdown does not).
    pub shutdown: CancellationToken,
    /// Started before the shutdown: stop accepting, ask clients to reconnect, wait for them.
    pub drain: crate::signaling::drain::Drain,
    /// The link to the other instances (`REDIS_URL`); `None` for a single instance.
    pub cluster: Option<Arc<crate::cluster::Cluster>>,
}

impl AppState {
    /// The state from a server function's context.
    pub fn from_context() -> Result<Self, leptos::prelude::ServerFnError> {
        leptos::prelude::use_context::<Self>()
            .ok_or_else(|| leptos::prelude::ServerFnError::new("server state missing"))
    }
}
