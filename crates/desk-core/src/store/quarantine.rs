//! Documents that failed validation, kept with their raw bytes and every reason.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use ts_rs::TS;

use super::{now_rfc3339, Result, Store};
use crate::handoff::FieldError;

/// One quarantined document, as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuarantineEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub received_at: String,
    pub source: String,
    #[ts(type = "number | null")]
    pub line_no: Option<i64>,
    pub handoff_id: Option<String>,
    /// The raw document as text (invalid UTF-8 shown with replacement characters; the bytes are
    /// kept exactly in the database).
    pub raw_text: String,
    pub raw_is_utf8: bool,
    #[ts(type = "number")]
    pub raw_bytes: i64,
    pub errors: Vec<FieldError>,
}

/// Shown of a raw document in lists: enough to recognise it.
const RAW_PREVIEW_BYTES: usize = 64 * 1024;

impl Store {
    /// Newest first, `limit` at most, older than `before_id` when given.
    pub async fn quarantine_list(&self, before_id: Option<i64>, limit: i64) -> Result<Vec<QuarantineEntry>> {
        let before = before_id.unwrap_or(i64::MAX);
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", received_at, source, line_no, handoff_id, raw, errors
               FROM quarantine WHERE id < ? ORDER BY id DESC LIMIT ?"#,
            before,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let raw_is_utf8 = std::str::from_utf8(&r.raw).is_ok();
                let shown = &r.raw[..r.raw.len().min(RAW_PREVIEW_BYTES)];
                QuarantineEntry {
                    id: r.id,
                    received_at: r.received_at,
                    source: r.source,
                    line_no: r.line_no,
                    handoff_id: r.handoff_id,
                    raw_text: String::from_utf8_lossy(shown).into_owned(),
                    raw_is_utf8,
                    raw_bytes: r.raw.len() as i64,
                    errors: serde_json::from_str(&r.errors).unwrap_or_else(|e| {
                        vec![FieldError { path: "$".into(), message: format!("stored reasons unreadable: {e}") }]
                    }),
                }
            })
            .collect())
    }

    /// How many documents are in quarantine.
    pub async fn quarantine_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM quarantine"#).fetch_one(&self.pool).await?)
    }

    /// The exact bytes of a quarantined document.
    pub async fn quarantine_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar!("SELECT raw FROM quarantine WHERE id = ?", id).fetch_optional(&self.pool).await?)
    }
}

/// Quarantines one document inside a caller's transaction; returns its id.
pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    source: &str,
    line_no: Option<i64>,
    handoff_id: Option<&str>,
    raw: &[u8],
    errors: &[FieldError],
) -> Result<i64> {
    let now = now_rfc3339();
    let errors = serde_json::to_string(errors).expect("errors serialise");
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
