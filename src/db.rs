//! The SQLite pool: the file and its folder are created on first start, migrations run before
//! anything is served, and a failure stops start-up with a clear message.
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL {0:?} is not a valid SQLite URL: {1}")]
    Url(String, sqlx::Error),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Open(String, sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub async fn connect(url: &str) -> Result<SqlitePool, DbError> {
    if !url.starts_with("sqlite:") {
        let why = sqlx::Error::Configuration("only sqlite: URLs are supported".into());
        return Err(DbError::Url(url.to_owned(), why));
    }
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::Url(url.to_owned(), e))?
        .create_if_missing(true)
        // WAL with synchronous=FULL: every committed write survives a crash or power cut.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let path = opts.get_filename();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| DbError::Folder(dir.display().to_string(), e))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await
        .map_err(|e| DbError::Open(url.to_owned(), e))?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}
