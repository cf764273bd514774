//! Crash test: the process executing tool calls is killed (SIGKILL) at each of three points —
//! before the request is sent; after the backend has committed but before the outcome is
//! recorded; after the outcome is recorded — hundreds of times. After a restart every approved
//! call has been executed by the backend exactly once, no approval was used twice, and the
//! database passes `PRAGMA integrity_check`. CRASH_TRIALS sets the number of trials (default 300).

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use common::*;
use desk_core::demo_backend::DemoBackend;
use desk_core::gates::lifecycle::CallState;
use desk_core::gates::{Gates, Origin, ProposeInput};
use desk_core::people::{now_ms, DEMO_PASSWORD};
use desk_core::Store;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_point_every_approved_call_executes_exactly_once() {
    let trials: usize = std::env::var("CRASH_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let store = Store::open(&db).await.unwrap();
    store.seed_demo_users().await.unwrap();
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let gates = Gates::default();
    let ana = store.sign_in("ana", DEMO_PASSWORD, now_ms()).await.unwrap();
    let sam = store.sign_in("sam", DEMO_PASSWORD, now_ms()).await.unwrap();
    let worker = env!("CARGO_BIN_EXE_desk-gate-worker");
    let points = ["before_send", "after_response", "after_record"];
    let mut killed = [0usize; 3];
    let mut ids = vec![];

    for trial in 0..trials {
        let amount = format!("{}.{:02}", 100 + trial, trial % 100);
        let params = json!({"order_id": format!("ORD{trial}"), "amount": amount, "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let id = store.propose_tool_call(&gates, &ana, input, now_ms()).await.unwrap();
        let sha = store.tool_call(&gates, "", &id).await.unwrap().params_sha256;
        store.approve_tool_call(&gates, &sam, &id, &sha, now_ms()).await.unwrap();

        let point = trial % 3;
        let status = Command::new(worker)
            .args(["--db", db.to_str().unwrap(), "--backend", &backend.base_url(), "--call", &id, "--crash-at", points[point]])
            .status()
            .expect("run the worker");
        assert_eq!(status.signal(), Some(9), "trial {trial}: the worker was not killed at {}: {status:?}", points[point]);
        killed[point] += 1;

        // Restart: the worker reconciles what was left executing.
        let status = Command::new(worker).args(["--db", db.to_str().unwrap(), "--backend", &backend.base_url()]).status().unwrap();
        assert!(status.success(), "trial {trial}: the restart failed: {status:?}");

        let v = store.tool_call(&gates, "", &id).await.unwrap();
        assert_eq!(v.state, CallState::Succeeded, "trial {trial} ({}): {v:?}", points[point]);
        assert_eq!(backend.executions(&id).await, 1, "trial {trial} ({}): executed {} times", points[point], backend.executions(&id).await);
        ids.push(id);
    }

    assert!(backend.duplicated_keys().await.is_empty());
    assert_eq!(backend.total_executions().await as usize, trials, "no execution without an approved call");
    // No approval was consumed twice: one execution start per call; resumes reuse its key.
    for id in &ids {
        let starts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE subject = ? AND kind = 'tool_call.execution_started'")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(starts, 1, "{id}");
    }
    let resumed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'tool_call.execution_resumed'").fetch_one(store.pool()).await.unwrap();
    assert_eq!(resumed as usize, killed[0] + killed[1], "every call killed before its outcome was recorded was resumed, and only those");
    assert!(store.integrity_ok().await.unwrap(), "PRAGMA integrity_check");
    let audit = store.audit_verify().await.unwrap();
    assert!(audit.ok, "{audit:?}");
    println!(
        "crash test: {trials} trials ({} killed before send, {} after the backend committed, {} after the outcome was recorded): \
         {} calls, {} backend executions, 0 duplicates, integrity ok, audit chain of {} events verified",
        killed[0], killed[1], killed[2], ids.len(), backend.total_executions().await, audit.events
    );
}
