//! Claiming escalations: an agent takes one so others see who has it. Taking over someone
//! else's claim needs [`Permission::ReassignHandoff`]. Each claim is one conditional update in
//! the store ([`ClaimStore`]), so when two desks claim at once one wins and the other is told who.

use crate::people::{PeopleError, Permission, Session};
use crate::storage::{ClaimOutcome, ClaimStore};

/// Claims an escalation for the session's user. Claiming one that someone else holds is
/// refused unless the user may reassign.
pub async fn claim(db: &dyn ClaimStore, by: &Session, handoff_id: &str, now: i64) -> Result<(), PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    let uid = by.actor.user_id;
    match db.claim(handoff_id, uid, now, by.actor.can(Permission::ReassignHandoff)).await? {
        ClaimOutcome::Taken => {
            tracing::info!(user_id = uid, handoff_id, "claimed");
            Ok(())
        }
        ClaimOutcome::HeldBy { name, .. } => Err(PeopleError::Conflict(format!("{name} has already claimed this escalation."))),
    }
}

/// Releases a claim: one's own, or anyone's with [`Permission::ReassignHandoff`].
pub async fn release(db: &dyn ClaimStore, by: &Session, handoff_id: &str, now: i64) -> Result<(), PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    match db.release(handoff_id, by.actor.user_id, by.actor.can(Permission::ReassignHandoff)).await? {
        ClaimOutcome::Taken => Ok(()),
        ClaimOutcome::HeldBy { name, .. } => Err(PeopleError::Conflict(format!("Only {name} or a supervisor can release this claim."))),
    }
}

/// Who holds an escalation: (user id, display name).
pub async fn holder(db: &dyn ClaimStore, by: &Session, handoff_id: &str, now: i64) -> Result<Option<(i64, String)>, PeopleError> {
    by.authorize(Permission::ViewQueue, now)?;
    Ok(db.claim_holder(handoff_id).await?)
}
