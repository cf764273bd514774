//! The desktop's client (`desk-client`, the same calls the window makes in team mode) against
//! the real `desk-server` process on a real PostgreSQL server, three desks at once: two agents
//! race for one claim and one wins (the other is told who); the winner proposes a 480.00
//! refund; the supervisor's desk hears of it on its live stream and approves it from its own
//! session, bound to the digest; the agent cannot approve it with their own token; the backend
//! executes it once. Then the server goes away: the agent's desk keeps reading what it read
//! and refuses every change with a clear error, and the supervisor's desk, cut off for 60 s
//! while 100 escalations arrive, receives all of them after the server is back, in order, once.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;
mod process;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use desk_client::DeskClient;
use desk_core::events::{DeskEvent, EventPosition};
use desk_core::gates::lifecycle::CallState;
use desk_core::gates::{Origin, ProposeInput};
use desk_core::ipc::IpcErrorKind;
use desk_core::people::Role;
use desk_core::queue::QueueQuery;
use desk_core::analytics::{AnalyticsFilter, ExportTable};
use desk_core::audit::AuditFilter;
use desk_core::drafts::service::DraftDecision;
use desk_demo::DemoBackend;
use process::{free_port, start, team, until};

const PASSWORD: &str = "a-long-password-1";

async fn desk(url: &str, user: &str) -> DeskClient {
    let c = DeskClient::new(url, None).unwrap();
    c.sign_in(user, PASSWORD, false).await.unwrap_or_else(|e| panic!("{user} signs in: {e:?}"));
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_desks_work_one_queue_through_the_server_and_survive_it_going_away() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    let db = team(&database_url, PASSWORD, &[("ana", "Ana Agent", &[Role::Agent]), ("ben", "Ben Agent", &[Role::Agent]), ("sam", "Sam Supervisor", &[Role::Supervisor])]).await;
    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let handoff = "hf_2f9c01";
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let port = free_port();
    let mut server = start(&database_url, &backend.base_url(), dir.path(), port).await;

    let (ana, ben, sam) = (desk(&server.url, "ana").await, desk(&server.url, "ben").await, desk(&server.url, "sam").await);
    assert!(sam.link().online);
    // The supervisor's desk follows the stream from its beginning.
    let seen: Arc<Mutex<Vec<DeskEvent>>> = Default::default();
    let follower = {
        let (sam, seen) = (sam.clone(), seen.clone());
        tokio::spawn(async move { sam.follow_from(Some(EventPosition::default()), move |e| seen.lock().unwrap().push(e)).await })
    };

    // Two agents claim at once: one wins, the other is told who holds it.
    let (a, b) = tokio::join!(ana.claim_handoff(handoff), ben.claim_handoff(handoff));
    let (winner, loser_error, winner_name) = match (a, b) {
        (Ok(()), Err(e)) => (&ana, e, "Ana Agent"),
        (Err(e), Ok(())) => (&ben, e, "Ben Agent"),
        other => panic!("exactly one claim wins: {other:?}"),
    };
    assert_eq!(loser_error.kind, IpcErrorKind::Conflict);
    assert!(loser_error.message.contains(winner_name), "{}", loser_error.message);

    // The winner proposes a refund above the threshold: it waits for a supervisor.
    let params = serde_json::json!({ "order_id": "A123", "amount": "480.00", "currency": "USD", "reason": "Arrived damaged" });
    let input = ProposeInput { handoff_id: handoff.into(), tool: "billing.refund".into(), params: params.as_object().unwrap().clone(), origin: Origin::Agent, fraud_suspected: false };
    let call = winner.propose_tool_call(&input).await.unwrap();
    assert_eq!(call.state, CallState::Pending);
    // The supervisor's desk hears of it at once, and finds it in its inbox.
    until("the supervisor's stream to carry the request", Duration::from_secs(10), async || {
        seen.lock().unwrap().iter().any(|e| e.kind == "tool_call.changed" && e.subject == call.id).then_some(())
    })
    .await;
    let inbox = sam.pending_approvals().await.unwrap();
    assert!(inbox.iter().any(|p| p.call.id == call.id), "{inbox:?}");
    // The agent cannot approve it, through the same API, with their own token.
    let refused = winner.approve_tool_call(&call.id, &call.params_sha256).await.unwrap_err();
    assert_eq!(refused.kind, IpcErrorKind::Forbidden, "{refused:?}");
    // An approval bound to other parameters is refused; the one for these executes once.
    assert!(sam.approve_tool_call(&call.id, &"0".repeat(64)).await.is_err());
    sam.approve_tool_call(&call.id, &call.params_sha256).await.unwrap();
    let done = until("the refund to execute", Duration::from_secs(20), async || {
        winner.tool_calls_for(handoff).await.unwrap().into_iter().find(|c| c.id == call.id && c.state == CallState::Succeeded)
    })
    .await;
    assert_eq!(done.approved_by.as_deref(), Some("Sam Supervisor"));
    assert_eq!(backend.executions(&call.id).await, 1, "the backend executed it once");

    // The server goes away. The agent's desk keeps reading what it read, and changes nothing.
    let detail = winner.get_handoff(handoff).await.unwrap();
    let page = winner.queue_page(&QueueQuery::default()).await.unwrap();
    server.kill();
    assert_eq!(winner.get_handoff(handoff).await.unwrap(), detail, "the conversation, from this desk's copy");
    assert_eq!(winner.queue_page(&QueueQuery::default()).await.unwrap(), page, "the queue, from this desk's copy");
    assert!(!winner.link().online, "the desk knows it is offline");
    let refused = winner.release_handoff(handoff).await.unwrap_err();
    assert_eq!(refused.kind, IpcErrorKind::Offline);
    assert!(refused.message.contains("nothing was changed"), "{}", refused.message);
    let unread = winner.get_handoff("hf_never_opened").await.unwrap_err();
    assert_eq!(unread.kind, IpcErrorKind::Offline, "{unread:?}");

    // While the supervisor's desk is cut off, 100 escalations arrive (pulled or pushed by
    // another server: written to the database directly here).
    let before = seen.lock().unwrap().len();
    let mut arrived = vec![];
    for i in 0..100 {
        let id = format!("hf_gap_{i:03}");
        db.ingest(&bytes(&doc(&id, "normal", "2026-12-03T10:00:00Z", "order_status", 0.7)), "test").await.unwrap();
        arrived.push(id);
    }
    let gap: u64 = std::env::var("CLIENT_GAP_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    tokio::time::sleep(Duration::from_secs(gap)).await;
    assert_eq!(seen.lock().unwrap().len(), before, "nothing arrives while the server is away");
    let _server = start(&database_url, &backend.base_url(), dir.path(), port).await;
    until("the 100 escalations to arrive after the reconnect", Duration::from_secs(30), async || {
        (seen.lock().unwrap().iter().filter(|e| e.kind == "handoff.arrived" && e.subject.starts_with("hf_gap_")).count() >= 100).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await; // anything doubled would show by now
    let seen = seen.lock().unwrap().clone();
    let got: Vec<&str> = seen.iter().filter(|e| e.kind == "handoff.arrived" && e.subject.starts_with("hf_gap_")).map(|e| e.subject.as_str()).collect();
    assert_eq!(got, arrived.iter().map(String::as_str).collect::<Vec<_>>(), "all of them, in order, once");
    assert!(seen.windows(2).all(|w| w[0].position() < w[1].position()), "the whole stream in commit order, nothing twice");
    // Back online: reads are live again, and changes go through.
    winner.release_handoff(handoff).await.unwrap();
    assert!(winner.link().online);
    follower.abort();
}

/// The rest of what a desk does in team mode, through the same client calls the window makes:
/// an import into the team's queue (the bad line quarantined), a draft approved and its reply
/// queued, a rating, the analytics and their exports, the approvals history and the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rest_of_a_desks_commands_work_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    team(&database_url, PASSWORD, &[("ana", "Ana Agent", &[Role::Agent]), ("sam", "Sam Supervisor", &[Role::Supervisor, Role::Agent]), ("lee", "Lee Lead", &[Role::TeamLead])]).await;
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = start(&database_url, &backend.base_url(), dir.path(), free_port()).await;
    let (ana, sam, lee) = (desk(&server.url, "ana").await, desk(&server.url, "sam").await, desk(&server.url, "lee").await);

    // Import: two documents and a broken line; the broken one is quarantined, nothing lost.
    let mut file = bytes(&valid_doc());
    file.push(b'\n');
    file.extend(bytes(&doc("hf_import_2", "normal", "2026-12-03T10:00:00Z", "order_status", 0.7)));
    file.extend(b"\n{ not json\n");
    let report = sam.import_file("/home/sam/batch.jsonl", file).await.unwrap();
    assert_eq!((report.accepted, report.quarantined), (2, 1), "{report:?}");
    assert_eq!(sam.list_quarantine(None, 50).await.unwrap().len(), 1);
    assert_eq!(lee.import_file("x.jsonl", b"{}".to_vec()).await.unwrap_err().kind, IpcErrorKind::Forbidden, "team leads do not import");

    // A draft, approved: its reply is queued for the customer.
    let draft = sam.draft_for("hf_2f9c01", |_| {}).await.unwrap().expect("a draft");
    sam.decide_draft(&draft.id, &DraftDecision::Approve).await.unwrap();
    assert_eq!(sam.outbox_of("hf_2f9c01").await.unwrap().len(), 1);
    assert_eq!(sam.drafts_of("hf_2f9c01").await.unwrap().len(), 1);

    // A refund the supervisor denies shows in the history; their own request they cannot decide.
    let params = serde_json::json!({ "order_id": "A123", "amount": "480.00", "currency": "USD", "reason": "Arrived damaged" });
    let input = ProposeInput { handoff_id: "hf_2f9c01".into(), tool: "billing.refund".into(), params: params.as_object().unwrap().clone(), origin: Origin::Agent, fraud_suspected: false };
    let own = sam.propose_tool_call(&input).await.unwrap();
    assert_eq!(sam.approve_tool_call(&own.id, &own.params_sha256).await.unwrap_err().kind, IpcErrorKind::Forbidden, "four eyes");
    let call = ana.propose_tool_call(&input).await.unwrap();
    sam.deny_tool_call(&call.id, "Wrong order").await.unwrap();
    assert!(sam.approval_history().await.unwrap().iter().any(|c| c.id == call.id && c.state == CallState::Denied));

    // The team lead rates, reads the analytics and exports them.
    let next = lee.next_unrated(None).await.unwrap().expect("something to rate");
    lee.rate_handoff(&next, &rubric(true, 4)).await.unwrap();
    assert_eq!(lee.handoff_ratings(&next).await.unwrap().len(), 1);
    let figures = lee.analytics(&AnalyticsFilter::default()).await.unwrap();
    assert_eq!(figures.rated, 1, "{figures:?}");
    let csv = lee.export_csv(ExportTable::ByIntent, &AnalyticsFilter::default()).await.unwrap();
    assert!(csv.lines().count() >= 2 && csv.starts_with("intent"), "{csv}");
    let cases = lee.export_eval_cases(&AnalyticsFilter::default()).await.unwrap();
    assert_eq!(cases.lines().count(), 1, "{cases}");
    assert!(!lee.draft_metrics().await.unwrap().is_empty());

    // The audit log: a page, the whole export, and the chain verified, all at the server.
    let page = lee.audit_list(&AuditFilter::default(), None, 20).await.unwrap();
    assert!(page.iter().any(|e| e.kind.starts_with("tool_call.")), "{page:?}");
    let (jsonl, n) = lee.audit_export().await.unwrap();
    assert!(n >= page.len() as i64 && jsonl.lines().count() as i64 == n);
    assert!(lee.audit_verify().await.unwrap().ok);
}
