//! The event stream on PostgreSQL: only events of transactions older than the oldest one still
//! running are delivered, in `(txid, id)` order, so none committed later can sort before one
//! already delivered (migrations/postgres, events). `pg_notify` wakes the listeners.

use std::time::Duration;

use async_trait::async_trait;
use desk_core::events::{DeskEvent, EventPosition};
use desk_core::storage::EventStore;
use desk_core::store::Result;

use crate::PgStore;

const DELIVERABLE: &str = "txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

#[async_trait]
impl EventStore for PgStore {
    async fn events_after(&self, after: EventPosition, limit: i64) -> Result<Vec<DeskEvent>> {
        Ok(sqlx::query_as(&format!(
            "SELECT id, txid, at_ms, kind, subject, handoff_id FROM events WHERE (txid, id) > ($1, $2) AND {DELIVERABLE} ORDER BY txid, id LIMIT $3"
        ))
        .bind(after.txid)
        .bind(after.id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn events_head(&self) -> Result<EventPosition> {
        let row: Option<(i64, i64)> =
            sqlx::query_as(&format!("SELECT txid, id FROM events WHERE {DELIVERABLE} ORDER BY txid DESC, id DESC LIMIT 1")).fetch_optional(&self.pool).await?;
        Ok(row.map(|(txid, id)| EventPosition { txid, id }).unwrap_or_default())
    }

    async fn events_last_before(&self, before_ms: i64) -> Result<Option<EventPosition>> {
        let row: Option<(i64, i64)> = sqlx::query_as(&format!("SELECT txid, id FROM events WHERE at_ms < $1 AND {DELIVERABLE} ORDER BY txid DESC, id DESC LIMIT 1"))
            .bind(before_ms)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(txid, id)| EventPosition { txid, id }))
    }

    async fn delete_events_through(&self, upto: EventPosition, before_ms: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM events WHERE at_ms < $1 AND (txid, id) <= ($2, $3)").bind(before_ms).bind(upto.txid).bind(upto.id).execute(&self.pool).await?;
        Ok(r.rows_affected())
    }
}

impl PgStore {
    /// Bumps `wake` whenever a transaction that wrote events commits (LISTEN `desk_events`), on
    /// its own connection, reconnecting after a failure. Readers also poll, so a lost wake-up
    /// only delays.
    pub fn spawn_event_wakeups(&self, wake: std::sync::Arc<tokio::sync::watch::Sender<u64>>) {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            loop {
                let listened = async {
                    let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
                    l.listen("desk_events").await?;
                    loop {
                        l.recv().await?;
                        wake.send_modify(|n| *n += 1);
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sqlx::Error>(())
                };
                if let Err(e) = listened.await {
                    tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}
