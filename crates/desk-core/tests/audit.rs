//! Tampering with the SQLite file directly (as someone with the file would): verify names the
//! first changed, deleted, reordered or cut-off event. (The suite in `desk-store-suite` checks
//! on both stores that the ordinary routes are refused and that work verifies.)

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use desk_core::audit;
use desk_demo::DemoBackend;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{GateService, Gates, Origin, ProposeInput};
use desk_core::people::DEMO_PASSWORD;
use desk_store_sqlite::Store;
use serde_json::json;

async fn worked_store() -> (tempfile::TempDir, Store, DemoBackend) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    store.seed_demo_users().await.unwrap();
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let now = desk_core::people::now_ms();
    let ana = store.sign_in("ana", DEMO_PASSWORD, now).await.unwrap();
    let sam = store.sign_in("sam", DEMO_PASSWORD, now).await.unwrap();
    let gates = GateService::new(Arc::new(store.clone()), Gates::default(), ToolExecutor::new(backend.base_url(), Duration::from_secs(2)));
    for amount in ["70.00", "80.00", "90.00"] {
        let params = json!({"order_id": "A123", "amount": amount, "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let v = gates.propose(&ana, input, now).await.unwrap();
        gates.approve(&sam, &v.id, &v.params_sha256, now).await.unwrap();
        gates.execute(&v.id, "system").await.unwrap();
    }
    (dir, store, backend)
}

#[tokio::test]
async fn audit_verify_detects_changed_deleted_and_reordered_events() {
    let (dir, store, _backend) = worked_store().await;
    let ok = audit::verify(&store).await.unwrap();
    assert!(ok.ok);
    assert!(ok.events >= 15, "{} events", ok.events);

    // Each tampering is done on a copy of the database (VACUUM INTO), with the triggers dropped
    // as an attacker with the file would, and the store's own verify must name the event.
    let mut copies = 0;
    let mut tampered = |sql: String| {
        copies += 1;
        let copy = dir.path().join(format!("copy{copies}.db"));
        let store = store.clone();
        async move {
            sqlx::query("VACUUM INTO ?").bind(copy.to_str().unwrap()).execute(store.pool()).await.unwrap();
            let c = Store::open(&copy).await.unwrap();
            sqlx::query("DROP TRIGGER audit_events_no_update").execute(c.pool()).await.unwrap();
            sqlx::query("DROP TRIGGER audit_events_no_delete").execute(c.pool()).await.unwrap();
            for stmt in sql.split(';').filter(|s| !s.trim().is_empty()) {
                sqlx::query(stmt).execute(c.pool()).await.unwrap();
            }
            audit::verify(&c).await.unwrap()
        }
    };
    // One byte of one event's payload changed.
    let with_amount: i64 = sqlx::query_scalar("SELECT MIN(id) FROM audit_events WHERE payload LIKE '%70.00%'").fetch_one(store.pool()).await.unwrap();
    let v = tampered(format!("UPDATE audit_events SET payload = replace(payload, '70.00', '71.00') WHERE id = {with_amount}")).await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(with_amount)), "{v:?}");
    // An event deleted from the middle.
    let v = tampered("DELETE FROM audit_events WHERE id = 4".into()).await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(4)), "{v:?}");
    assert!(v.problem.unwrap().contains("missing"));
    // Two events swapped.
    let v = tampered("UPDATE audit_events SET id = -5 WHERE id = 5; UPDATE audit_events SET id = 5 WHERE id = 6; UPDATE audit_events SET id = 6 WHERE id = -5".into()).await;
    assert_eq!((v.ok, v.first_broken_id), (false, Some(5)), "{v:?}");
    // Every byte of one event, one at a time, in the actor field.
    for i in 0..8 {
        let v = tampered(format!("UPDATE audit_events SET actor = substr(actor, 1, {i}) || 'X' || substr(actor, {}) WHERE id = 2", i + 2)).await;
        assert_eq!(v.first_broken_id, Some(2), "byte {i}: {v:?}");
    }

    // And the store's own verify names the event after a committed change of any byte.
    {
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_update").execute(&mut *tx).await.unwrap();
        sqlx::query("UPDATE audit_events SET actor = 'user:9:mallory' WHERE id = 7").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    let bad = audit::verify(&store).await.unwrap();
    assert!(!bad.ok);
    assert_eq!(bad.first_broken_id, Some(7));
    assert!(bad.problem.unwrap().contains("changed"));
}

#[tokio::test]
async fn audit_verify_detects_a_cut_off_end() {
    let (_dir, store, _backend) = worked_store().await;
    let total = audit::verify(&store).await.unwrap().events;
    {
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_delete").execute(&mut *tx).await.unwrap();
        sqlx::query("DELETE FROM audit_events WHERE id = ?").bind(total).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    let v = audit::verify(&store).await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.first_broken_id, Some(total));
}

#[tokio::test]
async fn the_backend_refuses_a_reused_key_with_other_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/v1/refunds", backend.base_url());
    let first = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "1.00"})).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let first_body = first.text().await.unwrap();
    let replay = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "1.00"})).send().await.unwrap();
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(replay.text().await.unwrap(), first_body);
    let other = client.post(&url).header("Idempotency-Key", "k1").json(&json!({"amount": "2.00"})).send().await.unwrap();
    assert_eq!(other.status(), 422);
    assert_eq!(backend.executions("k1").await, 1);
}
