//! What operators and load balancers look at: liveness, readiness, and (in `metrics`) the
//! Prometheus exposition.
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use std::time::Duration;

/// `GET /healthz`: the process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: ready for traffic: the database answers, and the server is not draining.
/// In a cluster without Redis it still answers 200, saying "degraded".
pub async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    if st.drain.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match tokio::time::timeout(Duration::from_secs(2), st.pool.ping()).await {
        // Redis is shared by every instance: when it is away they are all degraded alike, and
        // a 503 would empty the load balancer's pool. Each still serves its own clients.
        Ok(Ok(_)) if st.cluster.as_ref().is_some_and(|c| !c.is_up()) => (
            StatusCode::OK,
            "ready (degraded: Redis unreachable; rooms are not shared)",
        ),

        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!("readiness check: database error: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database not answering"),
    }
}
