//! HTTP bot source speed: pulling handoff/v1 documents from a local platform over loopback
//! (pages of 100, each document validated and stored), and sending approved replies back.
//! Run: `cargo bench -p desk-core --bench source` (SOURCE_DOCS=… to change the pull size).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use desk_core::people::now_ms;
use desk_core::sources::http::HttpSource;
use desk_core::people::Accounts;
use desk_store_sqlite::Store;
use serde_json::{json, Value};

async fn handoffs(State(items): State<Arc<Vec<Value>>>, uri: Uri) -> axum::response::Response {
    let q = uri.query().unwrap_or("");
    let arg = |k: &str| q.split('&').find_map(|kv| kv.strip_prefix(&format!("{k}="))).and_then(|v| v.parse::<usize>().ok());
    let after = arg("after").unwrap_or(0).min(items.len());
    let end = (after + arg("limit").unwrap_or(100)).min(items.len());
    let page = &items[after..end];
    let next = (!page.is_empty()).then(|| end.to_string());
    ([("content-type", "application/json")], json!({ "items": page, "next_cursor": next }).to_string()).into_response()
}

async fn message() -> axum::http::StatusCode {
    axum::http::StatusCode::CREATED
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("SOURCE_DOCS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let bot = desk_demo::bot::DemoBot::new(7);
    let at = chrono::Utc::now();
    let items: Arc<Vec<Value>> = Arc::new((0..n as u64).map(|i| bot.escalation(i, at)).collect());
    let app = axum::Router::new()
        .route("/v1/handoffs", axum::routing::get(handoffs))
        .route("/v1/conversations/{id}/messages", axum::routing::post(message))
        .with_state(items);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).await.unwrap();
    let source = HttpSource::new(&url, None, Duration::from_secs(30));
    let t = Instant::now();
    let mut stored = 0;
    loop {
        let r = source.pull(&store).await.unwrap();
        stored += r.arrived.len() + r.quarantined;
        if r.arrived.is_empty() && r.quarantined == 0 {
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!("pull: {stored} documents in {secs:.1} s = {:.0} documents/s (pages of 100, validated and stored, synchronous=FULL)", stored as f64 / secs);

    // Replies back: 500 pending outbox entries, one POST each.
    store.seed_demo_users().await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT handoff_id FROM handoffs LIMIT 500").fetch_all(store.pool()).await.unwrap();
    for (i, h) in ids.iter().enumerate() {
        sqlx::query("INSERT INTO outbox (id, handoff_seq, author, text, state, created_at_ms) SELECT ?, seq, 1, 'Thanks, sorted.', 'pending', ? FROM handoffs WHERE handoff_id = ?")
            .bind(format!("ob_bench_{i}"))
            .bind(now_ms())
            .bind(h)
            .execute(store.pool())
            .await
            .unwrap();
    }
    // (the handoffs came through the HTTP source, so their replies go back through it)
    let t = Instant::now();
    let mut sent = 0;
    loop {
        let r = source.deliver(&store, &now_ms).await.unwrap();
        if r.sent.is_empty() {
            break;
        }
        sent += r.sent.len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!("deliver: {sent} replies in {secs:.2} s = {:.0} replies/s (one POST with Idempotency-Key, then sent + audit event in one transaction)", sent as f64 / secs);
}
