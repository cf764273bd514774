//! The server process killed with SIGKILL while approved refunds execute, at a different moment
//! each trial (right after the approval commits, while the backend is executing, after it
//! answered): after each restart the call executes exactly once at the backend (the server
//! resumes it with the same Idempotency-Key) and the audit chain verifies.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;
mod process;

use std::time::{Duration, Instant};

use common::*;
use process::{free_port, start, team};
use desk_core::people::Role;
use desk_demo::{DemoBackend, Faults};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "a-long-password-1";

async fn post(http: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = http.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_moment_an_approved_call_executes_exactly_once() {
    let trials: u64 = std::env::var("SERVER_CRASH_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    // The team and the escalation, set up in the database before the server starts.
    let db = team(&database_url, PASSWORD, &[("ana", "ana", &[Role::Agent]), ("sam", "sam", &[Role::Supervisor])]).await;
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    // The backend takes 300 ms after executing before it answers: the kill lands before, during
    // or after that window.
    backend.set_faults(Faults { delay: Duration::from_millis(300), ..Default::default() }).await;
    let port = free_port();
    let http = reqwest::Client::new();
    let mut server = start(&database_url, &backend.base_url(), dir.path(), port).await;
    let token = |user: &'static str| {
        let (http, url) = (http.clone(), server.url.clone());
        async move { post(&http, &format!("{url}/v1/sessions"), None, json!({"username": user, "password": PASSWORD})).await.1["token"].as_str().unwrap().to_owned() }
    };
    let (ana, sam) = (token("ana").await, token("sam").await);
    let mut ids = vec![];
    let mut killed_mid_flight = 0;
    for trial in 0..trials {
        let url = server.url.clone();
        let amount = format!("{}.00", 100 + trial);
        let (s, call) = post(&http, &format!("{url}/v1/handoffs/hf_2f9c01/tool-calls"), Some(&ana), json!({"tool": "billing.refund", "params": {"order_id": "A123", "amount": amount, "currency": "USD"}})).await;
        assert_eq!((s, call["state"].as_str()), (StatusCode::OK, Some("pending")), "{call}");
        let id = call["id"].as_str().unwrap().to_owned();
        let (s, v) = post(&http, &format!("{url}/v1/tool-calls/{id}/approve"), Some(&sam), json!({"params_sha256": call["params_sha256"]})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // Kill at a different moment each trial: 0 to 550 ms after the approval committed.
        tokio::time::sleep(Duration::from_millis(trial * 550 / trials.max(1))).await;
        server.kill();
        let left = db.call(&id).await.unwrap().unwrap();
        if left.state != "succeeded" {
            killed_mid_flight += 1; // approved or executing: the restarted server must finish it
        }
        server = start(&database_url, &backend.base_url(), dir.path(), port).await;
        // The restarted server resumes it (at start, then every 15 s).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let c: Value = http.get(format!("{}/v1/tool-calls/{id}", server.url)).bearer_auth(&ana).send().await.unwrap().json().await.unwrap();
            if c["state"] == "succeeded" {
                break;
            }
            assert!(Instant::now() < deadline, "trial {trial}: the call did not finish after the restart: {c}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(backend.executions(&id).await, 1, "trial {trial}: executed once");
        ids.push(id);
    }
    eprintln!("{killed_mid_flight} of {trials} kills landed before the call finished");
    assert!(killed_mid_flight * 3 >= trials, "the kills must land while calls are unfinished: {killed_mid_flight} of {trials}");
    assert!(backend.duplicated_keys().await.is_empty());
    assert_eq!(backend.total_executions().await, trials as i64);
    assert!(desk_core::audit::verify(&*db).await.unwrap().ok);
}


/// Starts PostgreSQL again if a test stopped it and then failed.
struct Stopped(bool);

impl Stopped {
    fn ctl(what: &str) {
        let ctl = std::env::var("DESK_TEST_POSTGRES_CTL").expect("DESK_TEST_POSTGRES_CTL: run under scripts/with-postgres.sh");
        let ok = std::process::Command::new(&ctl).arg(what).status().expect("pgctl").success();
        assert!(ok, "pgctl {what} failed");
    }
    fn stop(&mut self) {
        Self::ctl("stop");
        self.0 = true;
    }
    fn start(&mut self) {
        Self::ctl("start");
        self.0 = false;
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if self.0 {
            Self::ctl("start");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_immediately_mid_run_neither_loses_nor_doubles_an_approved_call() {
    const CALLS: usize = 6;
    let trials: u64 = std::env::var("PG_CRASH_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    // The team and the escalation, set up in the database before the server starts.
    let db = team(&database_url, PASSWORD, &[("ana", "ana", &[Role::Agent]), ("sam", "sam", &[Role::Supervisor])]).await;
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    backend.set_faults(Faults { delay: Duration::from_millis(300), ..Default::default() }).await;
    let mut server = start(&database_url, &backend.base_url(), dir.path(), free_port()).await;
    let http = reqwest::Client::new();
    let url = server.url.clone();
    let token = |user: &'static str| {
        let (http, url) = (http.clone(), url.clone());
        async move { post(&http, &format!("{url}/v1/sessions"), None, json!({"username": user, "password": PASSWORD})).await.1["token"].as_str().unwrap().to_owned() }
    };
    let (ana, sam) = (token("ana").await, token("sam").await);
    let mut pg = Stopped(false);
    let mut ids = vec![];
    let mut unfinished_at_stop = 0;
    for trial in 0..trials {
        let mut batch = vec![];
        for n in 0..CALLS {
            let amount = format!("{}.{:02}", 100 + trial, n);
            let (s, call) = post(&http, &format!("{url}/v1/handoffs/hf_2f9c01/tool-calls"), Some(&ana), json!({"tool": "billing.refund", "params": {"order_id": "A123", "amount": amount, "currency": "USD"}})).await;
            assert_eq!((s, call["state"].as_str()), (StatusCode::OK, Some("pending")), "{call}");
            let id = call["id"].as_str().unwrap().to_owned();
            let (s, v) = post(&http, &format!("{url}/v1/tool-calls/{id}/approve"), Some(&sam), json!({"params_sha256": call["params_sha256"]})).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            batch.push(id);
        }
        // PostgreSQL stops at once (no checkpoint, every connection cut) while the approved calls
        // are being executed and recorded, a different moment each trial.
        tokio::time::sleep(Duration::from_millis(trial * 200)).await;
        pg.stop();
        tokio::time::sleep(Duration::from_secs(1)).await;
        pg.start();
        for id in &batch {
            if db.call(id).await.unwrap().unwrap().state != "succeeded" {
                unfinished_at_stop += 1;
            }
        }
        // The same server process rides it out and finishes every call.
        let deadline = Instant::now() + Duration::from_secs(60);
        for id in &batch {
            loop {
                let c: Option<Value> = match http.get(format!("{url}/v1/tool-calls/{id}")).bearer_auth(&ana).send().await {
                    Ok(r) => r.json().await.ok(),
                    Err(_) => None,
                };
                if c.as_ref().is_some_and(|c| c["state"] == "succeeded") {
                    break;
                }
                assert!(Instant::now() < deadline, "trial {trial}: {id} did not finish after PostgreSQL came back: {c:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert_eq!(backend.executions(id).await, 1, "trial {trial}: {id} executed once");
        }
        ids.extend(batch);
    }
    assert!(server.child.try_wait().unwrap().is_none(), "the server survived the database going away");
    eprintln!("{unfinished_at_stop} of {} calls were unfinished when PostgreSQL came back", ids.len());
    assert!(unfinished_at_stop > 0, "the stops must land while calls are unfinished");
    assert!(backend.duplicated_keys().await.is_empty());
    assert_eq!(backend.total_executions().await, ids.len() as i64);
    assert!(desk_core::audit::verify(&*db).await.unwrap().ok);
    server.kill();
}
