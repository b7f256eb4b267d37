//! For cluster tests: a real `redis-server` on a free loopback port (no persistence), stopped
//! on drop; instances of Parley sharing it and one SQLite file, with short cluster timers;
//! and waiting for a condition with a deadline.
#![allow(dead_code)]
use crate::common::{self, TestServer};
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::time::Instant;

/// Heartbeat and liveness TTL the tests' instances use.
pub const HEARTBEAT_MS: &str = "200";
pub const NODE_TTL_MS: &str = "1500";

pub struct Redis {
    pub port: u16,
    child: Child,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

impl Redis {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// Starts `redis-server` on `port` and waits until it answers.
    pub async fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        let r = Self { port, child };
        let client = redis::Client::open(r.url()).unwrap();
        eventually("redis-server answers", Duration::from_secs(10), || async {
            match client.get_multiplexed_async_connection().await {
                Ok(mut c) => redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok(),
                Err(_) => false,
            }
        })
        .await;
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The environment of one instance of a test cluster.
pub fn cluster_vars<'a>(
    redis: &'a str,
    node: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("REDIS_URL", redis),
        ("NODE_ID", node),
        ("CLUSTER_HEARTBEAT_MS", HEARTBEAT_MS),
        ("CLUSTER_NODE_TTL_MS", NODE_TTL_MS),
    ];
    v.extend_from_slice(extra);
    v
}

/// An in-process instance on the database at `db` (the cluster's shared PostgreSQL), once its link to Redis is up.
pub async fn instance(db: &str, redis: &str, node: &str, extra: &[(&str, &str)]) -> TestServer {
    let s = common::start_with(common::TestDb::at(db), &cluster_vars(redis, node, extra)).await;
    let cluster = s.state.cluster.clone().expect("cluster mode");
    eventually(
        "the instance's link to Redis is up",
        Duration::from_secs(10),
        || {
            let up = cluster.is_up();
            async move { up }
        },
    )
    .await;
    s
}

/// Waits until `cond` holds, checking every few milliseconds; fails the test after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !cond().await {
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The next frame of `type` on `ws`, skipping others; fails after `limit`.
pub async fn next_of(ws: &mut common::Ws, kind: &str, limit: Duration) -> serde_json::Value {
    tokio::time::timeout(limit, async {
        loop {
            let v = common::next_json(ws).await;
            if v["type"] == kind {
                return v;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {kind} within {limit:?}"))
}

/// A Parley server run as a child process (the binary cargo built for the tests), so a test
/// can kill it outright (SIGKILL: no shutdown, no cleanup).
pub struct ChildServer {
    pub addr: std::net::SocketAddr,
    child: Child,
}

impl ChildServer {
    pub async fn start(db: &str, redis: &str, node: &str) -> Self {
        let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_parley"));
        for (k, v) in cluster_vars(redis, node, &[]) {
            cmd.env(k, v);
        }
        let child = cmd
            .env("DATABASE_URL", db)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the parley binary");
        let s = Self { addr, child };
        let http = common::http();
        let url = s.url("/readyz");
        eventually(
            "the child instance is ready",
            Duration::from_secs(20),
            || {
                let req = http.get(&url);
                async move {
                    match req.send().await {
                        Ok(r) => r.text().await.is_ok_and(|t| t == "ready"),
                        Err(_) => false,
                    }
                }
            },
        )
        .await;
        s
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Opens `/ws` at `addr` with `cookie`, reads the welcome, and joins `room` as a mesh peer.
/// Returns the socket, its id and the `joined` frame.
pub async fn join_at(
    addr: std::net::SocketAddr,
    cookie: &str,
    room: &str,
) -> (common::Ws, String, serde_json::Value) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    req.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://{addr}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    let welcome = common::next_json(&mut ws).await;
    let id = welcome["id"].as_str().unwrap().to_owned();
    common::send(&mut ws, serde_json::json!({"type": "join", "room": room})).await;
    let joined = common::next_json(&mut ws).await;
    (ws, id, joined)
}

/// A fresh database in the test process's PostgreSQL cluster, which every instance of a test
/// shares, as the instances of a real site do.
pub fn shared_database() -> String {
    common::postgres::PgServer::shared().fresh_database()
}
