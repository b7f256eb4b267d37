//! JSON for non-browser clients, and the "go to room" form target.
use crate::signaling::protocol::{valid_room_name, RoomSummary};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

pub async fn list(State(st): State<AppState>) -> Json<Vec<RoomSummary>> {
    Json(st.hub.rooms())
}

pub async fn one(
    State(st): State<AppState>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !valid_room_name(&room) {
        let body = serde_json::json!({"error": "bad_room", "message": "room names are 1-48 letters, digits, - or _"});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    let viewer = crate::accounts::session::current_user(&st.pool, &headers).await;
    match st
        .hub
        .room_for(&room, viewer.as_ref().map(|u| u.peer_id.as_str()))
    {
        Some(summary) => Json(summary).into_response(),
        None => {
            let body = serde_json::json!({"error": "not_found", "message": "no such room"});
            (StatusCode::NOT_FOUND, Json(body)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct Go {
    #[serde(default)]
    room: String,
    /// `talk` starts a broadcast instead of a room call.
    mode: Option<String>,
}

/// `GET /go?room=x` → `/r/x` (or `/live/x/talk` with `mode=talk`), so the "open a room" form
/// works without JavaScript.
pub async fn go(Query(q): Query<Go>) -> Redirect {
    let room = q.room.trim();
    if valid_room_name(room) && q.mode.as_deref() == Some("talk") {
        Redirect::to(&format!("/live/{room}/talk"))
    } else if valid_room_name(room) {
        Redirect::to(&format!("/r/{room}"))
    } else {
        Redirect::to("/?error=bad_room")
    }
}
