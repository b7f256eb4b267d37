//! Start-up: the database file and folders are created and migrated; a database that cannot be
//! opened or migrated stops start-up with a message that says so.
#![cfg(feature = "ssr")]
use parley::db::{connect, DbError, DEFAULT_MAX_CONNECTIONS as MAX};

#[tokio::test]
async fn creates_folders_and_file_and_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/app.db");
    let db = connect(&format!("sqlite://{}", path.display()), MAX)
        .await
        .unwrap();
    let parley::db::Db::Sqlite(pool) = db else {
        panic!("a sqlite: URL opens SQLite")
    };
    assert!(path.exists());
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(
        tables.contains(&"users".to_owned()) && tables.contains(&"sessions".to_owned()),
        "{tables:?}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    std::fs::write(
        &path,
        b"this is not an sqlite database, just some text that is long enough",
    )
    .unwrap();
    let err = connect(&format!("sqlite://{}", path.display()), MAX)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DbError::Open(..) | DbError::Migrate(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("database"), "{err}");
}

#[tokio::test]
async fn a_changed_migration_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let db = connect(&url, MAX).await.unwrap();
    let sql = "UPDATE _sqlx_migrations SET checksum = x'00'";
    parley::on_db!(&db, |p| sqlx::query(sql).execute(p).await.map(drop)).unwrap();
    db.close().await;
    let err = connect(&url, MAX).await.unwrap_err();
    assert!(matches!(err, DbError::Migrate(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("database migration failed"),
        "{err}"
    );
}

#[tokio::test]
async fn a_bad_url_is_a_clear_error() {
    for url in [
        "mysql://app:secret@db/parley",
        "postgres://app:secret@db:port/parley",
        "sqlite://app.db?mode=sideways",
    ] {
        let err = connect(url, MAX).await.unwrap_err();
        assert!(matches!(err, DbError::Url(..)), "{url}: {err:?}");
        let msg = err.to_string();
        assert!(msg.starts_with("DATABASE_URL"), "{msg}");
        assert!(!msg.contains("secret"), "the password is not shown: {msg}");
    }
}
