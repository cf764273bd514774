//! The SQLite store on a real file: several writers at once never fail with "database is
//! locked". Intake, the quarantine, the queue and the demo source run on both stores in
//! `crates/desk-store-suite/tests/queue.rs`.

mod common;

use common::*;
use desk_store_sqlite::Store;
use serde_json::json;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    (dir, store)
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
