//! The gates through desk-core's service on both stores: policy decisions, four eyes, parameter
//! binding, expiry, execution against the real demo backend over HTTP, and the audit chain.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use desk_core::audit;
use desk_demo::{DemoBackend, Faults};
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::lifecycle::{CallState, Refusal};
use desk_core::gates::policy::{Decision, Flag};
use desk_core::gates::{GateError, GateService, Gates, Origin, ProposeInput, ToolCallView};
use desk_core::handoff::parse_document;
use desk_core::people::{PeopleError, Role, Session};
use desk_core::storage::Database;
use desk_store_suite::{fresh, on_both, person, Backend, TestDb};
use serde_json::{json, Map, Value};

struct World {
    t: TestDb,
    db: Arc<dyn Database>,
    gates: GateService,
    backend: DemoBackend,
    ana: Session,
    sam: Session,
}

async fn world(b: Backend) -> World {
    let t = fresh(b).await;
    let db = t.db.clone();
    db.store_handoff(&parse_document(&bytes(&valid_doc())).unwrap(), "test").await.unwrap();
    let backend = DemoBackend::start(&t.dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut exec = ToolExecutor::new(backend.base_url(), Duration::from_secs(2));
    exec.backoff = Duration::from_millis(20);
    let ana = person(&*db, "ana", "Ana Agent", &[Role::Agent], now()).await;
    let sam = person(&*db, "sam", "Sam Supervisor", &[Role::Supervisor, Role::Agent], now()).await;
    let gates = GateService::new(db.clone(), Gates::default(), exec);
    World { t, db, gates, backend, ana, sam }
}

fn now() -> i64 {
    desk_core::people::now_ms()
}

fn refund(amount: &str) -> ProposeInput {
    let params: Map<String, Value> = json!({"order_id": "A123", "amount": amount, "currency": "USD"}).as_object().unwrap().clone();
    ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false }
}

impl World {
    async fn view(&self, id: &str) -> ToolCallView {
        self.gates.tool_call(&self.ana, id, now()).await.unwrap()
    }
    async fn propose(&self, by: &Session, input: ProposeInput) -> String {
        self.gates.propose(by, input, now()).await.unwrap().id
    }
    async fn approved(&self, amount: &str) -> String {
        let v = self.gates.propose(&self.ana, refund(amount), now()).await.unwrap();
        self.gates.approve(&self.sam, &v.id, &v.params_sha256, now()).await.unwrap();
        v.id
    }
}

on_both!(
    the_policy_decides_with_its_rule_and_hash,
    parameters_that_do_not_fit_the_schema_are_refused_with_every_problem,
    bypassing_the_ui_does_not_bypass_the_gate,
    approvals_expire_and_an_expired_approval_cannot_be_used,
    approving_above_the_step_up_threshold_asks_for_the_password_again,
    approving_a_risky_tool_asks_for_the_password_whatever_the_amount,
    an_approved_refund_executes_once_and_denials_reach_the_requester,
    executor_against_the_real_backend,
    an_overdue_request_can_be_escalated_and_goes_first,
    the_supervisor_queue_needs_the_approver_role,
    the_audit_log_refuses_changes_and_verifies_after_work,
    reconcile_resumes_left_executing_and_starts_approved_calls,
);

async fn the_policy_decides_with_its_rule_and_hash(b: Backend) {
    let w = world(b).await;
    let small = w.propose(&w.ana, refund("20.00")).await;
    let v = w.view(&small).await;
    assert_eq!((v.decision, v.state, v.rule_id.as_str()), (Decision::Confirm, CallState::Proposed, "refund-small"));
    assert_eq!(v.policy_sha256, w.gates.gates().policy.sha256);
    let big = w.propose(&w.ana, refund("120.00")).await;
    let v = w.view(&big).await;
    assert_eq!((v.decision, v.state, v.rule_id.as_str()), (Decision::Approve, CallState::Pending, "refund-over-threshold"));
    assert!(v.rule_matched.iter().any(|m| m.contains("amount is over 50.00")), "{:?}", v.rule_matched);
    let mut fraud = refund("5.00");
    fraud.fraud_suspected = true;
    let f = w.propose(&w.ana, fraud).await;
    let v = w.view(&f).await;
    assert_eq!(v.rule_id, "fraud");
    assert!(v.flags.contains(&Flag::FraudSuspected));
    let lookup = ProposeInput { tool: "orders.lookup".into(), params: json!({"order_id": "A123"}).as_object().unwrap().clone(), ..refund("1.00") };
    let l = w.propose(&w.ana, lookup).await;
    assert_eq!(w.view(&l).await.state, CallState::Approved, "reads are allowed at once");
}

