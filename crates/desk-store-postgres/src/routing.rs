//! Routing on PostgreSQL: availability, skills, what each agent holds, and offers. Several
//! servers may route at once: the partial unique indexes on open offers make a second insert
//! for the same escalation or agent do nothing, and closing is compare-and-set on `open`.

use async_trait::async_trait;
use desk_core::storage::NewAuditEvent;
use desk_core::routing::{HeldEscalation, OfferRecord, OfferState, OpenOffer, Waiting};
use desk_core::storage::RoutingStore;
use desk_core::store::Result;

use crate::PgStore;

const OFFER: &str = "SELECT o.id, o.handoff_seq, h.handoff_id, o.user_id, o.offered_ms, o.expires_ms, o.state FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq";

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

    async fn held_escalations(&self) -> Result<Vec<HeldEscalation>> {
        Ok(sqlx::query_as(
            "SELECT claimed_by AS user_id, handoff_id, COALESCE(customer_name, customer_id) AS customer, intent, priority, claimed_at_ms \
             FROM handoffs WHERE claimed_by IS NOT NULL ORDER BY claimed_at_ms, seq",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn skills(&self) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as("SELECT user_id, kind, value FROM skills ORDER BY user_id, kind, value").fetch_all(&self.pool).await?)
    }

    async fn set_skills(&self, user_id: i64, skills: &[(&'static str, String)], audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM skills WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        for (kind, value) in skills {
            sqlx::query("INSERT INTO skills (user_id, kind, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").bind(user_id).bind(*kind).bind(value).execute(&mut *tx).await?;
        }
        crate::append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn waiting_for_offer(&self, limit: i64) -> Result<Vec<Waiting>> {
        Ok(sqlx::query_as(
            "SELECT seq, intent, channel, (doc::jsonb -> 'customer' ->> 'language') AS language \
             FROM handoffs WHERE claimed_by IS NULL ORDER BY triage_key, seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn open_offers(&self) -> Result<Vec<OpenOffer>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.handoff_seq, h.handoff_id, o.user_id, o.expires_ms, h.claimed_by IS NOT NULL AS claimed \
             FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq WHERE o.state = 'open' ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn refused_offers(&self) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT o.handoff_seq, o.user_id FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq \
             WHERE h.claimed_by IS NULL AND o.state IN ('declined', 'expired')",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn make_offer(&self, handoff_seq: i64, user_id: i64, now: i64, expires_ms: i64) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO offers (handoff_seq, user_id, offered_ms, expires_ms) \
             SELECT seq, $1, $2, $3 FROM handoffs WHERE seq = $4 AND claimed_by IS NULL ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(now)
        .bind(expires_ms)
        .bind(handoff_seq)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn close_offer(&self, id: i64, state: OfferState, now: i64) -> Result<bool> {
        let n = sqlx::query("UPDATE offers SET state = $1, closed_ms = $2 WHERE id = $3 AND state = 'open'")
            .bind(state.as_str())
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn offer(&self, id: i64) -> Result<Option<OfferRecord>> {
        Ok(sqlx::query_as(&format!("{OFFER} WHERE o.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn open_offer_for(&self, user_id: i64) -> Result<Option<OfferRecord>> {
        Ok(sqlx::query_as(&format!("{OFFER} WHERE o.user_id = $1 AND o.state = 'open'")).bind(user_id).fetch_optional(&self.pool).await?)
    }
}
