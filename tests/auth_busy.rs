//! Password hashing under a flood of log-ins: at most one hash per core, a short queue, and a
//! clear "busy" for the rest, while the server keeps serving.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use futures_util::future::join_all;

#[tokio::test]
async fn a_login_flood_hashes_one_per_core_and_the_rest_hear_busy() {
    let s = start(&[
        ("AUTH_PER_MIN", "100000"),
        ("LOGIN_FAILS_PER_MIN", "100000"),
        ("HASH_QUEUE", "2"),
    ])
    .await;
    let gate = &s.state.throttles.hashing;
    let attempts = (0..40).map(|i| {
        let name = format!("nobody{i}");
        http()
            .post(s.url("/auth/login"))
            .form(&[("username", name.as_str()), ("password", "whatever pw")])
            .send()
    });
    let replies = join_all(attempts).await;

    let (mut busy, mut checked) = (0, 0);
    for r in replies {
        let r = r.unwrap();
        match r.status().as_u16() {
            503 => {
                busy += 1;
                let retry: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(retry >= 1);
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["error"], "busy");
                assert_eq!(
                    body["message"],
                    "The server is busy, try again in a few seconds."
                );
            }
            303 => {
                checked += 1;
                let to = r.headers()["location"].to_str().unwrap();
                assert!(to.starts_with("/login?error=bad_credentials"), "{to}");
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        busy > 0,
        "beyond the cores and the queue, requests are turned away"
    );
    assert!(checked >= gate.capacity(), "the cores kept working");
    assert!(
        gate.peak() <= gate.capacity(),
        "{} hashes ran at once on {} cores",
        gate.peak(),
        gate.capacity()
    );
    assert_eq!((gate.running(), gate.waiting()), (0, 0));

    // Everyone else is still served, and passwords are checked again once the flood is over.
    let ok = http().get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    signup(&s, "after").await;
}

#[tokio::test]
async fn a_busy_browser_goes_back_to_the_form_with_words() {
    let s = start(&[("HASH_QUEUE", "0")]).await;
    // Every core taken, as by a flood: the next sign-up cannot hash.
    let mut held = Vec::new();
    for _ in 0..s.state.throttles.hashing.capacity() {
        held.push(s.state.throttles.hashing.acquire().await.unwrap());
    }
    let r = http()
        .post(s.url("/auth/signup"))
        .header("accept", "text/html")
        .form(&[("username", "ivy"), ("password", "long enough pw")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers().contains_key("retry-after"));
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/signup?error=busy"), "{to}");
    assert!(to.contains("username=ivy"), "what was typed is kept: {to}");
    let html = page(&s, &to, "").await;
    assert!(html.contains("The server is busy, try again in a few seconds."));

    drop(held);
    signup(&s, "ivy").await;
}
