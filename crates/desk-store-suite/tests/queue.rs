//! Intake, the quarantine and the queue through desk-core's services on both stores: idempotent
//! ingest, quarantine with raw bytes, JSON Lines accounting, every sort key paged both ways in
//! the same order on both stores, filters, search (words, prefixes, hostile input, the capped
//! candidate set), facets, the permission checks, and the demo source on either store.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::handoff::{Channel, Priority};
use desk_core::ingest::Outcome;
use desk_core::people::{PeopleError, Role, Session};
use desk_core::queue::{ClaimFilter, ConfidenceBand, ConfidenceBands, QueueFilter, QueuePage, QueueQuery, QueueRow, QueueService, QueueSort, SlaPolicy, SortKey};
use desk_store_suite::{fresh, on_both, person, Backend, TestDb};
use serde_json::json;

const T0: i64 = 1_795_000_000_000;

struct Desk {
    t: TestDb,
    queue: QueueService,
    ana: Session,
}

async fn desk(b: Backend) -> Desk {
    let t = fresh(b).await;
    let queue = QueueService::new(t.db.clone(), ConfidenceBands::default(), SlaPolicy::default());
    let ana = person(&*t.db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    Desk { t, queue, ana }
}

impl Desk {
    async fn page(&self, q: &QueueQuery) -> QueuePage {
        self.queue.page(&self.ana, q, T0).await.unwrap()
    }

    /// Every row, walking the cursor page by page.
    async fn walk(&self, mut q: QueueQuery) -> Vec<QueueRow> {
        let mut all = vec![];
        loop {
            let p = self.page(&q).await;
            all.extend(p.rows);
            match p.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => return all,
            }
        }
    }

    async fn search(&self, text: &str, limit: u32) -> QueuePage {
        self.page(&query(QueueFilter { search: Some(text.into()), ..Default::default() }, SortKey::Age, false, limit)).await
    }
}

fn query(filter: QueueFilter, key: SortKey, descending: bool, limit: u32) -> QueueQuery {
    QueueQuery { filter, sort: QueueSort { key, descending }, cursor: None, limit }
}

/// Customer names whose order differs between a byte collation and a language one (spaces,
/// punctuation, case, accents), so both stores must agree on byte order.
const NAMES: [&str; 7] = ["ann lee", "Annabel", "ann-marie", "Émile", "zed", "O'Brien", "ANN"];

async fn seed(d: &Desk, n: usize) {
    let priorities = ["low", "normal", "high", "urgent"];
    let channels = ["web", "email", "sms", "voice"];
    let mut lines = Vec::new();
    for i in 0..n {
        let mut doc = doc(
            &format!("hf_{i:05}"),
            priorities[i % 4],
            &format!("2026-11-23T{:02}:{:02}:00Z", 8 + (i / 60) % 12, i % 60),
            if i % 3 == 0 { "refund_request" } else { "order_status" },
            (i % 100) as f64 / 100.0,
        );
        doc["channel"] = json!(channels[i % 4]);
        doc["customer"]["name"] = json!(NAMES[i % NAMES.len()]);
        doc["sentiment"]["score"] = json!(((i * 37) % 200) as f64 / 100.0 - 1.0);
        doc["summary"] = json!(format!("case number {i} {}", if i % 10 == 0 { "parcel lost" } else { "general" }));
        lines.extend(bytes(&doc));
        lines.push(b'\n');
    }
    let r = d.queue.import(&d.ana, &lines, "seed", &mut |_| {}, T0).await;
    assert!(matches!(r, Err(PeopleError::Forbidden(_))), "an agent may not import: {r:?}");
    let admin = person(&*d.t.db, "ada", "Ada Admin", &[Role::Admin], T0).await;
    let r = d.queue.import(&admin, &lines, "seed", &mut |_| {}, T0).await.unwrap();
    assert_eq!(r.accepted as usize, n);
}

