//! The store on a real SQLite file: idempotent ingest, quarantine, JSON Lines import accounting,
//! queue filtering, sorting, keyset pagination and search.

mod common;

use common::*;
use desk_core::handoff::{Channel, Priority};
use desk_core::ingest::Outcome;
use desk_core::queue::{ConfidenceBand, ConfidenceBands, QueueFilter, QueueQuery, QueueSort, SlaPolicy, SortKey};
use desk_core::Store;
use serde_json::json;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    (dir, store)
}

async fn page(store: &Store, q: &QueueQuery) -> desk_core::queue::QueuePage {
    store.queue_page(q, ConfidenceBands::default(), SlaPolicy::default(), None).await.unwrap()
}

fn query(filter: QueueFilter, key: SortKey, descending: bool, limit: u32) -> QueueQuery {
    QueueQuery { filter, sort: QueueSort { key, descending }, cursor: None, limit }
}

#[tokio::test]
async fn ingest_is_idempotent_on_handoff_id() {
    let (_d, store) = open().await;
    let v = valid_doc();
    assert!(matches!(store.ingest(&bytes(&v), "test").await.unwrap(), Outcome::Accepted { .. }));
    assert!(matches!(store.ingest(&bytes(&v), "test").await.unwrap(), Outcome::Unchanged { .. }));
    // Same content, different key order and whitespace: still unchanged.
    let pretty = serde_json::to_vec_pretty(&v).unwrap();
    assert!(matches!(store.ingest(&pretty, "test").await.unwrap(), Outcome::Unchanged { .. }));

    let mut changed = v.clone();
    changed["summary"] = json!("Refund approved by the customer's bank; wants confirmation.");
    assert!(matches!(store.ingest(&bytes(&changed), "test").await.unwrap(), Outcome::Updated { .. }));
    assert_eq!(store.handoff_count().await.unwrap(), 1);
    let stored = store.handoff("hf_2f9c01").await.unwrap();
    assert_eq!(stored.revision, 2);
    assert_eq!(stored.handoff.summary, "Refund approved by the customer's bank; wants confirmation.");

    // Search follows the update: the old summary's words are gone, the new ones are found.
    let hits = page(&store, &query(QueueFilter { search: Some("blender".into()), ..Default::default() }, SortKey::Triage, false, 10)).await;
    assert_eq!(hits.rows.len(), 1, "transcript words are searchable");
    let old = page(&store, &query(QueueFilter { search: Some("photo".into()), ..Default::default() }, SortKey::Triage, false, 10)).await;
    assert!(old.rows.is_empty(), "the replaced summary is no longer indexed");
}

#[tokio::test]
async fn an_invalid_document_is_quarantined_and_never_changes_a_stored_one() {
    let (_d, store) = open().await;
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let mut bad = valid_doc();
    bad["intent"]["confidence"] = json!(3.0);
    bad["summary"] = json!("tampered");
    let out = store.ingest(&bytes(&bad), "http").await.unwrap();
    let Outcome::Quarantined { handoff_id, errors, .. } = out else { panic!("expected quarantine") };
    assert_eq!(handoff_id.as_deref(), Some("hf_2f9c01"));
    assert_eq!(errors[0].path, "$.intent.confidence");
    assert_eq!(store.handoff("hf_2f9c01").await.unwrap().handoff.summary, valid_doc()["summary"]);

    let q = store.quarantine_list(None, 10).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].source, "http");
    assert_eq!(q[0].errors[0].path, "$.intent.confidence");
    assert_eq!(store.quarantine_raw(q[0].id).await.unwrap().unwrap(), bytes(&bad), "raw bytes kept exactly");
}

