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

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_need_the_token() {
    let s = common::start(&[
        ("METRICS_TOKEN", "scrape-me"),
        ("TURN_URLS", "turn:127.0.0.1:3478"),
        ("TURN_SECRET", "x"),
    ])
    .await;
    let open = common::http().get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(open.status(), 401);
    let wrong = common::http()
        .get(s.url("/metrics"))
        .bearer_auth("scrape-you")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);

    // Some activity: two people in a room, a TURN credential.
    let cookie = common::guest(&s).await;
    let ice = common::http()
        .get(s.url("/api/ice"))
        .header("cookie", &cookie);
    assert_eq!(ice.send().await.unwrap().status(), 200);
    let (_a, _, joined) = common::join(&s, &cookie, "metered", "mesh").await;
    assert_eq!(joined["type"], "joined");
    let other = common::guest(&s).await;
    let (_b, _, joined) = common::join(&s, &other, "metered", "mesh").await;
    assert_eq!(joined["type"], "joined");

    let text = common::http()
        .get(s.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("valid Prometheus text");
    let value = |name: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name)
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
    };
    assert_eq!(value("parley_connections"), 2.0);
    assert_eq!(value("parley_rooms"), 1.0);
    assert_eq!(value("parley_people_in_rooms"), 2.0);
    // One from /api/ice, one in each socket's welcome.
    assert_eq!(value("parley_turn_credentials_issued_total"), 3.0);
    assert!(value("parley_relayed_messages_total") >= 0.0);
}
