//! Crash test, on both stores: the process executing tool calls is killed (SIGKILL) at each of
//! three points — before the request is sent; after the backend has committed but before the
//! outcome is recorded; after the outcome is recorded — hundreds of times. After a restart every
//! approved call has been executed by the backend exactly once, no approval was used twice, and
//! the audit chain verifies. CRASH_TRIALS sets the number of trials per store (default 300).

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use common::*;
use desk_core::audit::{self, AuditFilter};
use desk_demo::DemoBackend;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::lifecycle::CallState;
use desk_core::gates::{GateService, Gates, Origin, ProposeInput};
use desk_core::handoff::parse_document;
use desk_core::people::{now_ms, Role};
use desk_store_suite::{fresh, on_both, person, Backend};
use serde_json::json;

on_both!(killed_at_any_point_every_approved_call_executes_exactly_once);

async fn killed_at_any_point_every_approved_call_executes_exactly_once(b: Backend) {
    let trials: usize = std::env::var("CRASH_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let t = fresh(b).await;
    let db = t.db.clone();
    db.store_handoff(&parse_document(&bytes(&valid_doc())).unwrap(), "test").await.unwrap();
    let backend = DemoBackend::start(&t.dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let ana = person(&*db, "ana", "Ana Agent", &[Role::Agent], now_ms()).await;
    let sam = person(&*db, "sam", "Sam Supervisor", &[Role::Supervisor], now_ms()).await;
    // This process only proposes and approves; the worker executes.
    let gates = GateService::new(db.clone(), Gates::default(), ToolExecutor::new("http://127.0.0.1:9", std::time::Duration::from_secs(1)));
    let worker = env!("CARGO_BIN_EXE_desk-gate-worker");
    let points = ["before_send", "after_response", "after_record"];
    let mut killed = [0usize; 3];
    let mut ids = vec![];

    for trial in 0..trials {
        let amount = format!("{}.{:02}", 100 + trial, trial % 100);
        let params = json!({"order_id": format!("ORD{trial}"), "amount": amount, "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let v = gates.propose(&ana, input, now_ms()).await.unwrap();
        gates.approve(&sam, &v.id, &v.params_sha256, now_ms()).await.unwrap();
        let id = v.id;

        let point = trial % 3;
        let status = Command::new(worker)
            .args(["--db", &t.location, "--backend", &backend.base_url(), "--call", &id, "--crash-at", points[point]])
            .status()
            .expect("run the worker");
        assert_eq!(status.signal(), Some(9), "trial {trial}: the worker was not killed at {}: {status:?}", points[point]);
        killed[point] += 1;

        // Restart: the worker resumes what was left executing.
        let status = Command::new(worker).args(["--db", &t.location, "--backend", &backend.base_url()]).status().unwrap();
        assert!(status.success(), "trial {trial}: the restart failed: {status:?}");

        let v = gates.tool_call(&ana, &id, now_ms()).await.unwrap();
        assert_eq!(v.state, CallState::Succeeded, "trial {trial} ({}): {v:?}", points[point]);
        assert_eq!(backend.executions(&id).await, 1, "trial {trial} ({}): executed {} times", points[point], backend.executions(&id).await);
        ids.push(id);
    }

    assert!(backend.duplicated_keys().await.is_empty());
    assert_eq!(backend.total_executions().await as usize, trials, "no execution without an approved call");
    // No approval was consumed twice: one execution start per call; resumes reuse its key.
    let count = |kind: &'static str, subject: Option<String>| {
        let db = db.clone();
        async move {
            let f = AuditFilter { kind_prefix: Some(kind.into()), subject, actor: None };
            let (mut n, mut before) = (0usize, None);
            loop {
                let page = db.audit_list(&f, before, 1000).await.unwrap();
                let Some(last) = page.last() else { break };
                before = Some(last.id);
                n += page.iter().filter(|e| e.kind == kind).count();
            }
            n
        }
    };
    for id in &ids {
        assert_eq!(count("tool_call.execution_started", Some(id.clone())).await, 1, "{id}");
    }
    assert_eq!(count("tool_call.execution_resumed", None).await, killed[0] + killed[1], "every call killed before its outcome was recorded was resumed, and only those");
    if b == Backend::Sqlite {
        let store = desk_store_sqlite::Store::open(std::path::Path::new(&t.location)).await.unwrap();
        assert!(store.integrity_ok().await.unwrap(), "PRAGMA integrity_check");
    }
    let verified = audit::verify(&*db).await.unwrap();
    assert!(verified.ok, "{verified:?}");
    println!(
        "crash test on {}: {trials} trials ({} killed before send, {} after the backend committed, {} after the outcome was recorded): \
         {} calls, {} backend executions, 0 duplicates, audit chain of {} events verified",
        db.kind(),
        killed[0],
        killed[1],
        killed[2],
        ids.len(),
        backend.total_executions().await,
        verified.events
    );
}
