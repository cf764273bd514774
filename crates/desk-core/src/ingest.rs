//! Bringing handoff documents in: one document, or a JSON Lines file line by line. Every line is
//! accounted for: accepted, updated, unchanged or quarantined. One bad line never stops the rest.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{parse_document, FieldError, Handoff, Invalid};
use crate::quarantine::NewQuarantined;
use crate::storage::{HandoffStore, Intake, Taken};
use crate::store::{Result, Upsert};

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

/// A document parsed, before it is stored: the escalation, or why it is not one.
enum Parsed<'a> {
    Valid(Box<Handoff>),
    Invalid { raw: &'a [u8], line_no: Option<i64>, invalid: Invalid },
}

impl<'a> Parsed<'a> {
    fn of(raw: &'a [u8], line_no: Option<i64>) -> Self {
        match parse_document(raw) {
            Ok(h) => Parsed::Valid(Box::new(h)),
            Err(invalid) => Parsed::Invalid { raw, line_no, invalid },
        }
    }

    fn intake(&self) -> Intake<'_> {
        match self {
            Parsed::Valid(h) => Intake::Valid(h),
            Parsed::Invalid { raw, line_no, invalid } => {
                Intake::Invalid(NewQuarantined { line_no: *line_no, handoff_id: invalid.handoff_id.as_deref(), raw, errors: &invalid.errors })
            }
        }
    }

    fn outcome(self, taken: Taken, source: &str) -> Outcome {
        match (self, taken) {
            (Parsed::Valid(h), Taken::Stored(u)) => Outcome::of(h.handoff_id, u),
            (Parsed::Invalid { line_no, invalid, .. }, Taken::Quarantined(id)) => {
                tracing::warn!(source, line_no, errors = invalid.errors.len(), "handoff quarantined");
                Outcome::Quarantined { id, handoff_id: invalid.handoff_id, errors: invalid.errors }
            }
            (_, taken) => unreachable!("the store answered {taken:?} for a document of the other kind"),
        }
    }
}

impl Outcome {
    fn of(handoff_id: String, u: Upsert) -> Self {
        match u {
            Upsert::Inserted { seq } => Outcome::Accepted { handoff_id, seq },
            Upsert::Updated { seq } => Outcome::Updated { handoff_id, seq },
            Upsert::Unchanged { seq } => Outcome::Unchanged { handoff_id, seq },
        }
    }
}

/// Stores parsed documents in one transaction, each on its own merits.
async fn take_in<S: HandoffStore + ?Sized>(store: &S, parsed: Vec<Parsed<'_>>, source: &str) -> Result<Vec<Outcome>> {
    let intake: Vec<Intake> = parsed.iter().map(Parsed::intake).collect();
    let taken = store.take_in(&intake, source).await?;
    drop(intake);
    Ok(parsed.into_iter().zip(taken).map(|(p, t)| p.outcome(t, source)).collect())
}

/// Bringing documents in, on any store: validation happens here, before the store's one
/// transaction per call (or per [`BATCH_LINES`] lines of an import).
#[async_trait]
pub trait Ingest: HandoffStore {
    /// Validates and stores one raw document, or quarantines it with every reason.
    async fn ingest(&self, raw: &[u8], source: &str) -> Result<Outcome> {
        Ok(take_in(self, vec![Parsed::of(raw, None)], source).await?.remove(0))
    }

    /// Validates and stores several raw documents in one transaction (one sync to disk for the
    /// lot, as an import batch); each is stored or quarantined on its own merits.
    async fn ingest_batch(&self, docs: &[Vec<u8>], source: &str) -> Result<Vec<Outcome>> {
        take_in(self, docs.iter().map(|raw| Parsed::of(raw, None)).collect(), source).await
    }

    /// Stores a document that is already a validated [`Handoff`] (the demo source's path).
    async fn ingest_valid(&self, h: &Handoff, source: &str) -> Result<Outcome> {
        let u = self.store_handoff(h, source).await?;
        Ok(Outcome::of(h.handoff_id.clone(), u))
    }

    /// Imports a JSON Lines file's bytes. A byte-order mark at the start is ignored; `\n` and
    /// `\r\n` both end a line; the final line needs no terminator. A broken, non-UTF-8, empty or
    /// whitespace-only line is quarantined with its line number; the rest still imports.
    async fn import_jsonl(&self, bytes: &[u8], source: &str, progress: &mut (dyn FnMut(ImportProgress) + Send)) -> Result<ImportReport> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let bom = bytes.len() - body.len();
        let mut report = ImportReport { source: source.to_owned(), ..Default::default() };
        let mut lines = split_lines(body).peekable();
        let total = bytes.len() as i64;
        while lines.peek().is_some() {
            let batch: Vec<(i64, usize, &[u8])> = lines.by_ref().take(BATCH_LINES).collect();
            let end = batch.last().map(|(_, offset, line)| offset + line.len()).unwrap_or(0);
            let numbers: Vec<i64> = batch.iter().map(|(n, _, _)| *n).collect();
            let outcomes = take_in(self, batch.into_iter().map(|(n, _, line)| Parsed::of(line, Some(n))).collect(), source).await?;
            for (line_no, outcome) in numbers.into_iter().zip(&outcomes) {
                report.record(line_no, outcome);
            }
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

impl<S: HandoffStore + ?Sized> Ingest for S {}

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