async fn parameters_that_do_not_fit_the_schema_are_refused_with_every_problem(b: Backend) {
    let w = world(b).await;
    let mut bad = refund("12.345");
    bad.params.insert("currency".into(), json!("BTC"));
    bad.params.insert("note".into(), json!("x"));
    bad.params.remove("order_id");
    match w.gates.propose(&w.ana, bad, now()).await {
        Err(GateError::InvalidParams { errors, .. }) => {
            let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
            for p in ["$.params.amount", "$.params.currency", "$.params.note", "$.params.order_id"] {
                assert!(paths.contains(&p), "{p} missing from {paths:?}");
            }
        }
        other => panic!("expected invalid params, got {other:?}"),
    }
    let unknown = ProposeInput { tool: "rm.rf".into(), ..refund("1.00") };
    assert!(matches!(w.gates.propose(&w.ana, unknown, now()).await, Err(GateError::InvalidParams { .. })));
    let nowhere = ProposeInput { handoff_id: "hf_nope".into(), ..refund("1.00") };
    assert!(w.gates.propose(&w.ana, nowhere, now()).await.is_err(), "a call on an unknown escalation");
}

/// Bypassing the window bypasses nothing: the service refuses each of these.
async fn bypassing_the_ui_does_not_bypass_the_gate(b: Backend) {
    let w = world(b).await;
    let id = w.propose(&w.ana, refund("120.00")).await;
    let sha = w.view(&id).await.params_sha256;
    // An over-threshold refund cannot execute before approval.
    assert!(matches!(w.gates.execute(&id, "user:1:ana").await, Err(GateError::Refused(_))));
    // The requester cannot approve it, even as a supervisor.
    let sam_request = w.propose(&w.sam, refund("130.00")).await;
    let sam_sha = w.view(&sam_request).await.params_sha256;
    assert!(matches!(w.gates.approve(&w.sam, &sam_request, &sam_sha, now()).await, Err(GateError::Refused(Refusal::FourEyes))));
    // An agent cannot approve.
    assert!(matches!(w.gates.approve(&w.ana, &sam_request, &sam_sha, now()).await, Err(GateError::Refused(Refusal::NotApprover))));
    // Approving other parameters than stored is refused.
    assert!(matches!(w.gates.approve(&w.sam, &id, "0000", now()).await, Err(GateError::Refused(Refusal::ParamsChanged))));
    // A denial needs a reason.
    assert!(matches!(w.gates.deny(&w.sam, &id, "  ", now()).await, Err(GateError::Refused(Refusal::ReasonRequired))));
    // Someone with no role at all can neither propose nor look.
    let nobody = Session { actor: desk_core::people::Actor { roles: vec![], ..w.ana.actor.clone() }, ..w.ana.clone() };
    assert!(matches!(w.gates.propose(&nobody, refund("1.00"), now()).await, Err(GateError::People(PeopleError::Forbidden(_)))));
    assert!(matches!(w.gates.tool_calls_for(&nobody, "hf_2f9c01", now()).await, Err(GateError::People(PeopleError::Forbidden(_)))));
    assert!(matches!(w.gates.retry(&nobody, &id, now()).await, Err(GateError::People(PeopleError::Forbidden(_)))));
    // Approved, then the stored parameters are altered: execution refuses.
    w.gates.approve(&w.sam, &id, &sha, now()).await.unwrap();
    let tamper = r#"{"amount":"9999.00","currency":"USD","order_id":"A123"}"#;
    match b {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", w.t.location)).await.unwrap();
            sqlx::query("UPDATE tool_calls SET params = ? WHERE id = ?").bind(tamper).bind(&id).execute(&pool).await.unwrap();
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&w.t.location).await.unwrap();
            sqlx::query("UPDATE tool_calls SET params = $1 WHERE id = $2").bind(tamper).bind(&id).execute(&pool).await.unwrap();
        }
    }
    assert!(matches!(w.gates.execute(&id, "user:1:ana").await, Err(GateError::Refused(Refusal::ParamsChanged))));
    assert_eq!(w.backend.total_executions().await, 0, "nothing reached the backend");
}

