//! `GET /ws`: the upgrade checks Origin and the session before any WebSocket exists.
use super::bycall::Identity;
use super::protocol::MAX_FRAME_BYTES;
use crate::accounts::session;
use crate::state::AppState;
use crate::throttle::ClientIp;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn upgrade(
    State(st): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &st.config.allowed_origins) {
        return (StatusCode::FORBIDDEN, "WebSocket origin not allowed").into_response();
    }
    let Some(user) = session::current_user(&st.pool, &headers).await else {
        return (StatusCode::UNAUTHORIZED, "log in or join as a guest first").into_response();
    };
    // Both slots live as long as the socket's task, and are given back when it ends.
    let caps = st.throttles.limits;
    let Some(ip_slot) = st
        .throttles
        .sockets_ip
        .try_acquire(&ip.key(), caps.sockets_per_ip)
    else {
        let words = format!(
            "too many connections from your address (at most {}); close some tabs",
            caps.sockets_per_ip
        );
        return (StatusCode::TOO_MANY_REQUESTS, words).into_response();
    };
    let Some(user_slot) = st
        .throttles
        .sockets_user
        .try_acquire(&user.peer_id, caps.sockets_per_user)
    else {
        let words = format!(
            "too many connections for this account (at most {}); close some tabs",
            caps.sockets_per_user
        );
        return (StatusCode::TOO_MANY_REQUESTS, words).into_response();
    };
    let who = Identity {
        name: user.name,
        user: Some(user.peer_id),
        guest: user.guest,
        directory: Some(st.pool.clone()),
    };
    let hub = st.hub.clone();
    let limits = st.config.conn;
    let shutdown = st.shutdown.clone();
    // Frames above our 64 KiB limit are refused by the loop with close 1009; this cap only
    // stops the library from buffering anything absurd before we see it.
    ws.max_message_size(MAX_FRAME_BYTES * 4)
        .max_frame_size(MAX_FRAME_BYTES * 4)
        .on_upgrade(move |socket| async move {
            super::ws::serve(socket, hub, who, limits, shutdown).await;
            drop((ip_slot, user_slot));
        })
}

/// Browsers always send `Origin` on WebSocket upgrades, so a cross-site page is caught here.
/// Clients that are not browsers send none and cannot ride a victim's cookie, so they pass.
pub fn origin_allowed(headers: &HeaderMap, extra: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
    (!host.is_empty() && origin_host.eq_ignore_ascii_case(host))
        || extra.iter().any(|o| o.eq_ignore_ascii_case(origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            m.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        m
    }

    #[test]
    fn origins() {
        assert!(origin_allowed(
            &h(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"),
            &[]
        ));
        assert!(origin_allowed(&h(None, "127.0.0.1:3000"), &[]));
        assert!(!origin_allowed(
            &h(Some("http://evil.example"), "127.0.0.1:3000"),
            &[]
        ));
        assert!(!origin_allowed(
            &h(Some("http://127.0.0.1:3000.evil.example"), "127.0.0.1:3000"),
            &[]
        ));
        let extra = vec!["https://app.example".to_owned()];
        assert!(origin_allowed(
            &h(Some("https://app.example"), "127.0.0.1:3000"),
            &extra
        ));
    }
}
