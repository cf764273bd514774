//! The tamper-evident audit log. Every change that touches a customer's account (tool call
//! proposals, decisions, executions, outcomes) appends an event in the same transaction as the
//! change. Each event stores the previous event's hash and its own SHA-256 over a canonical
//! encoding; triggers refuse UPDATE and DELETE; [`Store::audit_verify`] names the first broken
//! event. The newest hash is also kept beside the log, so cutting events off the end shows.

use futures_core::stream::BoxStream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use ts_rs::TS;

use crate::store::{Result, Store};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HEAD_KEY: &str = "audit.head";

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

/// Who did something, as written in the log.
pub fn user_actor(user_id: i64, username: &str) -> String {
    format!("user:{user_id}:{username}")
}

/// Appends an event inside the caller's transaction. Call it after the transaction has written
/// (so it holds SQLite's write lock and no other writer can interleave).
pub async fn append(conn: &mut SqliteConnection, at_ms: i64, actor: &str, kind: &str, subject: &str, payload: &Value) -> Result<AuditEvent> {
    let last = sqlx::query!(r#"SELECT id AS "id!", hash FROM audit_events ORDER BY id DESC LIMIT 1"#).fetch_optional(&mut *conn).await?;
    let (id, prev_hash) = match last {
        Some(l) => (l.id + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    // serde_json's Map is ordered by key, so this is canonical.
    let payload_text = serde_json::to_string(payload).expect("json");
    let hash = event_hash(id, at_ms, actor, kind, subject, &payload_text, &prev_hash);
    sqlx::query!(
        "INSERT INTO audit_events (id, at_ms, actor, kind, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        id,
        at_ms,
        actor,
        kind,
        subject,
        payload_text,
        prev_hash,
        hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        HEAD_KEY,
        hash
    )
    .execute(&mut *conn)
    .await?;
    Ok(AuditEvent { id, at_ms, actor: actor.to_owned(), kind: kind.to_owned(), subject: subject.to_owned(), payload: payload.clone(), prev_hash, hash })
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at_ms: i64,
    actor: String,
    kind: String,
    subject: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl Row {
    fn event(self) -> AuditEvent {
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

impl Store {
    /// Appends one event in its own transaction (for events with no state change beside them).
    pub async fn audit_append(&self, at_ms: i64, actor: &str, kind: &str, subject: &str, payload: &Value) -> Result<AuditEvent> {
        let _guard = self.write_lock().await;
        let mut tx = self.begin_write().await?;
        let e = append(&mut tx, at_ms, actor, kind, subject, payload).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Walks the whole chain in order and names the first event that does not verify.
    pub async fn audit_verify(&self) -> Result<AuditVerification> {
        use futures_util::TryStreamExt;
        let mut rows: BoxStream<'_, sqlx::Result<Row>> =
            sqlx::query_as::<_, Row>("SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events ORDER BY id")
                .fetch(self.pool());
        let mut expected_id = 1i64;
        let mut prev = GENESIS.to_owned();
        let mut n = 0i64;
        let broken = |id: i64, problem: String, n: i64| AuditVerification { events: n, ok: false, first_broken_id: Some(id), problem: Some(problem) };
        while let Some(r) = rows.try_next().await? {
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
        drop(rows);
        let head = self.meta(HEAD_KEY).await?;
        if let Some(head) = head {
            if head != prev {
                return Ok(broken(expected_id, format!("the log ends at event {} but events after it were written: the end was cut off", expected_id - 1), n));
            }
        }
        Ok(AuditVerification { events: n, ok: true, first_broken_id: None, problem: None })
    }

    /// Events newest first, older than `before_id`, filtered.
    pub async fn audit_list(&self, f: &AuditFilter, before_id: Option<i64>, limit: i64) -> Result<Vec<AuditEvent>> {
        let mut qb: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events WHERE id < ",
        );
        qb.push_bind(before_id.unwrap_or(i64::MAX));
        if let Some(k) = f.kind_prefix.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND kind LIKE ").push_bind(format!("{}%", k.replace(['%', '_'], "")));
        }
        if let Some(s) = f.subject.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND subject = ").push_bind(s.to_owned());
        }
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND actor LIKE ").push_bind(format!("%{}%", a.replace(['%', '_'], "")));
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
        Ok(qb.build_query_as::<Row>().fetch_all(self.pool()).await?.into_iter().map(Row::event).collect())
    }

    /// Every event as JSON Lines, oldest first, written to `out`.
    pub async fn audit_export(&self, out: &mut (impl std::io::Write + Send)) -> Result<i64> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query_as::<_, Row>("SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events ORDER BY id")
            .fetch(self.pool());
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let line = serde_json::to_string(&r.event()).expect("json");
            out.write_all(line.as_bytes()).and_then(|_| out.write_all(b"\n")).map_err(sqlx::Error::Io)?;
            n += 1;
        }
        Ok(n)
    }
}
