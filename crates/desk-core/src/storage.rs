//! The storage the services need, one trait per area, each implemented twice: on SQLite
//! (`desk-store-sqlite`, the desktop's embedded default) and on PostgreSQL (`desk-store-postgres`,
//! the team server). One test suite (`crates/desk-store-suite`) runs against both.
//!
//! The rules live above these traits, in the services; the traits only keep facts and make each
//! change atomic. Three promises every implementation keeps:
//! * A state change and its audit events commit in one transaction, or neither does.
//! * A transition reads the row it depends on inside its write transaction and writes it
//!   compare-and-set on the state it read, so two desks racing for the same call, claim or chain
//!   head never both win. No in-process lock is the guard: two processes on one database are safe.
//! * Audit appends are serialised on the chain head, so the chain never forks.
//!

use async_trait::async_trait;
use serde_json::Value;

use crate::analytics::{AnalyticsFilter, AnalyticsRows};
use crate::audit::{AuditEvent, AuditFilter, StoredAuditEvent};
use crate::drafts::record::{Carries, DraftDecided, DraftOutcome, DraftRecord, KbArticleRecord, KbCandidate, NewDraftRecord, NewOutboxRecord, OutboxRecord};
use crate::gates::record::{CallQuery, CallRecord, CallUpdate, NewCallRecord};
use crate::gates::GateError;
use crate::handoff::Handoff;
use crate::people::{PeopleError, Role, UserSummary};
use crate::quarantine::{NewQuarantined, QuarantineRecord};
use crate::queue::{QueuePlan, QueueRecord};
use crate::ratings::{NewRatingRecord, RatingRecord};
use crate::store::{Result, StoredHandoff, Upsert};

/// An audit event to append: the store numbers it and chains it to the one before.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    pub at_ms: i64,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub payload: Value,
}

impl NewAuditEvent {
    pub fn new(at_ms: i64, actor: &str, kind: &str, subject: &str, payload: Value) -> Self {
        Self { at_ms, actor: actor.to_owned(), kind: kind.to_owned(), subject: subject.to_owned(), payload }
    }
}

/// The tamper-evident audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one event in its own transaction (for events with no state change beside them).
    async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEvent>;
    /// Stored events with an id above `after_id`, oldest first, at most `limit`.
    async fn audit_events_after(&self, after_id: i64, limit: i64) -> Result<Vec<StoredAuditEvent>>;
    /// The newest hash, kept beside the log so that cutting events off the end shows.
    async fn audit_head(&self) -> Result<Option<String>>;
    /// Events newest first, older than `before_id`, filtered.
    async fn audit_list(&self, filter: &AuditFilter, before_id: Option<i64>, limit: i64) -> Result<Vec<AuditEvent>>;
}

/// One document on its way in: a valid escalation to store, or an invalid one to quarantine.
#[derive(Debug, Clone, Copy)]
pub enum Intake<'a> {
    Valid(&'a Handoff),
    Invalid(NewQuarantined<'a>),
}

/// What taking one document in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Stored(Upsert),
    /// Quarantined under this id.
    Quarantined(i64),
}

/// Escalations as the services that act on them need them.
#[async_trait]
pub trait HandoffStore: Send + Sync {
    /// Stores or quarantines each document, in order, in one transaction: all of them or none.
    /// A valid document with a known `handoff_id` replaces the stored escalation when it changed
    /// and changes nothing when it is identical.
    async fn take_in(&self, items: &[Intake<'_>], source: &str) -> Result<Vec<Taken>>;
    /// One escalation by its `handoff_id`.
    async fn stored_handoff(&self, handoff_id: &str) -> Result<StoredHandoff>;
    /// How many escalations are stored.
    async fn handoff_count(&self) -> Result<i64>;

    /// Stores one validated document (see [`HandoffStore::take_in`]).
    async fn store_handoff(&self, handoff: &Handoff, source: &str) -> Result<Upsert> {
        match self.take_in(&[Intake::Valid(handoff)], source).await?.as_slice() {
            [Taken::Stored(u)] => Ok(*u),
            other => unreachable!("one valid document gave {other:?}"),
        }
    }
}

/// What the queue's header and filter menus count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueCounts {
    pub total: i64,
    /// (priority rank, escalations), most urgent first.
    pub by_priority_rank: Vec<(i64, i64)>,
    /// (intent, escalations), most common first, then by name; at most [`crate::queue::FACET_INTENTS_MAX`].
    pub by_intent: Vec<(String, i64)>,
}

/// The queue: filtered, sorted, keyset-paged rows, and their counts.
#[async_trait]
pub trait QueueStore: Send + Sync {
    /// The rows a plan selects, in its order (at most its limit + 1, so the caller sees whether
    /// there is more), and whether its search matched more than [`crate::queue::SEARCH_CANDIDATES`].
    async fn queue_records(&self, plan: &QueuePlan) -> Result<(Vec<QueueRecord>, bool)>;
    async fn queue_counts(&self) -> Result<QueueCounts>;
}

/// Documents that failed validation.
#[async_trait]
pub trait QuarantineStore: Send + Sync {
    /// Newest first, at most `limit`, older than `before_id` when given.
    async fn quarantine_records(&self, before_id: Option<i64>, limit: i64) -> Result<Vec<QuarantineRecord>>;
    /// How many documents are in quarantine.
    async fn quarantine_count(&self) -> Result<i64>;
    /// The exact bytes of a quarantined document.
    async fn quarantine_raw(&self, id: i64) -> Result<Option<Vec<u8>>>;
}

/// A user account as stored (the password already hashed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewUserRecord {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
}

