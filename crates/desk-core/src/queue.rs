//! The escalation queue: filter, sort and page through escalations, and search them.
//!
//! Paging is by keyset: each sort key is one column with an index on `(column, seq)`, and the
//! cursor is the last row's `(value, seq)`, so every page is an index seek however deep it is.
//! Full-text search ranks within a bounded, newest-first candidate set (see [`SEARCH_CANDIDATES`])
//! so a common word stays as fast as a rare one.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{Channel, EscalationReason, Priority, SentimentLabel};
use crate::ingest::{ImportProgress, ImportReport, Ingest};
use crate::ipc::HandoffDetail;
use crate::people::{PeopleError, Permission, Session};
use crate::quarantine::QuarantineEntry;
use crate::storage::Database;
use crate::store::{Result, StoreError};

/// How far the search looks: the newest this-many matches, then filters and sort apply.
pub const SEARCH_CANDIDATES: i64 = 2_000;
/// The largest page a caller may ask for.
pub const PAGE_MAX: u32 = 500;
/// Words of a search that count; the rest are ignored.
pub const SEARCH_WORDS_MAX: usize = 16;
/// Intents listed in the filter menu, most common first.
pub const FACET_INTENTS_MAX: i64 = 200;

/// The band a confidence falls in; shown as a word and a colour, never colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceBand {
    Low,
    Medium,
    High,
}

/// Where the bands start. Defaults: high ≥ 0.85, medium ≥ 0.6, low below.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ConfidenceBands {
    pub medium: f64,
    pub high: f64,
}

impl Default for ConfidenceBands {
    fn default() -> Self {
        Self { medium: 0.6, high: 0.85 }
    }
}

impl ConfidenceBands {
    pub fn band(&self, confidence: f64) -> ConfidenceBand {
        if confidence >= self.high {
            ConfidenceBand::High
        } else if confidence >= self.medium {
            ConfidenceBand::Medium
        } else {
            ConfidenceBand::Low
        }
    }
}

/// How long each priority may wait for a first human answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct SlaPolicy {
    #[ts(type = "number")]
    pub urgent_secs: i64,
    #[ts(type = "number")]
    pub high_secs: i64,
    #[ts(type = "number")]
    pub normal_secs: i64,
    #[ts(type = "number")]
    pub low_secs: i64,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self { urgent_secs: 2 * 60, high_secs: 10 * 60, normal_secs: 30 * 60, low_secs: 2 * 60 * 60 }
    }
}

impl SlaPolicy {
    pub fn for_priority(&self, p: Priority) -> i64 {
        match p {
            Priority::Urgent => self.urgent_secs,
            Priority::High => self.high_secs,
            Priority::Normal => self.normal_secs,
            Priority::Low => self.low_secs,
        }
    }
}

/// What the queue is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Most urgent first, then longest waiting (the default).
    Triage,
    /// Escalation time.
    Age,
    Priority,
    Confidence,
    Intent,
    Channel,
    Customer,
    Reason,
    /// Sentiment score, most negative first when ascending.
    Sentiment,
}

impl SortKey {
    /// The column the queue is ordered by (each has an index on `(column, seq)`).
    pub fn column(self) -> &'static str {
        match self {
            SortKey::Triage => "triage_key",
            SortKey::Age => "escalated_ms",
            SortKey::Priority => "priority_rank",
            SortKey::Confidence => "confidence",
            SortKey::Intent => "intent",
            SortKey::Channel => "channel",
            SortKey::Customer => "customer_sort",
            SortKey::Reason => "reason",
            SortKey::Sentiment => "sentiment_score",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueSort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for QueueSort {
    fn default() -> Self {
        Self { key: SortKey::Triage, descending: false }
    }
}

/// Filters; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueFilter {
    /// Words searched in summary, transcript and customer (all must match; the last may be a prefix).
    pub search: Option<String>,
    pub priorities: Vec<Priority>,
    pub channels: Vec<Channel>,
    pub reasons: Vec<EscalationReason>,
    pub intents: Vec<String>,
    pub sentiments: Vec<SentimentLabel>,
    pub bands: Vec<ConfidenceBand>,
    pub claim: ClaimFilter,
}

/// Whose escalations to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClaimFilter {
    #[default]
    Any,
    Unclaimed,
    /// Claimed by the viewer.
    Mine,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueQuery {
    pub filter: QueueFilter,
    pub sort: QueueSort,
    /// Opaque: `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: u32,
}

/// One escalation in the queue list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueRow {
    #[ts(type = "number")]
    pub seq: i64,
    pub handoff_id: String,
    pub conversation_id: String,
    pub escalated_at: String,
    #[ts(type = "number")]
    pub escalated_ms: i64,
    pub priority: Priority,
    /// Seconds this priority may wait (the SLA), to colour the waiting time.
    #[ts(type = "number")]
    pub sla_secs: i64,
    pub intent: String,
    pub confidence: f64,
    pub band: ConfidenceBand,
    pub channel: Channel,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub reason: EscalationReason,
    pub sentiment: SentimentLabel,
    pub sentiment_score: f64,
    pub summary: String,
    pub status: String,
    #[ts(type = "number")]
    pub action_count: i64,
    #[ts(type = "number")]
    pub failed_action_count: i64,
    #[ts(type = "number")]
    pub turn_count: i64,
    /// Who has claimed it, if anyone.
    pub claimed_by: Option<String>,
    #[ts(type = "number | null")]
    pub claimed_by_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub next_cursor: Option<String>,
    /// A search matched more than [`SEARCH_CANDIDATES`]: only the newest of them are listed.
    pub search_capped: bool,
}

