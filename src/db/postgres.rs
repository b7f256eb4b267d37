//! PostgreSQL: the database must exist; its tables are created by the migrations in
//! `migrations/postgres/`. Several instances may start at once: sqlx holds an advisory lock
//! while it migrates, so one migrates and the others find the work done.
use super::{redacted, DbError};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub(super) async fn connect(url: &str, max_connections: u32) -> Result<PgPool, DbError> {
    let opts = PgConnectOptions::from_str(url).map_err(|e| DbError::Url(redacted(url), e))?;
    // The migrations run on one connection of their own, opened once: a server that is down,
    // or refuses the user or the database name, is reported at once in its own words (a
    // pool's first connection would retry until its timeout and report only that).
    let mut conn = opts
        .connect()
        .await
        .map_err(|e| DbError::Connect(redacted(url), e))?;
    let migrated = MIGRATOR.run(&mut conn).await;
    let _ = conn.close().await;
    migrated?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .connect_lazy_with(opts))
}
