//! What both stores share: the store's errors, the columns derived from a document, an
//! escalation as stored, and the time format. The stores themselves are `desk-store-sqlite` and
//! `desk-store-postgres`.

use sha2::{Digest, Sha256};

use crate::handoff::Handoff;
use crate::queue::search_words;

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

/// What storing a valid document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A new escalation.
    Inserted { seq: i64 },
    /// The same `handoff_id` with a changed document: the stored one was replaced.
    Updated { seq: i64 },
    /// The same `handoff_id` with an identical document: nothing changed.
    Unchanged { seq: i64 },
}

/// An escalation as stored.
#[derive(Debug, Clone)]
pub struct StoredHandoff {
    pub seq: i64,
    pub handoff: Handoff,
    pub status: String,
    pub revision: i64,
    pub source: String,
    pub received_at: String,
    pub updated_at: String,
    /// The display name of whoever has claimed it.
    pub claimed_by: Option<String>,
    pub claimed_by_id: Option<i64>,
}

/// An escalation's row as both stores read it: the document still as stored text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredHandoffRow {
    pub seq: i64,
    pub doc: String,
    pub status: String,
    pub revision: i64,
    pub source: String,
    pub received_at: String,
    pub updated_at: String,
    pub claimed_by: Option<String>,
    pub claimed_by_id: Option<i64>,
}

impl StoredHandoffRow {
    /// Parses the stored document; one that no longer parses is reported, never skipped.
    pub fn into_stored(self, handoff_id: &str) -> Result<StoredHandoff> {
        let handoff = serde_json::from_str(&self.doc).map_err(|source| StoreError::Corrupt { handoff_id: handoff_id.to_owned(), source })?;
        Ok(StoredHandoff {
            seq: self.seq,
            handoff,
            status: self.status,
            revision: self.revision,
            source: self.source,
            received_at: self.received_at,
            updated_at: self.updated_at,
            claimed_by: self.claimed_by,
            claimed_by_id: self.claimed_by_id,
        })
    }
}

/// Most urgent first, then longest waiting: ascending order of this key is the triage order.
pub fn triage_key(priority_rank: i64, escalated_ms: i64) -> i64 {
    // 10^14 ms is about 3,170 years: room for any timestamp after 1970 within one priority band.
    (3 - priority_rank) * 100_000_000_000_000 + escalated_ms.clamp(0, 99_999_999_999_999)
}

/// The columns stored beside a document, derived from it in one place for both stores: the
/// queue's sort and filter keys, and the text the full-text index holds.
#[derive(Debug, Clone)]
pub struct HandoffColumns {
    pub doc: String,
    pub doc_sha256: String,
    pub escalated_ms: i64,
    pub priority_rank: i64,
    pub triage_key: i64,
    pub channel: &'static str,
    pub customer_sort: String,
    pub sentiment: &'static str,
    pub reason: &'static str,
    pub priority: &'static str,
    pub action_count: i64,
    pub failed_action_count: i64,
    pub turn_count: i64,
    /// Every turn's text, one per line.
    pub search_transcript: String,
    /// Name, e-mail and id.
    pub search_customer: String,
}

impl HandoffColumns {
    pub fn of(h: &Handoff) -> Self {
        let doc = h.canonical_json();
        let doc_sha256 = hex::encode(Sha256::digest(doc.as_bytes()));
        let escalated_ms = h.escalated_ms();
        let priority_rank = h.priority.rank();
        let search_transcript = h.transcript.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("\n");
        let search_customer = [h.customer.name.as_deref(), h.customer.email.as_deref(), Some(h.customer.id.as_str())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        HandoffColumns {
            doc,
            doc_sha256,
            escalated_ms,
            priority_rank,
            triage_key: triage_key(priority_rank, escalated_ms),
            channel: h.channel.as_str(),
            customer_sort: h.customer.name.as_deref().unwrap_or(&h.customer.id).to_lowercase(),
            sentiment: h.sentiment.label.as_str(),
            reason: h.reason.as_str(),
            priority: h.priority.as_str(),
            action_count: h.attempted_actions.len() as i64,
            failed_action_count: h
                .attempted_actions
                .iter()
                .filter(|a| matches!(a.status, crate::handoff::ActionStatus::Failed | crate::handoff::ActionStatus::Denied))
                .count() as i64,
            turn_count: h.transcript.len() as i64,
            search_transcript,
            search_customer,
        }
    }

    /// Summary, transcript and customer as the words search sees ([`search_words`]), for a
    /// store that indexes one text (PostgreSQL's `to_tsvector`); FTS5 indexes the columns.
    pub fn search_document(&self, summary: &str) -> String {
        [summary, &self.search_transcript, &self.search_customer].iter().flat_map(|t| search_words(t)).collect::<Vec<_>>().join(" ")
    }
}

/// Now, as stored: RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
