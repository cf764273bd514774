//! The gates through desk-core (no window): policy decisions, four eyes, parameter binding,
//! expiry, execution against the real demo backend over HTTP, and the audit chain.

mod common;

use std::time::Duration;

use common::*;
use desk_core::demo_backend::{DemoBackend, Faults};
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::lifecycle::{CallState, Refusal};
use desk_core::gates::policy::{Decision, Flag};
use desk_core::gates::{self, no_hook, GateError, Gates, Origin, ProposeInput};
use desk_core::people::{PeopleError, Session, DEMO_PASSWORD};
use desk_core::Store;
use serde_json::{json, Map, Value};

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    gates: Gates,
    backend: DemoBackend,
    exec: ToolExecutor,
    ana: Session,
    sam: Session,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    store.seed_demo_users().await.unwrap();
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut exec = ToolExecutor::new(backend.base_url(), Duration::from_secs(2));
    exec.backoff = Duration::from_millis(20);
    let now = desk_core::people::now_ms();
    let ana = store.sign_in("ana", DEMO_PASSWORD, now).await.unwrap();
    let sam = store.sign_in("sam", DEMO_PASSWORD, now).await.unwrap();
    World { _dir: dir, store, gates: Gates::default(), backend, exec, ana, sam }
}

fn now() -> i64 {
    desk_core::people::now_ms()
}

fn refund(amount: &str) -> ProposeInput {
    let params: Map<String, Value> = json!({"order_id": "A123", "amount": amount, "currency": "USD"}).as_object().unwrap().clone();
    ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false }
}

impl World {
    async fn view(&self, id: &str) -> desk_core::gates::ToolCallView {
        self.store.tool_call(&self.gates, &self.backend.base_url(), id).await.unwrap()
    }
}

#[tokio::test]
async fn the_policy_decides_with_its_rule_and_hash() {
    let w = world().await;
    let small = w.store.propose_tool_call(&w.gates, &w.ana, refund("20.00"), now()).await.unwrap();
    let v = w.view(&small).await;
    assert_eq!((v.decision, v.state, v.rule_id.as_str()), (Decision::Confirm, CallState::Proposed, "refund-small"));
    assert_eq!(v.policy_sha256, w.gates.policy.sha256);
    let big = w.store.propose_tool_call(&w.gates, &w.ana, refund("120.00"), now()).await.unwrap();
    let v = w.view(&big).await;
    assert_eq!((v.decision, v.state, v.rule_id.as_str()), (Decision::Approve, CallState::Pending, "refund-over-threshold"));
    assert!(v.rule_matched.iter().any(|m| m.contains("amount is over 50.00")), "{:?}", v.rule_matched);
    let mut fraud = refund("5.00");
    fraud.fraud_suspected = true;
    let f = w.store.propose_tool_call(&w.gates, &w.ana, fraud, now()).await.unwrap();
    let v = w.view(&f).await;
    assert_eq!(v.rule_id, "fraud");
    assert!(v.flags.contains(&Flag::FraudSuspected));
    let lookup = ProposeInput {
        tool: "orders.lookup".into(),
        params: json!({"order_id": "A123"}).as_object().unwrap().clone(),
        ..refund("1.00")
    };
    let l = w.store.propose_tool_call(&w.gates, &w.ana, lookup, now()).await.unwrap();
    assert_eq!(w.view(&l).await.state, CallState::Approved, "reads are allowed at once");
}

#[tokio::test]
async fn parameters_that_do_not_fit_the_schema_are_refused_with_every_problem() {
    let w = world().await;
    let mut bad = refund("12.345");
    bad.params.insert("currency".into(), json!("BTC"));
    bad.params.insert("note".into(), json!("x"));
    bad.params.remove("order_id");
    match w.store.propose_tool_call(&w.gates, &w.ana, bad, now()).await {
        Err(GateError::InvalidParams { errors, .. }) => {
            let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
            for p in ["$.params.amount", "$.params.currency", "$.params.note", "$.params.order_id"] {
                assert!(paths.contains(&p), "{p} missing from {paths:?}");
            }
        }
        other => panic!("expected invalid params, got {other:?}"),
    }
    let unknown = ProposeInput { tool: "rm.rf".into(), ..refund("1.00") };
    assert!(matches!(w.store.propose_tool_call(&w.gates, &w.ana, unknown, now()).await, Err(GateError::InvalidParams { .. })));
}

