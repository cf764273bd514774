//! Routing on SQLite: availability, skills, what each agent holds, and offers.

use async_trait::async_trait;
use desk_core::storage::NewAuditEvent;
use desk_core::routing::{HeldEscalation, OfferRecord, OfferState, OpenOffer, Waiting};
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

    async fn held_escalations(&self) -> Result<Vec<HeldEscalation>> {
        Ok(sqlx::query_as!(
            HeldEscalation,
            r#"SELECT claimed_by AS "user_id!: i64", handoff_id, COALESCE(customer_name, customer_id) AS "customer!: String", intent, priority,
                      claimed_at_ms AS "claimed_at_ms!: i64"
               FROM handoffs WHERE claimed_by IS NOT NULL ORDER BY claimed_at_ms, seq"#
        )
        .fetch_all(self.pool())
        .await?)
    }

    async fn skills(&self) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query!(r#"SELECT user_id AS "user_id!: i64", kind, value FROM skills ORDER BY user_id, kind, value"#).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|r| (r.user_id, r.kind, r.value)).collect())
    }

    async fn set_skills(&self, user_id: i64, skills: &[(&'static str, String)], audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query!("DELETE FROM skills WHERE user_id = ?", user_id).execute(&mut *tx).await?;
        for (kind, value) in skills {
            sqlx::query!("INSERT INTO skills (user_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", user_id, kind, value).execute(&mut *tx).await?;
        }
        crate::audit::append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn waiting_for_offer(&self, limit: i64) -> Result<Vec<Waiting>> {
        Ok(sqlx::query_as!(
            Waiting,
            r#"SELECT seq AS "seq!: i64", intent, channel, json_extract(doc, '$.customer.language') AS "language?: String"
               FROM handoffs WHERE claimed_by IS NULL ORDER BY triage_key, seq LIMIT ?"#,
            limit
        )
        .fetch_all(self.pool())
        .await?)
    }

    async fn open_offers(&self) -> Result<Vec<OpenOffer>> {
        Ok(sqlx::query_as!(
            OpenOffer,
            r#"SELECT o.id AS "id!: i64", o.handoff_seq AS "handoff_seq!: i64", h.handoff_id, o.user_id AS "user_id!: i64", o.expires_ms AS "expires_ms!: i64",
                      h.claimed_by IS NOT NULL AS "claimed!: bool"
               FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq WHERE o.state = 'open' ORDER BY o.id"#
        )
        .fetch_all(self.pool())
        .await?)
    }

    async fn refused_offers(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query!(
            r#"SELECT o.handoff_seq AS "seq!: i64", o.user_id AS "user_id!: i64" FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq
               WHERE h.claimed_by IS NULL AND o.state IN ('declined', 'expired')"#
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| (r.seq, r.user_id)).collect())
    }

    async fn make_offer(&self, handoff_seq: i64, user_id: i64, now: i64, expires_ms: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        // Only while it is still unclaimed.
        let n = sqlx::query!(
            "INSERT INTO offers (handoff_seq, user_id, offered_ms, expires_ms) \
             SELECT seq, ?, ?, ? FROM handoffs WHERE seq = ? AND claimed_by IS NULL ON CONFLICT DO NOTHING",
            user_id,
            now,
            expires_ms,
            handoff_seq
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn close_offer(&self, id: i64, state: OfferState, now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let s = state.as_str();
        let n = sqlx::query!("UPDATE offers SET state = ?, closed_ms = ? WHERE id = ? AND state = 'open'", s, now, id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn offer(&self, id: i64) -> Result<Option<OfferRecord>> {
        Ok(sqlx::query_as!(
            OfferRecord,
            r#"SELECT o.id AS "id!: i64", o.handoff_seq AS "handoff_seq!: i64", h.handoff_id, o.user_id AS "user_id!: i64", o.offered_ms AS "offered_ms!: i64",
                      o.expires_ms AS "expires_ms!: i64", o.state
               FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq WHERE o.id = ?"#,
            id
        )
        .fetch_optional(self.pool())
        .await?)
    }

    async fn open_offer_for(&self, user_id: i64) -> Result<Option<OfferRecord>> {
        Ok(sqlx::query_as!(
            OfferRecord,
            r#"SELECT o.id AS "id!: i64", o.handoff_seq AS "handoff_seq!: i64", h.handoff_id, o.user_id AS "user_id!: i64", o.offered_ms AS "offered_ms!: i64",
                      o.expires_ms AS "expires_ms!: i64", o.state
               FROM offers o JOIN handoffs h ON h.seq = o.handoff_seq WHERE o.user_id = ? AND o.state = 'open'"#,
            user_id
        )
        .fetch_optional(self.pool())
        .await?)
    }
}
