//! Claims on SQLite: one conditional `UPDATE` each; when it changes nothing, the holder is read
//! in the same transaction to say who has it.

use async_trait::async_trait;

use super::{Result, Store, StoreError};
use desk_core::storage::{ClaimOutcome, ClaimStore};

impl Store {
    async fn holder_in(conn: &mut sqlx::SqliteConnection, handoff_id: &str) -> Result<Option<(i64, String)>> {
        let r = sqlx::query!(
            r#"SELECT h.claimed_by AS "uid?: i64", u.display_name AS "name?"
               FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by WHERE h.handoff_id = ?"#,
            handoff_id
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(handoff_id.to_owned()))?;
        Ok(r.uid.map(|u| (u, r.name.unwrap_or_default())))
    }
}

#[async_trait]
impl ClaimStore for Store {
    async fn claim(&self, handoff_id: &str, user_id: i64, now: i64, take_over: bool) -> Result<ClaimOutcome> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query!(
            "UPDATE handoffs SET claimed_by = ?, claimed_at_ms = CASE WHEN claimed_by IS ? THEN claimed_at_ms ELSE ? END
             WHERE handoff_id = ? AND (claimed_by IS NULL OR claimed_by = ? OR ?)",
            user_id,
            user_id,
            now,
            handoff_id,
            user_id,
            take_over
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let out = if n == 1 { ClaimOutcome::Taken } else { ClaimOutcome::from_holder(Self::holder_in(&mut tx, handoff_id).await?) };
        tx.commit().await?;
        Ok(out)
    }

    async fn release(&self, handoff_id: &str, user_id: i64, any_holder: bool) -> Result<ClaimOutcome> {
        let mut tx = self.begin_write().await?;
        sqlx::query!(
            "UPDATE handoffs SET claimed_by = NULL, claimed_at_ms = NULL WHERE handoff_id = ? AND (claimed_by = ? OR ?)",
            handoff_id,
            user_id,
            any_holder
        )
        .execute(&mut *tx)
        .await?;
        let out = ClaimOutcome::from_holder(Self::holder_in(&mut tx, handoff_id).await?.filter(|(holder, _)| *holder != user_id));
        tx.commit().await?;
        Ok(out)
    }

    async fn claim_holder(&self, handoff_id: &str) -> Result<Option<(i64, String)>> {
        let mut conn = self.pool().acquire().await?;
        Self::holder_in(&mut conn, handoff_id).await
    }
}
