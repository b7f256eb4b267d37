//! SQLite: the file and its folder are created on first start; WAL with synchronous=FULL.
use super::{redacted, DbError};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// `migrations/`, the macro's default folder (it skips the `postgres/` set inside).
static MIGRATOR: Migrator = sqlx::migrate!();

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<SqlitePool, DbError> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::Url(redacted(url), e))?
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
        .max_connections(max_connections)
        .connect_with(opts)
        .await
        .map_err(|e| DbError::Open(redacted(url), e))?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
