//! Accounts against a real database: each test runs on SQLite and on PostgreSQL.
#![cfg(feature = "ssr")]
mod common;
use common::*;

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn signup_sets_a_safe_cookie_and_shows_the_user(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let r = post_form(
        &s,
        "/auth/signup",
        &[
            ("username", "carol"),
            ("password", "long enough pw"),
            ("next", "/r/team"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/r/team");
    let raw = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax") && raw.contains("Path=/"),
        "{raw}"
    );
    let cookie = session_cookie(&r).unwrap();
    let html = page(&s, "/", &cookie).await;
    assert!(html.contains(">carol<"), "header shows the signed-in user");
    let sql = "SELECT password_hash FROM users WHERE username = 'carol'";
    let hash: String = parley::on_db!(&s.state.pool, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await)
    .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

async fn form_errors_redirect_back_with_a_reason(backend: Backend) {
    let s = start_on(backend, &[]).await;
    signup(&s, "dave").await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "/auth/signup",
            "DAVE",
            "another long pw",
            "/signup?error=name_taken",
        ),
        (
            "/auth/signup",
            "x",
            "another long pw",
            "/signup?error=bad_name",
        ),
        (
            "/auth/signup",
            "guest-1234",
            "another long pw",
            "/signup?error=bad_name",
        ),
        (
            "/auth/signup",
            "erin",
            "short",
            "/signup?error=short_password",
        ),
        (
            "/auth/login",
            "dave",
            "wrong password",
            "/login?error=bad_credentials",
        ),
        (
            "/auth/login",
            "nobody",
            "whatever pw",
            "/login?error=bad_credentials",
        ),
        ("/auth/login", "", "", "/login?error=bad_credentials"),
    ];
    for (path, user, pw, want) in cases {
        let r = post_form(&s, path, &[("username", user), ("password", pw)]).await;
        assert_eq!(r.status(), 303, "{path} {user}");
        assert!(
            location(&r).starts_with(want),
            "{path} {user}: {}",
            location(&r)
        );
        assert!(session_cookie(&r).is_none());
    }
    let long = "p".repeat(300);
    let r = post_form(
        &s,
        "/auth/signup",
        &[("username", "frank"), ("password", &long)],
    )
    .await;
    assert!(location(&r).starts_with("/signup?error=long_password"));
    // The page renders the message in words.
    let page = body(http().get(s.url("/signup?error=name_taken&username=dave"))).await;
    assert!(page.contains("That username is taken"));
    // A missing field is a form error too, not a bare 4xx/5xx.
    let r = post_form(&s, "/auth/login", &[("username", "dave")]).await;
    assert!(location(&r).starts_with("/login?error=bad_credentials"));
}

async fn login_logout_and_redirects_stay_on_site(backend: Backend) {
    let s = start_on(backend, &[]).await;
    signup(&s, "gina").await;
    let r = post_form(
        &s,
        "/auth/login",
        &[
            ("username", "gina"),
            ("password", "correct horse battery"),
            ("next", "//evil.example"),
        ],
    )
    .await;
    assert_eq!(location(&r), "/");
    let cookie = session_cookie(&r).unwrap();
    let (_ws, _) = connect(&s, &cookie).await;
    let out = http()
        .post(s.url("/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(out
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let req = format!("ws://{}/ws", s.addr);
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut r = req.as_str().into_client_request().unwrap();
    r.headers_mut().insert("cookie", cookie.parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(r).await.is_err(),
        "a logged-out session opens nothing"
    );
}

async fn guests_get_a_generated_name(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let cookie = guest(&s).await;
    let (_ws, _) = connect(&s, &cookie).await;
    let html = page(&s, "/", &cookie).await;
    assert!(html.contains(">guest-"), "header shows the guest name");
}

async fn accounts_and_sessions_survive_a_restart(backend: Backend) {
    let s = start_on(backend, &[]).await;
    let cookie = signup(&s, "hank").await;
    let s2 = start_with(s.stop().await, &[]).await;
    let (_ws, _) = connect(&s2, &cookie).await;
    let r = post_form(
        &s2,
        "/auth/login",
        &[("username", "hank"), ("password", "correct horse battery")],
    )
    .await;
    assert!(session_cookie(&r).is_some());
}

on_both_backends!(
    signup_sets_a_safe_cookie_and_shows_the_user,
    form_errors_redirect_back_with_a_reason,
    login_logout_and_redirects_stay_on_site,
    guests_get_a_generated_name,
    accounts_and_sessions_survive_a_restart,
);
