//! Ingest rate and queue query latency at 100,000 escalations, on a real SQLite file.
//! Run: `cargo bench -p desk-core --bench queue` (N=… to change the size). Results go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use chrono::Utc;
use desk_core::handoff::Priority;
use desk_core::queue::{ConfidenceBands, QueueFilter, QueueQuery, QueueSort, SlaPolicy, SortKey};
use desk_demo::bot::DemoBot;
use desk_core::ingest::Ingest;
use desk_core::Store;

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

async fn time_query(store: &Store, q: &QueueQuery, runs: usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let page = desk_core::queue::page(store, q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap();
        times.push(t.elapsed());
        n = page.rows.len();
    }
    (pct(times.clone(), 0.5), pct(times, 0.95), n)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this bench runs only on demand.
    }
    let n: u64 = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    let bot = DemoBot::new(7);
    let now = Utc::now();

    let mut file = Vec::new();
    for i in 0..n {
        let at = now - chrono::Duration::seconds((n - i) as i64 * 3);
        file.extend(serde_json::to_vec(&bot.escalation(i, at)).unwrap());
        file.push(b'\n');
    }
    let mb = file.len() as f64 / 1e6;
    let t = Instant::now();
    let report = store.import_jsonl(&file, "bench", &mut |_| {}).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(report.accepted as u64, n);
    println!("ingest: {n} escalations ({mb:.0} MB JSONL) in {secs:.1} s = {:.0} escalations/s", n as f64 / secs);

    let t = Instant::now();
    let again = store.import_jsonl(&file, "bench", &mut |_| {}).await.unwrap();
    assert_eq!(again.unchanged as u64, n);
    println!("re-import (all unchanged): {:.0} escalations/s", n as f64 / t.elapsed().as_secs_f64());

    let base = QueueQuery { limit: 100, ..Default::default() };
    let cases: Vec<(&str, QueueQuery)> = vec![
        ("first page, triage order", base.clone()),
        ("first page, newest first", QueueQuery { sort: QueueSort { key: SortKey::Age, descending: true }, ..base.clone() }),
        ("first page, by confidence", QueueQuery { sort: QueueSort { key: SortKey::Confidence, descending: false }, ..base.clone() }),
        ("first page, urgent+high only", QueueQuery { filter: QueueFilter { priorities: vec![Priority::Urgent, Priority::High], ..Default::default() }, ..base.clone() }),
        ("search, common word (\"the\")", QueueQuery { filter: QueueFilter { search: Some("the".into()), ..Default::default() }, ..base.clone() }),
        ("search, rare word (\"swallowed\")", QueueQuery { filter: QueueFilter { search: Some("swallowed".into()), ..Default::default() }, ..base.clone() }),
    ];
    println!("\n| query (100 rows) | p50 ms | p95 ms | rows |\n|---|---|---|---|");
    for (name, q) in &cases {
        let (p50, p95, rows) = time_query(&store, q, 50).await;
        println!("| {name} | {p50:.2} | {p95:.2} | {rows} |");
    }
    // A deep page: walk 500 pages in, then time the next one.
    let mut q = base.clone();
    for _ in 0..500 {
        let p = desk_core::queue::page(&store, &q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap();
        q.cursor = p.next_cursor;
    }
    let (p50, p95, rows) = time_query(&store, &q, 50).await;
    println!("| page 501 (keyset cursor), triage order | {p50:.2} | {p95:.2} | {rows} |");
    let t = Instant::now();
    for _ in 0..20 {
        desk_core::queue::facets(&store).await.unwrap();
    }
    println!("| facets (counts by priority and intent) | {:.2} (mean) | | |", t.elapsed().as_secs_f64() * 1000.0 / 20.0);
}
