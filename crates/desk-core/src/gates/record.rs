//! A tool call as the stores keep it, and what a change writes. Both stores read the
//! `tool_call_rows` view (the call joined with its escalation and the people named on it), so
//! one record type serves both.

use serde_json::{Map, Value};

use super::executor::{self, ExecOutcome};
use super::lifecycle::{Call, CallState};
use super::policy::Decision;
use super::tools::params_sha256;
use super::{Gates, Origin, ToolCallView};

/// One row of `tool_call_rows`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CallRecord {
    pub id: String,
    pub handoff_id: String,
    pub tool: String,
    /// Canonical JSON.
    pub params: String,
    pub params_sha256: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_by_username: String,
    pub origin: String,
    pub flags: String,
    pub decision: String,
    pub rule_id: String,
    pub rule_reason: String,
    pub rule_matched: String,
    pub policy_version: String,
    pub policy_sha256: String,
    pub state: String,
    pub approved_by: Option<i64>,
    pub approved_by_name: Option<String>,
    pub approved_sha256: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub expires_at_ms: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decision_reason: Option<String>,
    pub attempts: i64,
    pub http_status: Option<i64>,
    pub outcome: Option<String>,
    pub retryable: bool,
    pub escalated_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A call to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCallRecord {
    pub id: String,
    pub handoff_id: String,
    pub tool: String,
    pub params: String,
    pub params_sha256: String,
    pub requested_by: i64,
    pub origin: &'static str,
    pub flags: String,
    pub decision: &'static str,
    pub rule_id: String,
    pub rule_reason: String,
    pub rule_matched: String,
    pub policy_version: String,
    pub policy_sha256: String,
    pub state: &'static str,
    pub approved_sha256: Option<String>,
    pub expires_at_ms: i64,
    pub created_at_ms: i64,
}

/// What a transition writes. `None` fields keep what is stored; the write applies only while
/// the stored state is still `expected_state` (compare-and-set).
#[derive(Debug, Clone, PartialEq)]
pub struct CallUpdate {
    pub expected_state: &'static str,
    pub state: &'static str,
    pub approved_by: Option<i64>,
    pub approved_sha256: Option<String>,
    pub expires_at_ms: i64,
    pub attempts: i64,
    pub retryable: bool,
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub executed_at_ms: Option<i64>,
    pub http_status: Option<i64>,
    pub outcome: Option<String>,
    pub escalated_at_ms: Option<i64>,
    pub updated_at_ms: i64,
}

/// Fields a transition writes beside the machine's own.
#[derive(Debug, Default)]
pub struct Extra {
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub executed_at_ms: Option<i64>,
    pub outcome: Option<ExecOutcome>,
    pub escalated_at_ms: Option<i64>,
}

impl CallUpdate {
    /// The machine's next state over the record it came from, with the extra fields.
    pub fn of(from: &CallRecord, next: &Call, extra: Extra, now: i64) -> Self {
        CallUpdate {
            expected_state: from.machine().state.as_str(),
            state: next.state.as_str(),
            approved_by: next.approved_by,
            approved_sha256: next.approved_sha256.clone(),
            expires_at_ms: next.expires_at_ms,
            attempts: next.attempts as i64,
            retryable: next.retryable,
            decided_by: extra.decided_by,
            decision_reason: extra.decision_reason,
            approved_at_ms: extra.approved_at_ms,
            executed_at_ms: extra.executed_at_ms,
            http_status: extra.outcome.as_ref().and_then(|o| o.status).map(i64::from),
            outcome: extra.outcome.map(|o| o.detail),
            escalated_at_ms: extra.escalated_at_ms,
            updated_at_ms: now,
        }
    }
}

/// Which calls to list.
#[derive(Debug, Clone, PartialEq)]
pub enum CallQuery {
    /// Every call on an escalation, oldest first.
    OnHandoff(String),
    /// Pending requests, the longest-waiting escalation first.
    Pending,
    /// Decided and expired requests for approval, newest first.
    ApprovalHistory { limit: i64 },
    /// Left executing (by a crash), oldest first.
    Executing,
    /// Approved and not yet started, oldest first.
    ApprovedNotStarted,
    /// Proposed, pending or approved, and past their expiry.
    DueToExpire { now: i64 },
}

impl CallRecord {
    pub fn params(&self) -> Map<String, Value> {
        serde_json::from_str(&self.params).unwrap_or_default()
    }

    pub fn state(&self) -> CallState {
        CallState::parse(&self.state).unwrap_or(CallState::Failed)
    }

    /// What the state machine knows about this call.
    pub fn machine(&self) -> Call {
        Call {
            state: self.state(),
            decision: Decision::parse(&self.decision).unwrap_or(Decision::Deny),
            requested_by: self.requested_by,
            // Recomputed from the stored parameters: a changed parameter voids the approval.
            params_sha256: params_sha256(&self.params()),
            approved_by: self.approved_by,
            approved_sha256: self.approved_sha256.clone(),
            expires_at_ms: self.expires_at_ms.unwrap_or(0),
            attempts: self.attempts as u32,
            retryable: self.retryable,
        }
    }

    /// The call as people see it.
    pub fn view(&self, gates: &Gates, base_url: &str) -> ToolCallView {
        let params = self.params();
        let spec = gates.tools.get(&self.tool);
        let request_line = match spec {
            Some(s) => format!("{} {}", s.method, executor::request_url(base_url, s, &params)),
            None => "(tool no longer in the catalogue)".into(),
        };
        ToolCallView {
            id: self.id.clone(),
            handoff_id: self.handoff_id.clone(),
            tool: self.tool.clone(),
            tool_title: spec.map(|s| s.title.clone()).unwrap_or_else(|| self.tool.clone()),
            amount: params.get("amount").and_then(Value::as_str).map(str::to_owned),
            currency: params.get("currency").and_then(Value::as_str).map(str::to_owned),
            params,
            params_sha256: self.params_sha256.clone(),
            request_line,
            origin: if self.origin == "bot" { Origin::Bot } else { Origin::Agent },
            flags: serde_json::from_str(&self.flags).unwrap_or_default(),
            decision: Decision::parse(&self.decision).unwrap_or(Decision::Deny),
            rule_id: self.rule_id.clone(),
            rule_reason: self.rule_reason.clone(),
            rule_matched: serde_json::from_str(&self.rule_matched).unwrap_or_default(),
            policy_version: self.policy_version.clone(),
            policy_sha256: self.policy_sha256.clone(),
            state: self.state(),
            requested_by_id: self.requested_by,
            requested_by: self.requested_by_name.clone(),
            requested_by_username: self.requested_by_username.clone(),
            approved_by: self.approved_by_name.clone(),
            approved_at_ms: self.approved_at_ms,
            expires_at_ms: self.expires_at_ms,
            decided_by: self.decided_by_name.clone(),
            decision_reason: self.decision_reason.clone(),
            attempts: self.attempts,
            http_status: self.http_status.map(|s| s as u16),
            outcome: self.outcome.clone(),
            retryable: self.retryable,
            escalated_at_ms: self.escalated_at_ms,
            escalatable_at_ms: (self.state() == CallState::Pending).then_some(self.created_at_ms + gates.pending_sla_ms),
            created_at_ms: self.created_at_ms,
            updated_at_ms: self.updated_at_ms,
        }
    }
}
