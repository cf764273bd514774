//! Drafts, the outbox and the knowledge base on PostgreSQL (a weighted tsvector for passages).

use async_trait::async_trait;
use desk_core::drafts::lifecycle::DraftState;
use desk_core::drafts::record::{
    Carries, DraftDecided, DraftOutcome, DraftRecord, KbArticleRecord, KbCandidate, NewDraftRecord, NewOutboxRecord, OutboxRecord, SELECT_DRAFT,
    SELECT_DRAFT_OUTCOMES, SELECT_OUTBOX,
};
use desk_core::storage::{DraftStore, KbStore, NewAuditEvent, OutboxStore};
use desk_core::store::Result;

use crate::{append_in, PgStore};

#[async_trait]
impl DraftStore for PgStore {
    async fn live_draft(&self, handoff_seq: i64, latest_turn: i64) -> Result<Option<DraftRecord>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE drafts SET state = 'stale' WHERE handoff_seq = $1 AND state = 'ready' AND turn_index < $2")
            .bind(handoff_seq)
            .bind(latest_turn)
            .execute(&mut *tx)
            .await?;
        let live = sqlx::query_as::<_, DraftRecord>(&format!(
            "{SELECT_DRAFT} WHERE d.handoff_seq = $1 AND d.turn_index = $2 AND d.state != 'stale' ORDER BY d.created_at_ms DESC LIMIT 1"
        ))
        .bind(handoff_seq)
        .bind(latest_turn)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(live)
    }

    async fn insert_draft(&self, d: &NewDraftRecord<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO drafts (id, handoff_seq, turn_index, engine, model, text, kind, sources, confidence, flags, state, latency_ms, \
             engine_error, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'ready', $11, $12, $13)",
        )
        .bind(d.id)
        .bind(d.handoff_seq)
        .bind(d.turn_index)
        .bind(d.engine)
        .bind(d.model)
        .bind(d.text)
        .bind(d.kind)
        .bind(&d.sources)
        .bind(d.confidence)
        .bind(&d.flags)
        .bind(d.latency_ms)
        .bind(&d.engine_error)
        .bind(d.created_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn draft_record(&self, id: &str) -> Result<Option<DraftRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_DRAFT} WHERE d.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn draft_records_of(&self, handoff_id: &str) -> Result<Vec<DraftRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_DRAFT} WHERE h.handoff_id = $1 ORDER BY d.created_at_ms DESC, d.id DESC"))
            .bind(handoff_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn decide_draft(&self, d: &DraftDecided<'_>, reply: Option<&NewOutboxRecord<'_>>, audit: &[NewAuditEvent]) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE drafts SET state = $1, decided_by = $2, decided_at_ms = $3, reject_reason = $4, reject_note = $5, sent_text = $6, \
             edit_distance = $7 WHERE id = $8 AND state = $9",
        )
        .bind(d.state.as_str())
        .bind(d.decided_by)
        .bind(d.decided_at_ms)
        .bind(d.reject_reason.map(|r| r.as_str()))
        .bind(d.reject_note)
        .bind(d.sent_text)
        .bind(d.edit_distance)
        .bind(d.draft_id)
        .bind(DraftState::Ready.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Ok(false);
        }
        if let Some(r) = reply {
            sqlx::query(
                "INSERT INTO outbox (id, handoff_seq, draft_id, author, text, state, created_at_ms) \
                 SELECT $1, seq, $2, $3, $4, 'pending', $5 FROM handoffs WHERE handoff_id = $6",
            )
            .bind(r.id)
            .bind(r.draft_id)
            .bind(r.author)
            .bind(r.text)
            .bind(r.created_at_ms)
            .bind(r.handoff_id)
            .execute(&mut *tx)
            .await?;
        }
        for e in audit {
            append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn draft_outcomes(&self) -> Result<Vec<DraftOutcome>> {
        Ok(sqlx::query_as(SELECT_DRAFT_OUTCOMES).fetch_all(&self.pool).await?)
    }
}

