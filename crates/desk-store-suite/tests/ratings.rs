//! Ratings and app meta on both stores: a rating is frozen to the bot version it rated, its
//! author edits it with every earlier version kept, two raters rate one handoff side by side,
//! the next unrated handoff wraps around, and only team leads rate.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::people::{PeopleError, Permission, Role};
use desk_core::ratings::{EscalationTiming, RatingInput, SummaryVerdict};
use desk_store_suite::{fresh, on_both, person, Backend};
use serde_json::json;

const T0: i64 = 1_795_000_000_000;

fn rubric(intent_correct: bool, overall: u8) -> RatingInput {
    RatingInput {
        summary_accurate: SummaryVerdict::Partly,
        intent_correct,
        correct_intent: (!intent_correct).then(|| "  order_status ".to_owned()),
        context_complete: false,
        missing_fields: vec!["order_id".into(), "amount".into()],
        actions_reported: true,
        timing: EscalationTiming::TooLate,
        overall,
        comment: "Naïve summary — «quotes» and emoji 🙂 survive.".into(),
    }
}

async fn ratings_are_tied_to_the_bot_version_and_edits_keep_history(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let lee = person(db, "lee", "Lee Lead", &[Role::TeamLead], T0).await;
    let kim = person(db, "kim", "Kim Lead", &[Role::TeamLead], T0).await;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    assert!(matches!(db.rate(&ana, "hf_2f9c01", rubric(true, 4), T0).await, Err(PeopleError::Forbidden(Permission::RateHandoffs))));
    let bad = RatingInput { overall: 6, ..rubric(true, 4) };
    assert!(matches!(db.rate(&lee, "hf_2f9c01", bad, T0).await, Err(PeopleError::Invalid(_))));
    let no_intent = RatingInput { correct_intent: None, ..rubric(false, 2) };
    assert!(matches!(db.rate(&lee, "hf_2f9c01", no_intent, T0).await, Err(PeopleError::Invalid(_))));

    let r1 = db.rate(&lee, "hf_2f9c01", rubric(true, 4), T0).await.unwrap();
    assert_eq!((r1.bot_name.as_str(), r1.bot_version.as_str(), r1.revision, r1.rater_name.as_str()), ("helpbot", "2026.11.2", 1, "Lee Lead"));
    assert_eq!(r1.input, rubric(true, 4), "every field survives the round trip");
    assert_eq!(r1.confidence, 0.62);

    // The bot is upgraded and the handoff re-sent: the edit is tied to the new version.
    let mut v2 = valid_doc();
    v2["bot"]["version"] = json!("2026.12.1");
    db.ingest(&bytes(&v2), "test").await.unwrap();
    let r2 = db.rate(&lee, "hf_2f9c01", rubric(false, 2), T0 + 1).await.unwrap();
    assert_eq!(r2.id, r1.id, "the same rater edits, not duplicates");
    assert_eq!((r2.revision, r2.bot_version.as_str()), (2, "2026.12.1"));
    assert_eq!(r2.input.correct_intent.as_deref(), Some("order_status"), "trimmed");
    let history = db.rating_history(r1.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].0, &history[0].1), (1, &rubric(true, 4)), "the first version is kept");

    // A second team lead rates the same handoff beside the first.
    db.rate(&kim, "hf_2f9c01", rubric(true, 5), T0 + 2).await.unwrap();
    let all = db.ratings_of(&lee, "hf_2f9c01", T0).await.unwrap();
    assert_eq!(all.iter().map(|r| (r.rater_name.as_str(), r.input.overall)).collect::<Vec<_>>(), vec![("Lee Lead", 2), ("Kim Lead", 5)]);
    assert!(matches!(db.ratings_of(&ana, "hf_2f9c01", T0).await, Err(PeopleError::Forbidden(_))));
    assert!(db.rating(999_999).await.is_err());
}

async fn the_next_unrated_handoff_goes_on_after_the_last_and_wraps_around(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    for id in ["hf_1", "hf_2", "hf_3"] {
        db.ingest(&bytes(&doc(id, "normal", "2026-11-23T10:00:00Z", "refund_request", 0.5)), "test").await.unwrap();
    }
    let lee = person(db, "lee", "Lee Lead", &[Role::TeamLead], T0).await;
    assert_eq!(db.next_unrated(&lee, None, T0).await.unwrap().as_deref(), Some("hf_1"));
    db.rate(&lee, "hf_1", rubric(true, 4), T0).await.unwrap();
    assert_eq!(db.next_unrated(&lee, None, T0).await.unwrap().as_deref(), Some("hf_2"));
    let seq3 = db.stored_handoff("hf_3").await.unwrap().seq;
    assert_eq!(db.next_unrated(&lee, Some(seq3), T0).await.unwrap().as_deref(), Some("hf_2"), "wraps around to the start");
    db.rate(&lee, "hf_2", rubric(true, 4), T0).await.unwrap();
    db.rate(&lee, "hf_3", rubric(true, 4), T0).await.unwrap();
    assert_eq!(db.next_unrated(&lee, Some(seq3), T0).await.unwrap(), None, "nothing left to rate");
}

async fn app_meta_keeps_the_last_value(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    assert_eq!(db.meta("source.cursor").await.unwrap(), None);
    db.set_meta("source.cursor", "page-1").await.unwrap();
    db.set_meta("source.cursor", "page-2 «é»").await.unwrap();
    assert_eq!(db.meta("source.cursor").await.unwrap().as_deref(), Some("page-2 «é»"));
}

on_both!(
    ratings_are_tied_to_the_bot_version_and_edits_keep_history,
    the_next_unrated_handoff_goes_on_after_the_last_and_wraps_around,
    app_meta_keeps_the_last_value,
);
