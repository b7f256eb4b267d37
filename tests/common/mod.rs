//! A real server on a port-0 listener with a real database (a SQLite file, or a throwaway
//! PostgreSQL cluster), and real clients for it.
// Each test binary uses its own part of these helpers.
#![allow(dead_code, unused_imports)]
mod db;
pub mod postgres;
pub use db::{count, Backend, TestDb};

use futures_util::{SinkExt, StreamExt};
use parley::config::Config;
use parley::state::AppState;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// The database, kept as long as the server: `stop` hands it back for a restart.
    pub db: TestDb,
}

/// Starts a server with a fresh SQLite database and `vars` as its environment.
pub async fn start(vars: &[(&str, &str)]) -> TestServer {
    start_on(Backend::Sqlite, vars).await
}

/// Starts a server with a fresh database of `backend`.
pub async fn start_on(backend: Backend, vars: &[(&str, &str)]) -> TestServer {
    start_with(TestDb::new(backend), vars).await
}

/// Starts a server on `db` (fresh, or handed back by [`TestServer::stop`]).
pub async fn start_with(db: TestDb, vars: &[(&str, &str)]) -> TestServer {
    let mut env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.insert("DATABASE_URL".into(), db.url.clone());
    let config = Config::from_vars(&env).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // `LEPTOS_SITE_ROOT` among `vars`: the static files' folder (default `target/site`).
    let site_root = env
        .get("LEPTOS_SITE_ROOT")
        .cloned()
        .unwrap_or_else(|| "target/site".into());
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("parley")
        .site_addr(addr)
        .site_root(site_root)
        .build();
    let state = parley::run::build_state(config, leptos).await.unwrap();
    let app = parley::server::router(state.clone());
    let token = state.shutdown.clone();
    tokio::spawn(parley::listen::serve(
        listener,
        app,
        token,
        state.config.header_timeout,
    ));
    TestServer { addr, state, db }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and closes its pool; returns the database, still there.
    pub async fn stop(self) -> TestDb {
        self.state.shutdown.cancel();
        self.state.pool.close().await;
        self.db
    }
}

/// An HTTP client that does not follow redirects, so tests see them.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET path` as JSON, without a session.
/// Sends `req` and reads the whole body as text.
pub async fn body(req: reqwest::RequestBuilder) -> String {
    req.send().await.unwrap().text().await.unwrap()
}

pub async fn get_json(s: &TestServer, path: &str) -> serde_json::Value {
    http()
        .get(s.url(path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The HTML of `path` as the holder of `cookie` sees it.
pub async fn page(s: &TestServer, path: &str, cookie: &str) -> String {
    http()
        .get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The `name=value` of a response's session cookie.
pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("parley_session=") && !c.starts_with("parley_session=;"))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

pub async fn post_form(s: &TestServer, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    http().post(s.url(path)).form(form).send().await.unwrap()
}

pub async fn signup(s: &TestServer, name: &str) -> String {
    let r = post_form(
        s,
        "/auth/signup",
        &[("username", name), ("password", "correct horse battery")],
    )
    .await;
    assert_eq!(r.status(), 303, "sign-up of {name} should redirect");
    session_cookie(&r).expect("sign-up sets a session cookie")
}

pub async fn guest(s: &TestServer) -> String {
    let r = post_form(s, "/auth/guest", &[]).await;
    session_cookie(&r).expect("guest sets a session cookie")
}

/// Opens `/ws` with `cookie` and reads the welcome; returns the socket and its peer id.
pub async fn connect(s: &TestServer, cookie: &str) -> (Ws, String) {
    let mut req = format!("ws://{}/ws", s.addr).into_client_request().unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    req.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://{}", s.addr)).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    let welcome = next_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    let id = welcome["id"].as_str().unwrap().to_owned();
    (ws, id)
}

/// A signed-in socket that has joined `room`; returns the socket, its id and the `joined` frame.
pub async fn join(
    s: &TestServer,
    cookie: &str,
    room: &str,
    role: &str,
) -> (Ws, String, serde_json::Value) {
    let (mut ws, id) = connect(s, cookie).await;
    send(
        &mut ws,
        serde_json::json!({"type": "join", "room": room, "role": role}),
    )
    .await;
    let joined = next_json(&mut ws).await;
    (ws, id, joined)
}

pub async fn send(ws: &mut Ws, v: serde_json::Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next text frame as JSON (pings are answered by the library meanwhile). Fails the test
/// after 10 s: that is a hang, not a timing assertion.
pub async fn next_json(ws: &mut Ws) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("timed out waiting for a frame")
            .expect("socket ended")
            .expect("socket error");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => continue,
        }
    }
}

/// Waits for the socket's close frame and returns its code.
pub async fn close_code(ws: &mut Ws) -> u16 {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("timed out waiting for close");
        match msg {
            Some(Ok(Message::Close(Some(c)))) => return c.code.into(),
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return 1006,
            Some(Ok(_)) => continue,
        }
    }
}

// --- PeerJS dialect -------------------------------------------------------------------------

/// Opens a PeerJS socket at `path` (e.g. `/peerjs`) with `query` as given (no leading `?`), as a
/// client from another site would (foreign Origin, no cookie).
pub async fn peerjs_socket(s: &TestServer, path: &str, query: &str) -> Ws {
    let mut req = format!("ws://{}{path}?{query}", s.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "origin",
        HeaderValue::from_static("https://elsewhere.example"),
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    ws
}

/// A PeerJS client at the default mount with key `peerjs`, after its `OPEN`.
pub async fn peerjs_open(s: &TestServer, id: &str, token: &str) -> Ws {
    let mut ws = peerjs_socket(
        s,
        "/peerjs",
        &format!("key=peerjs&id={id}&token={token}&version=1.5.5"),
    )
    .await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"type":"OPEN"}"#,
        "{id} is open"
    );
    ws
}

/// The next text frame exactly as the server wrote it. Fails after 10 s (a hang, not timing).
pub async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("timed out waiting for a frame")
            .expect("socket ended")
            .expect("socket error");
        match msg {
            Message::Text(t) => return t.to_string(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => continue,
        }
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_owned())).await.unwrap();
}

/// Asserts that no text frame arrives within `ms` milliseconds.
pub async fn expect_silence(ws: &mut Ws, ms: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Text(t)))) => panic!("expected silence, got {t}"),
            Ok(Some(Ok(_))) => continue,
            Ok(other) => panic!("socket ended while expecting silence: {other:?}"),
        }
    }
}

/// `/ws` for a freshly signed-up user: returns the cookie and the welcomed socket.
pub async fn online_user(s: &TestServer, name: &str) -> (String, Ws) {
    let cookie = signup(s, name).await;
    let (ws, _) = connect(s, &cookie).await;
    (cookie, ws)
}
