//! Server functions about the current session.
use super::CurrentUser;
use leptos::prelude::*;

/// Who this browser is signed in as, if anyone.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, ServerFnError> {
    let st = crate::state::AppState::from_context()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    Ok(super::session::current_user(&st.pool, &headers).await)
}
