//! Server functions for the server-rendered online list.
use crate::signaling::protocol::OnlineUser;
use leptos::prelude::*;

/// Everyone online except the asker; empty for visitors who are not signed in (they could
/// not call anyone anyway).
#[server(endpoint = "online_users")]
pub async fn online_users() -> Result<Vec<OnlineUser>, ServerFnError> {
    let st = crate::state::AppState::from_context()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    let Some(me) = crate::accounts::session::current_user(&st.pool, &headers).await else {
        return Ok(Vec::new());
    };
    let mut users = st.hub.online();
    users.retain(|u| u.peer_id != me.peer_id);
    Ok(users)
}
