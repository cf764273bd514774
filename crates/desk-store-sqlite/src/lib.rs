//! desk-core's storage traits on SQLite: the desktop's embedded default. The database is opened
//! in WAL mode with `synchronous=FULL`, foreign keys and a busy timeout, and migrated on open from
//! `migrations/sqlite/`. Every write that goes with another (a state change and its audit events,
//! a document and its search index) shares one `BEGIN IMMEDIATE` transaction.

mod analytics;
pub mod audit;
mod claims;
mod drafts;
mod events;
mod gates;
pub(crate) mod handoffs;
pub(crate) mod people;
pub(crate) mod quarantine;
mod queue;
mod ratings;
mod routing;
mod sessions;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use desk_core::store::{Result, StoreError};

/// The migrations in `migrations/sqlite/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// A handle on the database. Cheap to clone: the pool is already shared and synchronised.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl desk_core::storage::Database for Store {
    fn kind(&self) -> &'static str {
        "sqlite"
    }
}

impl Store {
    /// Opens (creating if needed) the database file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::connect(options, 4).await
    }

    /// A private in-memory database, for tests and tools that need no file.
    pub async fn open_in_memory() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        Self::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, max: u32) -> Result<Self> {
        let pool = SqlitePoolOptions::new().max_connections(max).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`), waiting
    /// for it per the busy timeout. A deferred transaction that reads before it writes fails at
    /// once with SQLITE_BUSY when another connection wrote in between; this one never does.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// `PRAGMA integrity_check` is "ok".
    pub async fn integrity_ok(&self) -> Result<bool> {
        let r: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.pool).await?;
        Ok(r == "ok")
    }
}

#[async_trait::async_trait]
impl desk_core::storage::MetaStore for Store {
    async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar!("SELECT value FROM app_meta WHERE key = ?", key).fetch_optional(&self.pool).await?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query!("INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

