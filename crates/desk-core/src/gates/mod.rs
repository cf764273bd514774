//! Approval gates: high-risk tool calls wait for a supervisor, execute exactly once against the
//! backend, and every step lands in the audit log in the same transaction as the state change.
//!
//! * [`tools`]: the catalogue and the parameter schema.
//! * [`policy`]: the risk policy (allow | confirm | approve | deny, with the matching rule).
//! * [`lifecycle`]: the pure state machine.
//! * [`executor`]: HTTP with an `Idempotency-Key` equal to the call's id.
//!
//! This module is the driver: it loads a call, applies an event through the state machine,
//! writes the new state and the audit events in one transaction, and only after that commit
//! sends anything over the network.

pub mod executor;
pub mod lifecycle;
pub mod policy;
pub mod tools;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::audit::{self, user_actor};
use crate::handoff::{FieldError, TurnRole};
use crate::people::{PeopleError, Permission, Session};
use crate::store::{Store, StoreError};
use executor::{ExecOutcome, ToolExecutor};
use lifecycle::{Call, CallState, Effect, Event, Refusal};
use policy::{Decision, Flag, Policy, PolicyInput};
use tools::{params_sha256, canonical_params, money_minor, ToolSpec, Tools};

/// The gate's configuration: catalogue, policy, and how long requests and approvals live.
#[derive(Debug, Clone)]
pub struct Gates {
    pub tools: Tools,
    pub policy: Policy,
    /// How long a proposal or a pending request waits before it expires.
    pub request_ttl_ms: i64,
    /// How long an approval may be used.
    pub approval_ttl_ms: i64,
    /// A pending request older than this is highlighted as overdue.
    pub pending_sla_ms: i64,
}

impl Default for Gates {
    fn default() -> Self {
        Self {
            tools: Tools::embedded(),
            policy: Policy::embedded(),
            request_ttl_ms: 30 * 60 * 1000,
            approval_ttl_ms: 30 * 60 * 1000,
            pending_sla_ms: 5 * 60 * 1000,
        }
    }
}

/// Why a gate operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    People(#[from] PeopleError),
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("The parameters do not fit {tool}: {}", .errors.iter().map(|e| format!("{} {}", e.path, e.message)).collect::<Vec<_>>().join("; "))]
    InvalidParams { tool: String, errors: Vec<FieldError> },
    #[error("No tool call {0}.")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for GateError {
    fn from(e: sqlx::Error) -> Self {
        GateError::Store(e.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Proposed by an agent in the conversation view.
    Agent,
    /// Proposed by the bot (a pending attempted action) and forwarded by an agent.
    Bot,
}

/// A tool call to propose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProposeInput {
    pub handoff_id: String,
    pub tool: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    pub origin: Origin,
    /// The agent suspects fraud on this conversation.
    pub fraud_suspected: bool,
}

/// A tool call as people see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ToolCallView {
    pub id: String,
    pub handoff_id: String,
    pub tool: String,
    pub tool_title: String,
    /// Exactly as they will be sent.
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    pub params_sha256: String,
    /// The request as it will be sent: method and URL.
    pub request_line: String,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub origin: Origin,
    pub flags: Vec<Flag>,
    pub decision: Decision,
    pub rule_id: String,
    pub rule_reason: String,
    pub rule_matched: Vec<String>,
    pub policy_version: String,
    pub policy_sha256: String,
    pub state: CallState,
    #[ts(type = "number")]
    pub requested_by_id: i64,
    pub requested_by: String,
    pub requested_by_username: String,
    pub approved_by: Option<String>,
    #[ts(type = "number | null")]
    pub approved_at_ms: Option<i64>,
    #[ts(type = "number | null")]
    pub expires_at_ms: Option<i64>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    pub http_status: Option<u16>,
    pub outcome: Option<String>,
    pub retryable: bool,
    /// When the requester escalated this overdue request to all supervisors.
    #[ts(type = "number | null")]
    pub escalated_at_ms: Option<i64>,
    /// From when a pending request may be escalated (it waited past the gate's SLA).
    #[ts(type = "number | null")]
    pub escalatable_at_ms: Option<i64>,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number")]
    pub updated_at_ms: i64,
}