/// A value and how many escalations have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FacetCount {
    pub value: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// Counts for the filter menus and the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueFacets {
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub quarantined: i64,
    pub priorities: Vec<FacetCount>,
    pub intents: Vec<FacetCount>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    v: serde_json::Value,
    s: i64,
}

/// The words of a text as search sees them, on both stores: runs of letters and digits,
/// lowercased. Documents are indexed as these words and queries are made of them, so nothing a
/// person types is ever query syntax.
pub fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// The words of what a person typed that a search uses: all must match, the last as a prefix.
pub fn search_terms(input: &str) -> Vec<String> {
    search_words(input).take(SEARCH_WORDS_MAX).collect()
}

/// A piece of a queue query, in the order it is written: SQL text, or a value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Sql(String),
    Text(String),
    Int(i64),
    Float(f64),
}

/// A queue query as both stores run it: `QUEUE_SELECT`, `WHERE 1 = 1`, the store's own search
/// condition when `search` is not empty (the newest [`SEARCH_CANDIDATES`] + 1 matches), then the
/// pieces (filters, the cursor, the order and the limit), which are portable SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePlan {
    pub search: Vec<String>,
    pub pieces: Vec<Piece>,
    /// Rows asked for (one more is fetched, to know whether there is a next page).
    pub limit: i64,
}

/// The columns a queue row is read from, on both stores.
pub const QUEUE_SELECT: &str = "SELECT seq, handoff_id, conversation_id, escalated_at, escalated_ms, priority, priority_rank, \
     triage_key, intent, confidence, channel, customer_id, customer_name, customer_sort, reason, sentiment, sentiment_score, \
     summary, status, action_count, failed_action_count, turn_count, claimed_by, \
     (SELECT display_name FROM users WHERE users.id = claimed_by) AS claimed_by_name FROM handoffs WHERE 1 = 1";

impl QueuePlan {
    /// The plan for one page, as `viewer` (a user id) sees it.
    pub fn new(q: &QueueQuery, bands: ConfidenceBands, viewer: Option<i64>) -> std::result::Result<Self, PeopleError> {
        let mut p = Vec::new();
        let sql = |p: &mut Vec<Piece>, s: &str| p.push(Piece::Sql(s.to_owned()));
        let f = &q.filter;
        match f.claim {
            ClaimFilter::Any => {}
            ClaimFilter::Unclaimed => sql(&mut p, " AND claimed_by IS NULL"),
            ClaimFilter::Mine => {
                sql(&mut p, " AND claimed_by = ");
                p.push(Piece::Int(viewer.unwrap_or(-1)));
            }
        }
        let any_of = |p: &mut Vec<Piece>, column: &str, values: Vec<String>| {
            if values.is_empty() {
                return;
            }
            sql(p, &format!(" AND {column} IN ("));
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    sql(p, ", ");
                }
                p.push(Piece::Text(v));
            }
            sql(p, ")");
        };
        fn names<T: Copy>(v: &[T], name: fn(T) -> &'static str) -> Vec<String> {
            v.iter().map(|x| name(*x).to_owned()).collect()
        }
        any_of(&mut p, "priority", names(&f.priorities, Priority::as_str));
        any_of(&mut p, "channel", names(&f.channels, Channel::as_str));
        any_of(&mut p, "reason", names(&f.reasons, EscalationReason::as_str));
        any_of(&mut p, "sentiment", names(&f.sentiments, SentimentLabel::as_str));
        any_of(&mut p, "intent", f.intents.clone());
        if !f.bands.is_empty() {
            sql(&mut p, " AND (1 = 0");
            for b in &f.bands {
                match b {
                    ConfidenceBand::High => {
                        sql(&mut p, " OR confidence >= ");
                        p.push(Piece::Float(bands.high));
                    }
                    ConfidenceBand::Medium => {
                        sql(&mut p, " OR (confidence >= ");
                        p.push(Piece::Float(bands.medium));
                        sql(&mut p, " AND confidence < ");
                        p.push(Piece::Float(bands.high));
                        sql(&mut p, ")");
                    }
                    ConfidenceBand::Low => {
                        sql(&mut p, " OR confidence < ");
                        p.push(Piece::Float(bands.medium));
                    }
                }
            }
            sql(&mut p, ")");
        }

        let column = q.sort.key.column();
        if let Some(c) = q.cursor.as_deref() {
            let bad = || PeopleError::Invalid("This page of the queue is out of date: reload the queue.".into());
            let cursor: Cursor = serde_json::from_str(c).map_err(|_| bad())?;
            let value = match (q.sort.key.value_kind(), &cursor.v) {
                (ValueKind::Int, serde_json::Value::Number(n)) => Piece::Int(n.as_i64().ok_or_else(bad)?),
                (ValueKind::Float, serde_json::Value::Number(n)) => Piece::Float(n.as_f64().ok_or_else(bad)?),
                (ValueKind::Text, serde_json::Value::String(s)) => Piece::Text(s.clone()),
                _ => return Err(bad()),
            };
            let op = if q.sort.descending { " < " } else { " > " };
            sql(&mut p, &format!(" AND ({column}, seq){op}("));
            p.push(value);
            sql(&mut p, ", ");
            p.push(Piece::Int(cursor.s));
            sql(&mut p, ")");
        }
        let limit = q.limit.clamp(1, PAGE_MAX) as i64;
        let dir = if q.sort.descending { "DESC" } else { "ASC" };
        sql(&mut p, &format!(" ORDER BY {column} {dir}, seq {dir} LIMIT "));
        p.push(Piece::Int(limit + 1));
        Ok(QueuePlan { search: f.search.as_deref().map(search_terms).unwrap_or_default(), pieces: p, limit })
    }
}

