//! Drafts, the outbox and the knowledge base on SQLite (FTS5 for the passages).

use async_trait::async_trait;

use super::audit::append_in;
use super::{Result, Store};
use desk_core::drafts::lifecycle::DraftState;
use desk_core::drafts::record::{
    Carries, DraftDecided, DraftOutcome, DraftRecord, KbArticleRecord, KbCandidate, NewDraftRecord, NewOutboxRecord, OutboxRecord, SELECT_DRAFT,
    SELECT_DRAFT_OUTCOMES, SELECT_OUTBOX,
};
use desk_core::storage::{DraftStore, KbStore, NewAuditEvent, OutboxStore};

#[async_trait]
impl DraftStore for Store {
    async fn live_draft(&self, handoff_seq: i64, latest_turn: i64) -> Result<Option<DraftRecord>> {
        let mut tx = self.begin_write().await?;
        sqlx::query!("UPDATE drafts SET state = 'stale' WHERE handoff_seq = ? AND state = 'ready' AND turn_index < ?", handoff_seq, latest_turn)
            .execute(&mut *tx)
            .await?;
        let live = sqlx::query_as::<_, DraftRecord>(&format!(
            "{SELECT_DRAFT} WHERE d.handoff_seq = ? AND d.turn_index = ? AND d.state != 'stale' ORDER BY d.created_at_ms DESC LIMIT 1"
        ))
        .bind(handoff_seq)
        .bind(latest_turn)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(live)
    }

    async fn insert_draft(&self, d: &NewDraftRecord<'_>) -> Result<()> {
        sqlx::query!(
            "INSERT INTO drafts (id, handoff_seq, turn_index, engine, model, text, kind, sources, confidence, flags, state, latency_ms, \
             engine_error, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?)",
            d.id,
            d.handoff_seq,
            d.turn_index,
            d.engine,
            d.model,
            d.text,
            d.kind,
            d.sources,
            d.confidence,
            d.flags,
            d.latency_ms,
            d.engine_error,
            d.created_at_ms
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn draft_record(&self, id: &str) -> Result<Option<DraftRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_DRAFT} WHERE d.id = ?")).bind(id).fetch_optional(self.pool()).await?)
    }

    async fn draft_records_of(&self, handoff_id: &str) -> Result<Vec<DraftRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_DRAFT} WHERE h.handoff_id = ? ORDER BY d.created_at_ms DESC, d.id DESC"))
            .bind(handoff_id)
            .fetch_all(self.pool())
            .await?)
    }

    async fn decide_draft(&self, d: &DraftDecided<'_>, reply: Option<&NewOutboxRecord<'_>>, audit: &[NewAuditEvent]) -> Result<bool> {
        let (state, reason) = (d.state.as_str(), d.reject_reason.map(|r| r.as_str()));
        let ready = DraftState::Ready.as_str();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query!(
            "UPDATE drafts SET state = ?, decided_by = ?, decided_at_ms = ?, reject_reason = ?, reject_note = ?, sent_text = ?, edit_distance = ? \
             WHERE id = ? AND state = ?",
            state,
            d.decided_by,
            d.decided_at_ms,
            reason,
            d.reject_note,
            d.sent_text,
            d.edit_distance,
            d.draft_id,
            ready
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Ok(false);
        }
        if let Some(r) = reply {
            sqlx::query!(
                "INSERT INTO outbox (id, handoff_seq, draft_id, author, text, state, created_at_ms) \
                 SELECT ?, seq, ?, ?, ?, 'pending', ? FROM handoffs WHERE handoff_id = ?",
                r.id,
                r.draft_id,
                r.author,
                r.text,
                r.created_at_ms,
                r.handoff_id
            )
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
        Ok(sqlx::query_as(SELECT_DRAFT_OUTCOMES).fetch_all(self.pool()).await?)
    }
}

