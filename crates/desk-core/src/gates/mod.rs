//! Approval gates: high-risk tool calls wait for a supervisor, execute exactly once against the
//! backend, and every step lands in the audit log in the same transaction as the state change.
//!
//! * [`tools`]: the catalogue and the parameter schema.
//! * [`policy`]: the risk policy (allow | confirm | approve | deny, with the matching rule).
//! * [`lifecycle`]: the pure state machine.
//! * [`executor`]: HTTP with an `Idempotency-Key` equal to the call's id.
//! * [`record`]: a call as the stores keep it ([`crate::storage::GateStore`]).
//! * [`GateService`]: the service and the one driver of the lifecycle's effects. It applies an
//!   event through the state machine inside the store's write transaction, commits the new
//!   state with its audit events, and only then runs the effects: executes, notifies, sends.

pub mod executor;
pub mod lifecycle;
pub mod policy;
pub mod record;
mod service;
pub mod tools;

pub use service::{GateNotifier, GateService, Silent};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::handoff::{FieldError, TurnRole};
use crate::people::PeopleError;
use crate::store::StoreError;
use lifecycle::{CallState, Refusal};
use policy::{Decision, Flag, Policy};
use tools::{ToolSpec, Tools};

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
    /// Another desk changed the call first (the compare-and-set found another state).
    #[error("Someone else changed this call at the same moment: {0}. Reload it and try again.")]
    Conflict(String),
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

/// What the executor needs to send a call.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: String,
    pub spec: ToolSpec,
    pub params: Map<String, Value>,
}

