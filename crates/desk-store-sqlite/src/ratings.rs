//! Ratings on SQLite.

use async_trait::async_trait;

use super::{Result, Store};
use desk_core::ratings::{NewRatingRecord, RatingRecord, SELECT_RATING};
use desk_core::storage::RatingStore;

#[async_trait]
impl RatingStore for Store {
    async fn write_rating(&self, n: &NewRatingRecord<'_>) -> Result<i64> {
        let i = n.input;
        let (summary, timing, overall) = (i.summary_accurate.as_str(), i.timing.as_str(), i.overall as i64);
        let (ic, cc, ar) = (i.intent_correct as i64, i.context_complete as i64, i.actions_reported as i64);
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query!(r#"SELECT id AS "id!" FROM ratings WHERE handoff_seq = ? AND rater_id = ?"#, n.handoff_seq, n.rater_id)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(e) => {
                let old: RatingRecord = sqlx::query_as(&format!("{SELECT_RATING} WHERE r.id = ?")).bind(e.id).fetch_one(&mut *tx).await?;
                let snapshot = old.snapshot();
                sqlx::query!(
                    "INSERT INTO rating_history (rating_id, revision, snapshot, replaced_at) VALUES (?, ?, ?, ?)",
                    e.id,
                    old.revision,
                    snapshot,
                    n.at
                )
                .execute(&mut *tx)
                .await?;
                sqlx::query!(
                    r#"UPDATE ratings SET handoff_revision = ?, bot_name = ?, bot_version = ?, intent = ?, confidence = ?,
                         escalated_ms = ?, summary_accurate = ?, intent_correct = ?, correct_intent = ?, context_complete = ?,
                         missing_fields = ?, actions_reported = ?, timing = ?, overall = ?, comment = ?,
                         revision = revision + 1, updated_at = ?
                       WHERE id = ?"#,
                    n.handoff_revision, n.bot_name, n.bot_version, n.intent, n.confidence,
                    n.escalated_ms, summary, ic, n.correct_intent, cc, n.missing_fields_json, ar, timing, overall, i.comment, n.at, e.id
                )
                .execute(&mut *tx)
                .await?;
                e.id
            }
            None => sqlx::query!(
                r#"INSERT INTO ratings (handoff_seq, rater_id, handoff_revision, bot_name, bot_version, intent, confidence,
                     escalated_ms, summary_accurate, intent_correct, correct_intent, context_complete, missing_fields,
                     actions_reported, timing, overall, comment, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"#,
                n.handoff_seq, n.rater_id, n.handoff_revision, n.bot_name, n.bot_version, n.intent, n.confidence,
                n.escalated_ms, summary, ic, n.correct_intent, cc, n.missing_fields_json, ar, timing, overall, i.comment, n.at, n.at
            )
            .execute(&mut *tx)
            .await?
            .last_insert_rowid(),
        };
        tx.commit().await?;
        Ok(id)
    }

    async fn rating_record(&self, id: i64) -> Result<Option<RatingRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_RATING} WHERE r.id = ?")).bind(id).fetch_optional(self.pool()).await?)
    }

    async fn rating_records_of(&self, handoff_id: &str) -> Result<Vec<RatingRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_RATING} WHERE h.handoff_id = ? ORDER BY r.id")).bind(handoff_id).fetch_all(self.pool()).await?)
    }

    async fn rating_snapshots(&self, id: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query!("SELECT revision, snapshot, replaced_at FROM rating_history WHERE rating_id = ? ORDER BY revision", id)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| (r.revision, r.snapshot, r.replaced_at))
            .collect())
    }

    async fn first_unrated(&self, rater_id: i64, after_seq: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar!(
            "SELECT handoff_id FROM handoffs h WHERE seq > ? AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.handoff_seq = h.seq AND r.rater_id = ?) ORDER BY seq LIMIT 1",
            after_seq,
            rater_id
        )
        .fetch_optional(self.pool())
        .await?)
    }
}