/// What a password is checked against.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

/// Accounts and the record of sign-in attempts.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Inserts a user with their roles; a taken username (case-insensitive) is a conflict.
    /// Inserts a user with their roles and the audit events that record it, in one transaction.
    async fn insert_user(&self, user: &NewUserRecord, now: i64, audit: &[NewAuditEvent]) -> Result<i64, PeopleError>;
    /// One user by id.
    async fn user_summary(&self, id: i64) -> Result<UserSummary, PeopleError>;
    /// How many users exist.
    async fn user_count(&self) -> Result<i64, PeopleError>;
    /// Every user, by username.
    async fn users(&self) -> Result<Vec<UserSummary>, PeopleError>;
    /// A user's id, password hash and active flag, by username (case-insensitive).
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, PeopleError>;
    /// Replaces a user's roles and active flag in one transaction. Refused (a conflict) when it
    /// would leave no active admin: the store checks that inside the transaction, so two admins
    /// demoting each other at once cannot both succeed.
    async fn set_access(&self, id: i64, roles: &[Role], active: bool, now: i64, audit: &[NewAuditEvent]) -> Result<(), PeopleError>;
    /// Records one sign-in attempt (`kind`: sign_in, step_up, locked).
    async fn record_attempt(&self, username: &str, at_ms: i64, succeeded: bool, kind: &str) -> Result<(), PeopleError>;
    /// Failed attempts of a username after `since_ms` and after its last success: how many, and
    /// when the oldest of them was.
    async fn recent_failures(&self, username: &str, since_ms: i64) -> Result<(i64, Option<i64>), PeopleError>;
    /// Recorded attempts of a username, newest first: (at_ms, succeeded, kind).
    async fn sign_in_attempts(&self, username: &str) -> Result<Vec<(i64, bool, String)>, PeopleError>;
}

/// What a claim attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The escalation is now the user's (or already was).
    Taken,
    /// Someone else holds it, and the user may not take it over.
    HeldBy { user_id: i64, name: String },
}

impl ClaimOutcome {
    /// `Taken` when nobody holds it (any more), or who does.
    pub fn from_holder(holder: Option<(i64, String)>) -> Self {
        match holder {
            Some((user_id, name)) => ClaimOutcome::HeldBy { user_id, name },
            None => ClaimOutcome::Taken,
        }
    }
}

/// Who holds which escalation.
#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// Claims `handoff_id` for `user_id` in one conditional update: it succeeds when nobody
    /// holds it, the user already does, or `take_over` is set. Unknown ids are `NotFound`.
    async fn claim(&self, handoff_id: &str, user_id: i64, now: i64, take_over: bool) -> Result<ClaimOutcome>;
    /// Releases the claim when `user_id` holds it or `any_holder` is set.
    async fn release(&self, handoff_id: &str, user_id: i64, any_holder: bool) -> Result<ClaimOutcome>;
    /// Who holds an escalation: (user id, display name).
    async fn claim_holder(&self, handoff_id: &str) -> Result<Option<(i64, String)>>;
}

/// Computes a call's change from the call as it is inside the write transaction, or refuses.
pub type Decide<'a> = &'a (dyn Fn(&CallRecord) -> std::result::Result<(CallUpdate, Vec<NewAuditEvent>), GateError> + Send + Sync);

