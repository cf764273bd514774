//! Documents that failed validation, kept with their raw bytes and every reason: what the app
//! shows of them, the same on both stores.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
pub const RAW_PREVIEW_BYTES: usize = 64 * 1024;
/// The longest page of the quarantine list.
pub const PAGE_MAX: i64 = 500;

/// A document to quarantine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewQuarantined<'a> {
    pub line_no: Option<i64>,
    pub handoff_id: Option<&'a str>,
    pub raw: &'a [u8],
    pub errors: &'a [FieldError],
}

impl NewQuarantined<'_> {
    /// The reasons as stored (a JSON array of `{path, message}`).
    pub fn errors_json(&self) -> String {
        serde_json::to_string(self.errors).expect("errors serialise")
    }
}

/// A quarantine row as both stores read it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QuarantineRecord {
    pub id: i64,
    pub received_at: String,
    pub source: String,
    pub line_no: Option<i64>,
    pub handoff_id: Option<String>,
    pub raw: Vec<u8>,
    pub errors: String,
}

impl QuarantineRecord {
    pub fn into_entry(self) -> QuarantineEntry {
        let raw_is_utf8 = std::str::from_utf8(&self.raw).is_ok();
        let shown = &self.raw[..self.raw.len().min(RAW_PREVIEW_BYTES)];
        QuarantineEntry {
            id: self.id,
            received_at: self.received_at,
            source: self.source,
            line_no: self.line_no,
            handoff_id: self.handoff_id,
            raw_text: String::from_utf8_lossy(shown).into_owned(),
            raw_is_utf8,
            raw_bytes: self.raw.len() as i64,
            errors: serde_json::from_str(&self.errors)
                .unwrap_or_else(|e| vec![FieldError { path: "$".into(), message: format!("stored reasons unreadable: {e}") }]),
        }
    }
}
