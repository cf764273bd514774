//! Team mode with two real windows: two app instances, each with its own data directory, are
//! clients of one real `desk-server` on a real PostgreSQL server. A bot platform pushes an
//! escalation; the agent's desk (Ana) claims it and proposes a 480.00 refund; the supervisor's
//! desk (Sam) is told at once and approves it from its own session; the agent's desk shows it
//! executed; the demo backend saw it once. The agent cannot approve it, not even by calling
//! the server's API directly with a token of their own. Offline, the agent keeps reading; back
//! online, a released escalation is offered to the available agent, who accepts it, and the
//! supervisor reassigns it from the team board.

#[path = "../../../crates/desk-core/tests/common/mod.rs"]
mod common;
mod harness;
#[path = "../../../crates/desk-server/tests/process/mod.rs"]
mod process;

use std::time::Duration;

use desk_core::people::{DEMO_PASSWORD, DEMO_USERS};
use fantoccini::Locator;
use harness::App;
use serde_json::{json, Value};

const PLATFORM_TOKEN: &str = "e2e-platform-token-0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_and_a_supervisor_at_two_desks_share_one_server() {
    // The server, its team (the demo people, as an admin would create them) and a platform.
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    let people: Vec<_> = DEMO_USERS.iter().filter(|(u, _, _)| *u != "ada").copied().collect();
    let db = process::team(&database_url, DEMO_PASSWORD, &people).await;
    let platforms = dir.path().join("platforms.toml");
    std::fs::write(&platforms, format!("[platforms]\nhelpbot = \"{PLATFORM_TOKEN}\"\n")).unwrap();
    let backend = desk_demo::DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = process::start_with(&database_url, &backend.base_url(), dir.path(), process::free_port(), &[("DESK_SERVER_PLATFORMS_FILE", platforms.to_str().unwrap())]).await;
    let http = reqwest::Client::new();
    let doc = common::bytes(&common::valid_doc());
    let pushed = http.post(format!("{}/v1/handoffs", server.url)).bearer_auth(PLATFORM_TOKEN).body(doc).send().await.unwrap();
    assert_eq!(pushed.status(), reqwest::StatusCode::CREATED);
    let handoff: Value = pushed.json().await.unwrap();
    let handoff = handoff["handoff_id"].as_str().unwrap().to_owned();

    // Two desks, each its own app with its own data directory, on the one server.
    let team = [("HANDOFF_DESK_SERVER_URL", server.url.as_str())];
    let agent = App::start(&team).await;
    let supervisor = App::start(&team).await;
    agent.sign_in("ana").await;
    supervisor.sign_in("sam").await;
    agent.wait_count("[data-testid=server-status][data-state=online]", 1, Duration::from_secs(10)).await;
    assert!(!agent.exists("[data-testid=signin-demo-accounts]").await);
    supervisor.click("[data-testid=nav-approvals]").await;
    supervisor.wait_count("[data-testid=approvals-empty]", 1, Duration::from_secs(10)).await;

    // The agent claims the pushed escalation and proposes a refund above the threshold.
    agent.wait_count(&format!("[data-testid=queue-row][data-handoff-id='{handoff}']"), 1, Duration::from_secs(20)).await;
    agent.click(&format!("[data-testid=queue-row][data-handoff-id='{handoff}']")).await;
    agent.wait_count("[data-testid=conversation-summary]", 1, Duration::from_secs(10)).await;
    agent.click("[data-testid=claim-button]").await;
    agent.wait_count("[data-testid=release-button]", 1, Duration::from_secs(10)).await;
    // Ana says she takes escalations; Sam's team board shows her available, holding one.
    agent.click("[data-testid=availability-toggle][data-available=false]").await;
    agent.wait_count("[data-testid=availability-toggle][data-available=true]", 1, Duration::from_secs(10)).await;
    supervisor.click("[data-testid=nav-team]").await;
    supervisor.wait_count("[data-testid=team-member][data-username=ana][data-available=true][data-holding='1']", 1, Duration::from_secs(20)).await;
    supervisor.screenshot("65-team-board").await;
    supervisor.click("[data-testid=nav-approvals]").await;
    agent.propose_refund("480.00").await;
    agent.wait_count("[data-testid=tool-call][data-state=pending]", 1, Duration::from_secs(10)).await;
    let call = agent.client.find(Locator::Css("[data-testid=tool-call][data-state=pending]")).await.unwrap();
    let id = call.attr("data-call-id").await.unwrap().expect("call id");
    agent.screenshot("60-team-agent-proposed").await;

    // The supervisor's desk is told without anyone reloading: the request is in its inbox.
    let item = format!("[data-testid=approval-item][data-call-id='{id}']");
    supervisor.wait_count(&item, 1, Duration::from_secs(10)).await;
    let shown = supervisor.text(&item).await;
    assert!(shown.contains("480.00"), "the amount is shown: {shown}");
    supervisor.screenshot("61-team-supervisor-inbox").await;

    // The agent cannot approve it, not even through the API with a token of their own.
    let signed: Value = http.post(format!("{}/v1/sessions", server.url)).json(&json!({"username": "ana", "password": DEMO_PASSWORD})).send().await.unwrap().json().await.unwrap();
    let view: Value = http.get(format!("{}/v1/tool-calls/{id}", server.url)).bearer_auth(signed["token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    let refused = http
        .post(format!("{}/v1/tool-calls/{id}/approve", server.url))
        .bearer_auth(signed["token"].as_str().unwrap())
        .json(&json!({ "params_sha256": view["params_sha256"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    // The supervisor approves at their own desk; the agent's desk shows it executed, once.
    supervisor.client.find(Locator::Css(&item)).await.unwrap().find(Locator::Css("[data-testid=approve-button]")).await.unwrap().click().await.unwrap();
    agent.wait_count(&format!("[data-testid=tool-call][data-call-id='{id}'][data-state=succeeded]"), 1, Duration::from_secs(20)).await;
    assert_eq!(backend.executions(&id).await, 1, "the backend executed the refund exactly once");
    let done: Value = http.get(format!("{}/v1/tool-calls/{id}", server.url)).bearer_auth(signed["token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(done["approved_by"], "Sam Supervisor", "{done}");
    assert_eq!(done["attempts"], 1, "{done}");
    assert!(desk_core::audit::verify(&*db).await.unwrap().ok, "the server's audit chain verifies");
    agent.screenshot("62-team-agent-sees-executed").await;

    // The server goes away: the agent keeps reading, under a banner, and changes are refused.
    let mut server = server;
    server.kill();
    agent.wait_count("[data-testid=offline-banner]", 1, Duration::from_secs(20)).await;
    assert!(agent.text("[data-testid=offline-banner]").await.contains("read only"));
    agent.click("[data-testid=release-button]").await;
    let err = agent.wait_text("[data-testid=claim-error]", Duration::from_secs(10), |t| !t.is_empty()).await;
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(agent.exists("[data-testid=conversation-summary]").await, "the conversation stays readable");
    agent.screenshot("63-team-agent-offline").await;

    // The server comes back (same database, same port): the banner goes, the desk reads
    // everything again, and changes go through.
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    let _back = process::start_with(&database_url, &backend.base_url(), dir.path(), port, &[("DESK_SERVER_PLATFORMS_FILE", platforms.to_str().unwrap())]).await;
    agent.wait_count("[data-testid=server-status][data-state=online]", 1, Duration::from_secs(30)).await;
    assert!(!agent.exists("[data-testid=offline-banner]").await, "the banner is gone");
    agent.click("[data-testid=release-button]").await;
    agent.wait_count("[data-testid=claim-button]", 1, Duration::from_secs(10)).await;

    // Routing: released, the escalation waits again, and the server offers it to the one
    // available agent. Ana's desk shows the offer; `y` accepts it, which claims it for her.
    let offer = format!("[data-testid=offer-card][data-handoff-id='{handoff}']");
    agent.wait_count(&offer, 1, Duration::from_secs(20)).await;
    let card = agent.text(&offer).await;
    assert!(card.contains("Ada L.") && card.contains("refund_request") && card.contains("s left"), "{card}");
    agent.screenshot("66-team-offer").await;
    agent.keys("y").await;
    agent.wait_count("[data-testid=offer-card]", 0, Duration::from_secs(10)).await;
    agent.wait_count("[data-testid=release-button]", 1, Duration::from_secs(10)).await;

    // Sam's board shows what Ana holds; Sam gives it to himself from there.
    supervisor.click("[data-testid=nav-team]").await;
    let held = format!("[data-testid=team-member][data-username=ana] [data-testid=held][data-handoff-id='{handoff}']");
    supervisor.wait_count(&held, 1, Duration::from_secs(20)).await;
    supervisor.screenshot("67-team-board-held").await;
    let sam_id = db.users().await.unwrap().into_iter().find(|u| u.username == "sam").unwrap().id;
    let pick = supervisor.client.find(Locator::Css(&format!("{held} [data-testid=reassign]"))).await.unwrap();
    pick.select_by_value(&sam_id.to_string()).await.unwrap();
    supervisor.wait_count("[data-testid=team-member][data-username=sam][data-holding='1']", 1, Duration::from_secs(20)).await;
    supervisor.wait_count("[data-testid=team-member][data-username=ana][data-holding='0']", 1, Duration::from_secs(20)).await;
    // Ana's open conversation now says Sam has it.
    agent.wait_text("[data-testid=claimed-by]", Duration::from_secs(20), |t| t.contains("Sam")).await;

    // Settings say where this desk works, and that drafts are the server's to configure.
    supervisor.click("[data-testid=nav-settings]").await;
    supervisor.wait_text("[data-testid=team-server-status]", Duration::from_secs(10), |t| t.contains("team server")).await;
    assert!(supervisor.exists("[data-testid=settings-drafts-on-server]").await);
    // Set by HANDOFF_DESK_SERVER_URL here: shown, and not editable in the window.
    assert!(supervisor.exists("[data-testid=team-server-env]").await);
    assert!(!supervisor.exists("[data-testid=team-server-save]").await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(supervisor.exists("[data-testid=team-server-status]").await, "the setting stays on screen");
    supervisor.screenshot("64-team-settings").await;
    agent.close().await;
    supervisor.close().await;
}
