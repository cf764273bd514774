//! Analytics on both stores, against hand counts: escalations by day and reason, by intent and
//! bot version with the team leads' verdicts, calibration, time to claim and to the first reply,
//! the filters, the CSV and evaluation-case exports, and who may see and export them.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::analytics::{AnalyticsFilter, AnalyticsService, ExportTable};
use desk_core::drafts::service::{DraftDecision, DraftService, DraftSetup};
use desk_core::people::{PeopleError, Role};
use desk_store_suite::{fresh, on_both, person, Backend};
use serde_json::json;

const T0: i64 = 1_795_000_000_000;

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

async fn analytics_match_hand_counts(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let service = AnalyticsService::new(t.db.clone());
    let lee = person(db, "lee", "Lee Lead", &[Role::TeamLead], T0).await;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    let sam = person(db, "sam", "Sam Supervisor", &[Role::Supervisor], T0).await;
    let mk = |id: &str, intent: &str, conf: f64, version: &str, day: &str, reason: &str| {
        let mut d = doc(id, "normal", &format!("{day}T10:00:00Z"), intent, conf);
        d["bot"]["version"] = json!(version);
        d["reason"] = json!(reason);
        d
    };
    for d in [
        mk("h1", "refund", 0.30, "v1", "2026-11-20", "low_confidence"),
        mk("h2", "refund", 0.35, "v1", "2026-11-20", "low_confidence"),
        mk("h3", "refund", 0.90, "v2", "2026-11-21", "tool_failure"),
        mk("h4", "order_status", 0.95, "v2", "2026-11-21", "low_confidence"),
        mk("h5", "order_status", 1.0, "v10", "2026-11-22", "max_turns"),
        mk("h6", "order_status", 0.5, "v10", "2026-11-22", "max_turns"),
    ] {
        db.ingest(&bytes(&d), "test").await.unwrap();
    }
    for (id, correct, overall) in [("h1", true, 3), ("h2", false, 1), ("h3", true, 5), ("h4", true, 4), ("h5", false, 2)] {
        db.rate(&lee, id, rubric(correct, overall), T0).await.unwrap();
    }
    // h1 is claimed 90 s after it escalated and answered 120 s after; h2 claimed after 30 s.
    db.claim("h1", ana.actor.user_id, ms("2026-11-20T10:01:30Z"), false).await.unwrap();
    db.claim("h2", sam.actor.user_id, ms("2026-11-20T10:00:30Z"), false).await.unwrap();
    let drafts = DraftService::new(t.db.clone());
    let d = drafts.draft(&ana, &DraftSetup::default(), "h1", ms("2026-11-20T10:01:40Z"), &|_| {}).await.unwrap().unwrap();
    drafts.decide(&ana, &d.id, DraftDecision::Edit { text: "Hi Ada, your refund is on its way.".into() }, ms("2026-11-20T10:02:00Z")).await.unwrap();

    let a = service.analytics(&lee, &AnalyticsFilter::default(), T0).await.unwrap();
    assert_eq!((a.escalations, a.rated), (6, 5));
    assert!((a.calibration.ece.unwrap() - 0.24).abs() < 1e-9, "ECE = 2/5·|0.5 − 0.325| + 3/5·|0.6667 − 0.95| = 0.24, got {:?}", a.calibration.ece);
    assert_eq!(a.by_intent.iter().map(|i| i.intent.as_str()).collect::<Vec<_>>(), vec!["order_status", "refund"], "most escalations first, then by name");
    let refund = a.by_intent.iter().find(|i| i.intent == "refund").unwrap();
    assert_eq!((refund.escalations, refund.rated), (3, 3));
    assert!((refund.avg_confidence - (0.30 + 0.35 + 0.90) / 3.0).abs() < 1e-9);
    assert!((refund.avg_overall.unwrap() - 3.0).abs() < 1e-9);
    assert!((refund.intent_correct_share.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(refund.summary_accurate_share, Some(1.0));
    assert_eq!(refund.overall_counts, vec![1, 0, 1, 0, 1]);
    let order = a.by_intent.iter().find(|i| i.intent == "order_status").unwrap();
    assert_eq!((order.escalations, order.rated), (3, 2), "h6 is unrated");
    assert_eq!(a.by_version.iter().map(|v| v.bot_version.as_str()).collect::<Vec<_>>(), vec!["v1", "v10", "v2"], "byte order on both stores");
    let v2 = a.by_version.iter().find(|v| v.bot_version == "v2").unwrap();
    assert_eq!((v2.escalations, v2.rated), (2, 2));
    assert!((v2.avg_overall.unwrap() - 4.5).abs() < 1e-9);
    let v10 = a.by_version.iter().find(|v| v.bot_version == "v10").unwrap();
    assert_eq!((v10.escalations, v10.rated, v10.intent_correct_share), (2, 1, Some(0.0)));
    let days: Vec<_> = a.by_day_reason.iter().map(|d| (d.day.as_str(), d.reason.as_str(), d.count)).collect();
    assert_eq!(
        days,
        vec![("2026-11-20", "low_confidence", 2), ("2026-11-21", "low_confidence", 1), ("2026-11-21", "tool_failure", 1), ("2026-11-22", "max_turns", 2)]
    );
    assert_eq!((a.time_to_claim.claimed, a.time_to_claim.p50_secs, a.time_to_claim.p90_secs), (2, Some(90.0), Some(90.0)));
    assert_eq!((a.time_to_first_response.claimed, a.time_to_first_response.p50_secs), (1, Some(120.0)));
    assert_eq!(a.all_intents, vec!["order_status", "refund"]);
    assert_eq!(a.all_bot_versions, vec!["v1", "v10", "v2"]);

    // Filters narrow everything.
    let f = AnalyticsFilter { bot_versions: vec!["v1".into()], ..Default::default() };
    let a1 = service.analytics(&lee, &f, T0).await.unwrap();
    assert_eq!((a1.escalations, a1.rated, a1.time_to_claim.claimed), (2, 2, 2));
    let f = AnalyticsFilter { from_ms: Some(ms("2026-11-21T00:00:00Z")), to_ms: Some(ms("2026-11-22T00:00:00Z")), intents: vec!["refund".into(), "order_status".into()], ..Default::default() };
    let a2 = service.analytics(&lee, &f, T0).await.unwrap();
    assert_eq!((a2.escalations, a2.rated, a2.by_day_reason.len()), (2, 2, 2));
    assert_eq!(a2.all_intents.len(), 2, "the menus list every intent, filtered or not");

    // Exports.
    let csv = service.export_csv(&lee, ExportTable::ByIntent, &AnalyticsFilter::default(), T0).await.unwrap();
    assert!(csv.starts_with("intent,escalations"));
    assert!(csv.contains("refund,3,0.5167,3,3.0000,0.6667,1.0000"), "{csv}");
    let cases = service.export_eval_cases(&lee, &AnalyticsFilter::default(), T0).await.unwrap();
    assert_eq!(cases.lines().count(), 5);
    let first: serde_json::Value = serde_json::from_str(cases.lines().next().unwrap()).unwrap();
    assert_eq!(first["expected"]["intent"], "refund");
    assert_eq!(first["bot"]["version"], "v1");
    let second: serde_json::Value = serde_json::from_str(cases.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["expected"]["intent"], "order_status", "the team lead's intent when the bot's was wrong");

    // Who may: agents see no analytics; supervisors see them but do not export.
    let f = AnalyticsFilter::default();
    assert!(matches!(service.analytics(&ana, &f, T0).await, Err(PeopleError::Forbidden(_))));
    service.analytics(&sam, &f, T0).await.unwrap();
    assert!(matches!(service.export_csv(&sam, ExportTable::Ratings, &f, T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(service.export_eval_cases(&ana, &f, T0).await, Err(PeopleError::Forbidden(_))));
}

on_both!(analytics_match_hand_counts);
