//! Server functions the pages use for their server-rendered presence lists.
use crate::signaling::protocol::RoomSummary;
use leptos::prelude::*;

/// Every room with someone in it.
#[server(endpoint = "rooms_list")]
pub async fn list_rooms() -> Result<Vec<RoomSummary>, ServerFnError> {
    Ok(crate::state::AppState::from_context()?.hub.rooms())
}

/// The signed-in session's ICE configuration (`{iceServers, iceTransportPolicy, expiresAt}` as
/// JSON), with TURN credentials minted for it. Signed-out pages get an error, never servers.
#[server(endpoint = "ice_servers")]
pub async fn ice_servers() -> Result<String, ServerFnError> {
    let st = crate::state::AppState::from_context()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    let user = crate::accounts::session::current_user(&st.pool, &headers)
        .await
        .ok_or_else(|| ServerFnError::new("log in or join as a guest first"))?;
    let config = st
        .config
        .ice
        .for_peer(&user.peer_id, std::time::SystemTime::now());
    if config.expires_at.is_some() {
        st.metrics.counters.turn_credentials.inc();
    }
    serde_json::to_string(&config).map_err(|e| ServerFnError::new(e.to_string()))
}

/// Who is in one room.
#[server(endpoint = "room_people")]
pub async fn room_people(room: String) -> Result<RoomSummary, ServerFnError> {
    if !crate::signaling::protocol::valid_room_name(&room) {
        return Err(ServerFnError::new(
            "room names are 1-48 letters, digits, - or _",
        ));
    }
    let st = crate::state::AppState::from_context()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    let viewer = crate::accounts::session::current_user(&st.pool, &headers).await;
    // A private call's room shows nobody to anyone but its two parties.
    Ok(st
        .hub
        .room_for(&room, viewer.as_ref().map(|u| u.peer_id.as_str()))
        .unwrap_or(RoomSummary {
            name: room,
            people: Vec::new(),
        }))
}
