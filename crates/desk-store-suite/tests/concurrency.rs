//! Races, on both stores, between separate connections (as separate desks or server processes
//! would be): hundreds of rounds each, one winner every time, and the audit chain verifies.
//! ROUNDS sets the number of rounds (default 200).

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use desk_core::audit;
use desk_demo::DemoBackend;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::lifecycle::CallState;
use desk_core::gates::{GateError, GateService, Gates, Origin, ProposeInput};
use desk_core::handoff::parse_document;
use desk_core::people::{now_ms, PeopleError, Role};
use desk_core::storage::{Database, NewAuditEvent};
use desk_store_suite::{fresh, on_both, open, person, Backend};
use serde_json::json;

fn rounds() -> usize {
    std::env::var("ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(200)
}

on_both!(two_desks_racing_to_start_one_approved_call_start_it_once, two_agents_claiming_at_once_one_wins_and_the_other_sees_who, concurrent_audit_appends_never_fork_the_chain);

async fn two_desks_racing_to_start_one_approved_call_start_it_once(b: Backend) {
    let t = fresh(b).await;
    t.db.store_handoff(&parse_document(&bytes(&valid_doc())).unwrap(), "test").await.unwrap();
    let backend = DemoBackend::start(&t.dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let ana = person(&*t.db, "ana", "Ana Agent", &[Role::Agent], now_ms()).await;
    let sam = person(&*t.db, "sam", "Sam Supervisor", &[Role::Supervisor], now_ms()).await;
    let desk = |db: Arc<dyn Database>| GateService::new(db, Gates::default(), ToolExecutor::new(backend.base_url(), Duration::from_secs(5)));
    // Two desks, each with its own connection pool on the same database.
    let (one, two) = (desk(t.db.clone()), desk(open(&t.location).await));
    let n = rounds();
    for i in 0..n {
        let params = json!({"order_id": format!("R{i}"), "amount": "120.00", "currency": "USD"}).as_object().unwrap().clone();
        let input = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params, origin: Origin::Agent, fraud_suspected: false };
        let v = one.propose(&ana, input, now_ms()).await.unwrap();
        one.approve(&sam, &v.id, &v.params_sha256, now_ms()).await.unwrap();
        let (a, c) = tokio::join!(one.execute(&v.id, "desk-1"), two.execute(&v.id, "desk-2"));
        let started = [&a, &c].iter().filter(|r| r.is_ok()).count();
        assert_eq!(started, 1, "round {i}: {a:?} / {c:?}");
        let loser = if a.is_ok() { c } else { a };
        assert!(matches!(loser, Err(GateError::Refused(_) | GateError::Conflict(_))), "round {i}: {loser:?}");
        assert_eq!(one.tool_call(&ana, &v.id, now_ms()).await.unwrap().state, CallState::Succeeded);
        assert_eq!(backend.executions(&v.id).await, 1, "round {i}");
    }
    assert_eq!(backend.total_executions().await as usize, n);
    assert!(audit::verify(&*t.db).await.unwrap().ok);
}

async fn two_agents_claiming_at_once_one_wins_and_the_other_sees_who(b: Backend) {
    let t = fresh(b).await;
    let other = open(&t.location).await;
    let ana = person(&*t.db, "ana", "Ana Agent", &[Role::Agent], now_ms()).await;
    let bob = person(&*t.db, "bob", "Bob Agent", &[Role::Agent], now_ms()).await;
    let n = rounds();
    let mut wins = [0usize; 2];
    for i in 0..n {
        let id = format!("hf_race_{i}");
        let doc = doc(&id, "normal", "2026-11-23T10:00:00Z", "refund_request", 0.5);
        t.db.store_handoff(&parse_document(&bytes(&doc)).unwrap(), "test").await.unwrap();
        let (a, c) = tokio::join!(desk_core::claims::claim(&*t.db, &ana, &id, now_ms()), desk_core::claims::claim(&*other, &bob, &id, now_ms()));
        let holder = t.db.claim_holder(&id).await.unwrap().expect("someone holds it");
        match (a, c) {
            (Ok(()), Err(PeopleError::Conflict(m))) => {
                wins[0] += 1;
                assert_eq!(holder.1, "Ana Agent");
                assert!(m.contains("Ana Agent"), "the loser is told who: {m}");
            }
            (Err(PeopleError::Conflict(m)), Ok(())) => {
                wins[1] += 1;
                assert_eq!(holder.1, "Bob Agent");
                assert!(m.contains("Bob Agent"), "the loser is told who: {m}");
            }
            other => panic!("round {i}: exactly one claim must win: {other:?}"),
        }
    }
    assert_eq!(wins[0] + wins[1], n);
    println!("claim race on {}: {n} rounds, ana won {}, bob won {}", t.db.kind(), wins[0], wins[1]);
}

async fn concurrent_audit_appends_never_fork_the_chain(b: Backend) {
    let t = fresh(b).await;
    let n = rounds();
    let mut tasks = vec![];
    for w in 0..4 {
        let db = open(&t.location).await;
        tasks.push(tokio::spawn(async move {
            for i in 0..n / 2 {
                db.append_audit(&NewAuditEvent::new(i as i64, &format!("writer:{w}"), "test.event", "s", json!({ "w": w, "i": i }))).await.expect("append under contention");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let v = audit::verify(&*t.db).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.events as usize, 4 * (n / 2));
}
