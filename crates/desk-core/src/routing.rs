//! Routing's first part: agents set themselves available or away, and supervisors see the team:
//! who is available, since when, and how many escalations each holds. (Offering escalations to
//! available agents with matching skills builds on this.)

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Role, Session};
use crate::storage::Database;

/// One's own availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Availability {
    pub available: bool,
    /// Since when (`None`: never set, which counts as away).
    #[ts(type = "number | null")]
    pub since_ms: Option<i64>,
}

/// One person on the team board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamMember {
    #[ts(type = "number")]
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub available: bool,
    #[ts(type = "number | null")]
    pub since_ms: Option<i64>,
    /// Escalations claimed by them now.
    #[ts(type = "number")]
    pub holding: i64,
}

/// An agent says whether they take escalations now.
pub async fn set_available(db: &dyn Database, by: &Session, available: bool, now: i64) -> Result<Availability, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    db.set_available(by.actor.user_id, available, now).await?;
    mine(db, by, now).await
}

/// The signed-in agent's availability.
pub async fn mine(db: &dyn Database, by: &Session, now: i64) -> Result<Availability, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    let row = db.availability().await?.into_iter().find(|(u, _, _)| *u == by.actor.user_id);
    Ok(match row {
        Some((_, available, since)) => Availability { available, since_ms: Some(since) },
        None => Availability { available: false, since_ms: None },
    })
}

/// Everyone active who can take escalations: available first, then who holds the fewest, then
/// by name. For supervisors, who may reassign.
pub async fn team(db: &dyn Database, by: &Session, now: i64) -> Result<Vec<TeamMember>, PeopleError> {
    by.authorize(Permission::ReassignHandoff, now)?;
    let availability = db.availability().await?;
    let held = db.claims_held().await?;
    let mut board: Vec<TeamMember> = db
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.iter().any(|r| r.grants(Permission::ClaimHandoff)))
        .map(|u| {
            let a = availability.iter().find(|(id, _, _)| *id == u.id);
            TeamMember {
                user_id: u.id,
                holding: held.iter().find(|(id, _)| *id == u.id).map(|(_, n)| *n).unwrap_or(0),
                available: a.is_some_and(|(_, av, _)| *av),
                since_ms: a.map(|(_, _, s)| *s),
                username: u.username,
                display_name: u.display_name,
                roles: u.roles,
            }
        })
        .collect();
    board.sort_by(|a, b| b.available.cmp(&a.available).then(a.holding.cmp(&b.holding)).then_with(|| a.display_name.cmp(&b.display_name)));
    Ok(board)
}
