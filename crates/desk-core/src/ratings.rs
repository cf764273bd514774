//! Team leads rate the quality of each handoff on a rubric. A rating is tied to the bot name and
//! version (and the intent and confidence) of the handoff as it was when rated; its author can
//! edit it, and every earlier version is kept.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::storage::{HandoffStore, RatingStore};
use crate::store::{now_rfc3339, StoreError};

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
    pub fn as_str(self) -> &'static str {
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
    pub fn as_str(self) -> &'static str {
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

/// A rating to write: what was rated, frozen at rating time, and the rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRatingRecord<'a> {
    pub handoff_seq: i64,
    pub rater_id: i64,
    pub handoff_revision: i64,
    pub bot_name: &'a str,
    pub bot_version: &'a str,
    pub intent: &'a str,
    pub confidence: f64,
    pub escalated_ms: i64,
    pub input: &'a RatingInput,
    /// `missing_fields` as stored (a JSON array).
    pub missing_fields_json: String,
    /// The right intent, trimmed, when the bot's was wrong.
    pub correct_intent: Option<&'a str>,
    pub at: String,
}

/// The columns a rating is read from, on both stores ([`RatingRecord`]); a `WHERE` follows.
pub const SELECT_RATING: &str = "SELECT r.id, h.handoff_id, r.rater_id, u.display_name AS rater_name, r.bot_name, r.bot_version, \
     r.intent, r.confidence, r.summary_accurate, r.intent_correct, r.correct_intent, r.context_complete, r.missing_fields, \
     r.actions_reported, r.timing, r.overall, r.comment, r.revision, r.created_at, r.updated_at \
     FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq JOIN users u ON u.id = r.rater_id";

/// A rating as both stores read it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RatingRecord {
    pub id: i64,
    pub handoff_id: String,
    pub rater_id: i64,
    pub rater_name: String,
    pub bot_name: String,
    pub bot_version: String,
    pub intent: String,
    pub confidence: f64,
    pub summary_accurate: String,
    pub intent_correct: bool,
    pub correct_intent: Option<String>,
    pub context_complete: bool,
    pub missing_fields: String,
    pub actions_reported: bool,
    pub timing: String,
    pub overall: i64,
    pub comment: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl RatingRecord {
    /// The rubric from its stored columns.
    pub fn input(&self) -> RatingInput {
        RatingInput {
            summary_accurate: SummaryVerdict::parse(&self.summary_accurate),
            intent_correct: self.intent_correct,
            correct_intent: self.correct_intent.clone(),
            context_complete: self.context_complete,
            missing_fields: serde_json::from_str(&self.missing_fields).unwrap_or_default(),
            actions_reported: self.actions_reported,
            timing: EscalationTiming::parse(&self.timing),
            overall: self.overall as u8,
            comment: self.comment.clone(),
        }
    }

    /// The rubric as kept in the history when it is replaced.
    pub fn snapshot(&self) -> String {
        serde_json::to_string(&self.input()).expect("json")
    }

    pub fn into_rating(self) -> Rating {
        let input = self.input();
        Rating {
            id: self.id,
            handoff_id: self.handoff_id,
            rater_id: self.rater_id,
            rater_name: self.rater_name,
            bot_name: self.bot_name,
            bot_version: self.bot_version,
            intent: self.intent,
            confidence: self.confidence,
            input,
            revision: self.revision,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
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

/// Ratings on any store: the rules here, the facts in [`RatingStore`].
#[async_trait]
pub trait Ratings: RatingStore + HandoffStore {
    /// Rates a handoff, or edits the session user's earlier rating of it (keeping the old one).
    async fn rate(&self, by: &Session, handoff_id: &str, input: RatingInput, now: i64) -> Result<Rating, PeopleError> {
        by.authorize(Permission::RateHandoffs, now)?;
        input.validate()?;
        let stored = self.stored_handoff(handoff_id).await?;
        let h = &stored.handoff;
        let record = NewRatingRecord {
            handoff_seq: stored.seq,
            rater_id: by.actor.user_id,
            handoff_revision: stored.revision,
            bot_name: &h.bot.name,
            bot_version: &h.bot.version,
            intent: &h.intent.name,
            confidence: h.intent.confidence,
            escalated_ms: h.escalated_ms(),
            input: &input,
            missing_fields_json: serde_json::to_string(&input.missing_fields).expect("json"),
            correct_intent: if input.intent_correct { None } else { input.correct_intent.as_deref().map(str::trim) },
            at: now_rfc3339(),
        };
        let id = self.write_rating(&record).await?;
        tracing::info!(rating_id = id, user_id = by.actor.user_id, "handoff rated");
        self.rating(id).await
    }

    /// One rating by id.
    async fn rating(&self, id: i64) -> Result<Rating, PeopleError> {
        Ok(self.rating_record(id).await?.ok_or_else(|| PeopleError::Store(StoreError::NotFound(format!("rating {id}"))))?.into_rating())
    }

    /// Every rating of a handoff (team leads and those who may view analytics).
    async fn ratings_of(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<Rating>, PeopleError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        Ok(self.rating_records_of(handoff_id).await?.into_iter().map(RatingRecord::into_rating).collect())
    }

    /// Earlier versions of a rating, oldest first: (revision, rubric, replaced at).
    async fn rating_history(&self, id: i64) -> Result<Vec<(i64, RatingInput, String)>, PeopleError> {
        Ok(self
            .rating_snapshots(id)
            .await?
            .into_iter()
            .filter_map(|(revision, snapshot, at)| Some((revision, serde_json::from_str(&snapshot).ok()?, at)))
            .collect())
    }

    /// The next escalation the session user has not rated, oldest first after `after_seq`,
    /// wrapping around to the start.
    async fn next_unrated(&self, by: &Session, after_seq: Option<i64>, now: i64) -> Result<Option<String>, PeopleError> {
        by.authorize(Permission::RateHandoffs, now)?;
        let after = after_seq.unwrap_or(0);
        let first = self.first_unrated(by.actor.user_id, after).await?;
        if first.is_some() || after == 0 {
            return Ok(first);
        }
        Ok(self.first_unrated(by.actor.user_id, 0).await?)
    }
}

impl<S: RatingStore + HandoffStore + ?Sized> Ratings for S {}
