//! Gate and audit speed: decision-to-execution latency against the demo backend over loopback
//! HTTP, audit append rate, and verify time for 1,000,000 events.
//! Run: `cargo bench -p desk-core --bench gates` (AUDIT_EVENTS=… to change the verify size).

use std::time::{Duration, Instant};

use desk_demo::DemoBackend;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{GateService, Gates, Origin, ProposeInput};
use desk_core::storage::{AuditStore, NewAuditEvent};
use desk_core::people::{now_ms, DEMO_PASSWORD};
use desk_core::Store;
use serde_json::json;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    store.seed_demo_users().await.unwrap();
    let doc = desk_demo::bot::DemoBot::new(1).escalation(1, chrono::Utc::now());
    store.ingest(&serde_json::to_vec(&doc).unwrap(), "bench").await.unwrap();
    let handoff_id = doc["handoff_id"].as_str().unwrap().to_owned();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let exec = ToolExecutor::new(backend.base_url(), Duration::from_secs(5));
    let g = GateService::new(std::sync::Arc::new(store.clone()), Gates::default(), exec);
    let ana = store.sign_in("ana", DEMO_PASSWORD, now_ms()).await.unwrap();
    let sam = store.sign_in("sam", DEMO_PASSWORD, now_ms()).await.unwrap();

    // Decision (approval) to recorded outcome, through the full path.
    let mut lat = vec![];
    for i in 0..200 {
        let params = json!({"order_id": format!("B{i}"), "amount": "120.00", "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: handoff_id.clone(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let v = g.propose(&ana, input, now_ms()).await.unwrap();
        let t = Instant::now();
        g.approve(&sam, &v.id, &v.params_sha256, now_ms()).await.unwrap();
        g.execute(&v.id, "bench").await.unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("decision-to-execution (approve → executed → outcome recorded), 200 calls: p50 {:.2} ms, p95 {:.2} ms", pct(&mut lat, 0.5), pct(&mut lat, 0.95));

    // Audit append rate, one event per transaction (synchronous=FULL).
    let n = 2_000;
    let t = Instant::now();
    for i in 0..n {
        store.append_audit(&NewAuditEvent::new(i, "bench", "bench.event", "s", json!({ "i": i }))).await.unwrap();
    }
    println!("audit append, one transaction each (synchronous=FULL): {:.0} events/s", n as f64 / t.elapsed().as_secs_f64());

    // Verify time at 1,000,000 events: build a chain fast in large transactions, then verify.
    let target: i64 = std::env::var("AUDIT_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let existing = desk_core::audit::verify(&store).await.unwrap().events;
    let t = Instant::now();
    let mut left = target - existing;
    while left > 0 {
        let batch = left.min(50_000);
        let mut tx = store.pool().begin().await.unwrap();
        for i in 0..batch {
            desk_core::store::audit::append(&mut tx, i, "bench", "bench.bulk", "s", &json!({ "i": i })).await.unwrap();
        }
        tx.commit().await.unwrap();
        left -= batch;
    }
    println!("audit append in batches of 50,000 per transaction: {:.0} events/s", (target - existing) as f64 / t.elapsed().as_secs_f64());
    let t = Instant::now();
    let v = desk_core::audit::verify(&store).await.unwrap();
    assert!(v.ok);
    println!("audit verify of {} events: {:.2} s", v.events, t.elapsed().as_secs_f64());
}
