//! Plain HTML form posts for accounts, so they work before (and without) the wasm.
//! Each answers with a redirect: to `next` on success, back to the form with `?error=` if not.
use super::{
    password, safe_next, session, store, valid_username, FormError, MAX_PASSWORD, MIN_PASSWORD,
};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn signup(State(st): State<AppState>, Form(f): Form<Credentials>) -> Response {
    let username = f.username.trim();
    let check = if !valid_username(username) {
        Err(FormError::BadName)
    } else if f.password.chars().count() < MIN_PASSWORD {
        Err(FormError::ShortPassword)
    } else if f.password.len() > MAX_PASSWORD {
        Err(FormError::LongPassword)
    } else {
        Ok(())
    };
    if let Err(e) = check {
        return back("/signup", e, username, f.next.as_deref());
    }
    let hash = match password::hash(f.password).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("hashing failed: {e}");
            return back("/signup", FormError::Server, username, f.next.as_deref());
        }
    };
    let user_id = match store::create_user(&st.pool, username, &hash.0).await {
        Ok(id) => id,
        Err(store::StoreError::NameTaken) => {
            return back("/signup", FormError::NameTaken, username, f.next.as_deref())
        }
        Err(e) => {
            tracing::error!("sign-up failed: {e}");
            return back("/signup", FormError::Server, username, f.next.as_deref());
        }
    };
    start_session(&st, Some(user_id), f.next.as_deref()).await
}

pub async fn login(State(st): State<AppState>, Form(f): Form<Credentials>) -> Response {
    let username = f.username.trim();
    if username.is_empty() || username.len() > 64 || f.password.len() > MAX_PASSWORD {
        return back(
            "/login",
            FormError::BadCredentials,
            username,
            f.next.as_deref(),
        );
    }
    let user = match store::find_user(&st.pool, username).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!("login lookup failed: {e}");
            return back("/login", FormError::Server, username, f.next.as_deref());
        }
    };
    let ok = password::verify(f.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    match user {
        Some(u) if ok => {
            tracing::info!(user = %u.username, "logged in");
            start_session(&st, Some(u.id), f.next.as_deref()).await
        }
        _ => back(
            "/login",
            FormError::BadCredentials,
            username,
            f.next.as_deref(),
        ),
    }
}

pub async fn guest(State(st): State<AppState>, Form(f): Form<Next>) -> Response {
    start_session(&st, None, f.next.as_deref()).await
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session::token(&headers) {
        if let Err(e) = store::delete_session(&st.pool, token).await {
            tracing::error!("logout failed: {e}");
        }
    }
    (
        [(header::SET_COOKIE, session::clear_cookie())],
        Redirect::to("/"),
    )
        .into_response()
}

async fn start_session(st: &AppState, user_id: Option<i64>, next: Option<&str>) -> Response {
    match store::create_session(&st.pool, user_id).await {
        Ok(token) => {
            let cookie = session::set_cookie(&token, st.config.cookie_secure);
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(safe_next(next)),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("session start failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, FormError::Server.message()).into_response()
        }
    }
}

/// Back to the form, keeping what the user typed (never the password).
fn back(form: &str, err: FormError, username: &str, next: Option<&str>) -> Response {
    let mut url = format!(
        "{form}?error={}&username={}",
        err.code(),
        urlencode(username)
    );
    if let Some(n) = next {
        url.push_str("&next=");
        url.push_str(&urlencode(safe_next(Some(n))));
    }
    Redirect::to(&url).into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
