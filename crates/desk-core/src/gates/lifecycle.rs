//! The gate lifecycle as a pure function `(call, event) -> (call, effects)`, with no I/O, so
//! every rule can be tested (and property-tested) without a database or a network:
//!
//! ```text
//! proposed ──(allow)──────────────────────────────▶ approved ──▶ executing ──▶ succeeded
//!    │ (confirm: the requester confirms)  ──────────▲   │             │  ▲
//!    │ (approve) ─▶ pending ─(supervisor ≠ requester)┘   │             ▼  │ retry (same key)
//!    │                 ├─(deny, with a reason)─▶ denied  │           failed
//!    │ (deny) ─▶ denied└─(time)─▶ expired ◀──(time)──────┘
//! ```
//!
//! An approval is bound to the SHA-256 of the canonical parameters: execution refuses any other
//! hash. Execution starts at most once per approval; a retry or a resume after a crash re-sends
//! the same request with the same idempotency key, so the backend executes it once.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policy::Decision;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Proposed,
    Pending,
    Approved,
    Denied,
    Expired,
    Executing,
    Succeeded,
    Failed,
}

impl CallState {
    pub const ALL: &'static [CallState] = &[
        CallState::Proposed,
        CallState::Pending,
        CallState::Approved,
        CallState::Denied,
        CallState::Expired,
        CallState::Executing,
        CallState::Succeeded,
        CallState::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Proposed => "proposed",
            CallState::Pending => "pending",
            CallState::Approved => "approved",
            CallState::Denied => "denied",
            CallState::Expired => "expired",
            CallState::Executing => "executing",
            CallState::Succeeded => "succeeded",
            CallState::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
    /// No event leaves these.
    pub fn is_terminal(self) -> bool {
        matches!(self, CallState::Denied | CallState::Expired | CallState::Succeeded)
    }
}

/// What the machine knows about a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub state: CallState,
    pub decision: Decision,
    pub requested_by: i64,
    pub params_sha256: String,
    pub approved_by: Option<i64>,
    pub approved_sha256: Option<String>,
    /// Of the pending request while pending; of the approval once approved.
    pub expires_at_ms: i64,
    /// Executions started (the first, then retries and resumes with the same key).
    pub attempts: u32,
    pub retryable: bool,
}

/// Something that happened to a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The requester confirms a `confirm` call.
    Confirm { by: i64, now: i64 },
    /// A supervisor approves what they were shown (`params_sha256`).
    Approve { by: i64, may_approve: bool, params_sha256: String, now: i64, approval_ttl_ms: i64 },
    /// A supervisor denies, with a reason.
    Deny { by: i64, may_approve: bool, reason: String },
    /// Time passed.
    Expire { now: i64 },
    /// The executor is about to send the request for these parameters.
    StartExecution { params_sha256: String, now: i64 },
    /// A person retries a failed call, or the app resumes one left executing by a crash.
    Resend { now: i64 },
    Succeeded,
    Failed { retryable: bool },
}

/// What the driver must do after a transition. Audit events are written in the same transaction
/// as the new state; `Send` happens only after that transaction is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Audit(&'static str),
    /// The call is approved: start executing it (which records the start, then sends).
    Execute,
    /// Tell the supervisors that a request waits for them.
    RequestApproval,
    /// Send the request with this idempotency key (the call's id).
    Send,
}

/// Why an event was refused; the call is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The person who requested this call cannot approve or deny it (four eyes).")]
    FourEyes,
    #[error("Only a supervisor can approve or deny tool calls.")]
    NotApprover,
    #[error("The parameters changed since they were approved: the approval no longer applies.")]
    ParamsChanged,
    #[error("This {0} has expired.")]
    Expired(&'static str),
    #[error("A denial needs a reason.")]
    ReasonRequired,
    #[error("Only the agent who proposed it can confirm it.")]
    NotRequester,
    #[error("A call that is {0} cannot be {1}.")]
    WrongState(&'static str, &'static str),
    #[error("This failure is not retryable.")]
    NotRetryable,
}

