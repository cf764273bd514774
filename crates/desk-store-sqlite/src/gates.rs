//! Tool calls on SQLite. A transition runs in one `BEGIN IMMEDIATE` transaction: the row it
//! depends on is read under SQLite's write lock, and the write is compare-and-set on the state
//! that was read.

use async_trait::async_trait;

use super::audit::append_in;
use super::{Result, Store};
use desk_core::gates::record::{CallQuery, CallRecord, NewCallRecord};
use desk_core::gates::GateError;
use desk_core::storage::{Decide, GateStore, NewAuditEvent};

#[async_trait]
impl GateStore for Store {
    async fn insert_call(&self, c: &NewCallRecord, audit: &[NewAuditEvent]) -> std::result::Result<(), GateError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query!(
            "INSERT INTO tool_calls (id, handoff_seq, tool, params, params_sha256, requested_by, origin, flags, decision, rule_id,
             rule_reason, rule_matched, policy_version, policy_sha256, state, approved_sha256, expires_at_ms, created_at_ms, updated_at_ms)
             SELECT ?, seq, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM handoffs WHERE handoff_id = ?",
            c.id,
            c.tool,
            c.params,
            c.params_sha256,
            c.requested_by,
            c.origin,
            c.flags,
            c.decision,
            c.rule_id,
            c.rule_reason,
            c.rule_matched,
            c.policy_version,
            c.policy_sha256,
            c.state,
            c.approved_sha256,
            c.expires_at_ms,
            c.created_at_ms,
            c.created_at_ms,
            c.handoff_id
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(GateError::Store(super::StoreError::NotFound(c.handoff_id.clone())));
        }
        for e in audit {
            append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn call(&self, id: &str) -> Result<Option<CallRecord>> {
        Ok(sqlx::query_as::<_, CallRecord>("SELECT * FROM tool_call_rows WHERE id = ?").bind(id).fetch_optional(self.pool()).await?)
    }

    async fn calls(&self, q: &CallQuery) -> Result<Vec<CallRecord>> {
        let rows = match q {
            CallQuery::OnHandoff(h) => {
                sqlx::query_as::<_, CallRecord>("SELECT * FROM tool_call_rows WHERE handoff_id = ? ORDER BY created_at_ms").bind(h).fetch_all(self.pool()).await?
            }
            CallQuery::Pending => {
                sqlx::query_as("SELECT * FROM tool_call_rows WHERE state = 'pending' ORDER BY handoff_escalated_ms, created_at_ms").fetch_all(self.pool()).await?
            }
            CallQuery::ApprovalHistory { limit } => {
                sqlx::query_as("SELECT * FROM tool_call_rows WHERE decision = 'approve' AND state <> 'pending' ORDER BY updated_at_ms DESC LIMIT ?")
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
            }
            CallQuery::Executing => sqlx::query_as("SELECT * FROM tool_call_rows WHERE state = 'executing' ORDER BY created_at_ms").fetch_all(self.pool()).await?,
            CallQuery::ApprovedNotStarted => {
                sqlx::query_as("SELECT * FROM tool_call_rows WHERE state = 'approved' AND attempts = 0 ORDER BY created_at_ms").fetch_all(self.pool()).await?
            }
            CallQuery::DueToExpire { now } => {
                sqlx::query_as("SELECT * FROM tool_call_rows WHERE state IN ('proposed', 'pending', 'approved') AND expires_at_ms <= ? ORDER BY created_at_ms")
                    .bind(now)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        Ok(rows)
    }

    async fn update_call(&self, id: &str, decide: Decide<'_>) -> std::result::Result<CallRecord, GateError> {
        let mut tx = self.begin_write().await?;
        let current = sqlx::query_as::<_, CallRecord>("SELECT * FROM tool_call_rows WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| GateError::NotFound(id.to_owned()))?;
        let (u, audit) = decide(&current)?;
        let written = sqlx::query!(
            "UPDATE tool_calls SET state = ?, approved_by = ?, approved_sha256 = ?, expires_at_ms = ?, attempts = ?, retryable = ?,
             decided_by = COALESCE(?, decided_by), decision_reason = COALESCE(?, decision_reason),
             approved_at_ms = COALESCE(?, approved_at_ms), executed_at_ms = COALESCE(?, executed_at_ms),
             http_status = COALESCE(?, http_status), outcome = COALESCE(?, outcome),
             escalated_at_ms = COALESCE(?, escalated_at_ms), updated_at_ms = ?
             WHERE id = ? AND state = ?",
            u.state,
            u.approved_by,
            u.approved_sha256,
            u.expires_at_ms,
            u.attempts,
            u.retryable,
            u.decided_by,
            u.decision_reason,
            u.approved_at_ms,
            u.executed_at_ms,
            u.http_status,
            u.outcome,
            u.escalated_at_ms,
            u.updated_at_ms,
            id,
            u.expected_state
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if written != 1 {
            return Err(GateError::Conflict(format!("tool call {id} changed while it was being updated")));
        }
        for e in &audit {
            append_in(&mut tx, e).await?;
        }
        let after = sqlx::query_as::<_, CallRecord>("SELECT * FROM tool_call_rows WHERE id = ?").bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(after)
    }
}