#[tokio::test]
async fn a_jsonl_import_accounts_for_every_line() {
    let (_d, store) = open().await;
    let mut file = b"\xEF\xBB\xBF".to_vec();
    let a = doc("hf_a", "urgent", "2026-11-23T10:00:00Z", "refund_request", 0.9);
    let b = doc("hf_b", "low", "2026-11-23T11:00:00Z", "order_status", 0.3);
    let mut b2 = b.clone();
    b2["summary"] = json!("changed");
    for line in [
        bytes(&a),                           // 1 accepted
        b"{ not json".to_vec(),              // 2 quarantined
        bytes(&b),                           // 3 accepted
        b"   ".to_vec(),                     // 4 quarantined (whitespace only)
        b"\xff\xfe\xfd".to_vec(),            // 5 quarantined (not UTF-8)
        bytes(&a),                           // 6 unchanged
        bytes(&b2),                          // 7 updated
        bytes(&mutate(a.clone(), "/channel", Some(json!("fax")))), // 8 quarantined
    ] {
        file.extend(line);
        file.extend(b"\r\n");
    }
    let mut progress = vec![];
    let report = store.import_jsonl(&file, "import:test.jsonl", |p| progress.push(p)).await.unwrap();
    assert_eq!(report.lines, 8);
    assert_eq!((report.accepted, report.updated, report.unchanged, report.quarantined), (2, 1, 1, 4));
    assert_eq!(report.accepted + report.updated + report.unchanged + report.quarantined, report.lines);
    let bad_lines: Vec<i64> = report.line_errors.iter().map(|e| e.line).collect();
    assert_eq!(bad_lines, vec![2, 4, 5, 8]);
    assert_eq!(report.line_errors[3].errors[0].path, "$.channel");
    assert_eq!(store.quarantine_count().await.unwrap(), 4);
    let last = progress.last().unwrap();
    assert_eq!(last.bytes_done, file.len() as i64);
    assert_eq!(last.lines_done, 8);
    let q = store.quarantine_list(None, 10).await.unwrap();
    assert!(q.iter().any(|e| e.line_no == Some(5) && !e.raw_is_utf8));
    assert_eq!(store.handoff("hf_b").await.unwrap().handoff.summary, "changed");
}

async fn seed(store: &Store, n: usize) {
    let priorities = ["low", "normal", "high", "urgent"];
    let channels = ["web", "email", "sms", "voice"];
    let mut lines = Vec::new();
    for i in 0..n {
        let mut d = doc(
            &format!("hf_{i:05}"),
            priorities[i % 4],
            &format!("2026-11-23T{:02}:{:02}:00Z", 8 + (i / 60) % 12, i % 60),
            if i % 3 == 0 { "refund_request" } else { "order_status" },
            (i % 100) as f64 / 100.0,
        );
        d["channel"] = json!(channels[i % 4]);
        d["summary"] = json!(format!("case number {i} {}", if i % 10 == 0 { "parcel lost" } else { "general" }));
        lines.extend(bytes(&d));
        lines.push(b'\n');
    }
    let r = store.import_jsonl(&lines, "seed", |_| {}).await.unwrap();
    assert_eq!(r.accepted as usize, n);
}