impl QueuePlan {
    /// Appends the pieces to a store's query, binding each value.
    pub fn push_pieces<'args, DB: sqlx::Database>(&'args self, qb: &mut sqlx::QueryBuilder<'args, DB>)
    where
        &'args str: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
        f64: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
    {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(s) => qb.push(s),
                Piece::Text(t) => qb.push_bind(t.as_str()),
                Piece::Int(i) => qb.push_bind(*i),
                Piece::Float(f) => qb.push_bind(*f),
            };
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Int,
    Float,
    Text,
}

impl SortKey {
    fn value_kind(self) -> ValueKind {
        match self {
            SortKey::Triage | SortKey::Age | SortKey::Priority => ValueKind::Int,
            SortKey::Confidence | SortKey::Sentiment => ValueKind::Float,
            SortKey::Intent | SortKey::Channel | SortKey::Customer | SortKey::Reason => ValueKind::Text,
        }
    }
}

/// A queue row as both stores read it ([`QUEUE_SELECT`]).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QueueRecord {
    pub seq: i64,
    pub handoff_id: String,
    pub conversation_id: String,
    pub escalated_at: String,
    pub escalated_ms: i64,
    pub priority: String,
    pub priority_rank: i64,
    pub triage_key: i64,
    pub intent: String,
    pub confidence: f64,
    pub channel: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub customer_sort: String,
    pub reason: String,
    pub sentiment: String,
    pub sentiment_score: f64,
    pub summary: String,
    pub status: String,
    pub action_count: i64,
    pub failed_action_count: i64,
    pub turn_count: i64,
    pub claimed_by: Option<i64>,
    pub claimed_by_name: Option<String>,
}

impl QueueRecord {
    /// This row's value of the sort key: what the next page's cursor starts after.
    fn sort_value(&self, key: SortKey) -> serde_json::Value {
        match key {
            SortKey::Triage => self.triage_key.into(),
            SortKey::Age => self.escalated_ms.into(),
            SortKey::Priority => self.priority_rank.into(),
            SortKey::Confidence => self.confidence.into(),
            SortKey::Sentiment => self.sentiment_score.into(),
            SortKey::Intent => self.intent.clone().into(),
            SortKey::Channel => self.channel.clone().into(),
            SortKey::Customer => self.customer_sort.clone().into(),
            SortKey::Reason => self.reason.clone().into(),
        }
    }

    pub fn into_row(self, bands: ConfidenceBands, sla: SlaPolicy) -> Result<QueueRow> {
        let priority: Priority = parse_enum(&self.handoff_id, "priority", &self.priority)?;
        Ok(QueueRow {
            channel: parse_enum(&self.handoff_id, "channel", &self.channel)?,
            reason: parse_enum(&self.handoff_id, "reason", &self.reason)?,
            sentiment: parse_enum(&self.handoff_id, "sentiment", &self.sentiment)?,
            seq: self.seq,
            handoff_id: self.handoff_id,
            conversation_id: self.conversation_id,
            escalated_at: self.escalated_at,
            escalated_ms: self.escalated_ms,
            priority,
            sla_secs: sla.for_priority(priority),
            intent: self.intent,
            confidence: self.confidence,
            band: bands.band(self.confidence),
            customer_id: self.customer_id,
            customer_name: self.customer_name,
            sentiment_score: self.sentiment_score,
            summary: self.summary,
            status: self.status,
            action_count: self.action_count,
            failed_action_count: self.failed_action_count,
            turn_count: self.turn_count,
            claimed_by: self.claimed_by_name,
            claimed_by_id: self.claimed_by,
        })
    }
}