/// Tool calls behind approval gates.
#[async_trait]
pub trait GateStore: Send + Sync {
    /// Inserts a proposed call with its audit events, in one transaction.
    async fn insert_call(&self, call: &NewCallRecord, audit: &[NewAuditEvent]) -> std::result::Result<(), GateError>;
    /// One call, if it exists.
    async fn call(&self, id: &str) -> Result<Option<CallRecord>>;
    /// The calls a query selects, in its order.
    async fn calls(&self, query: &CallQuery) -> Result<Vec<CallRecord>>;
    /// Reads the call inside a write transaction, asks `decide` for the change, writes it
    /// compare-and-set on the state it read, with its audit events, and commits. Returns the
    /// call as written.
    async fn update_call(&self, id: &str, decide: Decide<'_>) -> std::result::Result<CallRecord, GateError>;
}

/// Values the app keeps about itself (a source's cursor, the demo bot's position).
#[async_trait]
pub trait MetaStore: Send + Sync {
    async fn meta(&self, key: &str) -> Result<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> Result<()>;
}

/// Team leads' ratings of handoffs, with every earlier version.
#[async_trait]
pub trait RatingStore: Send + Sync {
    /// Writes the rater's rating of the handoff in one transaction: a new one, or a new revision
    /// of theirs with the replaced rubric kept in the history. Returns its id.
    async fn write_rating(&self, rating: &NewRatingRecord<'_>) -> Result<i64>;
    async fn rating_record(&self, id: i64) -> Result<Option<RatingRecord>>;
    /// Every rating of a handoff, oldest first.
    async fn rating_records_of(&self, handoff_id: &str) -> Result<Vec<RatingRecord>>;
    /// Replaced versions of a rating, oldest first: (revision, rubric as JSON, replaced at).
    async fn rating_snapshots(&self, id: i64) -> Result<Vec<(i64, String, String)>>;
    /// The first escalation after `after_seq` that `rater_id` has not rated.
    async fn first_unrated(&self, rater_id: i64, after_seq: i64) -> Result<Option<String>>;
}

/// Shadow mode's drafts (the rules are in [`crate::drafts::lifecycle`] and the service).
#[async_trait]
pub trait DraftStore: Send + Sync {
    /// In one transaction: the ready drafts of `handoff_seq` for customer turns before
    /// `latest_turn` become stale, and the newest draft for `latest_turn` that is not stale is
    /// returned, if there is one.
    async fn live_draft(&self, handoff_seq: i64, latest_turn: i64) -> Result<Option<DraftRecord>>;
    async fn insert_draft(&self, draft: &NewDraftRecord<'_>) -> Result<()>;
    async fn draft_record(&self, id: &str) -> Result<Option<DraftRecord>>;
    /// Every draft of an escalation, newest first.
    async fn draft_records_of(&self, handoff_id: &str) -> Result<Vec<DraftRecord>>;
    /// Writes a decision compare-and-set on `ready`, with its audit events and the reply it sends
    /// (if any), in one transaction. `false`: the draft was no longer ready and nothing changed.
    async fn decide_draft(&self, decided: &DraftDecided<'_>, reply: Option<&NewOutboxRecord<'_>>, audit: &[NewAuditEvent]) -> Result<bool>;
    /// Every reply draft's outcome, by intent.
    async fn draft_outcomes(&self) -> Result<Vec<DraftOutcome>>;
}

/// Replies on their way to the customer: pending until a channel takes them.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Pending replies a channel carries, oldest first.
    async fn pending_replies(&self, carries: Carries<'_>, limit: i64) -> Result<Vec<OutboxRecord>>;
    /// Counts a delivery attempt (before the reply is handed to its channel).
    async fn outbox_attempt(&self, id: &str) -> Result<()>;
    /// Why the channel did not take it (the reply stays pending).
    async fn outbox_failed(&self, id: &str, error: &str) -> Result<()>;
    /// Marks a pending reply sent at `event.at_ms`, its error cleared, with its audit event, in one
    /// transaction. `false`: it was sent already (another worker), and no second event is written.
    async fn outbox_sent(&self, id: &str, event: &NewAuditEvent) -> Result<bool>;
    async fn outbox_record(&self, id: &str) -> Result<Option<OutboxRecord>>;
    /// The replies of an escalation, oldest first.
    async fn outbox_records_of(&self, handoff_id: &str) -> Result<Vec<OutboxRecord>>;
}

/// The knowledge base's passages and their text index.
#[async_trait]
pub trait KbStore: Send + Sync {
    /// (article id, sha256) of every indexed article, by id.
    async fn kb_fingerprint(&self) -> Result<Vec<(String, String)>>;
    /// Replaces the whole index with these articles, in one transaction.
    async fn kb_replace(&self, articles: &[KbArticleRecord]) -> Result<()>;
    /// (articles, passages) indexed.
    async fn kb_counts(&self) -> Result<(i64, i64)>;
    /// The passages with any of `terms` (each a lowercase word), best text match first.
    async fn kb_candidates(&self, terms: &[String], limit: i64) -> Result<Vec<KbCandidate>>;
}

/// What team leads see: the analytics queries ([`crate::analytics::AnalyticsQueries`], portable SQL
/// in the store's dialect) run for one filter.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    async fn analytics_rows(&self, filter: &AnalyticsFilter) -> Result<AnalyticsRows>;
    /// The ratings of the filtered handoffs, oldest first.
    async fn rating_ids(&self, filter: &AnalyticsFilter) -> Result<Vec<i64>>;
}

/// A session to open (its activity starts at `created_at_ms`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession<'a> {
    pub token_sha256: &'a str,
    pub user_id: i64,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub stepped_up_ms: Option<i64>,
    pub switched: bool,
}

/// Token sessions a server holds ([`crate::people::tokens`]): only the token's SHA-256 is kept.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, s: &NewSession<'_>) -> Result<()>;
    /// The session, unless it is revoked or expired at `now`.
    async fn live_session(&self, token_sha256: &str, now: i64) -> Result<Option<crate::people::tokens::SessionRecord>>;
    /// A step-up at `at`, which also counts as activity (it unlocks an idle-locked session).
    async fn set_stepped_up(&self, token_sha256: &str, at: i64) -> Result<()>;
    /// Activity at `at`: the idle clock starts again.
    async fn touch_session(&self, token_sha256: &str, at: i64) -> Result<()>;
    /// `false`: it was revoked already.
    async fn revoke_session(&self, token_sha256: &str, now: i64) -> Result<bool>;
    /// Revokes every session of a user; returns how many.
    async fn revoke_user_sessions(&self, user_id: i64, now: i64) -> Result<u64>;
}

