//! The escalation queue: filter, sort and page through escalations, and search them.
//!
//! Paging is by keyset: each sort key is one column with an index on `(column, seq)`, and the
//! cursor is the last row's `(value, seq)`, so every page is an index seek however deep it is.
//! Full-text search ranks within a bounded, newest-first candidate set (see [`SEARCH_CANDIDATES`])
//! so a common word stays as fast as a rare one.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};
use ts_rs::TS;

use crate::handoff::{Channel, EscalationReason, Priority, SentimentLabel};
use crate::store::{Result, Store, StoreError};

/// How far the search looks: the newest this-many matches, then filters and sort apply.
pub const SEARCH_CANDIDATES: i64 = 2_000;
/// The largest page a caller may ask for.
pub const PAGE_MAX: u32 = 500;

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
    fn column(self) -> &'static str {
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

/// Turns what a person typed into an FTS5 query: each word quoted (so no FTS syntax leaks
/// through), all required, the last one a prefix. `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '_')
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut q = words.join(" ");
    q.push('*');
    Some(q)
}

fn push_in<'a, T: Copy>(qb: &mut QueryBuilder<'a, Sqlite>, column: &str, values: &'a [T], text: fn(T) -> &'static str) {
    if values.is_empty() {
        return;
    }
    qb.push(format!(" AND {column} IN ("));
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(text(*v));
    }
    qb.push(")");
}

impl Store {
    /// One page of the queue.
    /// One page of the queue, as `viewer` (a user id) sees it.
    pub async fn queue_page(&self, q: &QueueQuery, bands: ConfidenceBands, sla: SlaPolicy, viewer: Option<i64>) -> Result<QueuePage> {
        let limit = q.limit.clamp(1, PAGE_MAX) as i64;
        let column = q.sort.key.column();
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT seq, handoff_id, conversation_id, escalated_at, escalated_ms, priority, intent, confidence, \
             channel, customer_id, customer_name, reason, sentiment, sentiment_score, summary, status, \
             action_count, failed_action_count, turn_count, claimed_by, \
             (SELECT display_name FROM users WHERE users.id = claimed_by) AS claimed_by_name, ",
        );
        qb.push(column).push(" AS sort_value FROM handoffs WHERE 1 = 1");

        let f = &q.filter;
        // Search first: the newest SEARCH_CANDIDATES matches (one more, to know whether it was capped).
        let mut search_capped = false;
        if let Some(m) = f.search.as_deref().and_then(fts_query) {
            let mut ids: Vec<i64> =
                sqlx::query_scalar("SELECT rowid FROM handoff_fts WHERE handoff_fts MATCH ? ORDER BY rowid DESC LIMIT ?")
                    .bind(m)
                    .bind(SEARCH_CANDIDATES + 1)
                    .fetch_all(self.pool())
                    .await?;
            search_capped = ids.len() as i64 > SEARCH_CANDIDATES;
            ids.truncate(SEARCH_CANDIDATES as usize);
            let ids = serde_json::to_string(&ids).expect("ids serialise");
            qb.push(" AND seq IN (SELECT value FROM json_each(").push_bind(ids).push("))");
        }
        match f.claim {
            ClaimFilter::Any => {}
            ClaimFilter::Unclaimed => {
                qb.push(" AND claimed_by IS NULL");
            }
            ClaimFilter::Mine => {
                qb.push(" AND claimed_by = ").push_bind(viewer.unwrap_or(-1));
            }
        }
        push_in(&mut qb, "priority", &f.priorities, Priority::as_str);
        push_in(&mut qb, "channel", &f.channels, Channel::as_str);
        push_in(&mut qb, "reason", &f.reasons, EscalationReason::as_str);
        push_in(&mut qb, "sentiment", &f.sentiments, SentimentLabel::as_str);
        if !f.intents.is_empty() {
            qb.push(" AND intent IN (");
            let mut sep = qb.separated(", ");
            for i in &f.intents {
                sep.push_bind(i.clone());
            }
            qb.push(")");
        }
        if !f.bands.is_empty() {
            qb.push(" AND (0");
            for b in &f.bands {
                match b {
                    ConfidenceBand::High => qb.push(" OR confidence >= ").push_bind(bands.high),
                    ConfidenceBand::Medium => qb
                        .push(" OR (confidence >= ")
                        .push_bind(bands.medium)
                        .push(" AND confidence < ")
                        .push_bind(bands.high)
                        .push(")"),
                    ConfidenceBand::Low => qb.push(" OR confidence < ").push_bind(bands.medium),
                };
            }
            qb.push(")");
        }