async fn approvals_expire_and_an_expired_approval_cannot_be_used(b: Backend) {
    let w = world(b).await;
    let id = w.approved("120.00").await;
    let later = now() + w.gates.gates().approval_ttl_ms + 1;
    assert_eq!(w.gates.expire_due(later).await.unwrap(), vec![id.clone()]);
    assert_eq!(w.view(&id).await.state, CallState::Expired);
    assert!(w.gates.execute(&id, "system").await.is_err());
    // A pending request expires too, and then cannot be approved.
    let p = w.propose(&w.ana, refund("150.00")).await;
    w.gates.expire_due(now() + w.gates.gates().request_ttl_ms + 1).await.unwrap();
    let psha = w.view(&p).await.params_sha256;
    assert!(w.gates.approve(&w.sam, &p, &psha, now()).await.is_err());
}

async fn approving_above_the_step_up_threshold_asks_for_the_password_again(b: Backend) {
    let w = world(b).await;
    let id = w.propose(&w.ana, refund("900.00")).await;
    let sha = w.view(&id).await.params_sha256;
    let stale = Session { stepped_up_ms: None, ..w.sam.clone() };
    assert!(matches!(w.gates.approve(&stale, &id, &sha, now()).await, Err(GateError::People(PeopleError::StepUpRequired))));
    let fresh = Session { stepped_up_ms: Some(now()), ..stale };
    w.gates.approve(&fresh, &id, &sha, now()).await.unwrap();
    assert!(w.gates.pending_approvals(&w.sam, now()).await.unwrap().is_empty());
}

async fn approving_a_risky_tool_asks_for_the_password_whatever_the_amount(b: Backend) {
    let w = world(b).await;
    let params: Map<String, Value> = json!({"customer_id": "cus_42", "reason": "asked to close"}).as_object().unwrap().clone();
    let close = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "accounts.close".into(), params, origin: Origin::Agent, fraud_suspected: false };
    let id = w.propose(&w.ana, close).await;
    let small = w.propose(&w.ana, refund("60.00")).await;
    let queue = w.gates.pending_approvals(&w.sam, now()).await.unwrap();
    let needs = |id: &str| queue.iter().find(|p| p.call.id == id).unwrap().needs_step_up;
    assert!(needs(&id), "closing an account asks for the password");
    assert!(!needs(&small), "a refund under the threshold does not");
    // A supervisor who signed in (not stepped up) cannot close the account.
    let signed_in_only = Session { stepped_up_ms: None, ..w.sam.clone() };
    let sha = w.view(&id).await.params_sha256;
    assert!(matches!(w.gates.approve(&signed_in_only, &id, &sha, now()).await, Err(GateError::People(PeopleError::StepUpRequired))));
    let small_sha = w.view(&small).await.params_sha256;
    w.gates.approve(&signed_in_only, &small, &small_sha, now()).await.unwrap();
    let stepped = Session { stepped_up_ms: Some(now()), ..signed_in_only };
    w.gates.approve(&stepped, &id, &sha, now()).await.unwrap();
}

