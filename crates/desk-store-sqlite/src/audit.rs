//! The audit log on SQLite. `BEGIN IMMEDIATE` holds the database's one write lock from the start
//! of every write transaction, so appends (and the head read before each) never interleave.

use desk_core::storage::MetaStore;
use async_trait::async_trait;
use serde_json::Value;
use sqlx::SqliteConnection;

use super::{Result, Store};
use desk_core::audit::{like_escaped, AuditEvent, AuditFilter, StoredAuditEvent};
use desk_core::storage::{AuditStore, NewAuditEvent};

const HEAD_KEY: &str = "audit.head";

/// Appends an event inside the caller's write transaction.
pub async fn append_in(conn: &mut SqliteConnection, e: &NewAuditEvent) -> Result<AuditEvent> {
    let last = sqlx::query!(r#"SELECT id AS "id!", hash FROM audit_events ORDER BY id DESC LIMIT 1"#).fetch_optional(&mut *conn).await?;
    let s = StoredAuditEvent::next(last.map(|l| (l.id, l.hash)), e);
    sqlx::query!(
        "INSERT INTO audit_events (id, at_ms, actor, kind, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        s.id,
        s.at_ms,
        s.actor,
        s.kind,
        s.subject,
        s.payload,
        s.prev_hash,
        s.hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        HEAD_KEY,
        s.hash
    )
    .execute(&mut *conn)
    .await?;
    Ok(s.event())
}

/// [`append_in`] with the event's fields given one by one (the areas still on SQLite only).
pub async fn append(conn: &mut SqliteConnection, at_ms: i64, actor: &str, kind: &str, subject: &str, payload: &Value) -> Result<AuditEvent> {
    append_in(conn, &NewAuditEvent::new(at_ms, actor, kind, subject, payload.clone())).await
}

#[async_trait]
impl AuditStore for Store {
    async fn append_audit(&self, e: &NewAuditEvent) -> Result<AuditEvent> {
        let mut tx = self.begin_write().await?;
        let ev = append_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(ev)
    }

    async fn audit_events_after(&self, after_id: i64, limit: i64) -> Result<Vec<StoredAuditEvent>> {
        Ok(sqlx::query_as!(
            StoredAuditEvent,
            r#"SELECT id AS "id!", at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events WHERE id > ? ORDER BY id LIMIT ?"#,
            after_id,
            limit
        )
        .fetch_all(self.pool())
        .await?)
    }

    async fn audit_head(&self) -> Result<Option<String>> {
        self.meta(HEAD_KEY).await
    }

    async fn audit_list(&self, f: &AuditFilter, before_id: Option<i64>, limit: i64) -> Result<Vec<AuditEvent>> {
        let mut qb: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events WHERE id < ",
        );
        qb.push_bind(before_id.unwrap_or(i64::MAX));
        if let Some(k) = f.kind_prefix.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND kind LIKE ").push_bind(format!("{}%", like_escaped(k))).push(" ESCAPE '\\'");
        }
        if let Some(s) = f.subject.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND subject = ").push_bind(s.to_owned());
        }
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND actor LIKE ").push_bind(format!("%{}%", like_escaped(a))).push(" ESCAPE '\\'");
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
        Ok(qb.build_query_as::<StoredAuditEvent>().fetch_all(self.pool()).await?.into_iter().map(StoredAuditEvent::event).collect())
    }
}