        if let Some(c) = q.cursor.as_deref() {
            let cursor: Cursor = serde_json::from_str(c)
                .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("bad queue cursor: {e}"))))?;
            let op = if q.sort.descending { " < " } else { " > " };
            qb.push(format!(" AND ({column}, seq){op}("));
            match cursor.v {
                serde_json::Value::String(s) => qb.push_bind(s),
                serde_json::Value::Number(n) if n.is_i64() => qb.push_bind(n.as_i64()),
                serde_json::Value::Number(n) => qb.push_bind(n.as_f64()),
                _ => qb.push_bind(None::<String>),
            };
            qb.push(", ").push_bind(cursor.s).push(")");
        }
        let dir = if q.sort.descending { "DESC" } else { "ASC" };
        qb.push(format!(" ORDER BY {column} {dir}, seq {dir} LIMIT ")).push_bind(limit + 1);

        let rows = qb.build().fetch_all(self.pool()).await?;
        let more = rows.len() as i64 > limit;
        let mut out = Vec::with_capacity(rows.len());
        let mut last_cursor = None;
        for r in rows.iter().take(limit as usize) {
            let seq: i64 = r.try_get("seq")?;
            let sort_value: serde_json::Value = match q.sort.key {
                SortKey::Triage | SortKey::Age | SortKey::Priority => r.try_get::<i64, _>("sort_value")?.into(),
                SortKey::Confidence | SortKey::Sentiment => r.try_get::<f64, _>("sort_value")?.into(),
                _ => r.try_get::<String, _>("sort_value")?.into(),
            };
            last_cursor = Some(Cursor { v: sort_value, s: seq });
            let priority: Priority = parse_enum(r, "priority")?;
            let confidence: f64 = r.try_get("confidence")?;
            out.push(QueueRow {
                seq,
                handoff_id: r.try_get("handoff_id")?,
                conversation_id: r.try_get("conversation_id")?,
                escalated_at: r.try_get("escalated_at")?,
                escalated_ms: r.try_get("escalated_ms")?,
                priority,
                sla_secs: sla.for_priority(priority),
                intent: r.try_get("intent")?,
                confidence,
                band: bands.band(confidence),
                channel: parse_enum(r, "channel")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                reason: parse_enum(r, "reason")?,
                sentiment: parse_enum(r, "sentiment")?,
                sentiment_score: r.try_get("sentiment_score")?,
                summary: r.try_get("summary")?,
                status: r.try_get("status")?,
                action_count: r.try_get("action_count")?,
                failed_action_count: r.try_get("failed_action_count")?,
                turn_count: r.try_get("turn_count")?,
                claimed_by: r.try_get("claimed_by_name")?,
                claimed_by_id: r.try_get("claimed_by")?,
            });
        }
        let next_cursor = if more { last_cursor.map(|c| serde_json::to_string(&c).expect("cursor serialises")) } else { None };

        Ok(QueuePage { rows: out, next_cursor, search_capped })
    }

    /// Counts for the filter menus and the header.
    pub async fn queue_facets(&self) -> Result<QueueFacets> {
        let total = self.handoff_count().await?;
        let quarantined = self.quarantine_count().await?;
        // Grouped on the indexed rank (a covering index scan), named afterwards.
        let priorities = sqlx::query!(
            r#"SELECT priority_rank AS "rank!: i64", COUNT(*) AS "count!: i64" FROM handoffs
               GROUP BY priority_rank ORDER BY priority_rank DESC"#
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .filter_map(|r| {
            let p = Priority::ALL.iter().find(|p| p.rank() == r.rank)?;
            Some(FacetCount { value: p.as_str().to_owned(), count: r.count })
        })
        .collect();
        let intents = sqlx::query!(
            r#"SELECT intent AS "value!", COUNT(*) AS "count!: i64" FROM handoffs GROUP BY intent ORDER BY COUNT(*) DESC, intent LIMIT 200"#
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| FacetCount { value: r.value, count: r.count })
        .collect();
        Ok(QueueFacets { total, quarantined, priorities, intents })
    }
}

fn parse_enum<T: serde::de::DeserializeOwned>(r: &sqlx::sqlite::SqliteRow, column: &str) -> Result<T> {
    let s: String = r.try_get(column)?;
    serde_json::from_value(serde_json::Value::String(s.clone())).map_err(|source| StoreError::Corrupt {
        handoff_id: format!("(column {column} = {s:?})"),
        source,
    })
}
