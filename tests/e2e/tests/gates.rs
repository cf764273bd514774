//! Approval gates in the real window: an agent proposes a refund above the threshold; the same
//! user cannot approve their own request; a supervisor approves it on the agent's desk; the
//! refund executes exactly once against the demo backend; the audit view shows the chain verified.

mod harness;

use std::time::{Duration, Instant};

use desk_core::gates::lifecycle::CallState;
use desk_core::gates::record::CallQuery;
use desk_core::gates::Gates;
use desk_core::storage::GateStore;
use fantoccini::Locator;
use harness::App;

async fn backend_executions(app: &App, key: &str) -> i64 {
    let db = app.data_dir.path().join("desk/demo-backend.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}?mode=ro", db.display())).await.expect("the demo backend's database");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM effects WHERE key = ?").bind(key).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

async fn wait_state(store: &desk_store_sqlite::Store, id: &str, want: CallState) -> desk_core::gates::ToolCallView {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = GateStore::call(store, id).await.unwrap().expect("the call exists").view(&Gates::default(), "");
        if v.state == want {
            return v;
        }
        assert!(Instant::now() < deadline, "{id} is {:?}, not {want:?}: {v:?}", v.state);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_above_the_threshold_waits_for_a_supervisor_and_executes_once() {
    let app = App::start(&[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "3600")]).await;
    let store = desk_store_sqlite::Store::open(&app.database_path()).await.unwrap();

    // The agent proposes a refund of 120.00 (the threshold is 50.00).
    app.sign_in("ana").await;
    app.wait_count("[data-testid=queue-row]", 10, Duration::from_secs(30)).await;
    app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap()[0].click().await.unwrap();
    app.wait_count("[data-testid=conversation-summary]", 1, Duration::from_secs(10)).await;
    app.propose_refund( "120.00").await;
    app.wait_count("[data-testid=tool-call][data-state=pending]", 1, Duration::from_secs(10)).await;
    let call = app.client.find(Locator::Css("[data-testid=tool-call][data-state=pending]")).await.unwrap();
    let id = call.attr("data-call-id").await.unwrap().expect("call id");
    let text = call.text().await.unwrap();
    assert!(text.contains("supervisor"), "the agent sees why it waits: {text}");
    assert!(!app.exists("[data-testid=nav-approvals]").await, "agents have no approvals inbox");
    app.screenshot("20-agent-proposed").await;

    // A supervisor signs in on the agent's desk. Their own request cannot be approved by them.
    app.click("[data-testid=switch-user]").await;
    app.sign_in("sam").await;
    // A switched session shows that it is one, and that it is short.
    let chip = app.text("[data-testid=switched-session]").await;
    assert!(chip.contains(':'), "the switched session counts down: {chip}");
    app.propose_refund("130.00").await;
    app.wait_count("[data-testid=tool-call][data-state=pending]", 2, Duration::from_secs(10)).await;
    app.click("[data-testid=nav-approvals]").await;
    app.wait_count("[data-testid=approval-item]", 2, Duration::from_secs(10)).await;
    let own = app.client.find(Locator::Css("[data-testid=approval-item][data-requested-by=sam]")).await.expect("sam's own request is listed");
    own.find(Locator::Css("[data-testid=approve-button]")).await.unwrap().click().await.unwrap();
    app.wait_count("[data-testid=approval-error]", 1, Duration::from_secs(10)).await;
    let err = app.text("[data-testid=approval-error]").await;
    assert!(err.to_lowercase().contains("four eyes"), "{err}");
    let handoff_id = GateStore::call(&store, &id).await.unwrap().expect("the call exists").handoff_id;
    let sams = GateStore::calls(&store, &CallQuery::OnHandoff(handoff_id)).await.unwrap();
    assert!(sams.iter().all(|c| c.state() != CallState::Approved), "nothing was approved by its requester");
    app.screenshot("21-approvals-inbox").await;

    // Sam approves Ana's request: it executes once.
    let item = app.client.find(Locator::Css(&format!("[data-testid=approval-item][data-call-id='{id}']"))).await.unwrap();
    let shown = item.text().await.unwrap();
    assert!(shown.contains("120.00") && shown.contains("refund-over-threshold"), "amount and matched rule are shown: {shown}");
    item.find(Locator::Css("[data-testid=approve-button]")).await.unwrap().click().await.unwrap();
    let v = wait_state(&store, &id, CallState::Succeeded).await;
    assert_eq!(v.approved_by.as_deref(), Some("Sam Supervisor"));
    assert_eq!(v.attempts, 1);
    assert_eq!(backend_executions(&app, &id).await, 1, "the backend executed the refund exactly once");
    // The switched session ended with the decision it was opened for: the desk is Ana's again,
    // so nobody can approve anything as Sam from here.
    app.wait_user("Ana Agent", Duration::from_secs(10)).await;
    assert!(!app.exists("[data-testid=switched-session]").await);
    assert!(!app.exists("[data-testid=nav-approvals]").await, "Ana has no approvals inbox");

    // The audit view shows the chain verified, with the approval in it.
    app.click("[data-testid=nav-audit]").await;
    app.wait_count("[data-testid=audit-event]", 5, Duration::from_secs(10)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.exists("[data-testid=audit-verified]").await {
        assert!(Instant::now() < deadline, "no chain-verified indicator");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(app.text("[data-testid=audit-verified]").await.to_lowercase().contains("verified"));
    assert!(desk_core::audit::verify(&store).await.unwrap().ok);
    app.screenshot("22-audit").await;

    // On Ana's desk, the outcome shows on the conversation.
    app.click("[data-testid=nav-desk]").await;
    app.wait_count(&format!("[data-testid=tool-call][data-call-id='{id}'][data-state=succeeded]"), 1, Duration::from_secs(15)).await;
    app.screenshot("23-agent-sees-outcome").await;
    app.close().await;
}
