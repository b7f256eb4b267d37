//! `GET /api/users/{name}/peer`: a user's stable peer id, for clients that call by id.
use crate::accounts::{session, store};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `{name, peer_id, online}` for an account, or for a guest who is online (a guest's id
/// lives only as long as its session). Signed-in requesters only.
pub async fn peer(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    if session::current_user(&st.pool, &headers).await.is_none() {
        return problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in or join as a guest first",
        );
    }
    let found = match store::peer_of(&st.pool, &name).await {
        Ok(Some((name, peer_id))) => Some((name, peer_id)),
        Ok(None) => st
            .hub
            .online()
            .into_iter()
            .find(|u| u.guest && u.name == name)
            .map(|u| (u.name, u.peer_id)),
        Err(e) => {
            tracing::error!("peer lookup failed: {e}");
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "server",
                "something went wrong on our side",
            );
        }
    };
    match found {
        Some((name, peer_id)) => {
            let online = st.hub.is_online(&peer_id);
            Json(json!({"name": name, "peer_id": peer_id, "online": online})).into_response()
        }
        None => problem(
            StatusCode::NOT_FOUND,
            "unknown_user",
            "nobody has that name",
        ),
    }
}

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}