/// A pending approval in the supervisor's queue, with the context to decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PendingApproval {
    pub call: ToolCallView,
    pub summary: String,
    pub customer: String,
    pub intent: String,
    pub priority: crate::handoff::Priority,
    /// How long the customer has waited since the escalation.
    #[ts(type = "number")]
    pub customer_waiting_ms: i64,
    /// How long the request has waited for a supervisor.
    #[ts(type = "number")]
    pub request_waiting_ms: i64,
    /// Waited longer than the gate's SLA.
    pub overdue: bool,
    /// Approving it asks for the password again (amount above the step-up threshold).
    pub needs_step_up: bool,
}

/// Where the executing process can be stopped in a crash test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The execution is recorded; nothing was sent yet.
    BeforeSend,
    /// The backend answered (it has committed); the outcome is not recorded yet.
    AfterResponse,
    /// The outcome is recorded.
    AfterRecord,
}

/// A hook called at each [`CrashPoint`] (tests kill the process there; the app does nothing).
pub type Hook<'a> = &'a (dyn Fn(CrashPoint) + Send + Sync);
pub fn no_hook(_: CrashPoint) {}

fn new_call_id() -> String {
    use sha2::{Digest, Sha256};
    let seed = format!("{:?}{:?}", std::time::SystemTime::now(), std::thread::current().id());
    let n: u64 = rand_u64();
    format!("tc_{}", &hex::encode(Sha256::digest(format!("{seed}{n}").as_bytes()))[..20])
}

fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source");
    u64::from_le_bytes(b)
}

/// Derives the policy's flags from the conversation: never typed by the UI.
fn derive_flags(h: &crate::handoff::Handoff, params: &Map<String, Value>, fraud_suspected: bool) -> Vec<Flag> {
    let mut flags = vec![];
    let collected_fraud = h.collected_fields.get("fraud_suspected").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if fraud_suspected || collected_fraud {
        flags.push(Flag::FraudSuspected);
    }
    if !h.customer.verified {
        flags.push(Flag::UnverifiedIdentity);
    }
    let customer_text: Vec<String> = h.transcript.iter().filter(|t| t.role == TurnRole::Customer).map(|t| t.text.to_lowercase()).collect();
    let from_customer = params.values().filter_map(Value::as_str).map(|s| s.trim().to_lowercase()).filter(|s| s.chars().count() >= 6).any(|s| customer_text.iter().any(|t| t.contains(&s)));
    if from_customer {
        flags.push(Flag::ParamsFromCustomerText);
    }
    flags
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: String,
    handoff_id: String,
    tool: String,
    params: String,
    params_sha256: String,
    requested_by: i64,
    requested_by_name: String,
    requested_by_username: String,
    origin: String,
    flags: String,
    decision: String,
    rule_id: String,
    rule_reason: String,
    rule_matched: String,
    policy_version: String,
    policy_sha256: String,
    state: String,
    approved_by: Option<i64>,
    approved_by_name: Option<String>,
    approved_sha256: Option<String>,
    approved_at_ms: Option<i64>,
    expires_at_ms: Option<i64>,
    decided_by_name: Option<String>,
    decision_reason: Option<String>,
    attempts: i64,
    http_status: Option<i64>,
    outcome: Option<String>,
    retryable: i64,
    escalated_at_ms: Option<i64>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

const SELECT_CALL: &str = "SELECT c.id, h.handoff_id, c.tool, c.params, c.params_sha256, c.requested_by, \
    ru.display_name AS requested_by_name, ru.username AS requested_by_username, c.origin, c.flags, c.decision, c.rule_id, c.rule_reason, c.rule_matched, \
    c.policy_version, c.policy_sha256, c.state, c.approved_by, au.display_name AS approved_by_name, c.approved_sha256, \
    c.approved_at_ms, c.expires_at_ms, du.display_name AS decided_by_name, c.decision_reason, c.attempts, c.http_status, \
    c.outcome, c.retryable, c.escalated_at_ms, c.created_at_ms, c.updated_at_ms \
    FROM tool_calls c JOIN handoffs h ON h.seq = c.handoff_seq JOIN users ru ON ru.id = c.requested_by \
    LEFT JOIN users au ON au.id = c.approved_by LEFT JOIN users du ON du.id = c.decided_by";

impl CallRow {
    fn params(&self) -> Map<String, Value> {
        serde_json::from_str(&self.params).unwrap_or_default()
    }

    fn machine(&self) -> Call {
        Call {
            state: CallState::parse(&self.state).unwrap_or(CallState::Failed),
            decision: Decision::parse(&self.decision).unwrap_or(Decision::Deny),
            requested_by: self.requested_by,
            // Recomputed from the stored parameters: a changed parameter voids the approval.
            params_sha256: params_sha256(&self.params()),
            approved_by: self.approved_by,
            approved_sha256: self.approved_sha256.clone(),
            expires_at_ms: self.expires_at_ms.unwrap_or(0),
            attempts: self.attempts as u32,
            retryable: self.retryable != 0,
        }
    }

    fn view(&self, gates: &Gates, base_url: &str) -> ToolCallView {
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
            state: CallState::parse(&self.state).unwrap_or(CallState::Failed),
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
            retryable: self.retryable != 0,
            escalated_at_ms: self.escalated_at_ms,
            escalatable_at_ms: (self.state == "pending").then_some(self.created_at_ms + gates.pending_sla_ms),
            created_at_ms: self.created_at_ms,
            updated_at_ms: self.updated_at_ms,
        }
    }
}