async fn ingest_is_idempotent_on_handoff_id(b: Backend) {
    let d = desk(b).await;
    let db = &*d.t.db;
    let v = valid_doc();
    assert!(matches!(db.ingest(&bytes(&v), "test").await.unwrap(), Outcome::Accepted { .. }));
    assert!(matches!(db.ingest(&bytes(&v), "test").await.unwrap(), Outcome::Unchanged { .. }));
    // Same content, different key order and whitespace: still unchanged.
    let pretty = serde_json::to_vec_pretty(&v).unwrap();
    assert!(matches!(db.ingest(&pretty, "test").await.unwrap(), Outcome::Unchanged { .. }));

    let mut changed = v.clone();
    changed["summary"] = json!("Refund approved by the customer's bank; wants confirmation.");
    assert!(matches!(db.ingest(&bytes(&changed), "test").await.unwrap(), Outcome::Updated { .. }));
    assert_eq!(db.handoff_count().await.unwrap(), 1);
    let stored = db.stored_handoff("hf_2f9c01").await.unwrap();
    assert_eq!(stored.revision, 2);
    assert_eq!(stored.handoff.summary, "Refund approved by the customer's bank; wants confirmation.");

    // Search follows the update: the old summary's words are gone, the new ones are found.
    assert_eq!(d.search("blender", 10).await.rows.len(), 1, "transcript words are searchable");
    assert!(d.search("photo", 10).await.rows.is_empty(), "the replaced summary is no longer indexed");
    assert_eq!(d.search("confirmation", 10).await.rows.len(), 1);
    assert_eq!(d.search("ada@example", 10).await.rows.len(), 1, "the customer's e-mail is searchable by its words");
}

async fn an_invalid_document_is_quarantined_and_never_changes_a_stored_one(b: Backend) {
    let d = desk(b).await;
    let db = &*d.t.db;
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let mut bad = valid_doc();
    bad["intent"]["confidence"] = json!(3.0);
    bad["summary"] = json!("tampered");
    let out = db.ingest(&bytes(&bad), "http").await.unwrap();
    let Outcome::Quarantined { handoff_id, errors, .. } = out else { panic!("expected quarantine") };
    assert_eq!(handoff_id.as_deref(), Some("hf_2f9c01"));
    assert_eq!(errors[0].path, "$.intent.confidence");
    assert_eq!(db.stored_handoff("hf_2f9c01").await.unwrap().handoff.summary, valid_doc()["summary"]);

    let q = d.queue.quarantine(&d.ana, None, 10, T0).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].source, "http");
    assert_eq!(q[0].errors[0].path, "$.intent.confidence");
    assert_eq!(db.quarantine_raw(q[0].id).await.unwrap().unwrap(), bytes(&bad), "raw bytes kept exactly");
}

