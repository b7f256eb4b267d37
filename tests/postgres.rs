//! Parley on PostgreSQL: what only PostgreSQL has (several instances on one database) and its
//! start-up errors. The account and session tests run on both databases where they are:
//! sign-up, names taken in any letter case, wrong passwords, log-in and log-out and restarts in
//! accounts.rs; sessions that end, the purge and unique guest names in sessions.rs; peer ids by
//! name in call_by_name.rs; the store's rules in store.rs.
#![cfg(feature = "ssr")]
mod common;
use common::postgres::PgServer;
use common::*;
use parley::db::{connect, DbError, DEFAULT_MAX_CONNECTIONS as MAX};

fn location(r: &reqwest::Response) -> &str {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn peer_of(s: &TestServer, name: &str, cookie: &str) -> serde_json::Value {
    let url = s.url(&format!("/api/users/{name}/peer"));
    let r = http()
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

#[tokio::test]
async fn instances_on_one_database_share_accounts_and_sessions() {
    let url = PgServer::shared().fresh_database();
    // Both migrate the empty database at once: one does, the other waits and finds it done.
    let (a, b) = tokio::join!(
        start_with(TestDb::at(&url), &[]),
        start_with(TestDb::at(&url), &[])
    );
    for s in [&a, &b] {
        assert_eq!(body(http().get(s.url("/readyz"))).await, "ready");
    }

    let ann = signup(&a, "ann").await;
    assert!(
        page(&b, "/", &ann).await.contains(">ann<"),
        "b knows a's session"
    );
    let taken = post_form(
        &b,
        "/auth/signup",
        &[("username", "ANN"), ("password", "another long pw")],
    )
    .await;
    assert!(location(&taken).starts_with("/signup?error=name_taken"));
    let on_b = post_form(
        &b,
        "/auth/login",
        &[("username", "Ann"), ("password", "correct horse battery")],
    )
    .await;
    let on_b = session_cookie(&on_b).expect("a's account logs in on b");
    assert_eq!(
        peer_of(&a, "ann", &ann).await["peer_id"],
        peer_of(&b, "ANN", &on_b).await["peer_id"],
        "one stable peer id"
    );

    let out = http()
        .post(b.url("/auth/logout"))
        .header("cookie", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(
        !page(&a, "/", &ann).await.contains(">ann<"),
        "logged out on b is logged out on a"
    );
    assert!(
        page(&a, "/", &on_b).await.contains(">ann<"),
        "the other session stays"
    );
    assert_eq!(count(&a, "SELECT count(*) FROM users").await, 1);
}

#[tokio::test]
async fn a_server_that_is_not_there_is_a_clear_error() {
    // Nothing listens on a port that was just free.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:s3cret@127.0.0.1:{port}/parley");
    let err = connect(&url, MAX).await.unwrap_err();
    assert!(matches!(err, DbError::Connect(..)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("cannot connect to the database"), "{msg}");
    assert!(msg.contains(&format!("app:***@127.0.0.1:{port}")), "{msg}");
    assert!(!msg.contains("s3cret"), "{msg}");
}

#[tokio::test]
async fn a_missing_database_is_a_clear_error() {
    let url = PgServer::shared()
        .url()
        .replace("/parley", "/no_such_database");
    let err = connect(&url, MAX).await.unwrap_err();
    assert!(matches!(err, DbError::Connect(..)), "{err:?}");
    assert!(err.to_string().contains("no_such_database"), "{err}");
}

#[tokio::test]
async fn a_changed_migration_stops_start_up() {
    let url = PgServer::shared().fresh_database();
    let db = connect(&url, MAX).await.unwrap();
    let sql = "UPDATE _sqlx_migrations SET checksum = decode('00', 'hex')";
    parley::on_db!(&db, |p| sqlx::query(sql).execute(p).await.map(drop)).unwrap();
    db.close().await;
    let err = connect(&url, MAX).await.unwrap_err();
    assert!(matches!(err, DbError::Migrate(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("database migration failed"),
        "{err}"
    );
}
