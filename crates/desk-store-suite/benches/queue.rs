//! Ingest rate and queue query latency on both stores, side by side in one run: the same
//! escalations imported through the full validation path, then pages, a deep keyset page,
//! search and facets. PostgreSQL is the server scripts/with-postgres.sh starts on loopback. Run:
//! `scripts/with-postgres.sh cargo bench -p desk-store-suite --bench queue` (N=… sets the number
//! of escalations, default 100,000).

use std::time::{Duration, Instant};

use chrono::Utc;
use desk_core::handoff::Priority;
use desk_core::ingest::Ingest;
use desk_core::queue::{facets, page, ConfidenceBands, QueueFilter, QueueQuery, QueueSort, SlaPolicy, SortKey};
use desk_core::storage::Database;
use desk_demo::DemoBot;
use desk_store_suite::{fresh, Backend};

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

async fn time_query(db: &dyn Database, q: &QueueQuery, runs: usize) -> String {
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let p = page(db, q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap();
        times.push(t.elapsed());
        rows = p.rows.len();
    }
    format!("{:.2} / {:.2} ms ({rows} rows)", pct(times.clone(), 0.5), pct(times, 0.95))
}

async fn run(b: Backend, file: &[u8], n: u64) -> Vec<(String, String)> {
    let mut out = vec![];
    let t0 = fresh(b).await;
    let db = &*t0.db;
    let t = Instant::now();
    let report = db.import_jsonl(file, "bench", &mut |_| {}).await.unwrap();
    assert_eq!(report.accepted as u64, n);
    out.push(("ingest (validate, store, index for search), 1,000 lines per transaction".into(), format!("{:.0} escalations/s", n as f64 / t.elapsed().as_secs_f64())));
    let t = Instant::now();
    let again = db.import_jsonl(file, "bench", &mut |_| {}).await.unwrap();
    assert_eq!(again.unchanged as u64, n);
    out.push(("re-import of the same file (every line unchanged)".into(), format!("{:.0} escalations/s", n as f64 / t.elapsed().as_secs_f64())));

    let base = QueueQuery { limit: 100, ..Default::default() };
    let search = |s: &str| QueueQuery { filter: QueueFilter { search: Some(s.into()), ..Default::default() }, ..base.clone() };
    let cases: Vec<(&str, QueueQuery)> = vec![
        ("first page, triage order", base.clone()),
        ("first page, newest first", QueueQuery { sort: QueueSort { key: SortKey::Age, descending: true }, ..base.clone() }),
        ("first page, by customer", QueueQuery { sort: QueueSort { key: SortKey::Customer, descending: false }, ..base.clone() }),
        ("first page, urgent + high only", QueueQuery { filter: QueueFilter { priorities: vec![Priority::Urgent, Priority::High], ..Default::default() }, ..base.clone() }),
        ("search, common word prefix (\"the*\")", search("the")),
        ("search, two common words (\"order refund*\")", search("order refund")),
        ("search, rare word (\"swallowed*\")", search("swallowed")),
    ];
    for (name, q) in &cases {
        out.push((format!("{name}: p50 / p95"), time_query(db, q, 50).await));
    }
    // A deep page: walk 500 pages in, then time the next one.
    let mut q = base.clone();
    for _ in 0..500 {
        q.cursor = page(db, &q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap().next_cursor;
    }
    out.push(("page 501 by keyset cursor, triage order: p50 / p95".into(), time_query(db, &q, 50).await));
    let t = Instant::now();
    for _ in 0..20 {
        facets(db).await.unwrap();
    }
    out.push(("facets (counts by priority and intent), mean".into(), format!("{:.2} ms", t.elapsed().as_secs_f64() * 1000.0 / 20.0)));

    // What the event triggers cost at intake: the same import into a fresh store without them.
    let bare = fresh(b).await;
    drop_event_triggers(b, &bare.location).await;
    let t = Instant::now();
    bare.db.import_jsonl(file, "bench", &mut |_| {}).await.unwrap();
    out.push(("the same ingest without the event triggers (their cost)".into(), format!("{:.0} escalations/s", n as f64 / t.elapsed().as_secs_f64())));
    out
}

/// Removes the triggers that write an event per stored escalation or quarantined document.
async fn drop_event_triggers(b: Backend, location: &str) {
    match b {
        Backend::Sqlite => {
            let s = desk_store_sqlite::Store::open(std::path::Path::new(location)).await.unwrap();
            for t in ["handoffs_arrived", "handoffs_changed", "quarantine_added"] {
                sqlx::query(&format!("DROP TRIGGER {t}")).execute(s.pool()).await.unwrap();
            }
        }
        Backend::Postgres => {
            let p = desk_store_postgres::PgStore::connect(location, 2).await.unwrap();
            for (t, table) in [("handoffs_events", "handoffs"), ("quarantine_events", "quarantine")] {
                sqlx::query(&format!("DROP TRIGGER {t} ON {table}")).execute(p.pool()).await.unwrap();
            }
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this bench runs only on demand.
    }
    let n: u64 = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let bot = DemoBot::new(7);
    let now = Utc::now();
    let mut file = Vec::new();
    for i in 0..n {
        let at = now - chrono::Duration::seconds((n - i) as i64 * 3);
        file.extend(serde_json::to_vec(&bot.escalation(i, at)).unwrap());
        file.push(b'\n');
    }
    println!("{n} demo escalations, {:.0} MB of JSON Lines\n", file.len() as f64 / 1e6);
    let sqlite = run(Backend::Sqlite, &file, n).await;
    let postgres = run(Backend::Postgres, &file, n).await;
    println!("| measure | SQLite (file, WAL, synchronous=FULL) | PostgreSQL 15 (loopback, synchronous_commit=on) |");
    println!("|---|---|---|");
    for ((what, s), (_, p)) in sqlite.iter().zip(&postgres) {
        println!("| {what} | {s} | {p} |");
    }
}
