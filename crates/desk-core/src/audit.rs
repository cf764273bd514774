//! The tamper-evident audit log. Every change that touches a customer's account (tool call
//! proposals, decisions, executions, outcomes) appends an event in the same transaction as the
//! change. Each event stores the previous event's hash and its own SHA-256 over a canonical
//! encoding; triggers refuse UPDATE and DELETE; [`verify`] names the first broken event. The
//! newest hash is also kept beside the log, so cutting events off the end shows.
//!
//! The chain's rules (numbering, hashing, verifying) live here, once; each store
//! ([`crate::storage::AuditStore`]) only keeps the rows and serialises appends on the head.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::storage::{AuditStore, NewAuditEvent};
use crate::store::Result;

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditEvent {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at_ms: i64,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    #[ts(type = "unknown")]
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditVerification {
    #[ts(type = "number")]
    pub events: i64,
    pub ok: bool,
    /// The first event that does not verify, and why.
    #[ts(type = "number | null")]
    pub first_broken_id: Option<i64>,
    pub problem: Option<String>,
}

/// Filters for the audit view; empty means any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditFilter {
    pub kind_prefix: Option<String>,
    pub subject: Option<String>,
    pub actor: Option<String>,
}

/// SHA-256 (hex) over the canonical encoding of an event: a JSON array of its fields in a fixed
/// order, the payload itself canonical (object keys sorted, no whitespace).
pub fn event_hash(id: i64, at_ms: i64, actor: &str, kind: &str, subject: &str, payload: &str, prev_hash: &str) -> String {
    let canonical = serde_json::to_string(&(id, at_ms, actor, kind, subject, payload, prev_hash)).expect("json");
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A `LIKE` pattern's text with its wildcards escaped (escape character `\`), so a filter
/// matches what was typed, underscores included.
pub fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Who did something, as written in the log.
pub fn user_actor(user_id: i64, username: &str) -> String {
    format!("user:{user_id}:{username}")
}

/// An event as stored: the payload as the exact canonical text that was hashed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredAuditEvent {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredAuditEvent {
    /// The next event of a chain whose newest event is `head` (id and hash; `None` for an
    /// empty log).
    pub fn next(head: Option<(i64, String)>, e: &NewAuditEvent) -> Self {
        let (id, prev_hash) = match head {
            Some((id, hash)) => (id + 1, hash),
            None => (1, GENESIS.to_owned()),
        };
        // serde_json's Map is ordered by key, so this is canonical.
        let payload = serde_json::to_string(&e.payload).expect("json");
        let hash = event_hash(id, e.at_ms, &e.actor, &e.kind, &e.subject, &payload, &prev_hash);
        Self { id, at_ms: e.at_ms, actor: e.actor.clone(), kind: e.kind.clone(), subject: e.subject.clone(), payload, prev_hash, hash }
    }

    pub fn event(self) -> AuditEvent {
        AuditEvent {
            id: self.id,
            at_ms: self.at_ms,
            actor: self.actor,
            kind: self.kind,
            subject: self.subject,
            payload: serde_json::from_str(&self.payload).unwrap_or(Value::String(self.payload)),
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// How many events verify and export read at a time.
const PAGE: i64 = 1_000;

/// Reads the whole log oldest first, a page at a time.
struct Pages<'a> {
    log: &'a dyn AuditStore,
    after: i64,
}

impl<'a> Pages<'a> {
    fn of(log: &'a dyn AuditStore) -> Self {
        Self { log, after: 0 }
    }

    /// The next page, or `None` at the end.
    async fn next(&mut self) -> Result<Option<Vec<StoredAuditEvent>>> {
        let page = self.log.audit_events_after(self.after, PAGE).await?;
        Ok(page.last().map(|last| last.id).map(|id| {
            self.after = id;
            page
        }))
    }
}

/// Walks the whole chain in order and names the first event that does not verify.
pub async fn verify(log: &dyn AuditStore) -> Result<AuditVerification> {
    let mut expected_id = 1i64;
    let mut prev = GENESIS.to_owned();
    let mut n = 0i64;
    let broken = |id: i64, problem: String, n: i64| AuditVerification { events: n, ok: false, first_broken_id: Some(id), problem: Some(problem) };
    let mut pages = Pages::of(log);
    while let Some(page) = pages.next().await? {
        for r in page {
            n += 1;
            if r.id != expected_id {
                return Ok(broken(expected_id, format!("event {expected_id} is missing (the next stored event is {})", r.id), n));
            }
            if r.prev_hash != prev {
                return Ok(broken(r.id, format!("event {} does not follow event {} (its previous hash differs): events were removed or reordered", r.id, r.id - 1), n));
            }
            let h = event_hash(r.id, r.at_ms, &r.actor, &r.kind, &r.subject, &r.payload, &r.prev_hash);
            if h != r.hash {
                return Ok(broken(r.id, format!("event {} was changed after it was written (its hash does not match its content)", r.id), n));
            }
            prev = r.hash;
            expected_id += 1;
        }
    }
    if let Some(head) = log.audit_head().await? {
        if head != prev {
            return Ok(broken(expected_id, format!("the log ends at event {} but events after it were written: the end was cut off", expected_id - 1), n));
        }
    }
    Ok(AuditVerification { events: n, ok: true, first_broken_id: None, problem: None })
}

/// Every event as JSON Lines, oldest first, written to `out`; returns how many.
pub async fn export(log: &dyn AuditStore, out: &mut (impl std::io::Write + Send)) -> Result<i64> {
    let mut n = 0;
    let mut pages = Pages::of(log);
    while let Some(page) = pages.next().await? {
        for r in page {
            let line = serde_json::to_string(&r.event()).expect("json");
            out.write_all(line.as_bytes()).and_then(|_| out.write_all(b"\n")).map_err(sqlx::Error::Io)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The audit log as the signed-in person may read it: listing and verifying need `ViewAudit`,
/// exporting needs `ExportData` (with a fresh step-up). [`verify`] and [`export`] without a
/// session are for the command line, which runs with the database owner's rights. Cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    db: std::sync::Arc<dyn crate::storage::Database>,
}

impl AuditLog {
    pub fn new(db: std::sync::Arc<dyn crate::storage::Database>) -> Self {
        Self { db }
    }

    /// Events newest first, older than `before_id`, filtered.
    pub async fn list(&self, by: &Session, filter: &AuditFilter, before_id: Option<i64>, limit: i64, now: i64) -> Result<Vec<AuditEvent>, PeopleError> {
        by.authorize(Permission::ViewAudit, now)?;
        Ok(self.db.audit_list(filter, before_id, limit).await?)
    }

    /// Walks the whole chain (see [`verify`]).
    pub async fn verify(&self, by: &Session, now: i64) -> Result<AuditVerification, PeopleError> {
        by.authorize(Permission::ViewAudit, now)?;
        Ok(verify(&*self.db).await?)
    }

    /// Every event as JSON Lines (see [`export`]); returns how many.
    pub async fn export(&self, by: &Session, out: &mut (impl std::io::Write + Send), now: i64) -> Result<i64, PeopleError> {
        by.authorize(Permission::ExportData, now)?;
        Ok(export(&*self.db, out).await?)
    }
}
