//! Escalations: idempotent upsert on `handoff_id`, and reads.

use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use super::{now_rfc3339, Result, Store, StoreError};
use crate::handoff::Handoff;
use crate::queue::search_words;
use crate::storage::{HandoffStore, Intake, Taken};

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
pub(crate) fn triage_key(priority_rank: i64, escalated_ms: i64) -> i64 {
    // 10^14 ms is about 3,170 years: room for any timestamp after 1970 within one priority band.
    (3 - priority_rank) * 100_000_000_000_000 + escalated_ms.clamp(0, 99_999_999_999_999)
}

#[async_trait::async_trait]
impl HandoffStore for Store {
    async fn take_in(&self, items: &[Intake<'_>], source: &str) -> Result<Vec<Taken>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                Intake::Valid(h) => Taken::Stored(upsert_in(&mut tx, h, source).await?),
                Intake::Invalid(q) => Taken::Quarantined(super::quarantine::insert_in(&mut tx, source, q).await?),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn stored_handoff(&self, handoff_id: &str) -> Result<StoredHandoff> {
        sqlx::query_as!(
            StoredHandoffRow,
            r#"SELECT seq AS "seq!", doc, status, revision, source, received_at, updated_at,
                      (SELECT display_name FROM users WHERE users.id = claimed_by) AS "claimed_by?: String",
                      claimed_by AS "claimed_by_id?: i64"
               FROM handoffs WHERE handoff_id = ?"#,
            handoff_id
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(handoff_id.to_owned()))?
        .into_stored(handoff_id)
    }

    async fn handoff_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM handoffs"#).fetch_one(&self.pool).await?)
    }
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

/// The upsert inside a caller's transaction.
pub(crate) async fn upsert_in(conn: &mut SqliteConnection, h: &Handoff, source: &str) -> Result<Upsert> {
    let c = HandoffColumns::of(h);
    let existing = sqlx::query!(
        r#"SELECT seq AS "seq!", doc_sha256 FROM handoffs WHERE handoff_id = ?"#,
        h.handoff_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(e) = &existing {
        if e.doc_sha256 == c.doc_sha256 {
            return Ok(Upsert::Unchanged { seq: e.seq });
        }
    }
    let (doc, sha, escalated_ms, rank, triage, channel, customer_sort, sentiment, reason, priority) =
        (&c.doc, &c.doc_sha256, c.escalated_ms, c.priority_rank, c.triage_key, c.channel, &c.customer_sort, c.sentiment, c.reason, c.priority);
    let (action_count, failed_count, turn_count) = (c.action_count, c.failed_action_count, c.turn_count);
    let now = now_rfc3339();

    let was_stored = existing.is_some();
    let seq = match existing {
        Some(e) => {
            sqlx::query!(
                r#"UPDATE handoffs SET conversation_id = ?, escalated_at = ?, escalated_ms = ?, channel = ?,
                     customer_id = ?, customer_name = ?, customer_sort = ?, intent = ?, confidence = ?,
                     sentiment = ?, sentiment_score = ?, reason = ?, priority = ?, priority_rank = ?,
                     triage_key = ?, summary = ?, action_count = ?, failed_action_count = ?, turn_count = ?,
                     bot_name = ?, bot_version = ?, doc = ?, doc_sha256 = ?, revision = revision + 1,
                     source = ?, updated_at = ?
                   WHERE seq = ?"#,
                h.conversation_id, h.escalated_at, escalated_ms, channel,
                h.customer.id, h.customer.name, customer_sort, h.intent.name, h.intent.confidence,
                sentiment, h.sentiment.score, reason, priority, rank,
                triage, h.summary, action_count, failed_count, turn_count,
                h.bot.name, h.bot.version, doc, sha,
                source, now, e.seq
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query!("DELETE FROM handoff_fts WHERE rowid = ?", e.seq).execute(&mut *conn).await?;
            e.seq
        }
        None => {
            sqlx::query!(
                r#"INSERT INTO handoffs (handoff_id, conversation_id, escalated_at, escalated_ms, channel,
                     customer_id, customer_name, customer_sort, intent, confidence, sentiment, sentiment_score,
                     reason, priority, priority_rank, triage_key, summary, action_count, failed_action_count,
                     turn_count, bot_name, bot_version, doc, doc_sha256, source, received_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"#,
                h.handoff_id, h.conversation_id, h.escalated_at, escalated_ms, channel,
                h.customer.id, h.customer.name, customer_sort, h.intent.name, h.intent.confidence,
                sentiment, h.sentiment.score, reason, priority, rank, triage, h.summary,
                action_count, failed_count, turn_count, h.bot.name, h.bot.version, doc, sha,
                source, now, now
            )
            .execute(&mut *conn)
            .await?
            .last_insert_rowid()
        }
    };

    let (transcript, customer) = (&c.search_transcript, &c.search_customer);
    sqlx::query!(
        "INSERT INTO handoff_fts (rowid, summary, transcript, customer) VALUES (?, ?, ?, ?)",
        seq,
        h.summary,
        transcript,
        customer
    )
    .execute(&mut *conn)
    .await?;

    Ok(if was_stored { Upsert::Updated { seq } } else { Upsert::Inserted { seq } })
}