async fn a_jsonl_import_accounts_for_every_line(b: Backend) {
    let d = desk(b).await;
    let db = &*d.t.db;
    let mut file = b"\xEF\xBB\xBF".to_vec();
    let a = doc("hf_a", "urgent", "2026-11-23T10:00:00Z", "refund_request", 0.9);
    let bb = doc("hf_b", "low", "2026-11-23T11:00:00Z", "order_status", 0.3);
    let mut b2 = bb.clone();
    b2["summary"] = json!("changed");
    for line in [
        bytes(&a),                                                  // 1 accepted
        b"{ not json".to_vec(),                                     // 2 quarantined
        bytes(&bb),                                                 // 3 accepted
        b"   ".to_vec(),                                            // 4 quarantined (whitespace only)
        b"\xff\xfe\xfd".to_vec(),                                   // 5 quarantined (not UTF-8)
        bytes(&a),                                                  // 6 unchanged
        bytes(&b2),                                                 // 7 updated
        bytes(&mutate(a.clone(), "/channel", Some(json!("fax")))), // 8 quarantined
    ] {
        file.extend(line);
        file.extend(b"\r\n");
    }
    let mut progress = vec![];
    let report = db.import_jsonl(&file, "import:test.jsonl", &mut |p| progress.push(p)).await.unwrap();
    assert_eq!(report.lines, 8);
    assert_eq!((report.accepted, report.updated, report.unchanged, report.quarantined), (2, 1, 1, 4));
    let bad_lines: Vec<i64> = report.line_errors.iter().map(|e| e.line).collect();
    assert_eq!(bad_lines, vec![2, 4, 5, 8]);
    assert_eq!(report.line_errors[3].errors[0].path, "$.channel");
    assert_eq!(db.quarantine_count().await.unwrap(), 4);
    let last = progress.last().unwrap();
    assert_eq!(last.bytes_done, file.len() as i64);
    assert_eq!(last.lines_done, 8);
    let q = d.queue.quarantine(&d.ana, None, 10, T0).await.unwrap();
    assert_eq!(q.iter().map(|e| e.line_no).collect::<Vec<_>>(), vec![Some(8), Some(5), Some(4), Some(2)], "newest first, each with its line");
    assert!(q.iter().any(|e| e.line_no == Some(5) && !e.raw_is_utf8));
    let older = d.queue.quarantine(&d.ana, Some(q[1].id), 10, T0).await.unwrap();
    assert_eq!(older.len(), 2, "paging by id");
    assert_eq!(db.stored_handoff("hf_b").await.unwrap().handoff.summary, "changed");
}

async fn triage_order_is_most_urgent_then_longest_waiting_and_pages_do_not_overlap(b: Backend) {
    let d = desk(b).await;
    seed(&d, 250).await;
    let all = d.walk(query(QueueFilter::default(), SortKey::Triage, false, 40)).await;
    assert_eq!(all.len(), 250, "every row once");
    let mut ids: Vec<&str> = all.iter().map(|r| r.handoff_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no row twice");
    for w in all.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(a.priority.rank() > b.priority.rank() || (a.priority == b.priority && a.escalated_ms <= b.escalated_ms), "{a:?} before {b:?}");
    }
    assert_eq!(all[0].priority, Priority::Urgent);
    assert_eq!(all[0].sla_secs, 120);
}

/// The order a sort key promises, computed here from the rows themselves: by the key's value
/// (text in byte order), then by arrival, the whole reversed when descending.
fn expected_order(rows: &[QueueRow], key: SortKey, descending: bool) -> Vec<i64> {
    let mut v: Vec<&QueueRow> = rows.iter().collect();
    let text = |r: &QueueRow| -> String {
        match key {
            SortKey::Intent => r.intent.clone(),
            SortKey::Channel => r.channel.as_str().to_owned(),
            SortKey::Customer => r.customer_name.as_deref().unwrap_or(&r.customer_id).to_lowercase(),
            SortKey::Reason => r.reason.as_str().to_owned(),
            _ => String::new(),
        }
    };
    let number = |r: &QueueRow| -> f64 {
        match key {
            SortKey::Age | SortKey::Triage => r.escalated_ms as f64,
            SortKey::Priority => r.priority.rank() as f64,
            SortKey::Confidence => r.confidence,
            SortKey::Sentiment => r.sentiment_score,
            _ => 0.0,
        }
    };
    v.sort_by(|a, b| {
        text(a).as_bytes().cmp(text(b).as_bytes()).then(number(a).partial_cmp(&number(b)).unwrap()).then(a.seq.cmp(&b.seq))
    });
    if descending {
        v.reverse();
    }
    v.into_iter().map(|r| r.seq).collect()
}

async fn every_sort_key_pages_in_the_same_order_on_both_stores(b: Backend) {
    let d = desk(b).await;
    seed(&d, 90).await;
    for key in [SortKey::Age, SortKey::Priority, SortKey::Confidence, SortKey::Intent, SortKey::Channel, SortKey::Customer, SortKey::Reason, SortKey::Sentiment] {
        for descending in [false, true] {
            let seen = d.walk(query(QueueFilter::default(), key, descending, 7)).await;
            assert_eq!(seen.len(), 90, "{key:?} {descending}");
            let got: Vec<i64> = seen.iter().map(|r| r.seq).collect();
            assert_eq!(got, expected_order(&seen, key, descending), "{key:?} descending={descending} on {}", d.t.db.kind());
        }
    }
}

