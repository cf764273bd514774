//! The gate service: every operation on tool calls, each checking the acting session itself,
//! over any [`Database`]. It is also the one driver of the lifecycle's effects: audit events are
//! written in the transition's transaction; `Execute`, `RequestApproval` and `Send` run here,
//! after the commit. The shell only tells it how to notify people ([`GateNotifier`]).

use std::sync::Arc;

use serde_json::json;

use super::executor::{ExecOutcome, ToolExecutor};
use super::lifecycle::{Call, CallState, Effect, Event, Refusal};
use super::policy::PolicyInput;
use super::record::{CallQuery, CallRecord, CallUpdate, Extra, NewCallRecord};
use super::tools::{canonical_params, money_minor, params_sha256};
use super::{derive_flags, new_call_id, CrashPoint, GateError, Gates, Origin, PendingApproval, ProposeInput, Ticket, ToolCallView};
use crate::audit::user_actor;
use crate::people::{now_ms, PeopleError, Permission, Session};
use crate::storage::{Database, NewAuditEvent};

/// How the service tells people about calls (the desktop emits window events and notifications).
pub trait GateNotifier: Send + Sync {
    /// A call changed state.
    fn call_changed(&self, call: &ToolCallView);
    /// A request waits for a supervisor (new, or escalated).
    fn approval_requested(&self, call: &ToolCallView);
}

/// Tells nobody (tools and tests).
pub struct Silent;
impl GateNotifier for Silent {
    fn call_changed(&self, _: &ToolCallView) {}
    fn approval_requested(&self, _: &ToolCallView) {}
}

type CrashHook = Arc<dyn Fn(CrashPoint) + Send + Sync>;

/// Tool calls behind approval gates. Cheap to clone.
#[derive(Clone)]
pub struct GateService {
    db: Arc<dyn Database>,
    gates: Arc<Gates>,
    executor: ToolExecutor,
    notifier: Arc<dyn GateNotifier>,
    /// Start approved calls on a spawned task at once (the app), or leave them to a worker that
    /// calls [`GateService::execute`] or [`GateService::reconcile`] (tools, the crash test).
    background: bool,
    crash_hook: Option<CrashHook>,
}

impl GateService {
    /// A service that leaves approved calls to a worker ([`GateService::execute`],
    /// [`GateService::reconcile`]) and tells nobody.
    pub fn new(db: Arc<dyn Database>, gates: Gates, executor: ToolExecutor) -> Self {
        Self { db, gates: Arc::new(gates), executor, notifier: Arc::new(Silent), background: false, crash_hook: None }
    }

    /// Executes approved calls on a spawned task and notifies through `notifier` (the app).
    pub fn in_background(mut self, notifier: Arc<dyn GateNotifier>) -> Self {
        self.background = true;
        self.notifier = notifier;
        self
    }

    /// The same service sending through another executor.
    pub fn with_executor(&self, executor: ToolExecutor) -> Self {
        Self { executor, ..self.clone() }
    }

    /// Calls `hook` at each [`CrashPoint`] of an execution (the crash test kills the process there).
    pub fn with_crash_hook(mut self, hook: impl Fn(CrashPoint) + Send + Sync + 'static) -> Self {
        self.crash_hook = Some(Arc::new(hook));
        self
    }

    pub fn gates(&self) -> &Gates {
        &self.gates
    }

    pub fn executor(&self) -> &ToolExecutor {
        &self.executor
    }

    fn crash_point(&self, p: CrashPoint) {
        if let Some(h) = &self.crash_hook {
            h(p);
        }
    }

    async fn record(&self, id: &str) -> Result<CallRecord, GateError> {
        self.db.call(id).await?.ok_or_else(|| GateError::NotFound(id.to_owned()))
    }

    fn view(&self, r: &CallRecord) -> ToolCallView {
        r.view(&self.gates, self.executor.base_url())
    }