async fn an_approved_refund_executes_once_and_denials_reach_the_requester(b: Backend) {
    let w = world(b).await;
    let id = w.propose(&w.ana, refund("120.00")).await;
    let queue = w.gates.pending_approvals(&w.sam, now()).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].call.request_line, format!("POST {}/v1/refunds", w.backend.base_url()));
    assert_eq!(queue[0].customer, "Ada L.");
    w.gates.approve(&w.sam, &id, &queue[0].call.params_sha256, now()).await.unwrap();
    w.gates.execute(&id, "user:2:sam").await.unwrap();
    let v = w.view(&id).await;
    assert_eq!((v.state, v.http_status, v.attempts), (CallState::Succeeded, Some(200), 1));
    assert_eq!(v.approved_by.as_deref(), Some("Sam Supervisor"));
    assert_eq!(w.backend.executions(&id).await, 1);
    assert!(matches!(w.gates.execute(&id, "system").await, Err(GateError::Refused(_))), "a second start is refused");

    let d = w.propose(&w.ana, refund("300.00")).await;
    w.gates.deny(&w.sam, &d, "Item was returned used; not refundable.", now()).await.unwrap();
    let v = w.view(&d).await;
    assert_eq!(v.state, CallState::Denied);
    assert_eq!(v.decision_reason.as_deref(), Some("Item was returned used; not refundable."));
    assert_eq!(v.decided_by.as_deref(), Some("Sam Supervisor"));

    let verified = audit::verify(&*w.db).await.unwrap();
    assert!(verified.ok, "{verified:?}");
    let kinds: Vec<String> = w.db.audit_list(&Default::default(), None, 100).await.unwrap().into_iter().filter(|e| e.subject == id).map(|e| e.kind).collect();
    assert_eq!(kinds, vec!["tool_call.succeeded", "tool_call.execution_started", "tool_call.approved", "tool_call.approval_requested", "tool_call.proposed"]);
}

async fn executor_against_the_real_backend(b: Backend) {
    let w = world(b).await;
    // 503 twice before execution starts, then success: retried, executed once.
    w.backend.set_faults(Faults { unavailable: 2, ..Default::default() }).await;
    let a = w.approved("60.00").await;
    w.gates.execute(&a, "system").await.unwrap();
    assert_eq!(w.view(&a).await.state, CallState::Succeeded);
    assert_eq!(w.backend.executions(&a).await, 1);

    // 4xx: not retried, failed with the reason, not retryable.
    w.backend.set_faults(Faults::default()).await;
    let bad = w.approved("6000.00").await;
    w.gates.execute(&bad, "system").await.unwrap();
    let v = w.view(&bad).await;
    assert_eq!((v.state, v.http_status, v.retryable), (CallState::Failed, Some(400), false));
    assert!(v.outcome.unwrap().contains("refundable balance"));
    assert_eq!(w.backend.executions(&bad).await, 0);

    // A timeout: the backend executes but answers late; a person retries with the same key and
    // gets the stored answer: executed once.
    w.backend.set_faults(Faults { delay: Duration::from_millis(2_500), ..Default::default() }).await;
    let c = w.approved("61.00").await;
    let mut quick = ToolExecutor::new(w.backend.base_url(), Duration::from_millis(500));
    quick.max_retries = 0;
    w.gates.with_executor(quick).execute(&c, "system").await.unwrap();
    let v = w.view(&c).await;
    assert_eq!((v.state, v.retryable), (CallState::Failed, true));
    assert!(v.outcome.unwrap().contains("timed out"));
    w.backend.set_faults(Faults::default()).await;
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    w.gates.retry(&w.ana, &c, now()).await.unwrap();
    let v = w.view(&c).await;
    assert_eq!((v.state, v.attempts), (CallState::Succeeded, 2));
    assert_eq!(w.backend.executions(&c).await, 1, "the retry replayed the stored response");

    // Connection refused: failed, retryable, nothing executed.
    let d = w.approved("62.00").await;
    w.gates.with_executor(ToolExecutor::new("http://127.0.0.1:9", Duration::from_millis(300))).execute(&d, "system").await.unwrap();
    let v = w.view(&d).await;
    assert_eq!((v.state, v.retryable), (CallState::Failed, true));
    assert!(v.outcome.unwrap().contains("could not connect"));

    // A 500 after execution started is stored for the key: the retry gets the same 500.
    w.backend.set_faults(Faults { error_after_start: 1, ..Default::default() }).await;
    let e = w.approved("63.00").await;
    w.gates.execute(&e, "system").await.unwrap();
    assert_eq!(w.view(&e).await.http_status, Some(500));
    w.gates.retry(&w.ana, &e, now()).await.unwrap();
    assert_eq!(w.view(&e).await.http_status, Some(500), "same key, same stored answer");
    assert!(w.backend.duplicated_keys().await.is_empty());
}