/// Bypassing the window bypasses nothing: desk-core refuses each of these.
#[tokio::test]
async fn bypassing_the_ui_does_not_bypass_the_gate() {
    let w = world().await;
    let id = w.store.propose_tool_call(&w.gates, &w.ana, refund("120.00"), now()).await.unwrap();
    let sha = w.view(&id).await.params_sha256;
    // An over-threshold refund cannot execute before approval.
    assert!(matches!(gates::execute(&w.store, &w.gates, &w.exec, &id, "user:1:ana", &no_hook).await, Err(GateError::Refused(_))));
    // The requester cannot approve it, even as a supervisor.
    let sam_request = w.store.propose_tool_call(&w.gates, &w.sam, refund("130.00"), now()).await.unwrap();
    let sam_sha = w.view(&sam_request).await.params_sha256;
    assert!(matches!(w.store.approve_tool_call(&w.gates, &w.sam, &sam_request, &sam_sha, now()).await, Err(GateError::Refused(Refusal::FourEyes))));
    // An agent cannot approve.
    assert!(matches!(w.store.approve_tool_call(&w.gates, &w.ana, &sam_request, &sam_sha, now()).await, Err(GateError::Refused(Refusal::NotApprover))));
    // Approving other parameters than stored is refused.
    assert!(matches!(w.store.approve_tool_call(&w.gates, &w.sam, &id, "0000", now()).await, Err(GateError::Refused(Refusal::ParamsChanged))));
    // A denial needs a reason.
    assert!(matches!(w.store.deny_tool_call(&w.sam, &id, "  ", now()).await, Err(GateError::Refused(Refusal::ReasonRequired))));
    // Approved, then the stored parameters are altered: execution refuses.
    w.store.approve_tool_call(&w.gates, &w.sam, &id, &sha, now()).await.unwrap();
    sqlx::query("UPDATE tool_calls SET params = ? WHERE id = ?")
        .bind(r#"{"amount":"9999.00","currency":"USD","order_id":"A123"}"#)
        .bind(&id)
        .execute(w.store.pool())
        .await
        .unwrap();
    assert!(matches!(gates::execute(&w.store, &w.gates, &w.exec, &id, "user:1:ana", &no_hook).await, Err(GateError::Refused(Refusal::ParamsChanged))));
    assert_eq!(w.backend.total_executions().await, 0, "nothing reached the backend");
}

#[tokio::test]
async fn approvals_expire_and_an_expired_approval_cannot_be_used() {
    let w = world().await;
    let id = w.store.propose_tool_call(&w.gates, &w.ana, refund("120.00"), now()).await.unwrap();
    let sha = w.view(&id).await.params_sha256;
    w.store.approve_tool_call(&w.gates, &w.sam, &id, &sha, now()).await.unwrap();
    let later = now() + w.gates.approval_ttl_ms + 1;
    assert_eq!(w.store.expire_tool_calls(later).await.unwrap(), vec![id.clone()]);
    assert_eq!(w.view(&id).await.state, CallState::Expired);
    assert!(gates::execute(&w.store, &w.gates, &w.exec, &id, "system", &no_hook).await.is_err());
    // A pending request expires too, and then cannot be approved.
    let p = w.store.propose_tool_call(&w.gates, &w.ana, refund("150.00"), now()).await.unwrap();
    w.store.expire_tool_calls(now() + w.gates.request_ttl_ms + 1).await.unwrap();
    let psha = w.view(&p).await.params_sha256;
    assert!(w.store.approve_tool_call(&w.gates, &w.sam, &p, &psha, now()).await.is_err());
}

#[tokio::test]
async fn approving_above_the_step_up_threshold_asks_for_the_password_again() {
    let w = world().await;
    let id = w.store.propose_tool_call(&w.gates, &w.ana, refund("900.00"), now()).await.unwrap();
    let sha = w.view(&id).await.params_sha256;
    let stale = Session { stepped_up_ms: None, ..w.sam.clone() };
    assert!(matches!(w.store.approve_tool_call(&w.gates, &stale, &id, &sha, now()).await, Err(GateError::People(PeopleError::StepUpRequired))));
    let fresh = w.store.step_up(&stale, DEMO_PASSWORD, now()).await.unwrap();
    w.store.approve_tool_call(&w.gates, &fresh, &id, &sha, now()).await.unwrap();
    let queue = w.store.pending_approvals(&w.gates, &w.backend.base_url(), &w.sam, now()).await.unwrap();
    assert!(queue.is_empty());
}

#[tokio::test]
async fn an_approved_refund_executes_once_and_denials_reach_the_requester() {
    let w = world().await;
    let id = w.store.propose_tool_call(&w.gates, &w.ana, refund("120.00"), now()).await.unwrap();
    let queue = w.store.pending_approvals(&w.gates, &w.backend.base_url(), &w.sam, now()).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].call.request_line, format!("POST {}/v1/refunds", w.backend.base_url()));
    assert_eq!(queue[0].customer, "Ada L.");
    w.store.approve_tool_call(&w.gates, &w.sam, &id, &queue[0].call.params_sha256, now()).await.unwrap();
    gates::execute(&w.store, &w.gates, &w.exec, &id, "user:2:sam", &no_hook).await.unwrap();
    let v = w.view(&id).await;
    assert_eq!((v.state, v.http_status, v.attempts), (CallState::Succeeded, Some(200), 1));
    assert_eq!(v.approved_by.as_deref(), Some("Sam Supervisor"));
    assert_eq!(w.backend.executions(&id).await, 1);

    let d = w.store.propose_tool_call(&w.gates, &w.ana, refund("300.00"), now()).await.unwrap();
    w.store.deny_tool_call(&w.sam, &d, "Item was returned used; not refundable.", now()).await.unwrap();
    let v = w.view(&d).await;
    assert_eq!(v.state, CallState::Denied);
    assert_eq!(v.decision_reason.as_deref(), Some("Item was returned used; not refundable."));
    assert_eq!(v.decided_by.as_deref(), Some("Sam Supervisor"));

    let audit = w.store.audit_verify().await.unwrap();
    assert!(audit.ok, "{audit:?}");
    let kinds: Vec<String> = w.store.audit_list(&Default::default(), None, 100).await.unwrap().into_iter().filter(|e| e.subject == id).map(|e| e.kind).collect();
    assert_eq!(kinds, vec!["tool_call.succeeded", "tool_call.execution_started", "tool_call.approved", "tool_call.approval_requested", "tool_call.proposed"]);
}

