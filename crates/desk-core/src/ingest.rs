//! Bringing handoff documents in: one document, or a JSON Lines file line by line. Every line is
//! accounted for: accepted, updated, unchanged or quarantined. One bad line never stops the rest.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{parse_document, FieldError, Handoff};
use crate::store::{handoffs::upsert_in, quarantine::insert_in, Result, Store, Upsert};

/// What became of one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted { handoff_id: String, seq: i64 },
    Updated { handoff_id: String, seq: i64 },
    Unchanged { handoff_id: String, seq: i64 },
    Quarantined { id: i64, handoff_id: Option<String>, errors: Vec<FieldError> },
}

/// The errors of one quarantined line, for the import summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LineError {
    #[ts(type = "number")]
    pub line: i64,
    pub handoff_id: Option<String>,
    pub errors: Vec<FieldError>,
}

/// The account of one import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub source: String,
    #[ts(type = "number")]
    pub lines: i64,
    #[ts(type = "number")]
    pub accepted: i64,
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub unchanged: i64,
    #[ts(type = "number")]
    pub quarantined: i64,
    /// The first quarantined lines with their reasons (all are in the quarantine).
    pub line_errors: Vec<LineError>,
    /// `handoff_id`s that were new or changed, in file order (capped), for live updates.
    pub changed_ids: Vec<String>,
}

/// Progress of a running import.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub lines_done: i64,
    #[ts(type = "number")]
    pub bytes_done: i64,
    #[ts(type = "number")]
    pub bytes_total: i64,
}

/// Lines written per transaction: large enough for speed, small enough that progress moves.
const BATCH_LINES: usize = 1_000;
/// Line errors kept in the report (the quarantine keeps them all).
const REPORT_ERRORS_MAX: usize = 100;
const REPORT_IDS_MAX: usize = 1_000;

impl ImportReport {
    fn record(&mut self, line: i64, outcome: &Outcome) {
        self.lines += 1;
        match outcome {
            Outcome::Accepted { handoff_id, .. } | Outcome::Updated { handoff_id, .. } => {
                if matches!(outcome, Outcome::Accepted { .. }) {
                    self.accepted += 1
                } else {
                    self.updated += 1
                }
                if self.changed_ids.len() < REPORT_IDS_MAX {
                    self.changed_ids.push(handoff_id.clone());
                }
            }
            Outcome::Unchanged { .. } => self.unchanged += 1,
            Outcome::Quarantined { handoff_id, errors, .. } => {
                self.quarantined += 1;
                if self.line_errors.len() < REPORT_ERRORS_MAX {
                    self.line_errors.push(LineError { line, handoff_id: handoff_id.clone(), errors: errors.clone() });
                }
            }
        }
    }
}

async fn ingest_in(
    conn: &mut sqlx::SqliteConnection,
    raw: &[u8],
    source: &str,
    line_no: Option<i64>,
) -> Result<Outcome> {
    match parse_document(raw) {
        Ok(h) => store_valid(conn, &h, source).await,
        Err(invalid) => {
            let id = insert_in(conn, source, line_no, invalid.handoff_id.as_deref(), raw, &invalid.errors).await?;
            tracing::warn!(source, line_no, errors = invalid.errors.len(), "handoff quarantined");
            Ok(Outcome::Quarantined { id, handoff_id: invalid.handoff_id, errors: invalid.errors })
        }
    }
}

async fn store_valid(conn: &mut sqlx::SqliteConnection, h: &Handoff, source: &str) -> Result<Outcome> {
    let handoff_id = h.handoff_id.clone();
    Ok(match upsert_in(conn, h, source).await? {
        Upsert::Inserted { seq } => Outcome::Accepted { handoff_id, seq },
        Upsert::Updated { seq } => Outcome::Updated { handoff_id, seq },
        Upsert::Unchanged { seq } => Outcome::Unchanged { handoff_id, seq },
    })
}

impl Store {
    /// Validates and stores one raw document, or quarantines it with every reason.
    pub async fn ingest(&self, raw: &[u8], source: &str) -> Result<Outcome> {
        let mut tx = self.begin_write().await?;
        let outcome = ingest_in(&mut tx, raw, source, None).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Validates and stores several raw documents in one transaction (one sync to disk for the
    /// lot, as an import batch); each is stored or quarantined on its own merits.
    pub async fn ingest_batch(&self, docs: &[Vec<u8>], source: &str) -> Result<Vec<Outcome>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(docs.len());
        for raw in docs {
            out.push(ingest_in(&mut tx, raw, source, None).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Stores a document that is already a validated [`Handoff`] (the demo source's path).
    pub async fn ingest_valid(&self, h: &Handoff, source: &str) -> Result<Outcome> {
        let mut tx = self.begin_write().await?;
        let outcome = store_valid(&mut tx, h, source).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Imports a JSON Lines file's bytes. A byte-order mark at the start is ignored; `\n` and
    /// `\r\n` both end a line; the final line needs no terminator. A broken, non-UTF-8, empty or
    /// whitespace-only line is quarantined with its line number; the rest still imports.
    pub async fn import_jsonl(
        &self,
        bytes: &[u8],
        source: &str,
        mut progress: impl FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let bom = bytes.len() - body.len();
        let mut report = ImportReport { source: source.to_owned(), ..Default::default() };
        let mut lines = split_lines(body).peekable();
        let total = bytes.len() as i64;
        while lines.peek().is_some() {
            let mut tx = self.begin_write().await?;
            let mut end = 0usize;
            for (line_no, offset, line) in lines.by_ref().take(BATCH_LINES) {
                let outcome = ingest_in(&mut tx, line, source, Some(line_no)).await?;
                report.record(line_no, &outcome);
                end = offset + line.len();
            }
            tx.commit().await?;
            progress(ImportProgress { lines_done: report.lines, bytes_done: (bom + end) as i64, bytes_total: total });
        }
        progress(ImportProgress { lines_done: report.lines, bytes_done: total, bytes_total: total });
        tracing::info!(
            source,
            lines = report.lines,
            accepted = report.accepted,
            updated = report.updated,
            unchanged = report.unchanged,
            quarantined = report.quarantined,
            "import finished"
        );
        Ok(report)
    }
}

/// Splits a JSON Lines body into (1-based line number, byte offset, line without terminator).
fn split_lines(body: &[u8]) -> impl Iterator<Item = (i64, usize, &[u8])> {
    let mut offset = 0usize;
    let mut line_no = 0i64;
    std::iter::from_fn(move || {
        if offset >= body.len() {
            return None;
        }
        let rest = &body[offset..];
        let (line, advance) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let start = offset;
        offset += advance;
        line_no += 1;
        Some((line_no, start, line))
    })
}

#[cfg(test)]
mod tests {
    use super::split_lines;

    #[test]
    fn splits_lines_with_both_terminators_and_no_final_newline() {
        let lines: Vec<_> = split_lines(b"a\r\nb\n\nc").map(|(n, _, l)| (n, l.to_vec())).collect();
        assert_eq!(lines, vec![(1, b"a".to_vec()), (2, b"b".to_vec()), (3, b"".to_vec()), (4, b"c".to_vec())]);
        assert_eq!(split_lines(b"a\n").count(), 1);
        assert_eq!(split_lines(b"").count(), 0);
    }
}