async fn an_overdue_request_can_be_escalated_and_goes_first(b: Backend) {
    let w = world(b).await;
    let a = w.propose(&w.ana, refund("100.00")).await;
    let c = w.propose(&w.ana, refund("110.00")).await;
    assert!(w.gates.escalate(&w.ana, &c, now()).await.is_err(), "not overdue yet");
    let later = now() + w.gates.gates().pending_sla_ms + 1;
    w.gates.escalate(&w.ana, &c, later).await.unwrap();
    w.gates.escalate(&w.ana, &c, later + 1).await.unwrap();
    let q = w.gates.pending_approvals(&w.sam, later).await.unwrap();
    assert_eq!(q[0].call.id, c, "escalated first");
    assert!(q[0].overdue && q[1].overdue);
    assert_eq!(q[1].call.id, a);
    let escalations = w.db.audit_list(&Default::default(), None, 50).await.unwrap().into_iter().filter(|e| e.kind == "tool_call.escalated" && e.subject == c).count();
    assert_eq!(escalations, 1, "escalating twice is audited once");
}

async fn the_supervisor_queue_needs_the_approver_role(b: Backend) {
    let w = world(b).await;
    w.propose(&w.ana, refund("120.00")).await;
    assert!(matches!(w.gates.pending_approvals(&w.ana, now()).await, Err(GateError::People(PeopleError::Forbidden(_)))));
    assert!(matches!(w.gates.approval_history(&w.ana, 10, now()).await, Err(GateError::People(PeopleError::Forbidden(_)))));
    assert_eq!(w.gates.pending_approvals(&w.sam, now()).await.unwrap().len(), 1);
}

async fn the_audit_log_refuses_changes_and_verifies_after_work(b: Backend) {
    let w = world(b).await;
    for amount in ["70.00", "80.00", "90.00"] {
        let id = w.approved(amount).await;
        w.gates.execute(&id, "system").await.unwrap();
    }
    let ok = audit::verify(&*w.db).await.unwrap();
    assert!(ok.ok && ok.events >= 15, "{ok:?}");
    let mut out = Vec::new();
    assert_eq!(audit::export(&*w.db, &mut out).await.unwrap(), ok.events);
    assert_eq!(String::from_utf8(out).unwrap().lines().count() as i64, ok.events);
    // The ordinary routes around the log are closed.
    match b {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", w.t.location)).await.unwrap();
            assert!(sqlx::query("UPDATE audit_events SET actor = 'x' WHERE id = 3").execute(&pool).await.is_err());
            assert!(sqlx::query("DELETE FROM audit_events WHERE id = 3").execute(&pool).await.is_err());
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&w.t.location).await.unwrap();
            assert!(sqlx::query("UPDATE audit_events SET actor = 'x' WHERE id = 3").execute(&pool).await.is_err());
            assert!(sqlx::query("DELETE FROM audit_events WHERE id = 3").execute(&pool).await.is_err());
            assert!(sqlx::query("TRUNCATE audit_events").execute(&pool).await.is_err());
        }
    }
    assert!(audit::verify(&*w.db).await.unwrap().ok);
    let kinds: Vec<String> =
        w.db.audit_list(&desk_core::audit::AuditFilter { kind_prefix: Some("TOOL".into()), ..Default::default() }, None, 50).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| k.starts_with("tool_call.")), "the kind filter is a case-insensitive prefix on both stores: {kinds:?}");
}

async fn reconcile_resumes_left_executing_and_starts_approved_calls(b: Backend) {
    let w = world(b).await;
    let started = w.approved("64.00").await;
    let waiting = w.approved("65.00").await;
    // One call failed (retryable): reconciling does not re-send it; only a person retries.
    w.gates.with_executor(ToolExecutor::new("http://127.0.0.1:9", Duration::from_millis(200))).execute(&started, "system").await.unwrap();
    assert_eq!(w.view(&started).await.state, CallState::Failed);
    assert_eq!(w.view(&waiting).await.state, CallState::Approved);
    assert_eq!(w.gates.reconcile().await.unwrap(), 1, "the approved call never started is started");
    assert_eq!(w.view(&waiting).await.state, CallState::Succeeded);
    assert_eq!(w.gates.reconcile().await.unwrap(), 0, "nothing left to do");
    assert_eq!(w.backend.executions(&waiting).await, 1);
}
