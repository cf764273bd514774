//! Gate and audit speed on both stores, side by side in one run: decision-to-execution latency
//! against the demo backend over loopback HTTP, audit append rates (one writer, and four
//! connections at once), and verify time. PostgreSQL is the server scripts/with-postgres.sh
//! starts on loopback. Run:
//! `scripts/with-postgres.sh cargo bench -p desk-store-suite --bench gates` (AUDIT_EVENTS=… sets
//! the size of the chain that is verified, default 1,000,000).

use std::time::{Duration, Instant};

use desk_core::audit;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{GateService, Gates, Origin, ProposeInput};
use desk_core::handoff::parse_document;
use desk_core::people::{now_ms, Role};
use desk_core::storage::NewAuditEvent;
use desk_demo::DemoBackend;
use desk_store_suite::{fresh, open, person, Backend};
use serde_json::json;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(b: Backend) -> Vec<(String, String)> {
    let mut out = vec![];
    let t0 = fresh(b).await;
    let db = t0.db.clone();
    let doc = desk_demo::DemoBot::new(1).escalation(1, chrono::Utc::now());
    let h = parse_document(&serde_json::to_vec(&doc).unwrap()).unwrap();
    db.store_handoff(&h, "bench").await.unwrap();
    let backend = DemoBackend::start(&t0.dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let g = GateService::new(db.clone(), Gates::default(), ToolExecutor::new(backend.base_url(), Duration::from_secs(5)));
    let ana = person(&*db, "ana", "Ana Agent", &[Role::Agent], now_ms()).await;
    let sam = person(&*db, "sam", "Sam Supervisor", &[Role::Supervisor], now_ms()).await;

    // Decision (approval) to recorded outcome, through the full path.
    let mut lat = vec![];
    for i in 0..200 {
        let params = json!({"order_id": format!("B{i}"), "amount": "120.00", "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: h.handoff_id.clone(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let v = g.propose(&ana, input, now_ms()).await.unwrap();
        let t = Instant::now();
        g.approve(&sam, &v.id, &v.params_sha256, now_ms()).await.unwrap();
        g.execute(&v.id, "bench").await.unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.push(("decision to execution, 200 calls: p50 / p95".into(), format!("{:.2} / {:.2} ms", pct(&mut lat, 0.5), pct(&mut lat, 0.95))));

    let n = 2_000;
    let t = Instant::now();
    for i in 0..n {
        db.append_audit(&NewAuditEvent::new(i, "bench", "bench.event", "s", json!({ "i": i }))).await.unwrap();
    }
    out.push(("audit append, one writer, one transaction each".into(), format!("{:.0} events/s", n as f64 / t.elapsed().as_secs_f64())));

    let t = Instant::now();
    let mut tasks = vec![];
    for w in 0..4 {
        let db = open(&t0.location).await;
        tasks.push(tokio::spawn(async move {
            for i in 0..n / 4 {
                db.append_audit(&NewAuditEvent::new(i, &format!("w{w}"), "bench.event", "s", json!({ "i": i }))).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    out.push(("audit append, four connections at once".into(), format!("{:.0} events/s", n as f64 / t.elapsed().as_secs_f64())));

    // Verify time: build a long chain in transactions of 1,000 events (an import batch), then
    // verify. (On PostgreSQL each append rewrites the one-row chain head, so one transaction
    // with tens of thousands of appends slows down quadratically; see BENCHMARKS.md.)
    let target: i64 = std::env::var("AUDIT_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let existing = audit::verify(&*db).await.unwrap().events;
    let mut left = target - existing;
    let t = Instant::now();
    enum Bulk {
        Sqlite(desk_store_sqlite::Store),
        Postgres(desk_store_postgres::PgStore),
    }
    let bulk = match b {
        Backend::Sqlite => Bulk::Sqlite(desk_store_sqlite::Store::open(std::path::Path::new(&t0.location)).await.unwrap()),
        Backend::Postgres => Bulk::Postgres(desk_store_postgres::PgStore::connect(&t0.location, 1).await.unwrap()),
    };
    while left > 0 {
        let batch = left.min(1_000);
        match &bulk {
            Bulk::Sqlite(store) => {
                let mut tx = store.begin_write().await.unwrap();
                for i in 0..batch {
                    desk_store_sqlite::audit::append(&mut tx, i, "bench", "bench.bulk", "s", &json!({ "i": i })).await.unwrap();
                }
                tx.commit().await.unwrap();
            }
            Bulk::Postgres(store) => {
                let mut tx = store.pool().begin().await.unwrap();
                for i in 0..batch {
                    desk_store_postgres::append_in(&mut tx, &NewAuditEvent::new(i, "bench", "bench.bulk", "s", json!({ "i": i }))).await.unwrap();
                }
                tx.commit().await.unwrap();
            }
        }
        left -= batch;
    }
    out.push(("audit append, 1,000 events per transaction".into(), format!("{:.0} events/s", (target - existing) as f64 / t.elapsed().as_secs_f64())));
    let t = Instant::now();
    let v = audit::verify(&*db).await.unwrap();
    assert!(v.ok);
    out.push((format!("audit verify of {} events", v.events), format!("{:.2} s", t.elapsed().as_secs_f64())));
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sqlite = run(Backend::Sqlite).await;
    let postgres = run(Backend::Postgres).await;
    println!("| measure | SQLite (file, WAL, synchronous=FULL) | PostgreSQL 15 (loopback, synchronous_commit=on) |");
    println!("|---|---|---|");
    for ((what, s), (_, p)) in sqlite.iter().zip(&postgres) {
        println!("| {what} | {s} | {p} |");
    }
}
