//! Team leads rate the quality of each handoff on a rubric. A rating is tied to the bot name and
//! version (and the intent and confidence) of the handoff as it was when rated; its author can
//! edit it, and every earlier version is kept.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::store::{now_rfc3339, StoreError};
use crate::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SummaryVerdict {
    Yes,
    Partly,
    No,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EscalationTiming {
    TooEarly,
    Right,
    TooLate,
}

impl SummaryVerdict {
    fn as_str(self) -> &'static str {
        match self {
            SummaryVerdict::Yes => "yes",
            SummaryVerdict::Partly => "partly",
            SummaryVerdict::No => "no",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "yes" => SummaryVerdict::Yes,
            "partly" => SummaryVerdict::Partly,
            _ => SummaryVerdict::No,
        }
    }
}

impl EscalationTiming {
    fn as_str(self) -> &'static str {
        match self {
            EscalationTiming::TooEarly => "too_early",
            EscalationTiming::Right => "right",
            EscalationTiming::TooLate => "too_late",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "too_early" => EscalationTiming::TooEarly,
            "too_late" => EscalationTiming::TooLate,
            _ => EscalationTiming::Right,
        }
    }
}

/// The rubric a team lead fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RatingInput {
    pub summary_accurate: SummaryVerdict,
    pub intent_correct: bool,
    /// The right intent, when the bot's was wrong.
    pub correct_intent: Option<String>,
    pub context_complete: bool,
    /// Fields the bot should have collected, when context was incomplete.
    pub missing_fields: Vec<String>,
    pub actions_reported: bool,
    pub timing: EscalationTiming,
    /// 1..=5.
    pub overall: u8,
    pub comment: String,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Rating {
    #[ts(type = "number")]
    pub id: i64,
    pub handoff_id: String,
    #[ts(type = "number")]
    pub rater_id: i64,
    pub rater_name: String,
    pub bot_name: String,
    pub bot_version: String,
    pub intent: String,
    pub confidence: f64,
    pub input: RatingInput,
    #[ts(type = "number")]
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

const COMMENT_MAX: usize = 4_000;

/// The rubric from its stored columns.
#[allow(clippy::too_many_arguments)]
fn rubric(
    summary_accurate: &str,
    intent_correct: i64,
    correct_intent: Option<String>,
    context_complete: i64,
    missing_fields: &str,
    actions_reported: i64,
    timing: &str,
    overall: i64,
    comment: String,
) -> RatingInput {
    RatingInput {
        summary_accurate: SummaryVerdict::parse(summary_accurate),
        intent_correct: intent_correct != 0,
        correct_intent,
        context_complete: context_complete != 0,
        missing_fields: serde_json::from_str(missing_fields).unwrap_or_default(),
        actions_reported: actions_reported != 0,
        timing: EscalationTiming::parse(timing),
        overall: overall as u8,
        comment,
    }
}

impl RatingInput {
    fn validate(&self) -> Result<(), PeopleError> {
        if !(1..=5).contains(&self.overall) {
            return Err(PeopleError::Invalid("Overall must be 1 to 5.".into()));
        }
        if !self.intent_correct && self.correct_intent.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(PeopleError::Invalid("Say which intent was right.".into()));
        }
        if self.comment.chars().count() > COMMENT_MAX {
            return Err(PeopleError::Invalid(format!("Comments are at most {COMMENT_MAX} characters.")));
        }
        if self.missing_fields.iter().any(|f| f.trim().is_empty() || f.len() > 64) || self.missing_fields.len() > 50 {
            return Err(PeopleError::Invalid("Missing fields are names of at most 64 characters (50 at most).".into()));
        }
        Ok(())
    }
}

