//! The session cookie: reading it from requests and writing it on responses.
use super::{store, CurrentUser};
use crate::db::Db;
use axum::http::{header, HeaderMap, HeaderValue};

pub const COOKIE: &str = "parley_session";

/// The session token in the request's cookies, if any.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The signed-in user for these request headers. Database trouble counts as signed out, and
/// is logged.
pub async fn current_user(db: &Db, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = token(headers)?;
    match store::session_user(db, token).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            None
        }
    }
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, and Secure when configured.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        store::SESSION_SECS
    );
    // A hex token and fixed attributes are always a valid header value.
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("parley_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
