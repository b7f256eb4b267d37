//! Limits on log-in, sign-up and guest sessions, per address and per username.
#![cfg(feature = "ssr")]
mod common;
use common::*;

/// A form post as from `ip` (the server trusts `X-Forwarded-For` in these tests).
async fn post_from(
    s: &TestServer,
    ip: &str,
    path: &str,
    form: &[(&str, &str)],
    html: bool,
) -> reqwest::Response {
    let mut req = http()
        .post(s.url(path))
        .header("x-forwarded-for", ip)
        .form(form);
    if html {
        req = req.header("accept", "text/html,application/xhtml+xml");
    }
    req.send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn one_address_gets_a_few_attempts_then_waits() {
    let s = start(&[("AUTH_PER_MIN", "3"), ("TRUST_PROXY", "1")]).await;
    let wrong = [("username", "nobody"), ("password", "wrong password")];
    for _ in 0..3 {
        let r = post_from(&s, "203.0.113.5", "/auth/login", &wrong, false).await;
        assert!(location(&r).starts_with("/login?error=bad_credentials"));
    }
    // Log-in and sign-up share the address's allowance.
    let new = [("username", "jill"), ("password", "long enough pw")];
    let r = post_from(&s, "203.0.113.5", "/auth/signup", &new, false).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(session_cookie(&r).is_none());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "too_many_attempts");
    assert_eq!(
        body["message"],
        format!("Too many attempts; try again in {wait} seconds.")
    );

    // A browser goes back to its form, which says so in words.
    let r = post_from(&s, "203.0.113.5", "/auth/login", &wrong, true).await;
    assert_eq!(r.status(), 303);
    assert!(r.headers().contains_key("retry-after"));
    let to = location(&r);
    assert!(to.starts_with("/login?error=too_many_attempts&"), "{to}");
    let secs = retry_after(&r);
    assert!(to.contains(&format!("retry={secs}")), "{to}");
    let html = page(&s, &to, "").await;
    assert!(
        html.contains(&format!("Too many attempts; try again in {secs} seconds.")),
        "the form shows the wait"
    );

    // Another address is not affected.
    let r = post_from(&s, "198.51.100.9", "/auth/signup", &new, false).await;
    assert_eq!(r.status(), 303);
    assert!(session_cookie(&r).is_some());
}

#[tokio::test]
async fn guessing_one_account_is_slowed_from_any_address() {
    let s = start(&[
        ("LOGIN_FAILS_PER_MIN", "2"),
        ("AUTH_PER_MIN", "1000"),
        ("TRUST_PROXY", "1"),
    ])
    .await;
    signup(&s, "kate").await;
    let guess = |pw: &'static str| [("username", "KATE"), ("password", pw)];
    let right = guess("correct horse battery");

    // A success forgets earlier failures.
    let r = post_from(&s, "203.0.113.1", "/auth/login", &guess("guess one"), false).await;
    assert!(location(&r).starts_with("/login?error=bad_credentials"));
    let r = post_from(&s, "203.0.113.1", "/auth/login", &right, false).await;
    assert!(session_cookie(&r).is_some());

    for ip in ["203.0.113.2", "203.0.113.3"] {
        let r = post_from(&s, ip, "/auth/login", &guess("another guess"), false).await;
        assert!(
            location(&r).starts_with("/login?error=bad_credentials"),
            "{ip}"
        );
    }
    // The account's allowance is spent, whatever the address and even with the right password.
    let r = post_from(&s, "203.0.113.4", "/auth/login", &right, false).await;
    assert_eq!(r.status(), 429);
    assert!(retry_after(&r) >= 1);
    assert!(session_cookie(&r).is_none());

    // Other accounts are not affected.
    let r = post_from(
        &s,
        "203.0.113.4",
        "/auth/login",
        &[("username", "someone"), ("password", "whatever pw")],
        false,
    )
    .await;
    assert!(location(&r).starts_with("/login?error=bad_credentials"));
}

#[tokio::test]
async fn guest_sessions_are_limited_per_address() {
    let s = start(&[("GUESTS_PER_HOUR", "2"), ("TRUST_PROXY", "1")]).await;
    for _ in 0..2 {
        let r = post_from(&s, "203.0.113.7", "/auth/guest", &[], false).await;
        assert!(session_cookie(&r).is_some());
    }
    let r = post_from(&s, "203.0.113.7", "/auth/guest", &[], false).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!(
        wait >= 60,
        "two an hour: the next one is half an hour away, not {wait}s"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "too_many_guests");

    let r = post_from(
        &s,
        "203.0.113.7",
        "/auth/guest",
        &[("next", "/r/team")],
        true,
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("/login?error=too_many_guests&"), "{to}");
    assert!(to.ends_with("&next=/r/team"), "{to}");
    let html = page(&s, &to, "").await;
    assert!(html.contains("Too many guest sessions from your network; try again in"));

    let rows = count(&s, "SELECT count(*) FROM sessions").await;
    assert_eq!(rows, 2, "a refused guest stores nothing");
    let r = post_from(&s, "198.51.100.1", "/auth/guest", &[], false).await;
    assert!(
        session_cookie(&r).is_some(),
        "another address is not affected"
    );
}