#[async_trait]
impl OutboxStore for PgStore {
    async fn pending_replies(&self, carries: Carries<'_>, limit: i64) -> Result<Vec<OutboxRecord>> {
        let (cmp, source) = match carries {
            Carries::Only(s) => ("=", s),
            Carries::AllBut(s) => ("<>", s),
        };
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE o.state = 'pending' AND h.source {cmp} $1 ORDER BY o.created_at_ms, o.id LIMIT $2"))
            .bind(source)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn outbox_attempt(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query("UPDATE outbox SET last_error = $1 WHERE id = $2 AND state = 'pending'").bind(error).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn outbox_sent(&self, id: &str, event: &NewAuditEvent) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let marked = sqlx::query("UPDATE outbox SET state = 'sent', sent_at_ms = $1, last_error = NULL WHERE id = $2 AND state = 'pending'")
            .bind(event.at_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if marked == 1 {
            append_in(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(marked == 1)
    }

    async fn outbox_record(&self, id: &str) -> Result<Option<OutboxRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE o.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn outbox_records_of(&self, handoff_id: &str) -> Result<Vec<OutboxRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE h.handoff_id = $1 ORDER BY o.created_at_ms, o.id"))
            .bind(handoff_id)
            .fetch_all(&self.pool)
            .await?)
    }
}

/// ts_rank's weights for D, C, B, A (text C, heading B, title and keywords A), in the proportions
/// of the SQLite store's bm25 column weights (1, 1.5, 4).
const KB_WEIGHTS: &str = "{0.1, 0.25, 0.375, 1.0}";
/// ts_rank is a fraction where bm25 is a sum; this brings it to bm25's range for the same match.
const KB_RANK_SCALE: f64 = 10.0;

#[async_trait]
impl KbStore for PgStore {
    async fn kb_fingerprint(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT id, sha256 FROM kb_articles ORDER BY id COLLATE \"C\"").fetch_all(&self.pool).await?)
    }

    async fn kb_replace(&self, articles: &[KbArticleRecord]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // One reindex at a time, whichever server process runs it.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('kb_replace'))").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM kb_passages").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM kb_articles").execute(&mut *tx).await?;
        for a in articles {
            sqlx::query("INSERT INTO kb_articles (id, path, title, intent, body, sha256) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&a.id)
                .bind(&a.path)
                .bind(&a.title)
                .bind(&a.intent)
                .bind(&a.body)
                .bind(&a.sha256)
                .execute(&mut *tx)
                .await?;
            let indexed_title = format!("{} {}", a.title, a.keywords);
            for (i, (heading, text)) in a.passages.iter().enumerate() {
                sqlx::query("INSERT INTO kb_passages (article_id, ord, indexed_title, heading, text) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&a.id)
                    .bind(i as i64)
                    .bind(&indexed_title)
                    .bind(heading)
                    .bind(text)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn kb_counts(&self) -> Result<(i64, i64)> {
        Ok(sqlx::query_as("SELECT (SELECT COUNT(*) FROM kb_articles), (SELECT COUNT(*) FROM kb_passages)").fetch_one(&self.pool).await?)
    }

    async fn kb_candidates(&self, terms: &[String], limit: i64) -> Result<Vec<KbCandidate>> {
        if terms.is_empty() {
            return Ok(vec![]);
        }
        // Any of the words: each is stemmed and quoted by websearch_to_tsquery, joined with "or".
        let any = terms.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect::<Vec<_>>().join(" or ");
        Ok(sqlx::query_as(&format!(
            "SELECT a.id AS article_id, a.intent, a.title, p.indexed_title, p.heading, p.text, \
             (ts_rank('{KB_WEIGHTS}', p.search, q) * {KB_RANK_SCALE})::float8 AS relevance \
             FROM kb_passages p JOIN kb_articles a ON a.id = p.article_id, websearch_to_tsquery('english', $1) q \
             WHERE p.search @@ q ORDER BY relevance DESC, p.id LIMIT $2"
        ))
        .bind(any)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