async fn approved(w: &World, amount: &str) -> String {
    let id = w.store.propose_tool_call(&w.gates, &w.ana, refund(amount), now()).await.unwrap();
    let sha = w.view(&id).await.params_sha256;
    w.store.approve_tool_call(&w.gates, &w.sam, &id, &sha, now()).await.unwrap();
    id
}

#[tokio::test]
async fn executor_against_the_real_backend() {
    let w = world().await;
    // 503 twice before execution starts, then success: retried, executed once.
    w.backend.set_faults(Faults { unavailable: 2, ..Default::default() }).await;
    let a = approved(&w, "60.00").await;
    gates::execute(&w.store, &w.gates, &w.exec, &a, "system", &no_hook).await.unwrap();
    let v = w.view(&a).await;
    assert_eq!(v.state, CallState::Succeeded);
    assert_eq!(w.backend.executions(&a).await, 1);

    // 4xx: not retried, failed with the reason, not retryable.
    w.backend.set_faults(Faults::default()).await;
    let b = approved(&w, "6000.00").await;
    gates::execute(&w.store, &w.gates, &w.exec, &b, "system", &no_hook).await.unwrap();
    let v = w.view(&b).await;
    assert_eq!((v.state, v.http_status, v.retryable), (CallState::Failed, Some(400), false));
    assert!(v.outcome.unwrap().contains("refundable balance"));
    assert_eq!(w.backend.executions(&b).await, 0);

    // A timeout: the backend executes but answers late; a person retries with the same key and
    // gets the stored answer: executed once.
    w.backend.set_faults(Faults { delay: Duration::from_millis(2_500), ..Default::default() }).await;
    let c = approved(&w, "61.00").await;
    let mut quick = ToolExecutor::new(w.backend.base_url(), Duration::from_millis(500));
    quick.max_retries = 0;
    gates::execute(&w.store, &w.gates, &quick, &c, "system", &no_hook).await.unwrap();
    let v = w.view(&c).await;
    assert_eq!((v.state, v.retryable), (CallState::Failed, true));
    assert!(v.outcome.unwrap().contains("timed out"));
    w.backend.set_faults(Faults::default()).await;
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    w.store.retry_tool_call(&w.gates, &w.exec, &w.ana, &c, now()).await.unwrap();
    let v = w.view(&c).await;
    assert_eq!((v.state, v.attempts), (CallState::Succeeded, 2));
    assert_eq!(w.backend.executions(&c).await, 1, "the retry replayed the stored response");

    // Connection refused: failed, retryable, nothing executed.
    let d = approved(&w, "62.00").await;
    let dead = ToolExecutor::new("http://127.0.0.1:9", Duration::from_millis(300));
    gates::execute(&w.store, &w.gates, &dead, &d, "system", &no_hook).await.unwrap();
    let v = w.view(&d).await;
    assert_eq!((v.state, v.retryable), (CallState::Failed, true));
    assert!(v.outcome.unwrap().contains("could not connect"));

    // A 500 after execution started is stored for the key: the retry gets the same 500.
    w.backend.set_faults(Faults { error_after_start: 1, ..Default::default() }).await;
    let e = approved(&w, "63.00").await;
    gates::execute(&w.store, &w.gates, &w.exec, &e, "system", &no_hook).await.unwrap();
    assert_eq!(w.view(&e).await.http_status, Some(500));
    w.store.retry_tool_call(&w.gates, &w.exec, &w.ana, &e, now()).await.unwrap();
    assert_eq!(w.view(&e).await.http_status, Some(500), "same key, same stored answer");
    assert!(w.backend.duplicated_keys().await.is_empty());
}

