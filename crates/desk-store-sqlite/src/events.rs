//! The event stream on SQLite: ids are in commit order (one writer at a time).

use async_trait::async_trait;
use desk_core::events::{DeskEvent, EventPosition};
use desk_core::storage::EventStore;

use super::{Result, Store};

#[async_trait]
impl EventStore for Store {
    async fn events_after(&self, after: EventPosition, limit: i64) -> Result<Vec<DeskEvent>> {
        Ok(sqlx::query_as!(
            DeskEvent,
            r#"SELECT id AS "id!: i64", txid AS "txid!: i64", at_ms AS "at_ms!: i64", kind, subject, handoff_id FROM events WHERE id > ? ORDER BY id LIMIT ?"#,
            after.id,
            limit
        )
        .fetch_all(self.pool())
        .await?)
    }

    async fn events_head(&self) -> Result<EventPosition> {
        let id = sqlx::query_scalar!(r#"SELECT COALESCE(MAX(id), 0) AS "id!: i64" FROM events"#).fetch_one(self.pool()).await?;
        Ok(EventPosition { txid: 0, id })
    }

    async fn events_last_before(&self, before_ms: i64) -> Result<Option<EventPosition>> {
        let id = sqlx::query_scalar!(r#"SELECT MAX(id) AS "id: i64" FROM events WHERE at_ms < ?"#, before_ms).fetch_one(self.pool()).await?;
        Ok(id.map(|id| EventPosition { txid: 0, id }))
    }

    async fn delete_events_through(&self, upto: EventPosition, before_ms: i64) -> Result<u64> {
        let r = sqlx::query!("DELETE FROM events WHERE at_ms < ? AND id <= ?", before_ms, upto.id).execute(self.pool()).await?;
        Ok(r.rows_affected())
    }
}
