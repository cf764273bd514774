//! Escalations on SQLite: idempotent upsert on `handoff_id`, and reads.

use sqlx::SqliteConnection;

use desk_core::handoff::Handoff;
use desk_core::storage::{HandoffStore, Intake, Taken};
use desk_core::store::{now_rfc3339, HandoffColumns, Result, StoreError, StoredHandoff, StoredHandoffRow, Upsert};

use super::Store;

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
