//! Runs desk-core's services against both stores. Each suite test is written once, over a
//! `Arc<dyn Database>`, and [`on_both!`] makes it two tests: `…::sqlite` on a SQLite file and
//! `…::postgres` on a fresh database of the real PostgreSQL server that `scripts/with-postgres.sh`
//! starts (its address in `DESK_TEST_POSTGRES_URL`). Without that server the PostgreSQL tests
//! fail, never skip.

use std::sync::Arc;

use desk_core::storage::{Database, NewUserRecord};
use desk_store_sqlite::Store;
use desk_store_postgres::PgStore;

pub use desk_core;

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty, migrated store, and where it lives (a SQLite path or a PostgreSQL URL).
pub struct TestDb {
    pub db: Arc<dyn Database>,
    pub location: String,
    pub dir: tempfile::TempDir,
}

/// The PostgreSQL server the test script started.
pub fn postgres_admin_url() -> String {
    std::env::var("DESK_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("DESK_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh (or scripts/with-postgres.sh cargo test …), which starts a PostgreSQL server")
    })
}

/// A new database on the test server, for one test.
pub async fn fresh_postgres_url() -> String {
    let admin = postgres_admin_url();
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("random");
    let name = format!("desk_test_{}", hex::encode(b));
    let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server at {admin}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create a test database");
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database name");
    format!("{base}/{name}")
}

/// A fresh store of the given kind.
pub async fn fresh(backend: Backend) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    match backend {
        Backend::Sqlite => {
            let path = dir.path().join("desk.db");
            let store = Store::open(&path).await.expect("open SQLite");
            TestDb { db: Arc::new(store), location: path.display().to_string(), dir }
        }
        Backend::Postgres => {
            let url = fresh_postgres_url().await;
            let store = PgStore::connect(&url, 16).await.expect("connect to PostgreSQL");
            TestDb { db: Arc::new(store), location: url, dir }
        }
    }
}

/// Opens an existing store by location: a `postgres://` URL, or a SQLite file path.
pub async fn open(location: &str) -> Arc<dyn Database> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Arc::new(PgStore::connect(location, 4).await.expect("connect to PostgreSQL"))
    } else {
        Arc::new(Store::open(std::path::Path::new(location)).await.expect("open SQLite"))
    }
}

/// Adds a user with these roles (the hash is a placeholder: suite tests sign nobody in) and
/// returns a session for them, stepped up now.
pub async fn person(db: &dyn Database, username: &str, display_name: &str, roles: &[desk_core::people::Role], now: i64) -> desk_core::people::Session {
    let rec = NewUserRecord { username: username.into(), display_name: display_name.into(), password_hash: "$argon2id$placeholder".into(), roles: roles.to_vec() };
    let id = db.insert_user(&rec, now, &[]).await.expect("insert a user");
    let u = db.user_summary(id).await.expect("read the user");
    desk_core::people::Session {
        actor: desk_core::people::Actor { user_id: u.id, username: u.username, display_name: u.display_name, roles: u.roles },
        signed_in_ms: now,
        stepped_up_ms: Some(now),
    }
}

/// Turns each `async fn NAME(backend: Backend)` named here into two tests, `NAME::sqlite` and
/// `NAME::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )*
    };
}