impl Call {
    /// A new call as the policy decided it: allow → approved at once (bound to its params),
    /// confirm → proposed until the requester confirms, approve → pending for a supervisor,
    /// deny → denied.
    pub fn new(decision: Decision, requested_by: i64, params_sha256: String, now: i64, ttl_ms: i64) -> (Call, Vec<Effect>) {
        let mut c = Call {
            state: CallState::Proposed,
            decision,
            requested_by,
            params_sha256: params_sha256.clone(),
            approved_by: None,
            approved_sha256: None,
            expires_at_ms: now + ttl_ms,
            attempts: 0,
            retryable: false,
        };
        let mut effects = vec![Effect::Audit("tool_call.proposed")];
        match decision {
            Decision::Allow => {
                c.state = CallState::Approved;
                c.approved_sha256 = Some(params_sha256);
                effects.push(Effect::Audit("tool_call.allowed_by_policy"));
                effects.push(Effect::Execute);
            }
            Decision::Confirm => {}
            Decision::Approve => {
                c.state = CallState::Pending;
                effects.push(Effect::Audit("tool_call.approval_requested"));
                effects.push(Effect::RequestApproval);
            }
            Decision::Deny => {
                c.state = CallState::Denied;
                effects.push(Effect::Audit("tool_call.denied_by_policy"));
            }
        }
        (c, effects)
    }

    /// Applies an event: the new call and what to do, or why it was refused.
    pub fn apply(&self, event: &Event) -> Result<(Call, Vec<Effect>), Refusal> {
        use CallState::*;
        let mut c = self.clone();
        let wrong = |what: &'static str| Refusal::WrongState(self.state.as_str(), what);
        let effects = match event {
            Event::Confirm { by, now } => {
                if self.state != Proposed || self.decision != Decision::Confirm {
                    return Err(wrong("confirmed"));
                }
                if *by != self.requested_by {
                    return Err(Refusal::NotRequester);
                }
                if *now >= self.expires_at_ms {
                    return Err(Refusal::Expired("proposal"));
                }
                c.state = Approved;
                c.approved_by = Some(*by);
                c.approved_sha256 = Some(self.params_sha256.clone());
                vec![Effect::Audit("tool_call.confirmed"), Effect::Execute]
            }
            Event::Approve { by, may_approve, params_sha256, now, approval_ttl_ms } => {
                if self.state != Pending {
                    return Err(wrong("approved"));
                }
                if !may_approve {
                    return Err(Refusal::NotApprover);
                }
                if *by == self.requested_by {
                    return Err(Refusal::FourEyes);
                }
                if *params_sha256 != self.params_sha256 {
                    return Err(Refusal::ParamsChanged);
                }
                if *now >= self.expires_at_ms {
                    return Err(Refusal::Expired("request"));
                }
                c.state = Approved;
                c.approved_by = Some(*by);
                c.approved_sha256 = Some(params_sha256.clone());
                c.expires_at_ms = now + approval_ttl_ms;
                vec![Effect::Audit("tool_call.approved"), Effect::Execute]
            }
            Event::Deny { by, may_approve, reason } => {
                if self.state != Pending {
                    return Err(wrong("denied"));
                }
                if !may_approve {
                    return Err(Refusal::NotApprover);
                }
                if *by == self.requested_by {
                    return Err(Refusal::FourEyes);
                }
                if reason.trim().is_empty() {
                    return Err(Refusal::ReasonRequired);
                }
                c.state = Denied;
                vec![Effect::Audit("tool_call.denied")]
            }
            Event::Expire { now } => {
                if !matches!(self.state, Proposed | Pending | Approved) || *now < self.expires_at_ms {
                    return Err(wrong("expired"));
                }
                c.state = Expired;
                vec![Effect::Audit("tool_call.expired")]
            }
            Event::StartExecution { params_sha256, now } => {
                if self.state != Approved || self.attempts != 0 {
                    return Err(wrong("executed"));
                }
                if self.approved_sha256.as_deref() != Some(params_sha256.as_str()) || *params_sha256 != self.params_sha256 {
                    return Err(Refusal::ParamsChanged);
                }
                if *now >= self.expires_at_ms {
                    return Err(Refusal::Expired("approval"));
                }
                c.state = Executing;
                c.attempts = 1;
                vec![Effect::Audit("tool_call.execution_started"), Effect::Send]
            }
            Event::Resend { now: _ } => match self.state {
                Executing => {
                    c.attempts += 1;
                    vec![Effect::Audit("tool_call.execution_resumed"), Effect::Send]
                }
                Failed if self.retryable => {
                    c.state = Executing;
                    c.attempts += 1;
                    c.retryable = false;
                    vec![Effect::Audit("tool_call.execution_retried"), Effect::Send]
                }
                Failed => return Err(Refusal::NotRetryable),
                _ => return Err(wrong("re-sent")),
            },
            Event::Succeeded => {
                if self.state != Executing {
                    return Err(wrong("marked succeeded"));
                }
                c.state = Succeeded;
                vec![Effect::Audit("tool_call.succeeded")]
            }
            Event::Failed { retryable } => {
                if self.state != Executing {
                    return Err(wrong("marked failed"));
                }
                c.state = Failed;
                c.retryable = *retryable;
                vec![Effect::Audit("tool_call.failed")]
            }
        };
        Ok((c, effects))
    }
}
