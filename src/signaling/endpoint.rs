//! `GET /ws`: the upgrade checks Origin and the session before any WebSocket exists.
use super::call_by_name::Identity;
use super::hub::GracePolicy;
use super::protocol::MAX_FRAME_BYTES;
use super::resume::Opening;
use crate::accounts::{session, store};
use crate::state::AppState;
use crate::throttle::ClientIp;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::SystemTime;

/// Longest resume token looked at; ours are 43 characters.
const MAX_RESUME_TOKEN: usize = 128;

#[derive(Deserialize)]
pub struct WsQuery {
    /// A resume token from an earlier `welcome` of this session.
    resume: Option<String>,
}

pub async fn upgrade(
    State(st): State<AppState>,
    ip: ClientIp,
    Query(query): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if st.drain.is_draining() {
        st.metrics.counters.refused_upgrade("draining");
        let words = "server restarting; reconnect in a moment";
        return (StatusCode::SERVICE_UNAVAILABLE, words).into_response();
    }
    let scheme = site_scheme(
        &headers,
        st.config.cookie_secure,
        st.throttles.limits.trust_proxy,
    );
    if !origin_allowed(&headers, scheme, &st.config.allowed_origins) {
        st.metrics.counters.refused_upgrade("origin");
        return (StatusCode::FORBIDDEN, "WebSocket origin not allowed").into_response();
    }
    // Counted with its session before the session is checked, so a log-out racing this upgrade
    // still closes the socket.
    let key = session::token(&headers).map(store::session_key);
    let open = key
        .as_deref()
        .map(|k| st.hub.session_socket(k, &st.shutdown));
    let (Some(open), Some(user)) = (open, session::current_user(&st.pool, &headers).await) else {
        st.metrics.counters.refused_upgrade("session");
        return (StatusCode::UNAUTHORIZED, "log in or join as a guest first").into_response();
    };
    // Both slots live as long as the socket's task, and are given back when it ends.
    let caps = st.throttles.limits;
    let Some(ip_slot) = st
        .throttles
        .sockets_ip
        .try_acquire(&ip.key(), caps.sockets_per_ip)
    else {
        st.metrics.counters.refused_upgrade("too_many");
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
        st.metrics.counters.refused_upgrade("too_many");
        let words = format!(
            "too many connections for this account (at most {}); close some tabs",
            caps.sockets_per_user
        );
        return (StatusCode::TOO_MANY_REQUESTS, words).into_response();
    };
    let ice = st.config.ice.for_peer(&user.peer_id, SystemTime::now());
    if ice.expires_at.is_some() {
        st.metrics.counters.turn_credentials.inc();
    }
    let opening = Opening {
        session: key.map(Into::into),
        resume: query.resume.filter(|t| t.len() <= MAX_RESUME_TOKEN),
        ice: crate::json::RawJson::of(&ice),
        grace: GracePolicy {
            grace: st.config.resume_grace,
            per_session: caps.sockets_per_user,
        },
        drain: Some(st.drain.token()),
        admission: st
            .cluster
            .clone()
            .map(|c| c as Arc<dyn crate::signaling::admission::Admission>),
    };
    let counted = st.drain.socket();
    let who = Identity {
        name: user.name,
        user: Some(user.peer_id),
        guest: user.guest,
        directory: Some(st.pool.clone()),
    };
    let hub = st.hub.clone();
    let limits = st.config.conn;
    let shutdown = open.token();
    // Frames above our 64 KiB limit are refused by the loop with close 1009; this cap only
    // stops the library from buffering anything absurd before we see it.
    sized(ws)
        .max_message_size(MAX_FRAME_BYTES * 4)
        .max_frame_size(MAX_FRAME_BYTES * 4)
        .on_upgrade(move |socket| async move {
            let _open = (open, counted);
            super::ws::serve(socket, hub, who, opening, limits, shutdown).await;
            drop((ip_slot, user_slot));
        })
}

/// Both dialects' socket buffers. The library's default 128 KiB read buffer, zero-filled when
/// the socket opens, was nearly all of an idle connection's memory; signaling frames are small,
/// and a larger frame still arrives whole (the buffer grows for it). Writes are buffered up to
/// `WRITE` before going out, so frames queued together can leave in one write.
pub fn sized(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    const READ: usize = 2 * 1024;
    const WRITE: usize = 8 * 1024;
    ws.read_buffer_size(READ).write_buffer_size(WRITE)
}

/// The scheme this site is served over: https when cookies are marked secure, or when a trusted
/// proxy says the request came over https; http otherwise.
pub fn site_scheme(headers: &HeaderMap, cookie_secure: bool, trust_proxy: bool) -> &'static str {
    let proxied_https = trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    if cookie_secure || proxied_https {
        "https"
    } else {
        "http"
    }
}

/// Browsers always send `Origin` on WebSocket upgrades, so a cross-site page is caught here:
/// it must be this site, scheme included (`http://host` is another origin than `https://host`),
/// or one of `extra`. Clients that are not browsers send none and cannot ride a victim's
/// cookie, so they pass.
pub fn origin_allowed(headers: &HeaderMap, scheme: &str, extra: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let same_site = origin.split_once("://").is_some_and(|(s, h)| {
        s.eq_ignore_ascii_case(scheme) && !host.is_empty() && h.eq_ignore_ascii_case(host)
    });
    same_site || extra.iter().any(|o| o.eq_ignore_ascii_case(origin))
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
        let allowed = |origin: Option<&str>, extra: &[String]| {
            origin_allowed(&h(origin, "127.0.0.1:3000"), "http", extra)
        };
        assert!(allowed(Some("http://127.0.0.1:3000"), &[]));
        assert!(allowed(None, &[]));
        assert!(!allowed(Some("http://evil.example"), &[]));
        assert!(!allowed(Some("http://127.0.0.1:3000.evil.example"), &[]));
        let extra = vec!["https://app.example".to_owned()];
        assert!(allowed(Some("https://app.example"), &extra));
    }

    #[test]
    fn the_scheme_is_part_of_the_origin() {
        let site = h(Some("http://chat.example"), "chat.example");
        assert!(origin_allowed(&site, "http", &[]));
        assert!(
            !origin_allowed(&site, "https", &[]),
            "http page, https site"
        );
        let site = h(Some("https://chat.example"), "chat.example");
        assert!(!origin_allowed(&site, "http", &[]), "https page, http site");
        assert!(origin_allowed(&site, "https", &[]));
    }

    #[test]
    fn the_site_scheme_comes_from_config_or_a_trusted_proxy() {
        let mut proxied = h(None, "chat.example");
        proxied.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(
            site_scheme(&proxied, false, false),
            "http",
            "untrusted header"
        );
        assert_eq!(site_scheme(&proxied, false, true), "https");
        assert_eq!(site_scheme(&h(None, "x"), true, false), "https");
        assert_eq!(site_scheme(&h(None, "x"), false, true), "http");
    }
}
