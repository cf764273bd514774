//! The event stream on both stores: every change to an escalation, a tool call, a draft, a reply
//! or the quarantine is one event, written with the change, in delivery order; reading after a
//! position gives what came after it and nothing else.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::drafts::service::{DraftDecision, DraftService, DraftSetup};
use desk_core::events::{self, EventPosition};
use desk_core::people::{PeopleError, Role};
use desk_store_suite::{fresh, on_both, person, Backend};
use serde_json::json;

const T0: i64 = 1_795_000_000_000;

async fn every_change_is_one_event_in_order(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    let nobody = person(db, "nobody", "No Role", &[], T0).await;
    let start = events::head(db, &ana, T0).await.unwrap();
    assert_eq!(start, EventPosition::default(), "nothing yet");
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap(); // unchanged: no event
    let mut v2 = valid_doc();
    v2["summary"] = json!("Now with a photo of the box.");
    db.ingest(&bytes(&v2), "test").await.unwrap();
    db.ingest(b"{ not json", "test").await.unwrap();
    desk_core::claims::claim(db, &ana, "hf_2f9c01", T0).await.unwrap();
    let drafts = DraftService::new(t.db.clone());
    let d = drafts.draft(&ana, &DraftSetup::default(), "hf_2f9c01", T0, &|_| {}).await.unwrap().unwrap();
    drafts.decide(&ana, &d.id, DraftDecision::Edit { text: "Hi Ada, a refund is on its way.".into() }, T0).await.unwrap();

    let all = events::page(db, &ana, start, 100, T0).await.unwrap();
    let kinds: Vec<(&str, Option<&str>)> = all.iter().map(|e| (e.kind.as_str(), e.handoff_id.as_deref())).collect();
    let h = Some("hf_2f9c01");
    assert_eq!(
        kinds,
        vec![
            ("handoff.arrived", h),
            ("handoff.changed", h), // the new revision
            ("quarantine.added", None),
            ("handoff.changed", h), // claimed
            ("draft.changed", h),   // drafted
            ("draft.changed", h),   // edited and sent
            ("reply.changed", h),   // queued for the customer
        ]
    );
    let positions: Vec<EventPosition> = all.iter().map(|e| e.position()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(events::head(db, &ana, T0).await.unwrap(), *positions.last().unwrap());
    let after_third = events::page(db, &ana, positions[2], 100, T0).await.unwrap();
    assert_eq!(after_third, all[3..].to_vec(), "after a position: exactly what came after it");
    assert!(events::page(db, &ana, *positions.last().unwrap(), 100, T0).await.unwrap().is_empty());
    assert_eq!(events::page(db, &ana, start, 2, T0).await.unwrap().len(), 2, "the limit holds");
    assert!(matches!(events::page(db, &nobody, start, 100, T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(events::head(db, &nobody, T0).await, Err(PeopleError::Forbidden(_))));
}

on_both!(every_change_is_one_event_in_order);

async fn old_events_are_pruned_and_a_follower_behind_them_must_start_over(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    let start = events::head(db, &ana, T0).await.unwrap();
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let before_prune = events::head(db, &ana, T0).await.unwrap();
    assert!(events::replayable(db, start).await.unwrap(), "nothing pruned yet");
    // Nothing is older than an hour ago: nothing goes.
    let now = desk_core::people::now_ms();
    assert_eq!(events::prune(db, now - 3_600_000).await.unwrap(), 0);
    assert!(events::replayable(db, start).await.unwrap());
    // Everything written so far is older than a second from now.
    assert!(events::prune(db, now + 1_000).await.unwrap() >= 1);
    assert!(events::page(db, &ana, start, 100, T0).await.unwrap().is_empty(), "deleted");
    assert!(!events::replayable(db, start).await.unwrap(), "a follower from the start has missed events");
    assert!(events::replayable(db, before_prune).await.unwrap(), "one that saw everything pruned has not");
    // What comes next is delivered after the pruned position as before.
    db.ingest(&bytes(&doc("hf_after", "normal", "2026-12-03T10:00:00Z", "order_status", 0.7)), "test").await.unwrap();
    let next = events::page(db, &ana, before_prune, 100, T0).await.unwrap();
    assert_eq!(next.iter().map(|e| (e.kind.as_str(), e.subject.as_str())).collect::<Vec<_>>(), vec![("handoff.arrived", "hf_after")]);
    // Pruning again with an older cutoff never moves the recorded position back.
    assert_eq!(events::prune(db, now - 3_600_000).await.unwrap(), 0);
    assert!(events::replayable(db, before_prune).await.unwrap());
    assert!(!events::replayable(db, start).await.unwrap());
}

on_both!(old_events_are_pruned_and_a_follower_behind_them_must_start_over);