#[tokio::test]
async fn triage_order_is_most_urgent_then_longest_waiting_and_pages_do_not_overlap() {
    let (_d, store) = open().await;
    seed(&store, 250).await;
    let mut q = query(QueueFilter::default(), SortKey::Triage, false, 40);
    let mut all = vec![];
    loop {
        let p = page(&store, &q).await;
        all.extend(p.rows);
        match p.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(all.len(), 250, "every row once");
    let mut ids: Vec<&str> = all.iter().map(|r| r.handoff_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no row twice");
    for w in all.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(
            a.priority.rank() > b.priority.rank() || (a.priority == b.priority && a.escalated_ms <= b.escalated_ms),
            "{a:?} before {b:?}"
        );
    }
    assert_eq!(all[0].priority, Priority::Urgent);
    assert_eq!(all[0].sla_secs, 120);
}

#[tokio::test]
async fn every_sort_key_pages_in_order_both_ways() {
    let (_d, store) = open().await;
    seed(&store, 90).await;
    for key in [SortKey::Age, SortKey::Priority, SortKey::Confidence, SortKey::Intent, SortKey::Channel, SortKey::Customer, SortKey::Reason, SortKey::Sentiment] {
        for descending in [false, true] {
            let mut q = query(QueueFilter::default(), key, descending, 7);
            let mut seen = vec![];
            loop {
                let p = page(&store, &q).await;
                seen.extend(p.rows);
                match p.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 90, "{key:?} {descending}");
            if key == SortKey::Confidence {
                for w in seen.windows(2) {
                    if descending {
                        assert!(w[0].confidence >= w[1].confidence);
                    } else {
                        assert!(w[0].confidence <= w[1].confidence);
                    }
                }
            }
            if key == SortKey::Channel {
                for w in seen.windows(2) {
                    let (a, b) = (w[0].channel.as_str(), w[1].channel.as_str());
                    assert!(if descending { a >= b } else { a <= b });
                }
            }
        }
    }
}

#[tokio::test]
async fn filters_combine() {
    let (_d, store) = open().await;
    seed(&store, 200).await;
    let f = QueueFilter {
        priorities: vec![Priority::Urgent, Priority::High],
        channels: vec![Channel::Voice],
        intents: vec!["refund_request".into()],
        bands: vec![ConfidenceBand::Low],
        ..Default::default()
    };
    let p = page(&store, &query(f, SortKey::Triage, false, 500)).await;
    assert!(!p.rows.is_empty());
    for r in &p.rows {
        assert!(matches!(r.priority, Priority::Urgent | Priority::High));
        assert_eq!(r.channel, Channel::Voice);
        assert_eq!(r.intent, "refund_request");
        assert!(r.confidence < 0.6);
        assert_eq!(r.band, ConfidenceBand::Low);
    }
    // Voice rows are i % 4 == 3, all urgent; refund every third; low confidence under 0.6.
    let expected = (0..200).filter(|i| i % 4 == 3 && i % 3 == 0 && (i % 100) < 60).count();
    assert_eq!(p.rows.len(), expected);
}

#[tokio::test]
async fn search_matches_words_and_prefixes_and_ignores_fts_syntax() {
    let (_d, store) = open().await;
    seed(&store, 120).await;
    let s = |text: &str| QueueFilter { search: Some(text.into()), ..Default::default() };
    let lost = page(&store, &query(s("parcel lost"), SortKey::Age, false, 500)).await;
    assert_eq!(lost.rows.len(), 12);
    assert!(!lost.search_capped);
    let prefix = page(&store, &query(s("parc"), SortKey::Age, false, 500)).await;
    assert_eq!(prefix.rows.len(), 12);
    for hostile in ["\"", "NEAR(", "a OR", "*", "-", "summary:x", ")"] {
        page(&store, &query(s(hostile), SortKey::Age, false, 10)).await;
    }
    let none = page(&store, &query(s("zebra"), SortKey::Age, false, 10)).await;
    assert!(none.rows.is_empty());
}

#[tokio::test]
async fn facets_count_intents_and_quarantine() {
    let (_d, store) = open().await;
    seed(&store, 30).await;
    store.ingest(b"{}", "test").await.unwrap();
    let f = store.queue_facets().await.unwrap();
    assert_eq!(f.total, 30);
    assert_eq!(f.quarantined, 1);
    assert_eq!(f.intents[0].value, "order_status");
    assert_eq!(f.intents[0].count, 20);
    assert_eq!(f.priorities[0].value, "urgent");
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
    let f = store.queue_facets().await.unwrap();
    assert_eq!(f.total, 70);
    assert!(f.intents.len() > 10, "varied intents: {:?}", f.intents);
    // Real dialogues bring attempted actions, failures included.
    let p = page(&store, &query(QueueFilter::default(), SortKey::Triage, false, 100)).await;
    assert!(p.rows.iter().any(|r| r.failed_action_count > 0));
    assert!(p.rows.iter().any(|r| r.action_count > 1));
    assert!(store.integrity_ok().await.unwrap());
}

#[tokio::test]
async fn a_common_word_searches_the_newest_matches_and_says_so() {
    let (_d, store) = open().await;
    seed(&store, 2_050).await;
    let q = query(QueueFilter { search: Some("case".into()), ..Default::default() }, SortKey::Age, true, 500);
    let mut p = page(&store, &q).await;
    assert!(p.search_capped, "2,050 matches is more than the candidate set");
    let mut seqs: Vec<i64> = p.rows.iter().map(|r| r.seq).collect();
    while let Some(c) = p.next_cursor.clone() {
        p = page(&store, &QueueQuery { cursor: Some(c), ..q.clone() }).await;
        seqs.extend(p.rows.iter().map(|r| r.seq));
    }
    assert_eq!(seqs.len() as i64, desk_core::queue::SEARCH_CANDIDATES);
    assert_eq!(seqs.iter().max(), Some(&2_050), "the newest match is in the set");
    assert_eq!(seqs.iter().min(), Some(&51), "the oldest 50 matches are left out");
    let rare = page(&store, &query(QueueFilter { search: Some("parcel".into()), ..Default::default() }, SortKey::Age, false, 500)).await;
    assert!(!rare.search_capped);
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