    /// The tool catalogue, for whoever works the queue.
    pub fn tools(&self, by: &Session, now: i64) -> Result<Vec<crate::gates::tools::ToolSpec>, GateError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.gates.tools.all().to_vec())
    }

    /// One tool call.
    pub async fn tool_call(&self, by: &Session, id: &str, now: i64) -> Result<ToolCallView, GateError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.view(&self.record(id).await?))
    }

    /// Every tool call on an escalation, oldest first.
    pub async fn tool_calls_for(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<ToolCallView>, GateError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.db.calls(&CallQuery::OnHandoff(handoff_id.to_owned())).await?.iter().map(|r| self.view(r)).collect())
    }

    /// Applies an event to a call: the state machine decides inside the store's write
    /// transaction, the new state and its audit events commit together.
    async fn transition(&self, id: &str, event: Event, actor: &str, now: i64, extra: impl Fn() -> Extra + Send + Sync) -> Result<(CallRecord, Vec<Effect>), GateError> {
        let effects = std::sync::Mutex::new(vec![]);
        let written = self
            .db
            .update_call(id, &|current: &CallRecord| {
                let (next, fx) = current.machine().apply(&event)?;
                let update = CallUpdate::of(current, &next, extra(), now);
                let payload = json!({
                    "tool": current.tool, "handoff_id": current.handoff_id, "params_sha256": current.params_sha256,
                    "state": update.state, "attempt": update.attempts, "reason": update.decision_reason,
                    "http_status": update.http_status, "outcome": update.outcome,
                });
                let audit = audit_events(&fx, now, actor, id, payload);
                *effects.lock().expect("effects") = fx;
                Ok((update, audit))
            })
            .await?;
        let effects = effects.into_inner().expect("effects");
        Ok((written, effects))
    }

    /// Proposes a tool call: validates the parameters, derives the flags from the conversation,
    /// and lets the policy decide. An allowed call executes at once; one that needs approval
    /// waits for a supervisor.
    pub async fn propose(&self, by: &Session, input: ProposeInput, now: i64) -> Result<ToolCallView, GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        self.gates.tools.validate(&input.tool, &input.params).map_err(|errors| GateError::InvalidParams { tool: input.tool.clone(), errors })?;
        let spec = self.gates.tools.get(&input.tool).cloned().ok_or_else(|| GateError::NotFound(format!("tool {}", input.tool)))?;
        let stored = self.db.stored_handoff(&input.handoff_id).await?;
        let flags = derive_flags(&stored.handoff, &input.params, input.fraud_suspected);
        let decision = self.gates.policy.evaluate(&PolicyInput { tool: &spec, params: &input.params, tier: stored.handoff.customer.tier.as_deref(), flags: &flags });
        let sha = params_sha256(&input.params);
        let (call, effects) = Call::new(decision.decision, by.actor.user_id, sha.clone(), now, self.gates.request_ttl_ms);
        let id = new_call_id();
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let payload = json!({
            "tool": input.tool, "handoff_id": input.handoff_id, "params": input.params, "params_sha256": sha,
            "origin": input.origin, "flags": flags, "decision": decision.decision, "rule_id": decision.rule_id,
            "rule_reason": decision.reason, "policy_version": decision.policy_version, "policy_sha256": decision.policy_sha256,
        });
        let record = NewCallRecord {
            id: id.clone(),
            handoff_id: input.handoff_id.clone(),
            tool: input.tool.clone(),
            params: canonical_params(&input.params),
            params_sha256: sha,
            requested_by: by.actor.user_id,
            origin: if input.origin == Origin::Bot { "bot" } else { "agent" },
            flags: serde_json::to_string(&flags).expect("json"),
            decision: decision.decision.as_str(),
            rule_id: decision.rule_id.clone(),
            rule_reason: decision.reason.clone(),
            rule_matched: serde_json::to_string(&decision.matched).expect("json"),
            policy_version: decision.policy_version.clone(),
            policy_sha256: decision.policy_sha256.clone(),
            state: call.state.as_str(),
            approved_sha256: call.approved_sha256.clone(),
            expires_at_ms: call.expires_at_ms,
            created_at_ms: now,
        };
        self.db.insert_call(&record, &audit_events(&effects, now, &actor, &id, payload)).await?;
        tracing::info!(call_id = %id, tool = %input.tool, decision = decision.decision.as_str(), rule = %decision.rule_id, "tool call proposed");
        self.after_commit(&id, &effects, &actor).await
    }

    /// The requester confirms a `confirm` call; it then executes.
    pub async fn confirm(&self, by: &Session, id: &str, now: i64) -> Result<ToolCallView, GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let (_, effects) = self
            .transition(id, Event::Confirm { by: by.actor.user_id, now }, &actor, now, || Extra { approved_at_ms: Some(now), ..Default::default() })
            .await?;
        self.after_commit(id, &effects, &actor).await
    }

    /// A supervisor approves exactly the parameters they were shown (their hash); the call then
    /// executes. Not the requester (four eyes); risky tools and amounts above the policy's
    /// threshold need a fresh step-up ([`super::policy::Policy::approval_needs_step_up`]).
    pub async fn approve(&self, by: &Session, id: &str, shown_params_sha256: &str, now: i64) -> Result<ToolCallView, GateError> {
        let may_approve = by.actor.can(Permission::ApproveToolCalls);
        if may_approve {
            let row = self.record(id).await?;
            if self.gates.policy.approval_needs_step_up(self.gates.tools.get(&row.tool), &row.params()) && !by.stepped_up(now) {
                return Err(PeopleError::StepUpRequired.into());
            }
        }
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let event = Event::Approve { by: by.actor.user_id, may_approve, params_sha256: shown_params_sha256.to_owned(), now, approval_ttl_ms: self.gates.approval_ttl_ms };
        let (_, effects) = self
            .transition(id, event, &actor, now, || Extra { decided_by: Some(by.actor.user_id), approved_at_ms: Some(now), ..Default::default() })
            .await?;
        self.after_commit(id, &effects, &actor).await
    }

    /// A supervisor denies, with a reason the requester sees.
    pub async fn deny(&self, by: &Session, id: &str, reason: &str, now: i64) -> Result<ToolCallView, GateError> {
        let may_approve = by.actor.can(Permission::ApproveToolCalls);
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let event = Event::Deny { by: by.actor.user_id, may_approve, reason: reason.to_owned() };
        let (_, effects) = self
            .transition(id, event, &actor, now, || Extra { decided_by: Some(by.actor.user_id), decision_reason: Some(reason.trim().to_owned()), ..Default::default() })
            .await?;
        self.after_commit(id, &effects, &actor).await
    }

    /// Escalates a pending request that has waited past the gate's SLA: it goes to the top of
    /// every supervisor's queue, and the escalation is audited (once).
    pub async fn escalate(&self, by: &Session, id: &str, now: i64) -> Result<ToolCallView, GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let sla = self.gates.pending_sla_ms;
        self.db
            .update_call(id, &|current: &CallRecord| {
                if current.state() != CallState::Pending {
                    return Err(Refusal::WrongState(current.state().as_str(), "escalated").into());
                }
                if now - current.created_at_ms <= sla {
                    return Err(PeopleError::Invalid(format!("It can be escalated once it has waited {} minutes.", sla / 60_000)).into());
                }
                let call = current.machine();
                if current.escalated_at_ms.is_some() {
                    return Ok((CallUpdate::of(current, &call, Extra::default(), current.updated_at_ms), vec![]));
                }
                let audit = NewAuditEvent::new(now, &actor, "tool_call.escalated", id, json!({ "waited_ms": now - current.created_at_ms }));
                Ok((CallUpdate::of(current, &call, Extra { escalated_at_ms: Some(now), ..Default::default() }, now), vec![audit]))
            })
            .await?;
        self.after_commit(id, &[Effect::RequestApproval], &actor).await
    }

    /// Expires proposals, pending requests and approvals past their time; returns their ids.
    pub async fn expire_due(&self, now: i64) -> Result<Vec<String>, GateError> {
        let mut out = vec![];
        for r in self.db.calls(&CallQuery::DueToExpire { now }).await? {
            if self.transition(&r.id, Event::Expire { now }, "system", now, Extra::default).await.is_ok() {
                out.push(r.id);
            }
        }
        Ok(out)
    }

    /// The supervisor's queue: escalated requests first, then the longest-waiting customer, then
    /// the riskiest (largest amount).
    pub async fn pending_approvals(&self, by: &Session, now: i64) -> Result<Vec<PendingApproval>, GateError> {
        by.authorize(Permission::ApproveToolCalls, now)?;
        let rows = self.db.calls(&CallQuery::Pending).await?;
        let mut out = Vec::with_capacity(rows.len());
        // Several requests often belong to one conversation: load each handoff once.
        let mut handoffs: std::collections::HashMap<String, crate::store::StoredHandoff> = std::collections::HashMap::new();
        for r in rows {
            if !handoffs.contains_key(&r.handoff_id) {
                let h = self.db.stored_handoff(&r.handoff_id).await?;
                handoffs.insert(r.handoff_id.clone(), h);
            }
            let h = &handoffs[&r.handoff_id];
            let call = self.view(&r);
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
                    overdue: now - call.created_at_ms > self.gates.pending_sla_ms,
                    needs_step_up: self.gates.policy.approval_needs_step_up(self.gates.tools.get(&r.tool), &r.params()),
                    call,
                },
            ));
        }
        out.sort_by(|a, b| {
            b.1.call.escalated_at_ms.is_some().cmp(&a.1.call.escalated_at_ms.is_some())
                .then(b.1.customer_waiting_ms.cmp(&a.1.customer_waiting_ms))
                .then(b.0.cmp(&a.0))
        });
        Ok(out.into_iter().map(|(_, p)| p).collect())
    }

    /// Decided and expired requests, newest first (the supervisor's history tab).
    pub async fn approval_history(&self, by: &Session, limit: i64, now: i64) -> Result<Vec<ToolCallView>, GateError> {
        by.authorize(Permission::ApproveToolCalls, now)?;
        Ok(self.db.calls(&CallQuery::ApprovalHistory { limit: limit.clamp(1, 500) }).await?.iter().map(|r| self.view(r)).collect())
    }

    /// A person retries a failed, retryable call (same idempotency key: executed at most once).
    pub async fn retry(&self, by: &Session, id: &str, now: i64) -> Result<ToolCallView, GateError> {
        by.authorize(Permission::ProposeToolCalls, now)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let ticket = self.resend(id, &actor, now).await?;
        self.send(&ticket).await?;
        let view = self.view(&self.record(id).await?);
        self.notifier.call_changed(&view);
        Ok(view)
    }

    /// Runs what a committed transition asks for, and returns the call as it is then.
    async fn after_commit(&self, id: &str, effects: &[Effect], actor: &str) -> Result<ToolCallView, GateError> {
        let view = self.view(&self.record(id).await?);
        self.notifier.call_changed(&view);
        for e in effects {
            match e {
                // Written in the transition's transaction.
                Effect::Audit(_) => {}
                Effect::RequestApproval => self.notifier.approval_requested(&view),
                Effect::Execute if !self.background => {}
                Effect::Execute => {
                    let (svc, id, actor) = (self.clone(), id.to_owned(), actor.to_owned());
                    tokio::spawn(async move {
                        if let Err(e) = svc.execute(&id, &actor).await {
                            tracing::warn!(call_id = %id, error = %e, "execution did not start");
                        }
                    });
                }
                // Only the execution start and a resend ask to send; they send themselves.
                Effect::Send => {}
            }
        }
        Ok(view)
    }

    /// Executes an approved call: records the start (committed before anything is sent),
    /// sends it with the call's id as the idempotency key, records the outcome.
    pub async fn execute(&self, id: &str, actor: &str) -> Result<(), GateError> {
        let now = now_ms();
        let row = self.record(id).await?;
        // The tool is resolved before the start commits: an unknown tool starts nothing.
        let spec = self.gates.tools.get(&row.tool).cloned().ok_or_else(|| GateError::NotFound(format!("tool {}", row.tool)))?;
        let sha = params_sha256(&row.params());
        let (written, effects) =
            self.transition(id, Event::StartExecution { params_sha256: sha, now }, actor, now, || Extra { executed_at_ms: Some(now), ..Default::default() }).await?;
        self.notifier.call_changed(&self.view(&written));
        if effects.contains(&Effect::Send) {
            self.send(&Ticket { id: id.to_owned(), spec, params: written.params() }).await?;
        }
        Ok(())
    }

    /// Re-sends a call left executing (after a crash) or failed and retryable, with the same key.
    async fn resend(&self, id: &str, actor: &str, now: i64) -> Result<Ticket, GateError> {
        let row = self.record(id).await?;
        let spec = self.gates.tools.get(&row.tool).cloned().ok_or_else(|| GateError::NotFound(format!("tool {}", row.tool)))?;
        let (written, _) = self.transition(id, Event::Resend { now }, actor, now, Extra::default).await?;
        Ok(Ticket { id: id.to_owned(), spec, params: written.params() })
    }

    /// Sends a started call and records how it ended.
    async fn send(&self, ticket: &Ticket) -> Result<(), GateError> {
        self.crash_point(CrashPoint::BeforeSend);
        let outcome = self.executor.send(&ticket.spec, &ticket.params, &ticket.id).await;
        self.crash_point(CrashPoint::AfterResponse);
        self.finish(&ticket.id, outcome, now_ms()).await?;
        self.crash_point(CrashPoint::AfterRecord);
        Ok(())
    }

    /// Records how an execution ended.
    async fn finish(&self, id: &str, outcome: ExecOutcome, now: i64) -> Result<(), GateError> {
        let event = if outcome.succeeded { Event::Succeeded } else { Event::Failed { retryable: outcome.retryable } };
        let (written, _) = self.transition(id, event, "system", now, || Extra { outcome: Some(outcome.clone()), ..Default::default() }).await?;
        self.notifier.call_changed(&self.view(&written));
        Ok(())
    }

    /// The gate keeper, forever: every `every`, resumes calls left executing and approved calls
    /// that never started ([`GateService::reconcile`]) and expires due requests. The desktop and
    /// the team server each run one.
    pub async fn keep(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match self.reconcile().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(calls = n, "resumed tool calls"),
                Err(e) => tracing::error!(error = %e, "could not resume tool calls"),
            }
            if let Err(e) = self.expire_due(now_ms()).await {
                tracing::error!(error = %e, "expiry sweep failed");
            }
        }
    }

    /// What the app does on start and then periodically: re-sends every call left executing (same
    /// key, so the backend executes it at most once), then starts approved calls that never
    /// started. One call that cannot go on does not stop the ones behind it. Returns how many
    /// calls it moved on.
    pub async fn reconcile(&self) -> Result<usize, GateError> {
        let mut n = 0;
        for r in self.db.calls(&CallQuery::Executing).await? {
            let step = async {
                let ticket = self.resend(&r.id, "system", now_ms()).await?;
                self.send(&ticket).await
            };
            match step.await {
                Ok(()) => {
                    n += 1;
                    tracing::info!(call_id = %r.id, "reconciled a call left executing");
                }
                Err(e) => tracing::warn!(call_id = %r.id, error = %e, "cannot reconcile a call left executing"),
            }
        }
        for r in self.db.calls(&CallQuery::ApprovedNotStarted).await? {
            match self.execute(&r.id, "system").await {
                Ok(()) => n += 1,
                Err(e) => tracing::warn!(call_id = %r.id, error = %e, "cannot start an approved call"),
            }
        }
        Ok(n)
    }
}

/// The audit events a transition's effects ask for, each with the same payload.
fn audit_events(effects: &[Effect], now: i64, actor: &str, subject: &str, payload: serde_json::Value) -> Vec<NewAuditEvent> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(kind) => Some(NewAuditEvent::new(now, actor, kind, subject, payload.clone())),
            _ => None,
        })
        .collect()
}