/// What the executor needs to send a call.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: String,
    pub spec: ToolSpec,
    pub params: Map<String, Value>,
}

/// Extra fields written with a transition.
#[derive(Default)]
struct Extra {
    decided_by: Option<i64>,
    decision_reason: Option<String>,
    approved_at_ms: Option<i64>,
    executed_at_ms: Option<i64>,
    outcome: Option<ExecOutcome>,
}

impl Store {
    async fn call_row(&self, id: &str) -> Result<CallRow, GateError> {
        sqlx::query_as::<_, CallRow>(&format!("{SELECT_CALL} WHERE c.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| GateError::NotFound(id.to_owned()))
    }

    /// One tool call.
    pub async fn tool_call(&self, gates: &Gates, base_url: &str, id: &str) -> Result<ToolCallView, GateError> {
        Ok(self.call_row(id).await?.view(gates, base_url))
    }

    /// Applies an event to a call: new state and audit events in one transaction.
    async fn transition(&self, id: &str, event: Event, actor: &str, now: i64, extra: Extra) -> Result<(Call, Vec<Effect>), GateError> {
        let _guard = self.write_lock().await;
        let row = self.call_row(id).await?;
        let (next, effects) = row.machine().apply(&event)?;
        let mut tx = self.begin_write().await?;
        let state = next.state.as_str();
        let attempts = next.attempts as i64;
        let retryable = next.retryable as i64;
        let http_status = extra.outcome.as_ref().and_then(|o| o.status).map(|s| s as i64);
        let outcome_text = extra.outcome.as_ref().map(|o| o.detail.clone());
        sqlx::query(
            "UPDATE tool_calls SET state = ?, approved_by = ?, approved_sha256 = ?, expires_at_ms = ?, attempts = ?, retryable = ?, \
             decided_by = COALESCE(?, decided_by), decision_reason = COALESCE(?, decision_reason), \
             approved_at_ms = COALESCE(?, approved_at_ms), executed_at_ms = COALESCE(?, executed_at_ms), \
             http_status = COALESCE(?, http_status), outcome = COALESCE(?, outcome), updated_at_ms = ? WHERE id = ?",
        )
        .bind(state)
        .bind(next.approved_by)
        .bind(&next.approved_sha256)
        .bind(next.expires_at_ms)
        .bind(attempts)
        .bind(retryable)
        .bind(extra.decided_by)
        .bind(&extra.decision_reason)
        .bind(extra.approved_at_ms)
        .bind(extra.executed_at_ms)
        .bind(http_status)
        .bind(&outcome_text)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for e in &effects {
            if let Effect::Audit(kind) = e {
                let payload = json!({
                    "tool": row.tool, "handoff_id": row.handoff_id, "params_sha256": row.params_sha256,
                    "state": state, "attempt": next.attempts, "reason": extra.decision_reason,
                    "http_status": http_status, "outcome": outcome_text,
                });
                audit::append(&mut tx, now, actor, kind, id, &payload).await?;
            }
        }
        tx.commit().await?;
        Ok((next, effects))
    }

    /// Proposes a tool call on an escalation. The parameters must fit the tool's schema; the
    /// policy decides what happens next, and the decision, the rule and the policy's hash are
    /// stored and audited.
    pub async fn propose_tool_call(&self, gates: &Gates, by: &Session, input: ProposeInput, now: i64) -> Result<String, GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let spec = gates.tools.get(&input.tool).cloned();
        gates.tools.validate(&input.tool, &input.params).map_err(|errors| GateError::InvalidParams { tool: input.tool.clone(), errors })?;
        let spec = spec.expect("validated tool exists");
        let stored = self.handoff(&input.handoff_id).await?;
        let flags = derive_flags(&stored.handoff, &input.params, input.fraud_suspected);
        let decision = gates.policy.evaluate(&PolicyInput { tool: &spec, params: &input.params, tier: stored.handoff.customer.tier.as_deref(), flags: &flags });
        let sha = params_sha256(&input.params);
        let (call, effects) = Call::new(decision.decision, by.actor.user_id, sha.clone(), now, gates.request_ttl_ms);
        let id = new_call_id();
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let _guard = self.write_lock().await;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO tool_calls (id, handoff_seq, tool, params, params_sha256, requested_by, origin, flags, decision, rule_id, \
             rule_reason, rule_matched, policy_version, policy_sha256, state, approved_sha256, expires_at_ms, created_at_ms, updated_at_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(stored.seq)
        .bind(&input.tool)
        .bind(canonical_params(&input.params))
        .bind(&sha)
        .bind(by.actor.user_id)
        .bind(if input.origin == Origin::Bot { "bot" } else { "agent" })
        .bind(serde_json::to_string(&flags).expect("json"))
        .bind(decision.decision.as_str())
        .bind(&decision.rule_id)
        .bind(&decision.reason)
        .bind(serde_json::to_string(&decision.matched).expect("json"))
        .bind(&decision.policy_version)
        .bind(&decision.policy_sha256)
        .bind(call.state.as_str())
        .bind(&call.approved_sha256)
        .bind(call.expires_at_ms)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for e in &effects {
            if let Effect::Audit(kind) = e {
                let payload = json!({
                    "tool": input.tool, "handoff_id": input.handoff_id, "params": input.params, "params_sha256": sha,
                    "origin": input.origin, "flags": flags, "decision": decision.decision, "rule_id": decision.rule_id,
                    "rule_reason": decision.reason, "policy_version": decision.policy_version, "policy_sha256": decision.policy_sha256,
                });
                audit::append(&mut tx, now, &actor, kind, &id, &payload).await?;
            }
        }
        tx.commit().await?;
        tracing::info!(call_id = %id, tool = %input.tool, decision = decision.decision.as_str(), rule = %decision.rule_id, "tool call proposed");
        Ok(id)
    }

    /// The requester confirms a `confirm` call.
    pub async fn confirm_tool_call(&self, by: &Session, id: &str, now: i64) -> Result<(), GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        self.transition(id, Event::Confirm { by: by.actor.user_id, now }, &actor, now, Extra { approved_at_ms: Some(now), ..Default::default() }).await?;
        Ok(())
    }

    /// A supervisor approves exactly the parameters they were shown (their hash). Not the
    /// requester (four eyes); amounts above the policy's step-up threshold need a fresh step-up.
    pub async fn approve_tool_call(&self, gates: &Gates, by: &Session, id: &str, shown_params_sha256: &str, now: i64) -> Result<(), GateError> {
        let may_approve = by.actor.can(Permission::ApproveToolCalls);
        let row = self.call_row(id).await?;
        if may_approve {
            let amount = row.params().get("amount").and_then(Value::as_str).and_then(money_minor);
            if let (Some(a), Some(limit)) = (amount, gates.policy.step_up_amount_over_minor) {
                if a > limit && !by.stepped_up(now) {
                    return Err(PeopleError::StepUpRequired.into());
                }
            }
        }
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let event = Event::Approve { by: by.actor.user_id, may_approve, params_sha256: shown_params_sha256.to_owned(), now, approval_ttl_ms: gates.approval_ttl_ms };
        self.transition(id, event, &actor, now, Extra { decided_by: Some(by.actor.user_id), approved_at_ms: Some(now), ..Default::default() }).await?;
        Ok(())
    }

    /// A supervisor denies, with a reason the requester sees.
    pub async fn deny_tool_call(&self, by: &Session, id: &str, reason: &str, now: i64) -> Result<(), GateError> {
        let may_approve = by.actor.can(Permission::ApproveToolCalls);
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let event = Event::Deny { by: by.actor.user_id, may_approve, reason: reason.to_owned() };
        self.transition(id, event, &actor, now, Extra { decided_by: Some(by.actor.user_id), decision_reason: Some(reason.trim().to_owned()), ..Default::default() }).await?;
        Ok(())
    }

    /// Expires proposals, pending requests and approvals past their time; returns their ids.
    pub async fn expire_tool_calls(&self, now: i64) -> Result<Vec<String>, GateError> {
        let due: Vec<String> = sqlx::query_scalar("SELECT id FROM tool_calls WHERE state IN ('proposed', 'pending', 'approved') AND expires_at_ms <= ?")
            .bind(now)
            .fetch_all(self.pool())
            .await?;
        let mut out = vec![];
        for id in due {
            if self.transition(&id, Event::Expire { now }, "system", now, Extra::default()).await.is_ok() {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Records that execution starts (committed before anything is sent) and returns what to send.
    pub async fn begin_execution(&self, gates: &Gates, id: &str, actor: &str, now: i64) -> Result<Ticket, GateError> {
        let row = self.call_row(id).await?;
        let params = row.params();
        let sha = params_sha256(&params);
        self.transition(id, Event::StartExecution { params_sha256: sha, now }, actor, now, Extra { executed_at_ms: Some(now), ..Default::default() }).await?;
        let spec = gates.tools.get(&row.tool).cloned().ok_or_else(|| GateError::NotFound(format!("tool {}", row.tool)))?;
        Ok(Ticket { id: id.to_owned(), spec, params })
    }

    /// Re-sends a call left executing (after a crash) or failed and retryable, with the same key.
    pub async fn resend_execution(&self, gates: &Gates, id: &str, actor: &str, now: i64) -> Result<Ticket, GateError> {
        let row = self.call_row(id).await?;
        self.transition(id, Event::Resend { now }, actor, now, Extra::default()).await?;
        let spec = gates.tools.get(&row.tool).cloned().ok_or_else(|| GateError::NotFound(format!("tool {}", row.tool)))?;
        Ok(Ticket { id: id.to_owned(), spec, params: row.params() })
    }

    /// Records how an execution ended.
    pub async fn finish_execution(&self, id: &str, outcome: ExecOutcome, now: i64) -> Result<(), GateError> {
        let event = if outcome.succeeded { Event::Succeeded } else { Event::Failed { retryable: outcome.retryable } };
        self.transition(id, event, "system", now, Extra { outcome: Some(outcome), ..Default::default() }).await?;
        Ok(())
    }

    /// Calls left executing (by a crash): to reconcile on start.
    pub async fn executing_tool_calls(&self) -> Result<Vec<String>, GateError> {
        Ok(sqlx::query_scalar("SELECT id FROM tool_calls WHERE state = 'executing' ORDER BY created_at_ms").fetch_all(self.pool()).await?)
    }

    /// Approved calls not yet started.
    pub async fn approved_tool_calls(&self) -> Result<Vec<String>, GateError> {
        Ok(sqlx::query_scalar("SELECT id FROM tool_calls WHERE state = 'approved' AND attempts = 0 ORDER BY created_at_ms").fetch_all(self.pool()).await?)
    }

    /// Every tool call on an escalation, oldest first.
    pub async fn tool_calls_for(&self, gates: &Gates, base_url: &str, handoff_id: &str) -> Result<Vec<ToolCallView>, GateError> {
        Ok(sqlx::query_as::<_, CallRow>(&format!("{SELECT_CALL} WHERE h.handoff_id = ? ORDER BY c.created_at_ms"))
            .bind(handoff_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.view(gates, base_url))
            .collect())
    }

    /// The supervisor's queue: pending requests, the longest-waiting customer and the riskiest
    /// (largest amount) first.
    pub async fn pending_approvals(&self, gates: &Gates, base_url: &str, by: &Session, now: i64) -> Result<Vec<PendingApproval>, GateError> {
        by.authorize(Permission::ApproveToolCalls, now)?;
        let rows = sqlx::query_as::<_, CallRow>(&format!("{SELECT_CALL} WHERE c.state = 'pending' ORDER BY h.escalated_ms, c.created_at_ms"))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        // Several requests often belong to one conversation: load each handoff once.
        let mut handoffs: std::collections::HashMap<String, crate::store::StoredHandoff> = std::collections::HashMap::new();
        for r in rows {
            if !handoffs.contains_key(&r.handoff_id) {
                let h = self.handoff(&r.handoff_id).await?;
                handoffs.insert(r.handoff_id.clone(), h);
            }
            let h = &handoffs[&r.handoff_id];
            let call = r.view(gates, base_url);
            let amount = call.amount.as_deref().and_then(money_minor).unwrap_or(0);
            out.push((
                amount,
                PendingApproval {
                    summary: h.handoff.summary.clone(),
                    customer: h.handoff.customer.name.clone().unwrap_or_else(|| h.handoff.customer.id.clone()),
                    intent: h.handoff.intent.name.clone(),
                    priority: h.handoff.priority,
                    customer_waiting_ms: now - h.handoff.escalated_ms(),
                    request_waiting_ms: now - call.created_at_ms,
                    overdue: now - call.created_at_ms > gates.pending_sla_ms,
                    needs_step_up: gates.policy.step_up_amount_over_minor.is_some_and(|l| amount > l),
                    call,
                },
            ));
        }
        // Escalated first, then the longest-waiting customer, then the largest amount.
        out.sort_by(|a, b| {
            b.1.call.escalated_at_ms.is_some().cmp(&a.1.call.escalated_at_ms.is_some())
                .then(b.1.customer_waiting_ms.cmp(&a.1.customer_waiting_ms))
                .then(b.0.cmp(&a.0))
        });
        Ok(out.into_iter().map(|(_, p)| p).collect())
    }

    /// Decided and expired requests, newest first (the supervisor's history tab).
    pub async fn approval_history(&self, gates: &Gates, base_url: &str, by: &Session, limit: i64, now: i64) -> Result<Vec<ToolCallView>, GateError> {
        by.authorize(Permission::ApproveToolCalls, now)?;
        Ok(sqlx::query_as::<_, CallRow>(&format!(
            "{SELECT_CALL} WHERE c.decision = 'approve' AND c.state NOT IN ('pending') ORDER BY c.updated_at_ms DESC LIMIT ?"
        ))
        .bind(limit.clamp(1, 500))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.view(gates, base_url))
        .collect())
    }

    /// Escalates a pending request that has waited past the gate's SLA: it goes to the top of
    /// every supervisor's queue, and the escalation is audited.
    pub async fn escalate_tool_call(&self, gates: &Gates, by: &Session, id: &str, now: i64) -> Result<(), GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let row = self.call_row(id).await?;
        if row.state != "pending" {
            return Err(Refusal::WrongState("not pending", "escalated").into());
        }
        if now - row.created_at_ms <= gates.pending_sla_ms {
            return Err(GateError::People(PeopleError::Invalid(format!(
                "It can be escalated once it has waited {} minutes.",
                gates.pending_sla_ms / 60_000
            ))));
        }
        let _guard = self.write_lock().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE tool_calls SET escalated_at_ms = ?, updated_at_ms = ? WHERE id = ? AND escalated_at_ms IS NULL")
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        audit::append(&mut tx, now, &actor, "tool_call.escalated", id, &json!({ "waited_ms": now - row.created_at_ms })).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person retries a failed, retryable call (same idempotency key).
    pub async fn retry_tool_call(&self, gates: &Gates, executor: &ToolExecutor, by: &Session, id: &str, now: i64) -> Result<(), GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let ticket = self.resend_execution(gates, id, &actor, now).await?;
        let outcome = executor.send(&ticket.spec, &ticket.params, &ticket.id).await;
        self.finish_execution(id, outcome, crate::people::now_ms()).await
    }
}

/// Executes an approved call: records the start (committed), sends it, records the outcome.
pub async fn execute(store: &Store, gates: &Gates, executor: &ToolExecutor, id: &str, actor: &str, hook: Hook<'_>) -> Result<(), GateError> {
    let ticket = store.begin_execution(gates, id, actor, crate::people::now_ms()).await?;
    hook(CrashPoint::BeforeSend);
    let outcome = executor.send(&ticket.spec, &ticket.params, &ticket.id).await;
    hook(CrashPoint::AfterResponse);
    store.finish_execution(id, outcome, crate::people::now_ms()).await?;
    hook(CrashPoint::AfterRecord);
    Ok(())
}

/// On start: re-sends every call left executing (same key, so the backend executes it at most
/// once) and records its outcome. Returns how many were reconciled.
pub async fn reconcile(store: &Store, gates: &Gates, executor: &ToolExecutor, hook: Hook<'_>) -> Result<usize, GateError> {
    let ids = store.executing_tool_calls().await?;
    for id in &ids {
        let ticket = store.resend_execution(gates, id, "system", crate::people::now_ms()).await?;
        hook(CrashPoint::BeforeSend);
        let outcome = executor.send(&ticket.spec, &ticket.params, &ticket.id).await;
        hook(CrashPoint::AfterResponse);
        store.finish_execution(id, outcome, crate::people::now_ms()).await?;
        hook(CrashPoint::AfterRecord);
        tracing::info!(call_id = %id, "reconciled a call left executing");
    }
    Ok(ids.len())
}