async fn filters_combine(b: Backend) {
    let d = desk(b).await;
    seed(&d, 200).await;
    let f = QueueFilter {
        priorities: vec![Priority::Urgent, Priority::High],
        channels: vec![Channel::Voice],
        intents: vec!["refund_request".into()],
        bands: vec![ConfidenceBand::Low],
        ..Default::default()
    };
    let p = d.page(&query(f, SortKey::Triage, false, 500)).await;
    for r in &p.rows {
        assert!(matches!(r.priority, Priority::Urgent | Priority::High));
        assert_eq!(r.channel, Channel::Voice);
        assert_eq!(r.intent, "refund_request");
        assert_eq!(r.band, ConfidenceBand::Low);
    }
    // Voice rows are i % 4 == 3, all urgent; refund every third; low confidence under 0.6.
    let expected = (0..200).filter(|i| i % 4 == 3 && i % 3 == 0 && (i % 100) < 60).count();
    assert_eq!(p.rows.len(), expected);
    let two_bands = QueueFilter { bands: vec![ConfidenceBand::Medium, ConfidenceBand::High], ..Default::default() };
    let p = d.page(&query(two_bands, SortKey::Triage, false, 500)).await;
    assert_eq!(p.rows.len(), (0..200).filter(|i| (i % 100) >= 60).count());
    let unclaimed = d.page(&query(QueueFilter { claim: ClaimFilter::Mine, ..Default::default() }, SortKey::Triage, false, 10)).await;
    assert!(unclaimed.rows.is_empty(), "nothing is claimed yet");
}

async fn search_matches_words_and_prefixes_and_ignores_query_syntax(b: Backend) {
    let d = desk(b).await;
    seed(&d, 120).await;
    let lost = d.search("parcel lost", 500).await;
    assert_eq!(lost.rows.len(), 12);
    assert!(!lost.search_capped);
    assert_eq!(d.search("PARC", 500).await.rows.len(), 12, "case-insensitive prefix");
    assert_eq!(d.search("lost, parcel!", 500).await.rows.len(), 12, "punctuation is not syntax");
    assert_eq!(d.search("number 7", 500).await.rows.len(), 11, "numbers are words; the last is a prefix (7, 70…79)");
    for hostile in ["\"", "NEAR(", "a OR", "*", "-", "summary:x", ")", "&", "!", "a & | b", "x:*", "'", "\\", "(()"] {
        d.search(hostile, 10).await;
    }
    assert_eq!(d.search("*-)\"", 10).await.rows.len(), 10, "nothing searchable left: no search");
    assert!(d.search("zebra", 10).await.rows.is_empty());
}

async fn a_common_word_searches_the_newest_matches_and_says_so(b: Backend) {
    let d = desk(b).await;
    seed(&d, 2_050).await;
    let q = query(QueueFilter { search: Some("case".into()), ..Default::default() }, SortKey::Age, true, 500);
    let first = d.page(&q).await;
    assert!(first.search_capped, "2,050 matches is more than the candidate set");
    let seqs: Vec<i64> = d.walk(q).await.iter().map(|r| r.seq).collect();
    assert_eq!(seqs.len() as i64, desk_core::queue::SEARCH_CANDIDATES);
    let max = *seqs.iter().max().unwrap();
    let min = *seqs.iter().min().unwrap();
    assert_eq!(max - min + 1, desk_core::queue::SEARCH_CANDIDATES, "the newest matches, none skipped");
    assert!(!d.search("parcel", 500).await.search_capped);
}