#[tokio::test]
async fn the_backend_refuses_a_reused_key_with_other_parameters() {
    let w = world().await;
    let client = reqwest::Client::new();
    let url = format!("{}/v1/refunds", w.backend.base_url());
    let first = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "1.00"})).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first_body = first.text().await.unwrap();
    let replay = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "1.00"})).send().await.unwrap();
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(replay.text().await.unwrap(), first_body);
    let other = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "2.00"})).send().await.unwrap();
    assert_eq!(other.status(), 422);
    assert_eq!(w.backend.executions("k1").await, 1);
}

#[tokio::test]
async fn audit_verify_detects_changed_deleted_and_reordered_events() {
    let w = world().await;
    for amount in ["70.00", "80.00", "90.00"] {
        let id = approved(&w, amount).await;
        gates::execute(&w.store, &w.gates, &w.exec, &id, "system", &no_hook).await.unwrap();
    }
    let ok = w.store.audit_verify().await.unwrap();
    assert!(ok.ok);
    let n = ok.events;
    assert!(n >= 15, "{n} events");

    // Triggers refuse changes made the ordinary way.
    assert!(sqlx::query("UPDATE audit_events SET actor = 'x' WHERE id = 3").execute(w.store.pool()).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_events WHERE id = 3").execute(w.store.pool()).await.is_err());

    // Each tampering is done on a copy of the database (VACUUM INTO), with the triggers dropped
    // as an attacker with the file would, and the store's own verify must name the event.
    let mut copies = 0;
    let mut tampered = |sql: &'static str| {
        copies += 1;
        let copy = w._dir.path().join(format!("copy{copies}.db"));
        let store = w.store.clone();
        async move {
            sqlx::query("VACUUM INTO ?").bind(copy.to_str().unwrap()).execute(store.pool()).await.unwrap();
            let c = Store::open(&copy).await.unwrap();
            sqlx::query("DROP TRIGGER audit_events_no_update").execute(c.pool()).await.unwrap();
            sqlx::query("DROP TRIGGER audit_events_no_delete").execute(c.pool()).await.unwrap();
            for stmt in sql.split(';').filter(|s| !s.trim().is_empty()) {
                sqlx::query(stmt).execute(c.pool()).await.unwrap();
            }
            c.audit_verify().await.unwrap()
        }
    };
    // One byte of one event's payload changed.
    let with_amount: i64 = sqlx::query_scalar("SELECT MIN(id) FROM audit_events WHERE payload LIKE '%70.00%'").fetch_one(w.store.pool()).await.unwrap();
    let sql: &'static str = Box::leak(format!("UPDATE audit_events SET payload = replace(payload, '70.00', '71.00') WHERE id = {with_amount}").into_boxed_str());
    let v = tampered(sql).await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(with_amount)), "{v:?}");
    // An event deleted from the middle.
    let v = tampered("DELETE FROM audit_events WHERE id = 4").await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(4)), "{v:?}");
    assert!(v.problem.unwrap().contains("missing"));
    // Two events swapped.
    let v = tampered("UPDATE audit_events SET id = -5 WHERE id = 5; UPDATE audit_events SET id = 5 WHERE id = 6; UPDATE audit_events SET id = 6 WHERE id = -5").await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(5)), "{v:?}");
    // Every byte of one event, one at a time, in the actor field.
    for i in 0..8 {
        let sql: &'static str = Box::leak(format!("UPDATE audit_events SET actor = substr(actor, 1, {i}) || 'X' || substr(actor, {}) WHERE id = 2", i + 2).into_boxed_str());
        let v = tampered(sql).await;
        assert_eq!(v.first_broken_id, Some(2), "byte {i}: {v:?}");
    }

    // And the store's own verify names the event after a committed change of any byte.
    {
        let mut tx = w.store.pool().begin().await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_update").execute(&mut *tx).await.unwrap();
        sqlx::query("UPDATE audit_events SET actor = 'user:9:mallory' WHERE id = 7").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    let bad = w.store.audit_verify().await.unwrap();
    assert!(!bad.ok);
    assert_eq!(bad.first_broken_id, Some(7));
    assert!(bad.problem.unwrap().contains("changed"));
}

