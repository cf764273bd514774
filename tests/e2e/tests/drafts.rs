//! Shadow mode in the real window: a draft with sources appears, the agent approves it with one
//! key and sees it in the transcript as sent; another is rejected with a reason; a model reply
//! full of HTML, script and a remote image renders inert.

mod harness;

use desk_core::storage::MetaStore;
use std::time::{Duration, Instant};

use desk_core::drafts::service::DraftState;
use desk_core::storage::{DraftStore, HandoffStore, OutboxStore};
use fantoccini::Locator;
use harness::App;
use serde_json::json;

async fn open_row(app: &App, i: usize) -> String {
    app.wait_count("[data-testid=queue-row]", i + 1, Duration::from_secs(30)).await;
    let rows = app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap();
    let id = rows[i].attr("data-handoff-id").await.unwrap().unwrap();
    rows[i].click().await.unwrap();
    app.wait_count("[data-testid=conversation-summary]", 1, Duration::from_secs(10)).await;
    id
}

/// The selected row's id; the virtualised list may take a moment to draw a newly selected row.
async fn wait_selected(app: &App) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(id) = app.selected().await {
            return id;
        }
        assert!(Instant::now() < deadline, "no row is selected");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_draft_ready(app: &App) {
    app.wait_text("[data-testid=draft-state]", Duration::from_secs(20), |t| t.to_lowercase().contains("ready")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_approves_one_draft_and_rejects_another() {
    let app = App::start(&[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "3600")]).await;
    let store = desk_store_sqlite::Store::open(&app.database_path()).await.unwrap();
    app.sign_in("ana").await;

    // Walk the queue with j / Enter, as an agent would: approve the first draft that is a reply
    // with sources, and reject another reply with a reason. Many demo conversations (bus tickets,
    // car rentals) have no article in the retail/banking knowledge base; their drafts rightly
    // cite nothing.
    open_row(&app, 0).await;
    let mut approved = None;
    let mut rejected = None;
    for step in 0..40 {
        let id = wait_selected(&app).await;
        let summary = store.stored_handoff(&id).await.unwrap().handoff.summary;
        app.wait_text("[data-testid=conversation-summary]", Duration::from_secs(10), |t| t.trim() == summary.trim()).await;
        let draft = wait_stored_draft(&store, &id).await;
        wait_draft_ready(&app).await;
        if !draft.is_note && draft.state == DraftState::Ready {
            app.wait_text("[data-testid=draft-text]", Duration::from_secs(10), |t| t.trim() == draft.text.trim()).await;
            if approved.is_none() && !draft.sources.is_empty() {
                println!("row {step} ({id}): approve its sourced draft");
                approve(&app, &store, &id, &draft).await;
                approved = Some(id);
            } else if rejected.is_none() {
                println!("row {step} ({id}): reject its draft");
                reject(&app, &store, &id).await;
                rejected = Some(id);
            }
        }
        if approved.is_some() && rejected.is_some() {
            break;
        }
        // Focus on plain text (not a button that a decision just disabled or removed), then j, Enter.
        app.click("[data-testid=conversation-summary]").await;
        app.keys("j").await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        app.keys("\u{E007}").await; // Enter opens the selected row
    }
    assert!(approved.is_some(), "no conversation in the queue had a sourced draft");
    assert!(rejected.is_some(), "no second conversation had a draft to reject");
    app.close().await;
}

async fn wait_stored_draft(store: &desk_store_sqlite::Store, id: &str) -> desk_core::drafts::service::DraftView {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(d) = store.draft_records_of(id).await.unwrap().into_iter().next() {
            return d.view();
        }
        assert!(Instant::now() < deadline, "no draft was made for {id}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn approve(app: &App, store: &desk_store_sqlite::Store, id: &str, draft: &desk_core::drafts::service::DraftView) {
    let sources = app.client.find_all(Locator::Css("[data-testid=draft-source]")).await.unwrap();
    assert_eq!(sources.len(), draft.sources.len(), "every source is shown");
    app.screenshot("30-draft").await;

    // One key approves it (a second if the draft carries a warning); it appears in the
    // transcript as sent.
    app.client.find(Locator::Css("[data-testid=conversation-summary]")).await.unwrap().click().await.unwrap();
    app.keys("a").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if app.exists("[data-testid=draft-confirm]").await {
        app.keys("a").await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let sent = app.client.find_all(Locator::Css("[data-testid=transcript-turn][data-role=agent][data-sent=true]")).await.unwrap();
        let mut found = false;
        for s in &sent {
            if s.text().await.unwrap_or_default().contains(draft.text.lines().next().unwrap_or("")) {
                found = true;
            }
        }
        if found {
            break;
        }
        assert!(Instant::now() < deadline, "the approved draft did not show as sent");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(store.draft_record(&draft.id).await.unwrap().unwrap().state(), DraftState::Approved);
    let sent: Vec<_> = store.outbox_records_of(id).await.unwrap().into_iter().map(|r| r.entry()).collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].sent);
    app.screenshot("31-sent").await;
}

async fn reject(app: &App, store: &desk_store_sqlite::Store, id: &str) {
    app.click("[data-testid=draft-reject]").await;
    app.wait_count("[data-testid=reject-reason]", 1, Duration::from_secs(5)).await;
    app.client.find(Locator::Css("[data-testid=reject-reason]")).await.unwrap().select_by_value("wrong_tone").await.unwrap();
    app.client.find(Locator::Css("[data-testid=reject-note]")).await.unwrap().send_keys("Too formal for this customer").await.unwrap();
    app.click("[data-testid=reject-submit]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d: Vec<_> = store.draft_records_of(id).await.unwrap().into_iter().map(|r| r.view()).collect();
        if d.first().is_some_and(|d| d.state == DraftState::Rejected) {
            assert_eq!((d[0].reject_reason, d[0].reject_note.as_deref()), (Some(desk_core::drafts::service::RejectReason::WrongTone), Some("Too formal for this customer")));
            break;
        }
        assert!(Instant::now() < deadline, "the rejection was not recorded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.wait_text("[data-testid=draft-state]", Duration::from_secs(10), |t| t.to_lowercase().contains("rejected")).await;
    app.screenshot("32-rejected").await;
}

/// A model server that answers with markup meant to run script and fetch a remote image.
async fn hostile_model() -> String {
    let text = "Hi! <script>window.__pwned = 1</script><img src=\"http://198.51.100.7/x.png\" onerror=\"window.__pwned = 2\"> ![tracker](http://198.51.100.7/t.png) [click](javascript:alert(1))";
    let body = format!(
        "data: {}\n\ndata: [DONE]\n\n",
        json!({"choices": [{"delta": {"content": text}, "index": 0}]})
    );
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            let body = body.clone();
            async move { ([("content-type", "text/event-stream")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_full_of_markup_renders_inert() {
    let url = hostile_model().await;
    // Point the LLM engine at the hostile server before the app starts (as an admin would in Settings).
    let data = tempfile::tempdir().unwrap();
    {
        let store = desk_store_sqlite::Store::open(&App::database_in(&data)).await.unwrap();
        store.set_meta("llm.settings", &json!({"base_url": url, "model": "hostile", "timeout_secs": 5}).to_string()).await.unwrap();
        store.set_meta("llm.enabled", "true").await.unwrap();
        store.pool().close().await;
    }
    let app2 = App::start_in(data, &[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "3600")]).await;
    app2.sign_in("ana").await;
    let _ = open_row(&app2, 0).await;
    app2.wait_text("[data-testid=draft-text]", Duration::from_secs(20), |t| t.contains("<script>")).await;
    let pwned = app2.client.execute("return window.__pwned === undefined ? null : window.__pwned", vec![]).await.unwrap();
    assert!(pwned.is_null(), "script from a draft ran: {pwned:?}");
    let imgs = app2.client.execute("return Array.from(document.querySelectorAll('[data-testid=draft-pane] img, [data-testid=draft-pane] a[href^=javascript]')).length", vec![]).await.unwrap();
    assert_eq!(imgs.as_i64(), Some(0), "the draft created elements");
    let text = app2.text("[data-testid=draft-text]").await;
    assert!(text.contains("![tracker](http://198.51.100.7/t.png)"), "markdown stays literal: {text}");
    app2.screenshot("33-inert-draft").await;
    app2.close().await;
}
