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

    let text = common::body(
        common::http()
            .get(s.url("/metrics"))
            .bearer_auth("scrape-me"),
    )
    .await;
    let scrape = Scraped::parse(text);
    let value = |name: &str| scrape.value(name);
    assert_eq!(value("parley_connections{dialect=room}"), 2.0);
    assert_eq!(value("parley_connections{dialect=peerjs}"), 0.0);
    assert_eq!(value("parley_rooms"), 1.0);
    assert_eq!(value("parley_people_in_rooms{role=mesh}"), 2.0);
    assert_eq!(value("parley_people_in_rooms{role=watch}"), 0.0);
    // One from /api/ice, one in each socket's welcome.
    assert_eq!(value("parley_turn_credentials_issued_total"), 3.0);
    assert!(value("parley_relayed_messages_total") >= 0.0);
}

/// A parsed scrape, looked up as `name` or `name{label=value}`.
struct Scraped {
    text: String,
    scrape: prometheus_parse::Scrape,
}

impl Scraped {
    fn parse(text: String) -> Self {
        let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
            .expect("valid Prometheus text");
        Self { text, scrape }
    }

    fn sample(&self, key: &str) -> &prometheus_parse::Sample {
        let (name, label) = match key.split_once('{') {
            Some((n, l)) => (n, l.trim_end_matches('}').split_once('=')),
            None => (key, None),
        };
        self.scrape
            .samples
            .iter()
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .unwrap_or_else(|| panic!("{key} missing from:\n{}", self.text))
    }

    fn value(&self, key: &str) -> f64 {
        match self.sample(key).value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        }
    }
}

async fn scrape(s: &common::TestServer) -> Scraped {
    let resp = common::http().get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    Scraped::parse(resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_limits_refusals_rings_and_lock_holds() {
    use common::*;
    use futures_util::SinkExt;
    use serde_json::json;
    let s = start(&[("MSG_RATE", "5"), ("MSG_BURST", "5"), ("AUTH_PER_MIN", "3")]).await;
    let (_, mut ann) = online_user(&s, "ann").await;
    let (_, mut bob) = online_user(&s, "bob").await;
    let _peerjs = peerjs_open(&s, "meteredpeer", "tok").await;

    // A ring declined, and one to nobody.
    send(&mut ann, json!({"type": "ring", "user": "bob"})).await;
    let call = next_json(&mut ann).await["call"].clone();
    assert_eq!(next_json(&mut bob).await["type"], "incoming");
    send(&mut bob, json!({"type": "decline", "call": call})).await;
    assert_eq!(next_json(&mut ann).await["type"], "call_declined");
    send(&mut ann, json!({"type": "ring", "user": "nobody-here"})).await;
    assert_eq!(next_json(&mut ann).await["type"], "error");

    // Upgrades refused: no session, and another site's page.
    let no_session = format!("ws://{}/ws", s.addr);
    assert!(tokio_tungstenite::connect_async(no_session).await.is_err());
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://{}/ws", s.addr),
    )
    .unwrap();
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(req).await.is_err());

    // Logins past the per-address limit (two sign-ups already counted).
    let mut limited = false;
    for _ in 0..10 {
        let r = post_form(
            &s,
            "/auth/login",
            &[("username", "ann"), ("password", "wrong password")],
        )
        .await;
        if r.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "logins are limited");

    // A flood, throttled and then closed.
    let cookie = guest(&s).await;
    let (mut flood, _) = connect(&s, &cookie).await;
    for _ in 0..400 {
        if flood
            .send(tokio_tungstenite::tungstenite::Message::text(
                r#"{"type":"ping"}"#,
            ))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut flood).await, 1008);

    let m = scrape(&s).await;
    assert_eq!(m.value("parley_rings_total{outcome=declined}"), 1.0);
    assert_eq!(m.value("parley_rings_total{outcome=offline}"), 1.0);
    assert_eq!(m.value("parley_rings_total{outcome=accepted}"), 0.0);
    assert_eq!(
        m.value("parley_ws_upgrades_refused_total{reason=session}"),
        1.0
    );
    assert_eq!(
        m.value("parley_ws_upgrades_refused_total{reason=origin}"),
        1.0
    );
    assert!(m.value("parley_limited_requests_total{reason=too_many_attempts}") >= 1.0);
    assert!(m.value("parley_rate_limited_messages_total{dialect=room}") >= 1.0);
    assert_eq!(
        m.value("parley_rate_limited_messages_total{dialect=peerjs}"),
        0.0
    );
    assert_eq!(m.value("parley_connections{dialect=peerjs}"), 1.0);
    let prometheus_parse::Value::Histogram(buckets) =
        &m.sample("parley_hub_lock_hold_seconds").value
    else {
        panic!("the lock hold time is a histogram:\n{}", m.text);
    };
    let all = buckets.iter().map(|b| b.count).fold(0.0, f64::max);
    assert!(all > 0.0, "lock holds were recorded: {buckets:?}");
    assert!(
        buckets.iter().any(|b| b.less_than <= 1e-6),
        "buckets start near 1 µs"
    );
}
