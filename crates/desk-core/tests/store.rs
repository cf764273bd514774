//! The SQLite store on a real file: the demo source seeding it, and several writers at once.
//! Intake, the quarantine and the queue run on both stores in `crates/desk-store-suite/tests/queue.rs`.

mod common;

use common::*;
use desk_core::ingest::Outcome;
use desk_core::queue::{ConfidenceBands, QueueFilter, QueueQuery, QueueSort, SlaPolicy, SortKey};
use desk_core::Store;
use serde_json::json;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn the_demo_source_seeds_valid_escalations_and_goes_on() {
    let (_d, store) = open().await;
    let demo = desk_demo::bot::DemoSource::new(store.clone());
    let ids = demo.seed_if_new().await.unwrap();
    assert_eq!(ids.len() as u64, desk_demo::bot::SEED_COUNT, "every seeded demo escalation is valid");
    assert_eq!(store.quarantine_count().await.unwrap(), 2, "two malformed examples");
    assert!(demo.seed_if_new().await.unwrap().is_empty(), "seeding happens once");
    for _ in 0..30 {
        assert!(matches!(demo.escalate_next().await.unwrap(), Outcome::Accepted { .. }));
    }
    let f = desk_core::queue::facets(&store).await.unwrap();
    assert_eq!(f.total, 70);
    assert!(f.intents.len() > 10, "varied intents: {:?}", f.intents);
    // Real dialogues bring attempted actions, failures included.
    let q = QueueQuery { filter: QueueFilter::default(), sort: QueueSort { key: SortKey::Triage, descending: false }, cursor: None, limit: 100 };
    let p = desk_core::queue::page(&store, &q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap();
    assert!(p.rows.iter().any(|r| r.failed_action_count > 0));
    assert!(p.rows.iter().any(|r| r.action_count > 1));
    assert!(store.integrity_ok().await.unwrap());
}

/// Several writers at once (the demo source, sign-ins writing audit events, the outbox) never
/// fail with "database is locked": write transactions take the lock up front and wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_wait_for_each_other() {
    let (_d, store) = open().await;
    let mut tasks = vec![];
    for t in 0..4 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..40 {
                let d = doc(&format!("hf_{t}_{i}"), "normal", "2026-11-23T10:00:00Z", "refund_request", 0.5);
                s.ingest(&bytes(&d), "test").await.expect("ingest under contention");
                desk_core::storage::AuditStore::append_audit(&s, &desk_core::storage::NewAuditEvent::new(i, "test", "test.event", "s", json!({ "t": t, "i": i }))).await.expect("audit under contention");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.handoff_count().await.unwrap(), 160);
    assert!(desk_core::audit::verify(&store).await.unwrap().ok);
}