async fn facets_count_priorities_intents_and_quarantine(b: Backend) {
    let d = desk(b).await;
    seed(&d, 30).await;
    d.t.db.ingest(b"{}", "test").await.unwrap();
    let f = d.queue.facets(&d.ana, T0).await.unwrap();
    assert_eq!(f.total, 30);
    assert_eq!(f.quarantined, 1);
    assert_eq!((f.intents[0].value.as_str(), f.intents[0].count), ("order_status", 20));
    assert_eq!(f.priorities.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(), vec!["urgent", "high", "normal", "low"]);
}

async fn every_call_checks_the_session(b: Backend) {
    let d = desk(b).await;
    d.t.db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    // A user with no role may do nothing; a stale cursor is a clear error, not a database one.
    let nobody = person(&*d.t.db, "nobody", "No Role", &[], T0).await;
    let q = QueueQuery { limit: 10, ..Default::default() };
    assert!(matches!(d.queue.page(&nobody, &q, T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(d.queue.facets(&nobody, T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(d.queue.handoff(&nobody, "hf_2f9c01", T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(d.queue.quarantine(&nobody, None, 10, T0).await, Err(PeopleError::Forbidden(_))));
    assert_eq!(d.queue.handoff(&d.ana, "hf_2f9c01", T0).await.unwrap().handoff.handoff_id, "hf_2f9c01");
    let stale = QueueQuery { cursor: Some("{\"v\":\"x\",\"s\":1}".into()), ..q.clone() };
    assert!(matches!(d.queue.page(&d.ana, &stale, T0).await, Err(PeopleError::Invalid(_))), "a text cursor on the triage key");
    let junk = QueueQuery { cursor: Some("not a cursor".into()), ..q };
    assert!(matches!(d.queue.page(&d.ana, &junk, T0).await, Err(PeopleError::Invalid(_))));
}

async fn the_demo_source_seeds_valid_escalations_and_goes_on(b: Backend) {
    let d = desk(b).await;
    let demo = desk_demo::bot::DemoSource::new(d.t.db.clone());
    let ids = demo.seed_if_new().await.unwrap();
    assert_eq!(ids.len() as u64, desk_demo::bot::SEED_COUNT, "every seeded demo escalation is valid");
    assert_eq!(d.t.db.quarantine_count().await.unwrap(), 2, "two malformed examples");
    assert!(demo.seed_if_new().await.unwrap().is_empty(), "seeding happens once");
    for _ in 0..30 {
        assert!(matches!(demo.escalate_next().await.unwrap(), Outcome::Accepted { .. }));
    }
    // A restart goes on where it stopped: the position is in the store.
    let again = desk_demo::bot::DemoSource::new(d.t.db.clone());
    assert!(matches!(again.escalate_next().await.unwrap(), Outcome::Accepted { .. }), "no replay after a restart");
    let f = d.queue.facets(&d.ana, T0).await.unwrap();
    assert_eq!(f.total, 71);
    assert!(f.intents.len() > 10, "varied intents: {:?}", f.intents);
    // Real dialogues bring attempted actions, failures included.
    let p = d.page(&query(QueueFilter::default(), SortKey::Triage, false, 100)).await;
    assert!(p.rows.iter().any(|r| r.failed_action_count > 0));
    assert!(p.rows.iter().any(|r| r.action_count > 1));
}

on_both!(
    the_demo_source_seeds_valid_escalations_and_goes_on,
    ingest_is_idempotent_on_handoff_id,
    an_invalid_document_is_quarantined_and_never_changes_a_stored_one,
    a_jsonl_import_accounts_for_every_line,
    triage_order_is_most_urgent_then_longest_waiting_and_pages_do_not_overlap,
    every_sort_key_pages_in_the_same_order_on_both_stores,
    filters_combine,
    search_matches_words_and_prefixes_and_ignores_query_syntax,
    a_common_word_searches_the_newest_matches_and_says_so,
    facets_count_priorities_intents_and_quarantine,
    every_call_checks_the_session,
);
