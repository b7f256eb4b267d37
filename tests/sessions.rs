//! Session lifetimes: log-out and signing in end a session and its sockets, expired sessions
//! are purged while the server runs, and guests get names nobody else has.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

async fn post_with_cookie(
    s: &TestServer,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http()
        .post(s.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn still_open(ws: &mut Ws) {
    send(ws, json!({"type": "ping"})).await;
    assert_eq!(next_json(ws).await["type"], "pong");
}

async fn upgrade_status(s: &TestServer, cookie: &str) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/ws", s.addr).into_client_request().unwrap();
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
        Err(e) => panic!("{e}"),
    }
}

async fn logging_out_closes_that_sessions_sockets(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let here = signup(&s, "lena").await;
    let r = post_form(
        &s,
        "/auth/login",
        &[("username", "lena"), ("password", "correct horse battery")],
    )
    .await;
    let elsewhere = session_cookie(&r).unwrap();
    let (mut tab1, _) = connect(&s, &here).await;
    let (mut tab2, _) = connect(&s, &here).await;
    let (mut other_browser, _) = connect(&s, &elsewhere).await;

    let out = post_with_cookie(&s, "/auth/logout", &here, &[]).await;
    assert_eq!(out.status(), 303);
    close_code(&mut tab1).await;
    close_code(&mut tab2).await;
    assert_eq!(upgrade_status(&s, &here).await, 401);
    // The same account signed in elsewhere is another session: it stays.
    still_open(&mut other_browser).await;
}

async fn signing_in_ends_the_guest_session_and_its_sockets(backend: Backend) {
    let s = start_on(backend, &[]).await;
    for path in ["/auth/signup", "/auth/login"] {
        let g = guest(&s).await;
        let (mut ws, _) = connect(&s, &g).await;
        let r = post_with_cookie(
            &s,
            path,
            &g,
            &[("username", "mona"), ("password", "correct horse battery")],
        )
        .await;
        let account = session_cookie(&r).unwrap_or_else(|| panic!("{path} signs in"));
        close_code(&mut ws).await;
        assert_eq!(
            upgrade_status(&s, &g).await,
            401,
            "{path}: the guest session is gone"
        );
        let guests = count(
            &s,
            "SELECT count(*) FROM sessions WHERE guest_name IS NOT NULL",
        )
        .await;
        assert_eq!(guests, 0, "{path}: the guest's row is deleted");
        let (mut mine, _) = connect(&s, &account).await;
        still_open(&mut mine).await;
    }
}

async fn expired_sessions_are_purged_while_running(backend: Backend) {
    let s = start_on(backend, &[("SESSION_PURGE_SECS", "1")]).await;
    let user = signup(&s, "nell").await;
    guest(&s).await;
    guest(&s).await;
    let sql = "UPDATE sessions SET expires_at = unixepoch() - 1 WHERE guest_name IS NOT NULL";
    parley::on_db!(&s.state.pool, |p| sqlx::query(sql)
        .execute(p)
        .await
        .map(drop))
    .unwrap();
    // The purge runs on its own timer; watch the table until it has (or fail after 10 s).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = count(&s, "SELECT count(*) FROM sessions").await;
        if left == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{left} sessions left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut ws, _) = connect(&s, &user).await;
    still_open(&mut ws).await;
}

async fn guests_get_long_names_nobody_else_has(backend: Backend) {
    let s = start_on(backend, &[("GUESTS_PER_HOUR", "1000")]).await;
    for _ in 0..30 {
        guest(&s).await;
    }
    let sql = "SELECT guest_name FROM sessions";
    let names: Vec<String> = parley::on_db!(&s.state.pool, |p| sqlx::query_scalar(sql)
        .fetch_all(p)
        .await)
    .unwrap();
    for name in &names {
        let tail = name
            .strip_prefix("guest-")
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(tail.len(), 8, "{name}");
        assert!(
            tail.bytes()
                .all(|b| b"0123456789abcdefghjkmnpqrstvwxyz".contains(&b)),
            "{name}"
        );
    }
    assert_eq!(
        names.iter().collect::<HashSet<_>>().len(),
        30,
        "no name given twice"
    );
    // The database itself refuses a second live guest with a name already in use.
    let taken = &names[0];
    let sql = "INSERT INTO sessions (token_hash, guest_name, guest_peer, expires_at)
               VALUES ('x', $1, 'p', unixepoch() + 60)";
    let dup = parley::on_db!(&s.state.pool, |p| sqlx::query(sql)
        .bind(taken.to_uppercase())
        .execute(p)
        .await
        .map(drop));
    assert!(dup.is_err(), "guest names are unique in any letter case");
}

on_both_backends!(
    logging_out_closes_that_sessions_sockets,
    signing_in_ends_the_guest_session_and_its_sockets,
    expired_sessions_are_purged_while_running,
    guests_get_long_names_nobody_else_has,
);
