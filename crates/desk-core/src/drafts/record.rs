//! Drafts, replies and knowledge-base passages as both stores keep them ([`crate::storage::DraftStore`],
//! [`crate::storage::OutboxStore`], [`crate::storage::KbStore`]). The SELECTs are portable SQL: each
//! store appends its own `WHERE` with its own placeholders.

use super::guardrails::DraftFlag;
use super::lifecycle::DraftState;
use super::service::{DraftView, OutboxEntry, RejectReason};

/// A draft as both stores read it ([`SELECT_DRAFT`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRecord {
    pub id: String,
    pub handoff_id: String,
    pub turn_index: i64,
    pub engine: String,
    pub model: Option<String>,
    pub text: String,
    pub kind: String,
    pub sources: String,
    pub confidence: f64,
    pub flags: String,
    pub state: String,
    pub latency_ms: i64,
    pub engine_error: Option<String>,
    pub created_at_ms: i64,
    pub decided_by_name: Option<String>,
    pub reject_reason: Option<String>,
    pub reject_note: Option<String>,
    pub sent_text: Option<String>,
}

pub const SELECT_DRAFT: &str = "SELECT d.id, h.handoff_id, d.turn_index, d.engine, d.model, d.text, d.kind, d.sources, d.confidence, d.flags, \
    d.state, d.latency_ms, d.engine_error, d.created_at_ms, u.display_name AS decided_by_name, d.reject_reason, d.reject_note, d.sent_text \
    FROM drafts d JOIN handoffs h ON h.seq = d.handoff_seq LEFT JOIN users u ON u.id = d.decided_by";

impl DraftRecord {
    pub fn state(&self) -> DraftState {
        DraftState::parse(&self.state)
    }

    pub fn view(self) -> DraftView {
        let flags: Vec<DraftFlag> = serde_json::from_str(&self.flags).unwrap_or_default();
        DraftView {
            state: self.state(),
            id: self.id,
            handoff_id: self.handoff_id,
            turn_index: self.turn_index,
            engine: self.engine,
            model: self.model,
            text: self.text,
            is_note: self.kind == "note",
            sources: serde_json::from_str(&self.sources).unwrap_or_default(),
            confidence: self.confidence,
            warnings: flags.iter().copied().filter(|f| f.is_warning()).collect(),
            flags,
            latency_ms: self.latency_ms,
            engine_error: self.engine_error,
            created_at_ms: self.created_at_ms,
            decided_by: self.decided_by_name,
            reject_reason: self.reject_reason.as_deref().and_then(RejectReason::parse),
            reject_note: self.reject_note,
            sent_text: self.sent_text,
        }
    }
}

/// A new draft, ready for the agent.
#[derive(Debug, Clone)]
pub struct NewDraftRecord<'a> {
    pub id: &'a str,
    pub handoff_seq: i64,
    pub turn_index: i64,
    pub engine: &'a str,
    pub model: Option<&'a str>,
    pub text: &'a str,
    /// "reply", or "note" (a note to the agent, not a reply).
    pub kind: &'a str,
    /// JSON array of the cited passages.
    pub sources: String,
    pub confidence: f64,
    /// JSON array of the flags.
    pub flags: String,
    pub latency_ms: i64,
    pub engine_error: Option<String>,
    pub created_at_ms: i64,
}

/// A decision on a ready draft, as written.
#[derive(Debug, Clone)]
pub struct DraftDecided<'a> {
    pub draft_id: &'a str,
    pub state: DraftState,
    pub decided_by: i64,
    pub decided_at_ms: i64,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<&'a str>,
    pub sent_text: Option<&'a str>,
    pub edit_distance: Option<i64>,
}

/// A reply for the outbox (pending until its channel takes it).
#[derive(Debug, Clone)]
pub struct NewOutboxRecord<'a> {
    pub id: &'a str,
    pub handoff_id: &'a str,
    pub draft_id: Option<&'a str>,
    pub author: i64,
    pub text: &'a str,
    pub created_at_ms: i64,
}

/// An outbox entry as both stores read it ([`SELECT_OUTBOX`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRecord {
    pub id: String,
    pub handoff_id: String,
    pub conversation_id: String,
    pub source: String,
    pub draft_id: Option<String>,
    pub author_name: String,
    pub text: String,
    pub state: String,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    pub last_error: Option<String>,
}

pub const SELECT_OUTBOX: &str = "SELECT o.id, h.handoff_id, h.conversation_id, h.source, o.draft_id, u.display_name AS author_name, o.text, o.state, \
    o.created_at_ms, o.sent_at_ms, o.last_error FROM outbox o JOIN handoffs h ON h.seq = o.handoff_seq JOIN users u ON u.id = o.author";

impl OutboxRecord {
    pub fn entry(self) -> OutboxEntry {
        OutboxEntry {
            sent: self.state == "sent",
            id: self.id,
            handoff_id: self.handoff_id,
            draft_id: self.draft_id,
            author: self.author_name,
            text: self.text,
            created_at_ms: self.created_at_ms,
            sent_at_ms: self.sent_at_ms,
            last_error: self.last_error,
        }
    }
}

/// Which escalations' replies a channel carries, by the source they came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries<'a> {
    /// Only replies to escalations from this source.
    Only(&'a str),
    /// Replies to escalations from every source but this one.
    AllBut(&'a str),
}

/// One reply draft outcome, for the acceptance metrics ([`SELECT_DRAFT_OUTCOMES`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftOutcome {
    pub intent: String,
    pub state: String,
    pub edit_distance: Option<i64>,
    pub decided_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

pub const SELECT_DRAFT_OUTCOMES: &str = "SELECT h.intent, d.state, d.edit_distance, d.decided_at_ms, d.created_at_ms \
    FROM drafts d JOIN handoffs h ON h.seq = d.handoff_seq WHERE d.kind = 'reply' ORDER BY h.intent, d.created_at_ms";

/// An article of the knowledge base, cut into passages, to index.
#[derive(Debug, Clone)]
pub struct KbArticleRecord {
    pub id: String,
    pub path: String,
    pub title: String,
    pub intent: Option<String>,
    /// Words the article is about besides its title (front matter `keywords`).
    pub keywords: String,
    pub body: String,
    pub sha256: String,
    /// (heading, text), in order.
    pub passages: Vec<(String, String)>,
}

/// A passage the store's text search found for some of the query's words.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KbCandidate {
    pub article_id: String,
    pub intent: Option<String>,
    pub title: String,
    /// The title with the article's keywords, as indexed.
    pub indexed_title: String,
    pub heading: String,
    pub text: String,
    /// The store's own text-match score, higher is better (SQLite: −bm25; PostgreSQL: ts_rank,
    /// scaled). Retrieval weighs it after coverage and intent.
    pub relevance: f64,
}