impl Store {
    /// Rates a handoff, or edits the session user's earlier rating of it (keeping the old one).
    pub async fn rate(&self, by: &Session, handoff_id: &str, input: RatingInput, now: i64) -> Result<Rating, PeopleError> {
        by.authorize(Permission::RateHandoffs, now)?;
        input.validate()?;
        let stored = crate::storage::HandoffStore::stored_handoff(self, handoff_id).await?;
        let h = &stored.handoff;
        let rater = by.actor.user_id;
        let missing = serde_json::to_string(&input.missing_fields).expect("json");
        let correct_intent = if input.intent_correct { None } else { input.correct_intent.as_deref().map(str::trim) };
        let summary = input.summary_accurate.as_str();
        let timing = input.timing.as_str();
        let overall = input.overall as i64;
        let (ic, cc, ar) = (input.intent_correct as i64, input.context_complete as i64, input.actions_reported as i64);
        let esc_ms = h.escalated_ms();
        let ts = now_rfc3339();
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query!(
            r#"SELECT id AS "id!", revision FROM ratings WHERE handoff_seq = ? AND rater_id = ?"#,
            stored.seq,
            rater
        )
        .fetch_optional(&mut *tx)
        .await?;
        let id = match existing {
            Some(e) => {
                let old = self.rating_snapshot(&mut tx, e.id).await?;
                sqlx::query!(
                    "INSERT INTO rating_history (rating_id, revision, snapshot, replaced_at) VALUES (?, ?, ?, ?)",
                    e.id,
                    e.revision,
                    old,
                    ts
                )
                .execute(&mut *tx)
                .await?;
                sqlx::query!(
                    r#"UPDATE ratings SET handoff_revision = ?, bot_name = ?, bot_version = ?, intent = ?, confidence = ?,
                         escalated_ms = ?, summary_accurate = ?, intent_correct = ?, correct_intent = ?, context_complete = ?,
                         missing_fields = ?, actions_reported = ?, timing = ?, overall = ?, comment = ?,
                         revision = revision + 1, updated_at = ?
                       WHERE id = ?"#,
                    stored.revision, h.bot.name, h.bot.version, h.intent.name, h.intent.confidence,
                    esc_ms, summary, ic, correct_intent, cc, missing, ar, timing, overall, input.comment, ts, e.id
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
                stored.seq, rater, stored.revision, h.bot.name, h.bot.version, h.intent.name, h.intent.confidence,
                esc_ms, summary, ic, correct_intent, cc, missing, ar, timing, overall, input.comment, ts, ts
            )
            .execute(&mut *tx)
            .await?
            .last_insert_rowid(),
        };
        tx.commit().await?;
        tracing::info!(rating_id = id, user_id = rater, "handoff rated");
        self.rating(id).await
    }

    async fn rating_snapshot(&self, tx: &mut sqlx::SqliteConnection, id: i64) -> Result<String, PeopleError> {
        let r = sqlx::query!(
            r#"SELECT summary_accurate, intent_correct, correct_intent, context_complete, missing_fields, actions_reported,
                      timing, overall, comment FROM ratings WHERE id = ?"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        let input = rubric(&r.summary_accurate, r.intent_correct, r.correct_intent, r.context_complete, &r.missing_fields, r.actions_reported, &r.timing, r.overall, r.comment);
        Ok(serde_json::to_string(&input).expect("json"))
    }

    /// One rating by id.
    pub async fn rating(&self, id: i64) -> Result<Rating, PeopleError> {
        let r = sqlx::query!(
            r#"SELECT r.id AS "id!", h.handoff_id, r.rater_id, u.display_name AS rater_name, r.bot_name, r.bot_version,
                      r.intent, r.confidence, r.summary_accurate, r.intent_correct, r.correct_intent, r.context_complete,
                      r.missing_fields, r.actions_reported, r.timing, r.overall, r.comment, r.revision, r.created_at, r.updated_at
               FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq JOIN users u ON u.id = r.rater_id
               WHERE r.id = ?"#,
            id
        )
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| PeopleError::Store(StoreError::NotFound(format!("rating {id}"))))?;
        Ok(Rating {
            id: r.id,
            handoff_id: r.handoff_id,
            rater_id: r.rater_id,
            rater_name: r.rater_name,
            bot_name: r.bot_name,
            bot_version: r.bot_version,
            intent: r.intent,
            confidence: r.confidence,
            input: rubric(&r.summary_accurate, r.intent_correct, r.correct_intent, r.context_complete, &r.missing_fields, r.actions_reported, &r.timing, r.overall, r.comment),
            revision: r.revision,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    /// Every rating of a handoff (team leads and those who may view analytics).
    pub async fn ratings_of(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<Rating>, PeopleError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        let ids = sqlx::query_scalar!(
            r#"SELECT r.id AS "id!" FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq WHERE h.handoff_id = ? ORDER BY r.id"#,
            handoff_id
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = vec![];
        for id in ids {
            out.push(self.rating(id).await?);
        }
        Ok(out)
    }

    /// Earlier versions of a rating, oldest first: (revision, rubric, replaced at).
    pub async fn rating_history(&self, id: i64) -> Result<Vec<(i64, RatingInput, String)>, PeopleError> {
        Ok(sqlx::query!("SELECT revision, snapshot, replaced_at FROM rating_history WHERE rating_id = ? ORDER BY revision", id)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .filter_map(|r| Some((r.revision, serde_json::from_str(&r.snapshot).ok()?, r.replaced_at)))
            .collect())
    }

    /// The next escalation the session user has not rated, oldest first after `after_seq`.
    pub async fn next_unrated(&self, by: &Session, after_seq: Option<i64>, now: i64) -> Result<Option<String>, PeopleError> {
        by.authorize(Permission::RateHandoffs, now)?;
        let after = after_seq.unwrap_or(0);
        let uid = by.actor.user_id;
        let first = sqlx::query_scalar!(
            "SELECT handoff_id FROM handoffs h WHERE seq > ? AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.handoff_seq = h.seq AND r.rater_id = ?) ORDER BY seq LIMIT 1",
            after,
            uid
        )
        .fetch_optional(self.pool())
        .await?;
        if first.is_some() || after == 0 {
            return Ok(first);
        }
        // Wrap around to the start.
        Ok(sqlx::query_scalar!(
            "SELECT handoff_id FROM handoffs h WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.handoff_seq = h.seq AND r.rater_id = ?) ORDER BY seq LIMIT 1",
            uid
        )
        .fetch_optional(self.pool())
        .await?)
    }
}
