//! `GET /api/ice`: the signed-in session's ICE configuration, with fresh TURN credentials.
use crate::accounts::session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::time::SystemTime;

pub async fn get(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some(user) = session::current_user(&st.pool, &headers).await else {
        return (StatusCode::UNAUTHORIZED, "log in or join as a guest first").into_response();
    };
    let config = st.config.ice.for_peer(&user.peer_id, SystemTime::now());
    if config.expires_at.is_some() {
        st.metrics.counters.turn_credentials.inc();
    }
    ([(header::CACHE_CONTROL, "private, no-store")], Json(config)).into_response()
}
