//! The database: SQLite (the default, one file) or PostgreSQL (one server that several Parley
//! instances share), chosen by the scheme of `DATABASE_URL`. Either way it is opened and
//! migrated before anything is served, and a failure stops start-up with a clear message.
//!
//! Queries are written once: `$1` placeholders read the same in both, and [`on_db!`] runs one
//! body against whichever pool is open, type-checked for each. The few statements whose words
//! differ (names in any letter case) give both texts to [`Db::sql`].
use sqlx::{PgPool, SqlitePool};

mod postgres;
mod sqlite;
mod url;

pub use url::redacted;

/// Connections a pool opens at most when `DATABASE_MAX_CONNECTIONS` is not set.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// An open, migrated connection pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL {0:?} is not a valid database URL: {1}")]
    Url(String, sqlx::Error),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Open(String, sqlx::Error),
    #[error("cannot connect to the database {0}: {1}")]
    Connect(String, sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens the database `url` names (`sqlite:…`, `postgres://…` or `postgresql://…`), creating
/// what is missing and running the migrations; the pool opens up to `max_connections`.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
    let max_connections = max_connections.max(1);
    if url.starts_with("sqlite:") {
        sqlite::connect(url, max_connections).await.map(Db::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::connect(url, max_connections)
            .await
            .map(Db::Postgres)
    } else {
        let why = "use sqlite://path/to/file.db or postgres://user:password@host/database";
        Err(DbError::Url(
            redacted(url),
            sqlx::Error::Configuration(why.into()),
        ))
    }
}

/// Runs `$body` with `$pool` bound to the open pool, whichever backend it is: the body is
/// written once and compiled for each.
///
/// ```ignore
/// let n: i64 = on_db!(&db, |p| sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(p).await)?;
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// The statement for this backend, for the few whose words differ.
    pub fn sql(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Db::Sqlite(_) => sqlite,
            Db::Postgres(_) => postgres,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, |p| sqlx::query("SELECT 1").execute(p).await.map(drop))
    }

    /// Waits for the connections in use to come back, then closes them all.
    pub async fn close(&self) {
        on_db!(self, |p| p.close().await)
    }
}
