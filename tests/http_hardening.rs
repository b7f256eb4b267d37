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

/// A call page's early script (socket, join, camera) is in the head ahead of the stylesheet, so
/// it runs as soon as it is parsed instead of waiting for the CSS; it carries the policy's nonce
/// and the room's `join`.
#[tokio::test]
async fn a_call_pages_early_script_runs_before_the_stylesheet_loads() {
    let s = common::start(&[]).await;
    let cookie = common::guest(&s).await;
    let resp = common::http()
        .get(s.url("/r/team"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = resp.text().await.unwrap();
    let head = body.split("</head>").next().unwrap();
    // The early script (the loader before it names its state too).
    let script = head
        .find("{const j=")
        .and_then(|at| head[at..].find("__parleySocket").map(|k| at + k))
        .expect("the early script in the head");
    let sheet = head
        .find("rel=\"stylesheet\"")
        .expect("the stylesheet in the head");
    assert!(
        script < sheet,
        "the early script comes before the stylesheet"
    );
    let tag_start = head[..script].rfind("<script").unwrap();
    let tag = &head[tag_start..script];
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{tag}");
    assert!(
        tag.contains(r#"{const j="{\"type\":\"join\",\"room\":\"team\""#),
        "{tag}"
    );
    // Nowhere in the body: the browser hydrates without it.
    assert!(!body
        .split("<body")
        .nth(1)
        .unwrap()
        .contains("__parleySocket"));
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

#[tokio::test]
async fn static_files_are_revalidated_and_sent_precompressed() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = vec![0u8; 4096];
    std::fs::write(pkg.join("parley.wasm"), &wasm).unwrap();
    // What `cargo leptos build --release --precompress` leaves beside it (any bytes will do).
    std::fs::write(pkg.join("parley.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("parley.wasm.gz"), b"gzip bytes").unwrap();
    let root = site.path().to_str().unwrap();
    let s = common::start(&[("LEPTOS_SITE_ROOT", root)]).await;
    let get = |encoding: &'static str| {
        let url = s.url("/pkg/parley.wasm");
        async move {
            // reqwest here has no decompression: the bytes come as sent.
            let r = common::http()
                .get(url)
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            let h = r.headers().clone();
            (h, r.bytes().await.unwrap())
        }
    };
    let (h, body) = get("gzip, deflate, br").await;
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(&body[..], b"brotli bytes");
    assert_eq!(h["cache-control"], "no-cache", "checked before each use");
    assert!(
        h.contains_key("last-modified"),
        "so the check can answer 304"
    );
    let (h, body) = get("gzip").await;
    assert_eq!(h["content-encoding"], "gzip");
    assert_eq!(&body[..], b"gzip bytes");
    let (h, body) = get("identity").await;
    assert!(!h.contains_key("content-encoding"));
    assert_eq!(body.len(), wasm.len());

    // Unchanged since the browser's copy: 304, no body.
    let since = h["last-modified"].to_str().unwrap().to_owned();
    let again = common::http()
        .get(s.url("/pkg/parley.wasm"))
        .header("if-modified-since", since)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}