fn parse_enum<T: serde::de::DeserializeOwned>(handoff_id: &str, column: &str, s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|source| StoreError::Corrupt { handoff_id: format!("{handoff_id} (column {column} = {s:?})"), source })
}

/// One page of the queue, as `viewer` (a user id) sees it. No permission check: the caller
/// ([`QueueService`]) has made it.
pub async fn page(db: &dyn Database, q: &QueueQuery, bands: ConfidenceBands, sla: SlaPolicy, viewer: Option<i64>) -> std::result::Result<QueuePage, PeopleError> {
    let plan = QueuePlan::new(q, bands, viewer)?;
    let (records, search_capped) = db.queue_records(&plan).await?;
    let more = records.len() as i64 > plan.limit;
    let next_cursor = if more {
        records
            .get(plan.limit as usize - 1)
            .map(|r| serde_json::to_string(&Cursor { v: r.sort_value(q.sort.key), s: r.seq }).expect("cursor serialises"))
    } else {
        None
    };
    let rows = records.into_iter().take(plan.limit as usize).map(|r| r.into_row(bands, sla)).collect::<Result<_>>()?;
    Ok(QueuePage { rows, next_cursor, search_capped })
}

/// Counts for the filter menus and the header.
pub async fn facets(db: &dyn Database) -> Result<QueueFacets> {
    let counts = db.queue_counts().await?;
    let quarantined = db.quarantine_count().await?;
    let priorities = counts
        .by_priority_rank
        .into_iter()
        .filter_map(|(rank, count)| {
            let p = Priority::ALL.iter().find(|p| p.rank() == rank)?;
            Some(FacetCount { value: p.as_str().to_owned(), count })
        })
        .collect();
    let intents = counts.by_intent.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    Ok(QueueFacets { total: counts.total, quarantined, priorities, intents })
}

/// The queue, one escalation, imports and the quarantine, as the signed-in person may see and
/// change them. Cheap to clone.
#[derive(Clone)]
pub struct QueueService {
    db: Arc<dyn Database>,
    bands: ConfidenceBands,
    sla: SlaPolicy,
}

impl QueueService {
    pub fn new(db: Arc<dyn Database>, bands: ConfidenceBands, sla: SlaPolicy) -> Self {
        Self { db, bands, sla }
    }

    pub fn database(&self) -> &Arc<dyn Database> {
        &self.db
    }

    /// One page of the queue.
    pub async fn page(&self, by: &Session, q: &QueueQuery, now: i64) -> std::result::Result<QueuePage, PeopleError> {
        by.authorize(Permission::ViewQueue, now)?;
        page(&*self.db, q, self.bands, self.sla, Some(by.actor.user_id)).await
    }

    /// Counts for the filter menus and the header.
    pub async fn facets(&self, by: &Session, now: i64) -> std::result::Result<QueueFacets, PeopleError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(facets(&*self.db).await?)
    }

    /// One escalation with everything the bot handed over.
    pub async fn handoff(&self, by: &Session, handoff_id: &str, now: i64) -> std::result::Result<HandoffDetail, PeopleError> {
        by.authorize(Permission::ViewQueue, now)?;
        let stored = self.db.stored_handoff(handoff_id).await?;
        Ok(HandoffDetail::new(stored, self.bands, self.sla))
    }

    /// Imports a JSON Lines file's bytes (see [`Ingest::import_jsonl`]).
    pub async fn import(
        &self,
        by: &Session,
        bytes: &[u8],
        source: &str,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
        now: i64,
    ) -> std::result::Result<ImportReport, PeopleError> {
        by.authorize(Permission::ImportHandoffs, now)?;
        Ok(self.db.import_jsonl(bytes, source, progress).await?)
    }

    /// Quarantined documents, newest first, older than `before_id` when given.
    pub async fn quarantine(&self, by: &Session, before_id: Option<i64>, limit: i64, now: i64) -> std::result::Result<Vec<QuarantineEntry>, PeopleError> {
        by.authorize(Permission::ViewQuarantine, now)?;
        let records = self.db.quarantine_records(before_id, limit.clamp(1, crate::quarantine::PAGE_MAX)).await?;
        Ok(records.into_iter().map(|r| r.into_entry()).collect())
    }
}
