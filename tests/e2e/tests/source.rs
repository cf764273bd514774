//! The HTTP bot source in the real window: the app pulls escalations from a local server that
//! speaks the documented protocol (README, "HTTP bot source"), shows them in the queue and the
//! source's health in the status line, quarantines the malformed one, and sends an approved
//! reply back to the platform with an Idempotency-Key.

mod harness;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use desk_core::storage::{HandoffStore, OutboxStore};
use fantoccini::Locator;
use harness::App;
use serde_json::{json, Value};

#[derive(Default)]
struct Platform {
    items: Vec<Value>,
    /// Replies received: idempotency key → (conversation, body).
    received: BTreeMap<String, (String, Value)>,
}
type Shared = Arc<Mutex<Platform>>;

async fn handoffs(State(p): State<Shared>, uri: Uri) -> Response {
    let after: usize = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.strip_prefix("after="))
        .find_map(|v| v.parse().ok())
        .unwrap_or(0);
    let p = p.lock().unwrap();
    let items: Vec<Value> = p.items.iter().skip(after).cloned().collect();
    let next = (!items.is_empty()).then(|| p.items.len().to_string());
    ([("content-type", "application/json")], json!({ "items": items, "next_cursor": next }).to_string()).into_response()
}

async fn message(State(p): State<Shared>, headers: HeaderMap, Path(conversation): Path<String>, body: Bytes) -> Response {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    p.lock().unwrap().received.insert(key, (conversation, body));
    StatusCode::CREATED.into_response()
}

fn items() -> Vec<Value> {
    let template: Value = serde_json::from_str(
        std::fs::read_to_string(harness::workspace_root().join("tests/e2e/fixtures/valid.jsonl")).unwrap().lines().next().unwrap(),
    )
    .unwrap();
    let mut out = vec![];
    for i in 0..2 {
        let mut d = template.clone();
        d["handoff_id"] = json!(format!("hf_platform_{i}"));
        d["conversation_id"] = json!(format!("conv:platform:{i}"));
        d["summary"] = json!(format!("Zanzibar parcel {i}: wants a refund for order A123; item arrived damaged."));
        out.push(d);
    }
    let mut bad = template;
    bad["handoff_id"] = json!("hf_platform_bad");
    bad["intent"]["confidence"] = json!(3.5);
    out.push(bad);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalations_arrive_from_the_bot_platform_and_replies_go_back() {
    let platform: Shared = Arc::new(Mutex::new(Platform { items: items(), ..Default::default() }));
    let router = axum::Router::new()
        .route("/v1/handoffs", axum::routing::get(handoffs))
        .route("/v1/conversations/{id}/messages", axum::routing::post(message))
        .with_state(platform.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let app = App::start(&[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "3600"), ("HANDOFF_DESK_SOURCE_URL", &url), ("HANDOFF_DESK_SOURCE_POLL_SECS", "1")]).await;
    let store = desk_store_sqlite::Store::open(&app.database_path()).await.expect("the app's database");
    app.sign_in("ana").await;

    // Stored, the malformed one quarantined with its reason.
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.stored_handoff("hf_platform_1").await.is_err() {
        assert!(Instant::now() < deadline, "the app did not pull from the platform");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let q: Vec<(String,)> = sqlx::query_as("SELECT source FROM quarantine WHERE handoff_id = 'hf_platform_bad'").fetch_all(store.pool()).await.unwrap();
        if !q.is_empty() {
            assert_eq!(q, vec![("http".to_owned(),)], "the malformed document is quarantined once, not dropped");
            break;
        }
        assert!(Instant::now() < deadline, "the malformed document did not reach the quarantine");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The status line names the source and says it pulled (app_status is looked at every 15 s).
    // (read as textContent: WebKitWebDriver's visible-text algorithm returns "" for this
    // ellipsised status-line span although it shows on screen)
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        let t = app
            .client
            .execute("const e = document.querySelector('[data-testid=source-status]'); return e ? e.textContent : null", vec![])
            .await
            .unwrap();
        let t = t.as_str().unwrap_or("").to_owned();
        if t.contains("pulled") {
            break t;
        }
        assert!(Instant::now() < deadline, "the status line does not show the source as pulled: {t:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(status.contains("127.0.0.1"), "{status}");

    // In the queue: search finds both.
    app.keys("/").await;
    app.keys("Zanzibar").await;
    app.wait_count("[data-testid=queue-row][data-handoff-id^=hf_platform_]", 2, Duration::from_secs(10)).await;
    app.screenshot("40-platform-queue").await;

    // Approve the draft of one: the reply goes back to the platform, keyed by its outbox id.
    app.client.find(Locator::Css("[data-testid=queue-row][data-handoff-id=hf_platform_0]")).await.unwrap().click().await.unwrap();
    app.wait_text("[data-testid=draft-state]", Duration::from_secs(20), |t| t.to_lowercase().contains("ready")).await;
    app.click("[data-testid=conversation-summary]").await;
    app.keys("a").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if app.exists("[data-testid=draft-confirm]").await {
        app.keys("a").await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let outbox: Vec<_> = store.outbox_records_of("hf_platform_0").await.unwrap().into_iter().map(|r| r.entry()).collect();
        if outbox.first().is_some_and(|o| o.sent) {
            let got = platform.lock().unwrap().received.get(&outbox[0].id).cloned();
            let (conversation, body) = got.expect("the platform received the reply under the outbox id");
            assert_eq!(conversation, "conv:platform:0");
            assert_eq!(body["text"], json!(outbox[0].text));
            break;
        }
        assert!(Instant::now() < deadline, "the approved reply was not delivered to the platform");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(platform.lock().unwrap().received.len(), 1);
    app.wait_count("[data-testid=transcript-turn][data-role=agent][data-sent=true]", 1, Duration::from_secs(15)).await;
    app.screenshot("41-platform-reply-sent").await;
    app.close().await;
}
