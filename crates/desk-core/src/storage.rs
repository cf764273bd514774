//! The storage the services need, one trait per area, each implemented twice: on SQLite
//! ([`crate::Store`], the desktop's embedded default) and on PostgreSQL (`desk-store-postgres`,
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
//! Areas not yet behind a trait (queue paging and search, quarantine, drafts and the outbox,
//! ratings, analytics, the knowledge base, sign-in) are still methods on [`crate::Store`] and run
//! on SQLite only; they move here area by area.

use async_trait::async_trait;
use serde_json::Value;

use crate::audit::{AuditEvent, AuditFilter, StoredAuditEvent};
use crate::gates::record::{CallQuery, CallRecord, CallUpdate, NewCallRecord};
use crate::gates::GateError;
use crate::handoff::Handoff;
use crate::people::{PeopleError, Role, UserSummary};
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

/// Escalations as the services that act on them need them.
#[async_trait]
pub trait HandoffStore: Send + Sync {
    /// Stores a validated document: the same `handoff_id` again replaces the stored escalation
    /// when the document changed, and changes nothing when it is identical.
    async fn store_handoff(&self, handoff: &Handoff, source: &str) -> Result<Upsert>;
    /// One escalation by its `handoff_id`.
    async fn stored_handoff(&self, handoff_id: &str) -> Result<StoredHandoff>;
}

/// A user account as stored (the password already hashed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewUserRecord {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
}

/// Accounts.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Inserts a user with their roles; a taken username (case-insensitive) is a conflict.
    async fn insert_user(&self, user: &NewUserRecord, now: i64) -> Result<i64, PeopleError>;
    /// One user by id.
    async fn user_summary(&self, id: i64) -> Result<UserSummary, PeopleError>;
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

/// Everything a desk keeps, on one database.
pub trait Database: AuditStore + HandoffStore + PeopleStore + ClaimStore + GateStore + Send + Sync + 'static {
    /// Which database this is, for logs and test names ("sqlite", "postgres").
    fn kind(&self) -> &'static str;
}
