//! Availability and claims held, on PostgreSQL.

use async_trait::async_trait;
use desk_core::storage::RoutingStore;
use desk_core::store::Result;

use crate::PgStore;

#[async_trait]
impl RoutingStore for PgStore {
    async fn set_available(&self, user_id: i64, available: bool, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO availability (user_id, available, changed_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET available = EXCLUDED.available, changed_ms = EXCLUDED.changed_ms \
             WHERE availability.available IS DISTINCT FROM EXCLUDED.available",
        )
        .bind(user_id)
        .bind(available)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn availability(&self) -> Result<Vec<(i64, bool, i64)>> {
        Ok(sqlx::query_as("SELECT user_id, available, changed_ms FROM availability").fetch_all(&self.pool).await?)
    }

    async fn claims_held(&self) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as("SELECT claimed_by, COUNT(*) FROM handoffs WHERE claimed_by IS NOT NULL GROUP BY claimed_by").fetch_all(&self.pool).await?)
    }
}