/// What changed, in commit order ([`crate::events`]): written by the stores' triggers.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The events after a position, in delivery order.
    async fn events_after(&self, after: crate::events::EventPosition, limit: i64) -> Result<Vec<crate::events::DeskEvent>>;
    /// The position of the last event that can be delivered now.
    async fn events_head(&self) -> Result<crate::events::EventPosition>;
    /// The last position (in delivery order) among the events written before `before_ms`.
    async fn events_last_before(&self, before_ms: i64) -> Result<Option<crate::events::EventPosition>>;
    /// Deletes the events written before `before_ms` up to position `upto`; returns how many.
    async fn delete_events_through(&self, upto: crate::events::EventPosition, before_ms: i64) -> Result<u64>;
}

/// Who is available for escalations, and who holds how many ([`crate::routing`]).
#[async_trait]
pub trait RoutingStore: Send + Sync {
    async fn set_available(&self, user_id: i64, available: bool, now: i64) -> Result<()>;
    /// Every recorded availability: (user id, available, since when).
    async fn availability(&self) -> Result<Vec<(i64, bool, i64)>>;
    /// Every claimed escalation, oldest claim first.
    async fn held_escalations(&self) -> Result<Vec<crate::routing::HeldEscalation>>;
    /// Every skill: (user id, kind, value).
    async fn skills(&self) -> Result<Vec<(i64, String, String)>>;
    /// Replaces a user's skills, with the audit event, in one transaction.
    async fn set_skills(&self, user_id: i64, skills: &[(&'static str, String)], audit: &crate::storage::NewAuditEvent) -> Result<()>;
    /// Unclaimed escalations, most urgent and longest waiting first, at most `limit`.
    async fn waiting_for_offer(&self, limit: i64) -> Result<Vec<crate::routing::Waiting>>;
    /// Every open offer, with whether its escalation has been claimed since.
    async fn open_offers(&self) -> Result<Vec<crate::routing::OpenOffer>>;
    /// (escalation seq, user id) of the offers declined or let expire on escalations still
    /// unclaimed: these are never offered to that agent again.
    async fn refused_offers(&self) -> Result<Vec<(i64, i64)>>;
    /// Makes an offer, unless the escalation or the agent has an open one already (`false`).
    async fn make_offer(&self, handoff_seq: i64, user_id: i64, now: i64, expires_ms: i64) -> Result<bool>;
    /// Closes an open offer (compare-and-set on `open`); `false` when it was not open.
    async fn close_offer(&self, id: i64, state: crate::routing::OfferState, now: i64) -> Result<bool>;
    async fn offer(&self, id: i64) -> Result<Option<crate::routing::OfferRecord>>;
    /// The agent's open offer, if any.
    async fn open_offer_for(&self, user_id: i64) -> Result<Option<crate::routing::OfferRecord>>;
}

/// Everything a desk keeps, on one database.
pub trait Database:
    AuditStore
    + HandoffStore
    + QueueStore
    + QuarantineStore
    + PeopleStore
    + ClaimStore
    + GateStore
    + RatingStore
    + MetaStore
    + DraftStore
    + OutboxStore
    + KbStore
    + AnalyticsStore
    + SessionStore
    + EventStore
    + RoutingStore
    + Send
    + Sync
    + 'static
{
    /// Which database this is, for logs and test names ("sqlite", "postgres").
    fn kind(&self) -> &'static str;
}
