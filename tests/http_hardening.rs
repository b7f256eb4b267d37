//! The HTTP layer under hostile clients: slow request heads are cut off, and every response
//! carries the security headers.
mod common;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_client_that_never_finishes_its_request_head_is_disconnected() {
    let s = common::start(&[("HEADER_TIMEOUT_MS", "300")]).await;
    let mut slow = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The server answers 408 or just closes; either way the read ends. The outer timeout only
    // keeps a broken server from hanging the test.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "connection still open long after the header timeout"
    );
    // Others are still served.
    let ok = common::http().get(s.url("/healthz")).send().await.unwrap();
    assert!(ok.status().is_success());
}

#[tokio::test]
async fn pages_carry_a_nonced_csp_and_no_store() {
    let s = common::start(&[]).await;
    let resp = common::http().get(s.url("/login")).send().await.unwrap();
    let h = resp.headers().clone();
    let body = resp.text().await.unwrap();
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "hydration scripts carry the policy's nonce"
    );
    for script in body.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or("");
        assert!(
            tag.contains("nonce=") || tag.contains("src="),
            "inline script without nonce: <script{tag}>"
        );
    }
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));

    // Another response, another nonce.
    let again = common::http().get(s.url("/login")).send().await.unwrap();
    assert_ne!(again.headers()["content-security-policy"], csp.as_str());
}

#[tokio::test]
async fn api_responses_are_not_sniffed_or_framed() {
    let s = common::start(&[]).await;
    let resp = common::http()
        .get(s.url("/api/rooms"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
}
