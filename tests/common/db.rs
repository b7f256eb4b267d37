//! The database under a test: SQLite or PostgreSQL, and tests that run on both.
use super::{postgres, TestServer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test: a SQLite file in a temporary folder (deleted on drop), or a
/// new database in the test process's PostgreSQL cluster ([`postgres::PgServer::shared`]).
pub struct TestDb {
    pub url: String,
    _sqlite: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A database someone else keeps (e.g. another server's, shared).
    pub fn at(url: &str) -> Self {
        TestDb {
            url: url.to_owned(),
            _sqlite: None,
        }
    }

    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb {
                    url,
                    _sqlite: Some(dir),
                }
            }
            Backend::Postgres => TestDb {
                url: postgres::PgServer::shared().fresh_database(),
                _sqlite: None,
            },
        }
    }
}

/// For each `async fn name(backend: Backend)` named, the tests `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

/// The one number a query such as `SELECT count(*) …` answers, from the server's database.
pub async fn count(s: &TestServer, sql: &str) -> i64 {
    parley::on_db!(&s.state.pool, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await)
    .unwrap()
}
