//! Availability and claims held, on SQLite.

use async_trait::async_trait;
use desk_core::storage::RoutingStore;

use super::{Result, Store};

#[async_trait]
impl RoutingStore for Store {
    async fn set_available(&self, user_id: i64, available: bool, now: i64) -> Result<()> {
        // Only a change moves "since when".
        sqlx::query!(
            "INSERT INTO availability (user_id, available, changed_ms) VALUES (?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET available = excluded.available, changed_ms = excluded.changed_ms \
             WHERE availability.available IS NOT excluded.available",
            user_id,
            available,
            now
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn availability(&self) -> Result<Vec<(i64, bool, i64)>> {
        let rows = sqlx::query!(r#"SELECT user_id AS "user_id!: i64", available AS "available!: bool", changed_ms AS "changed_ms!: i64" FROM availability"#)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|r| (r.user_id, r.available, r.changed_ms)).collect())
    }

    async fn claims_held(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query!(r#"SELECT claimed_by AS "user_id!: i64", COUNT(*) AS "n!: i64" FROM handoffs WHERE claimed_by IS NOT NULL GROUP BY claimed_by"#)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|r| (r.user_id, r.n)).collect())
    }
}
