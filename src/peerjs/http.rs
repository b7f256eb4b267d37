//! The PeerJS HTTP routes: `{path}{key}/id`, `{path}{key}/peers` and the `{path}peerjs` socket.
//!
//! The socket checks no Origin, on purpose: PeerJS clients usually live on other sites (that is
//! the point of a public signaling server). Ids are first come, first served, as with
//! peerjs-server, with one exception: a site user's persisted peer id (an account's, or a live
//! guest session's) can only be claimed by a request carrying that session, so nobody can
//! impersonate a site user by id.
use super::options::PeerJsOptions;
use super::socket::{self, Params};
use crate::accounts::{session, store};
use crate::signaling::protocol::MAX_FRAME_BYTES;
use crate::state::AppState;
use crate::throttle::ClientIp;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

/// The routes for `options`; merged into the app before the Leptos fallback.
pub fn routes(options: &PeerJsOptions) -> Router<AppState> {
    Router::new()
        .route(&options.id_route(), get(id))
        .route(&options.peers_route(), get(peers))
        .route(&options.socket_route(), get(upgrade))
}

/// A fresh id, or the signed-in user's own peer id, as text. Readable from any origin: the
/// cookie is only sent same-site, and `*` forbids credentialed cross-origin reads anyway.
async fn id(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let id = match session::current_user(&st.pool, &headers).await {
        Some(user) => user.peer_id,
        None => st.peerjs.fresh_id(),
    };
    let mut resp = ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], id).into_response();
    cors(resp.headers_mut());
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Connected ids as a JSON array when `allow_discovery` is on; 401 otherwise, like the reference.
async fn peers(State(st): State<AppState>) -> Response {
    let mut resp = if st.peerjs.options.allow_discovery {
        Json(st.peerjs.peers()).into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    };
    cors(resp.headers_mut());
    resp
}

async fn upgrade(
    State(st): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    // Counted with the room dialect's sockets, so one address holds a bounded number in all,
    // and before any database work. Refused with an ERROR frame rather than a status: the stock
    // client shows an ERROR's text, but only "Lost connection to server" for a failed upgrade.
    let limit = st.throttles.limits.sockets_per_ip;
    let Some(slot) = st.throttles.sockets_ip.try_acquire(&ip.key(), limit) else {
        tracing::info!(ip = %ip.0, "peerjs socket refused: too many from this address");
        st.metrics.counters.refused_upgrade("too_many");
        return ws.on_upgrade(socket::refuse_busy);
    };
    // A query that does not parse is treated as missing parameters, which the socket reports.
    let mut q = query.map(|Query(q)| q).unwrap_or_default();
    let params = Params {
        key: q.remove("key"),
        id: q.remove("id"),
        token: q.remove("token"),
    };
    // A socket opened with a session cookie is that session's, so logging out closes it like
    // the session's room sockets. Counted before the claim is checked, so a log-out racing
    // this upgrade still closes it.
    let open = session::token(&headers)
        .map(|t| st.hub.session_socket(&store::session_key(t), &st.shutdown));
    if let Some(id) = params.id.as_deref().filter(|id| !id.is_empty()) {
        if !may_claim(&st, &headers, id).await {
            st.metrics.counters.refused_upgrade("session");
            return ws.on_upgrade(socket::refuse_taken);
        }
    }
    let svc = st.peerjs.clone();
    let limits = st.config.conn;
    let shutdown = open
        .as_ref()
        .map_or_else(|| st.shutdown.clone(), |o| o.token());
    crate::signaling::endpoint::sized(ws)
        .max_message_size(MAX_FRAME_BYTES * 4)
        .max_frame_size(MAX_FRAME_BYTES * 4)
        .on_upgrade(move |s| async move {
            socket::serve(s, svc, params, limits, shutdown).await;
            drop((slot, open));
        })
}

/// Whether this request may claim `id`: any id nobody owns, or the caller's own, an account's
/// or a guest session's persisted peer id, with that session. A database failure refuses (and
/// is logged), so nothing is given away.
async fn may_claim(st: &AppState, headers: &HeaderMap, id: &str) -> bool {
    match crate::accounts::store::peer_id_owned(&st.pool, id).await {
        Ok(false) => true,
        Ok(true) => session::current_user(&st.pool, headers)
            .await
            .is_some_and(|u| u.peer_id == id),
        Err(e) => {
            tracing::error!("peer id lookup failed: {e}");
            false
        }
    }
}

fn cors(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}
