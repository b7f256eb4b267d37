//! What operators see: liveness, readiness, metrics, and the ICE configuration API.
mod common;

#[tokio::test]
async fn readiness_follows_the_database() {
    let s = common::start(&[]).await;
    let get = |p: &str| common::http().get(s.url(p)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    s.state.pool.close().await;
    let down = get("/readyz").await.unwrap();
    assert_eq!(down.status(), 503, "a closed database is not ready");
    assert_eq!(
        get("/healthz").await.unwrap().status(),
        200,
        "but still alive"
    );
}

#[tokio::test]
async fn ice_configuration_is_only_for_sessions_and_mints_turn_credentials() {
    let s = common::start(&[
        ("TURN_URLS", "turn:127.0.0.1:3478"),
        ("TURN_SECRET", "test-secret"),
        ("TURN_TTL", "600"),
        ("ICE_POLICY", "relay"),
    ])
    .await;
    let anon = common::http().get(s.url("/api/ice")).send().await.unwrap();
    assert_eq!(
        anon.status(),
        401,
        "signed-out clients get no TURN credentials"
    );

    let cookie = common::guest(&s).await;
    let resp = common::http()
        .get(s.url("/api/ice"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["iceTransportPolicy"], "relay");
    let turn = &v["iceServers"][0];
    let username = turn["username"].as_str().unwrap();
    let (expiry, peer) = username.split_once(':').unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expiry: u64 = expiry.parse().unwrap();
    assert!(
        expiry > now && expiry <= now + 601,
        "expires after TURN_TTL"
    );
    assert!(!peer.is_empty());
    assert_eq!(
        turn["credential"],
        parley::ice::turn_password("test-secret", username)
    );
    assert_eq!(v["expiresAt"], expiry);
}