#[async_trait]
impl OutboxStore for Store {
    async fn pending_replies(&self, carries: Carries<'_>, limit: i64) -> Result<Vec<OutboxRecord>> {
        let (cmp, source) = match carries {
            Carries::Only(s) => ("=", s),
            Carries::AllBut(s) => ("!=", s),
        };
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE o.state = 'pending' AND h.source {cmp} ? ORDER BY o.created_at_ms, o.id LIMIT ?"))
            .bind(source)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    async fn outbox_attempt(&self, id: &str) -> Result<()> {
        sqlx::query!("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", id).execute(self.pool()).await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query!("UPDATE outbox SET last_error = ? WHERE id = ? AND state = 'pending'", error, id).execute(self.pool()).await?;
        Ok(())
    }

    async fn outbox_sent(&self, id: &str, event: &NewAuditEvent) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let marked = sqlx::query!("UPDATE outbox SET state = 'sent', sent_at_ms = ?, last_error = NULL WHERE id = ? AND state = 'pending'", event.at_ms, id)
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
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE o.id = ?")).bind(id).fetch_optional(self.pool()).await?)
    }

    async fn outbox_records_of(&self, handoff_id: &str) -> Result<Vec<OutboxRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_OUTBOX} WHERE h.handoff_id = ? ORDER BY o.created_at_ms, o.id"))
            .bind(handoff_id)
            .fetch_all(self.pool())
            .await?)
    }
}

/// An FTS5 query that matches any of the words.
fn fts_any(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect::<Vec<_>>().join(" OR ")
}

#[async_trait]
impl KbStore for Store {
    async fn kb_fingerprint(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query!("SELECT id AS \"id!\", sha256 FROM kb_articles ORDER BY id").fetch_all(self.pool()).await?.into_iter().map(|r| (r.id, r.sha256)).collect())
    }

    async fn kb_replace(&self, articles: &[KbArticleRecord]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query!("DELETE FROM kb_fts").execute(&mut *tx).await?;
        sqlx::query!("DELETE FROM kb_passages").execute(&mut *tx).await?;
        sqlx::query!("DELETE FROM kb_articles").execute(&mut *tx).await?;
        for a in articles {
            sqlx::query!(
                "INSERT INTO kb_articles (id, path, title, intent, body, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                a.id,
                a.path,
                a.title,
                a.intent,
                a.body,
                a.sha256
            )
            .execute(&mut *tx)
            .await?;
            let indexed_title = format!("{} {}", a.title, a.keywords);
            for (i, (heading, text)) in a.passages.iter().enumerate() {
                let ord = i as i64;
                let pid = sqlx::query!("INSERT INTO kb_passages (article_id, ord, heading, text) VALUES (?, ?, ?, ?)", a.id, ord, heading, text)
                    .execute(&mut *tx)
                    .await?
                    .last_insert_rowid();
                sqlx::query!("INSERT INTO kb_fts (rowid, title, heading, text) VALUES (?, ?, ?, ?)", pid, indexed_title, heading, text)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn kb_counts(&self) -> Result<(i64, i64)> {
        let r = sqlx::query!(r#"SELECT (SELECT COUNT(*) FROM kb_articles) AS "articles!: i64", (SELECT COUNT(*) FROM kb_passages) AS "passages!: i64""#)
            .fetch_one(self.pool())
            .await?;
        Ok((r.articles, r.passages))
    }

    async fn kb_candidates(&self, terms: &[String], limit: i64) -> Result<Vec<KbCandidate>> {
        if terms.is_empty() {
            return Ok(vec![]);
        }
        Ok(sqlx::query_as(
            "SELECT a.id AS article_id, a.intent, a.title, kb_fts.title AS indexed_title, p.heading, p.text, \
             -bm25(kb_fts, 4.0, 1.5, 1.0) AS relevance \
             FROM kb_fts JOIN kb_passages p ON p.id = kb_fts.rowid JOIN kb_articles a ON a.id = p.article_id \
             WHERE kb_fts MATCH ? ORDER BY relevance DESC LIMIT ?",
        )
        .bind(fts_any(terms))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
