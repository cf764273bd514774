//! Claiming escalations: an agent takes one so others see who has it. Taking over someone
//! else's claim needs [`Permission::ReassignHandoff`].

use crate::people::{PeopleError, Permission, Session};
use crate::Store;

impl Store {
    /// Claims an escalation for the session's user. Claiming one that someone else holds is
    /// refused unless the user may reassign.
    pub async fn claim(&self, by: &Session, handoff_id: &str, now: i64) -> Result<(), PeopleError> {
        by.authorize(Permission::ClaimHandoff, now)?;
        let current = self.claim_of(handoff_id).await?;
        if let Some((holder, name)) = current {
            if holder == by.actor.user_id {
                return Ok(());
            }
            if !by.actor.can(Permission::ReassignHandoff) {
                return Err(PeopleError::Conflict(format!("{name} has already claimed this escalation.")));
            }
        }
        let uid = by.actor.user_id;
        sqlx::query!("UPDATE handoffs SET claimed_by = ?, claimed_at_ms = ? WHERE handoff_id = ?", uid, now, handoff_id)
            .execute(self.pool())
            .await?;
        tracing::info!(user_id = uid, handoff_id, "claimed");
        Ok(())
    }

    /// Releases a claim: one's own, or anyone's with [`Permission::ReassignHandoff`].
    pub async fn release(&self, by: &Session, handoff_id: &str, now: i64) -> Result<(), PeopleError> {
        by.authorize(Permission::ClaimHandoff, now)?;
        if let Some((holder, name)) = self.claim_of(handoff_id).await? {
            if holder != by.actor.user_id && !by.actor.can(Permission::ReassignHandoff) {
                return Err(PeopleError::Conflict(format!("Only {name} or a supervisor can release this claim.")));
            }
        }
        sqlx::query!("UPDATE handoffs SET claimed_by = NULL, claimed_at_ms = NULL WHERE handoff_id = ?", handoff_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Who holds an escalation: (user id, display name).
    pub async fn claim_of(&self, handoff_id: &str) -> Result<Option<(i64, String)>, PeopleError> {
        let r = sqlx::query!(
            r#"SELECT h.claimed_by AS "uid?: i64", u.display_name AS "name?"
               FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by WHERE h.handoff_id = ?"#,
            handoff_id
        )
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| PeopleError::Store(crate::store::StoreError::NotFound(handoff_id.to_owned())))?;
        Ok(r.uid.map(|u| (u, r.name.unwrap_or_default())))
    }
}
