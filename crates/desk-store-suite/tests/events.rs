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
