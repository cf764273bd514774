//! Shadow-mode figures on both stores, side by side: retrieval hit rate of the embedded engine
//! on real customer messages, embedded draft latency, and the time from a new customer message
//! to a ready draft. Run: `scripts/with-postgres.sh cargo bench -p desk-store-suite --bench drafts`
//! (reads ../shared/data beside the repository).

use std::collections::BTreeMap;
use std::time::Instant;

use desk_core::drafts::kb;
use desk_core::drafts::service::{DraftService, DraftSetup};
use desk_core::ingest::Ingest;
use desk_core::people::Role;
use desk_store_suite::{fresh, person, Backend};
use serde_json::{json, Value};

/// Which starter articles answer a Bitext intent (customer-facing policies).
const BITEXT_TO_ARTICLE: &[(&str, &str)] = &[
    ("cancel_order", "policies/subscriptions"),
    ("check_cancellation_fee", "policies/subscriptions"),
    ("change_shipping_address", "policies/address-changes"),
    ("set_up_shipping_address", "policies/address-changes"),
    ("check_invoice", "policies/invoices"),
    ("get_invoice", "policies/invoices"),
    ("check_payment_methods", "policies/payments"),
    ("payment_issue", "policies/payments"),
    ("check_refund_policy", "policies/refunds"),
    ("get_refund", "policies/refunds"),
    ("track_refund", "policies/refunds"),
    ("delivery_options", "policies/shipping"),
    ("delivery_period", "policies/shipping"),
    ("track_order", "policies/shipping"),
    ("recover_password", "policies/account-access"),
];

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(b: Backend) -> Vec<(String, String)> {
    let mut out = vec![];
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let t = fresh(b).await;
    let store = &*t.db;
    let kb_dir = t.dir.path().join("kb");
    kb::install_starter(&kb_dir).unwrap();
    let r = kb::reindex(store, &kb_dir).await.unwrap();
    out.push(("knowledge base".to_owned(), format!("{} articles, {} passages", r.articles, r.passages)));

    // 1. Bitext customer messages → the policy article for their intent (no intent hint given).
    match std::fs::read_to_string(data.join("bitext_cs_train.jsonl")) {
        Ok(text) => {
            let map: BTreeMap<&str, &str> = BITEXT_TO_ARTICLE.iter().copied().collect();
            let (mut n, mut hit1, mut hit3) = (0, 0, 0);
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                let Some(article) = map.get(v["intent"].as_str().unwrap_or("")) else { continue };
                let found = kb::search(store, v["text"].as_str().unwrap_or(""), None, 3).await.unwrap();
                let policies: Vec<&str> = found.iter().map(|p| p.article_id.as_str()).collect();
                n += 1;
                hit1 += (policies.first() == Some(article)) as i32;
                hit3 += policies.contains(article) as i32;
            }
            out.push((format!("retrieval on {n} Bitext messages with a policy article, no intent hint"), format!("hit@1 {:.1}%, hit@3 {:.1}%", 100.0 * hit1 as f64 / n as f64, 100.0 * hit3 as f64 / n as f64)));
        }
        Err(e) => println!("retrieval on Bitext skipped: {e}"),
    }

    // 2. ABCD dialogues: the customer's first two turns → an article of the dialogue's flow.
    match std::fs::read_to_string(data.join("abcd_dialogues_sample.jsonl")) {
        Ok(text) => {
            let (mut n, mut hit3) = (0, 0);
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                let flow = v["flow"].as_str().unwrap_or("");
                let customer: Vec<&str> = v["transcript"].as_array().unwrap().iter().filter(|t| t["role"] == "customer").filter_map(|t| t["text"].as_str()).take(2).collect();
                let found = kb::search(store, &customer.join(" "), None, 3).await.unwrap();
                n += 1;
                hit3 += found.iter().any(|p| p.article_id.starts_with(&format!("abcd/{flow}/"))) as i32;
            }
            out.push((format!("retrieval on the {n} ABCD sample dialogues (an article of the flow)"), format!("{hit3} of {n} at hit@3")));
        }
        Err(e) => println!("retrieval on ABCD skipped: {e}"),
    }

    // 3. Embedded draft latency and new-message-to-draft time on demo escalations.
    let ana = person(store, "ana", "Ana Agent", &[Role::Agent], 0).await;
    let drafts = DraftService::new(t.db.clone());
    let bot = desk_demo::bot::DemoBot::new(3);
    let setup = DraftSetup::default();
    let mut draft_ms = vec![];
    let mut visible_ms = vec![];
    for i in 0..300u64 {
        let mut doc = bot.escalation(i, chrono::Utc::now());
        store.ingest(&serde_json::to_vec(&doc).unwrap(), "bench").await.unwrap();
        let id = doc["handoff_id"].as_str().unwrap().to_owned();
        let t = Instant::now();
        drafts.draft(&ana, &setup, &id, 0, &|_| {}).await.unwrap();
        draft_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        // A new customer message arrives: store it, mark the draft stale, draft again.
        doc["transcript"].as_array_mut().unwrap().push(json!({"role": "customer", "text": "Any news on my refund? I'm still waiting.", "at": chrono::Utc::now().to_rfc3339()}));
        let t = Instant::now();
        store.ingest(&serde_json::to_vec(&doc).unwrap(), "bench").await.unwrap();
        drafts.draft(&ana, &setup, &id, 0, &|_| {}).await.unwrap();
        visible_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    out.push(("embedded draft (retrieval + template + guardrails + store), 300 drafts".to_owned(), format!("p50 {:.2} ms, p95 {:.2} ms", pct(&mut draft_ms, 0.5), pct(&mut draft_ms, 0.95))));
    out.push(("new customer message → stored → fresh draft ready, 300 messages".to_owned(), format!("p50 {:.2} ms, p95 {:.2} ms", pct(&mut visible_ms, 0.5), pct(&mut visible_ms, 0.95))));
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this bench runs only on demand.
    }
    let sqlite = run(Backend::Sqlite).await;
    let postgres = run(Backend::Postgres).await;
    println!("| measure | SQLite | PostgreSQL 15 (loopback) |");
    println!("|---|---|---|");
    for ((what, s), (_, p)) in sqlite.iter().zip(&postgres) {
        println!("| {what} | {s} | {p} |");
    }
}