#[tokio::test]
async fn audit_verify_detects_a_cut_off_end_and_exports_every_event() {
    let w = world().await;
    let id = approved(&w, "75.00").await;
    gates::execute(&w.store, &w.gates, &w.exec, &id, "system", &no_hook).await.unwrap();
    let mut out = Vec::new();
    let n = w.store.audit_export(&mut out).await.unwrap();
    assert_eq!(n as usize, String::from_utf8(out).unwrap().lines().count());
    let total = w.store.audit_verify().await.unwrap().events;
    {
        let mut tx = w.store.pool().begin().await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_delete").execute(&mut *tx).await.unwrap();
        sqlx::query("DELETE FROM audit_events WHERE id = ?").bind(total).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    let v = w.store.audit_verify().await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.first_broken_id, Some(total));
}

#[tokio::test]
async fn an_overdue_request_can_be_escalated_and_goes_first() {
    let w = world().await;
    let a = w.store.propose_tool_call(&w.gates, &w.ana, refund("100.00"), now()).await.unwrap();
    let b = w.store.propose_tool_call(&w.gates, &w.ana, refund("110.00"), now()).await.unwrap();
    assert!(w.store.escalate_tool_call(&w.gates, &w.ana, &b, now()).await.is_err(), "not overdue yet");
    let later = now() + w.gates.pending_sla_ms + 1;
    w.store.escalate_tool_call(&w.gates, &w.ana, &b, later).await.unwrap();
    let q = w.store.pending_approvals(&w.gates, "", &w.sam, later).await.unwrap();
    assert_eq!(q[0].call.id, b, "escalated first");
    assert!(q[0].overdue && q[1].overdue);
    assert_eq!(q[1].call.id, a);
    assert!(w.store.audit_list(&Default::default(), None, 50).await.unwrap().iter().any(|e| e.kind == "tool_call.escalated" && e.subject == b));
}
