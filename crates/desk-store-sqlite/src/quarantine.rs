//! The quarantine on SQLite.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::{Result, Store};
use desk_core::store::now_rfc3339;
use desk_core::quarantine::{NewQuarantined, QuarantineRecord};
use desk_core::storage::QuarantineStore;

#[async_trait]
impl QuarantineStore for Store {
    async fn quarantine_records(&self, before_id: Option<i64>, limit: i64) -> Result<Vec<QuarantineRecord>> {
        let before = before_id.unwrap_or(i64::MAX);
        Ok(sqlx::query_as!(
            QuarantineRecord,
            r#"SELECT id AS "id!", received_at, source, line_no, handoff_id, raw, errors
               FROM quarantine WHERE id < ? ORDER BY id DESC LIMIT ?"#,
            before,
            limit
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn quarantine_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM quarantine"#).fetch_one(&self.pool).await?)
    }

    async fn quarantine_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar!("SELECT raw FROM quarantine WHERE id = ?", id).fetch_optional(&self.pool).await?)
    }
}

/// Quarantines one document inside a caller's transaction; returns its id.
pub(crate) async fn insert_in(conn: &mut SqliteConnection, source: &str, q: &NewQuarantined<'_>) -> Result<i64> {
    let now = now_rfc3339();
    let errors = q.errors_json();
    let (line_no, handoff_id, raw) = (q.line_no, q.handoff_id, q.raw);
    Ok(sqlx::query!(
        "INSERT INTO quarantine (received_at, source, line_no, handoff_id, raw, errors) VALUES (?, ?, ?, ?, ?, ?)",
        now,
        source,
        line_no,
        handoff_id,
        raw,
        errors
    )
    .execute(&mut *conn)
    .await?
    .last_insert_rowid())
}
