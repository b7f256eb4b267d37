//! The language switch's form post.
use super::{request_lang, Lang, COOKIE};
use crate::accounts::{csrf, safe_next};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

/// A year: the choice stays until it is changed.
const COOKIE_SECS: u64 = 365 * 24 * 60 * 60;

#[derive(Deserialize)]
pub struct Switch {
    lang: String,
    next: Option<String>,
}

/// `POST /lang` (`lang`, `next`): remembers the language in a cookie and goes back to the
/// page, which the server then renders in it. Another site's page may not switch it.
pub async fn switch(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Switch>,
) -> Response {
    let lang = request_lang(&headers);
    if csrf::cross_site(
        &headers,
        st.config.cookie_secure,
        st.throttles.limits.trust_proxy,
        &st.config.allowed_origins,
    ) {
        return (StatusCode::FORBIDDEN, lang.words().cross_site).into_response();
    }
    let Some(chosen) = Lang::from_tag(&f.lang) else {
        return (StatusCode::BAD_REQUEST, "unknown language").into_response();
    };
    let secure = if st.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_SECS}{secure}",
        chosen.code()
    );
    (
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("")),
        )],
        Redirect::to(safe_next(f.next.as_deref())),
    )
        .into_response()
}
