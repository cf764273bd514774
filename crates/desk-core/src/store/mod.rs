//! The SQLite database: opened in WAL mode with foreign keys and a busy timeout, migrated on
//! open from `migrations/sqlite/`. Functions that write take an executor or a transaction, so a state
//! change and what goes with it (the search index, later the audit event) commit together.

mod analytics;
pub mod audit;
mod claims;
mod drafts;
mod gates;
pub(crate) mod handoffs;
pub(crate) mod people;
pub(crate) mod quarantine;
mod queue;
mod ratings;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use handoffs::{HandoffColumns, StoredHandoff, StoredHandoffRow, Upsert};
pub use crate::quarantine::QuarantineEntry;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored document for {handoff_id} is unreadable: {source}")]
    Corrupt { handoff_id: String, source: serde_json::Error },
    #[error("no escalation with id {0}")]
    NotFound(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The migrations in `migrations/sqlite/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// A handle on the database. Cheap to clone: the pool is already shared and synchronised.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl crate::storage::Database for Store {
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
impl crate::storage::MetaStore for Store {
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

/// Now, as stored: RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
