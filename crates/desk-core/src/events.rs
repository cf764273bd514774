//! What changed, in commit order, for clients that follow a desk live (the team server's
//! `GET /v1/events`). The stores write one event per changed row of the escalations, tool calls,
//! drafts, replies and the quarantine, by trigger, in the same transaction as the change; a
//! client that reconnects with the last position it saw gets everything after it, in order, once.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::storage::Database;

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::FromRow)]
pub struct DeskEvent {
    #[ts(type = "number")]
    pub id: i64,
    /// The writing transaction (PostgreSQL; 0 on SQLite): with `id`, the delivery order.
    #[ts(type = "number")]
    pub txid: i64,
    #[ts(type = "number")]
    pub at_ms: i64,
    /// `handoff.arrived`, `handoff.changed`, `tool_call.changed`, `draft.changed`,
    /// `reply.changed`, `quarantine.added`.
    pub kind: String,
    /// The changed row: a handoff id, a tool call, draft or reply id, or a quarantine number.
    pub subject: String,
    /// The escalation it belongs to, when it belongs to one.
    pub handoff_id: Option<String>,
}

impl DeskEvent {
    pub fn position(&self) -> EventPosition {
        EventPosition { txid: self.txid, id: self.id }
    }
}

/// A position in the event stream: events are delivered in `(txid, id)` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventPosition {
    pub txid: i64,
    pub id: i64,
}

impl std::fmt::Display for EventPosition {
    /// As sent in an SSE `id:` line and read back from `Last-Event-ID`: `txid.id`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.txid, self.id)
    }
}

impl std::str::FromStr for EventPosition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (t, i) = s.trim().split_once('.').ok_or_else(|| format!("not an event position: {s:?}"))?;
        let parse = |v: &str| v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| format!("not an event position: {s:?}"));
        Ok(EventPosition { txid: parse(t)?, id: parse(i)? })
    }
}

/// The events after `after`, in order, for someone who may see the queue.
pub async fn page(db: &dyn Database, by: &Session, after: EventPosition, limit: i64, now: i64) -> Result<Vec<DeskEvent>, PeopleError> {
    by.authorize(Permission::ViewQueue, now)?;
    Ok(db.events_after(after, limit.clamp(1, 1000)).await?)
}

/// The meta key of the last position pruned: a follower behind it may have missed events.
const PRUNED_THROUGH: &str = "events.pruned_through";

/// What the stream tells a follower whose position is older than what is kept: it may have
/// missed events, so it reads everything again and follows from the position this event carries.
pub const RESET: &str = "stream.reset";

/// Retention: deletes the events written before `before_ms`. The position pruned through is
/// recorded first, so that a crash between the two steps can only cause a needless reset, never
/// a silent gap.
pub async fn prune(db: &dyn Database, before_ms: i64) -> Result<u64, crate::store::StoreError> {
    let Some(upto) = db.events_last_before(before_ms).await? else { return Ok(0) };
    if upto > pruned_through(db).await? {
        db.set_meta(PRUNED_THROUGH, &upto.to_string()).await?;
    }
    db.delete_events_through(upto, before_ms).await
}

async fn pruned_through(db: &dyn Database) -> Result<EventPosition, crate::store::StoreError> {
    Ok(db.meta(PRUNED_THROUGH).await?.and_then(|s| s.parse().ok()).unwrap_or_default())
}

/// Whether everything after `after` is still kept (otherwise the follower gets a [`RESET`]).
pub async fn replayable(db: &dyn Database, after: EventPosition) -> Result<bool, crate::store::StoreError> {
    Ok(after >= pruned_through(db).await?)
}

/// Prunes what is older than `keep`, every `every`, for as long as the task runs.
pub async fn keep_for(db: std::sync::Arc<dyn Database>, keep: std::time::Duration, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let before = crate::people::now_ms() - keep.as_millis() as i64;
        match prune(&*db, before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "old events pruned"),
            Err(e) => tracing::warn!(error = %e, "pruning old events failed; trying again later"),
        }
    }
}

/// Where a new follower starts: after the last event delivered so far.
pub async fn head(db: &dyn Database, by: &Session, now: i64) -> Result<EventPosition, PeopleError> {
    by.authorize(Permission::ViewQueue, now)?;
    Ok(db.events_head().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_order() {
        let p = EventPosition { txid: 812, id: 40 };
        assert_eq!(p.to_string().parse::<EventPosition>(), Ok(p));
        assert!(EventPosition { txid: 811, id: 99 } < p, "the transaction orders first");
        for bad in ["", "12", "a.b", "-1.3", "1.2.3"] {
            assert!(bad.parse::<EventPosition>().is_err(), "{bad}");
        }
    }
}
