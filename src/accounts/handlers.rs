//! Plain HTML form posts for accounts, so they work before (and without) the wasm.
//! Each answers with a redirect: to `next` on success, back to the form with `?error=` if not
//! (see `replies.rs` for clients that are not browsers).
//!
//! Every post is refused first if another site's page sent it, then if its address (or, for a
//! log-in, the username) has run out of tries, and only then costs a password hash, which
//! waits for a free core.
use super::replies::FormReply;
use super::{
    csrf, guests, password, safe_next, session, store, valid_username, FormError, MAX_PASSWORD,
    MIN_PASSWORD,
};
use crate::state::AppState;
use crate::throttle::ClientIp;
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

pub async fn signup(
    State(st): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(f): Form<Credentials>,
) -> Response {
    let (username, reply, ip) = match admit(
        &st,
        &headers,
        ip,
        "/signup",
        (&f.username, f.next.as_deref()),
    ) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    if !valid_username(username) {
        return reply.error(FormError::BadName);
    } else if f.password.chars().count() < MIN_PASSWORD {
        return reply.error(FormError::ShortPassword);
    } else if f.password.len() > MAX_PASSWORD {
        return reply.error(FormError::LongPassword);
    }
    let hash = match password::hash(&st.throttles.hashing, f.password).await {
        Ok(h) => h,
        Err(password::HashError::Busy(busy)) => {
            // Nothing was tried, so it costs no attempt.
            st.throttles.auth_ip.refund(&ip);
            limited(&st, "busy");
            return reply.later(StatusCode::SERVICE_UNAVAILABLE, FormError::Busy, busy.0);
        }
        Err(e) => {
            tracing::error!("{e}");
            return reply.error(FormError::Server);
        }
    };
    let user_id = match store::create_user(&st.pool, username, &hash.0).await {
        Ok(id) => id,
        Err(store::StoreError::NameTaken) => return reply.error(FormError::NameTaken),
        Err(e) => {
            tracing::error!("sign-up failed: {e}");
            return reply.error(FormError::Server);
        }
    };
    let token = store::create_session(&st.pool, user_id).await;
    start_session(&st, &headers, token, &reply).await
}

/// The checks every sign-up and log-in passes before anything else: not from another site's
/// page, and tries left for this address. Gives the trimmed name, the reply that words errors
/// on the `form` page, and the address's key.
fn admit<'f>(
    st: &AppState,
    headers: &HeaderMap,
    ip: ClientIp,
    form: &'static str,
    (name, next): (&'f str, Option<&'f str>),
) -> Result<(&'f str, FormReply<'f>, String), Box<Response>> {
    let username = name.trim();
    let reply = FormReply::new(form, username, next, headers);
    if cross_site(st, headers) {
        return Err(Box::new(reply.cross_site()));
    }
    let ip = ip.key();
    match st.throttles.auth_ip.check(&ip) {
        Ok(()) => Ok((username, reply, ip)),
        Err(wait) => Err(Box::new(too_many_attempts(st, &reply, wait))),
    }
}

fn too_many_attempts(st: &AppState, reply: &FormReply, wait: std::time::Duration) -> Response {
    limited(st, "too_many_attempts");
    reply.later(
        StatusCode::TOO_MANY_REQUESTS,
        FormError::TooManyAttempts,
        wait,
    )
}

pub async fn login(
    State(st): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(f): Form<Credentials>,
) -> Response {
    let (username, reply, ip) = match admit(
        &st,
        &headers,
        ip,
        "/login",
        (&f.username, f.next.as_deref()),
    ) {
        Ok(admitted) => admitted,
        Err(refused) => return *refused,
    };
    if username.is_empty() || username.len() > 64 || f.password.len() > MAX_PASSWORD {
        return reply.error(FormError::BadCredentials);
    }
    // Charged now and given back on success, so a guess at one account costs a try whatever
    // address it comes from, before any hashing. Unknown names count too: a limit only on real
    // ones would tell which exist.
    let account = username.to_lowercase();
    let fails = &st.throttles.login_fails_user;
    if let Err(wait) = fails.check(&account) {
        return too_many_attempts(&st, &reply, wait);
    }
    let user = match store::find_user(&st.pool, username).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!("login lookup failed: {e}");
            return reply.error(FormError::Server);
        }
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = match password::verify(&st.throttles.hashing, f.password, stored).await {
        Ok(ok) => ok,
        Err(busy) => {
            st.throttles.auth_ip.refund(&ip);
            fails.refund(&account);
            limited(&st, "busy");
            return reply.later(StatusCode::SERVICE_UNAVAILABLE, FormError::Busy, busy.0);
        }
    };
    match user {
        Some(u) if ok => {
            fails.reset(&account);
            tracing::info!(user = %u.username, "logged in");
            let token = store::create_session(&st.pool, u.id).await;
            start_session(&st, &headers, token, &reply).await
        }
        _ => reply.error(FormError::BadCredentials),
    }
}

pub async fn guest(
    State(st): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(f): Form<Next>,
) -> Response {
    let reply = FormReply::new("/login", "", f.next.as_deref(), &headers);
    if cross_site(&st, &headers) {
        return reply.cross_site();
    }
    if let Err(wait) = st.throttles.guest_ip.check(&ip.key()) {
        limited(&st, "too_many_guests");
        return reply.later(
            StatusCode::TOO_MANY_REQUESTS,
            FormError::TooManyGuests,
            wait,
        );
    }
    let token = guests::create(&st.pool).await.map(|(token, _name)| token);
    start_session(&st, &headers, token, &reply).await
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if cross_site(&st, &headers) {
        return FormReply::new("/", "", None, &headers).cross_site();
    }
    end_session(&st, &headers).await;
    (
        [(header::SET_COOKIE, session::clear_cookie())],
        Redirect::to("/"),
    )
        .into_response()
}

fn cross_site(st: &AppState, headers: &HeaderMap) -> bool {
    let refused = csrf::cross_site(
        headers,
        st.config.cookie_secure,
        st.throttles.limits.trust_proxy,
        &st.config.allowed_origins,
    );
    if refused {
        tracing::debug!("cross-site account form post refused");
        limited(st, "cross_site");
    }
    refused
}

/// Counts a request refused by a limit, for `/metrics`.
fn limited(st: &AppState, reason: &'static str) {
    let reason = crate::metrics::Reason { reason };
    st.metrics
        .counters
        .limited_requests
        .get_or_create(&reason)
        .inc();
}

/// Sets the new session's cookie and ends the one this browser had (a guest signing in, or
/// anyone switching accounts): one browser, one session.
async fn start_session(
    st: &AppState,
    headers: &HeaderMap,
    token: Result<String, store::StoreError>,
    reply: &FormReply<'_>,
) -> Response {
    match token {
        Ok(token) => {
            end_session(st, headers).await;
            let cookie = session::set_cookie(&token, st.config.cookie_secure);
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(safe_next(reply.next())),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("session start failed: {e}");
            reply.error(FormError::Server)
        }
    }
}

/// Deletes the request's session and closes the sockets it opened.
async fn end_session(st: &AppState, headers: &HeaderMap) {
    let Some(token) = session::token(headers) else {
        return;
    };
    if let Err(e) = store::delete_session(&st.pool, token).await {
        tracing::error!("ending a session failed: {e}");
    }
    let closed = st.hub.close_session(&store::session_key(token));
    if closed > 0 {
        tracing::debug!(sockets = closed, "session ended; its sockets closed");
    }
}
