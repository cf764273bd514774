//! The HTTP bot source against a real local server that speaks its protocol (README, "HTTP bot
//! source"): cursor paging, quarantine of a malformed item, idempotent re-reads, retry of 5xx
//! with backoff, a clear error for bad credentials and for an unreachable platform, and replies
//! sent back once per outbox id with an Idempotency-Key.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::*;
use desk_core::drafts::service::{DraftDecision, DraftSetup};
use desk_core::people::DEMO_PASSWORD;
use desk_core::sources::http::{cursor_key, HttpSource, SourceError};
use desk_store_sqlite::Store;
use serde_json::{json, Value};

const T0: i64 = 1_795_000_000_000;

#[derive(Default)]
struct Platform {
    items: Vec<Value>,
    /// Answer this many requests with 500 first.
    fail_first: usize,
    requests: usize,
    /// Bearer token required (None: no auth).
    token: Option<String>,
    /// Messages received, by idempotency key: (body, times received).
    received: BTreeMap<String, (Value, usize)>,
}

type Shared = Arc<Mutex<Platform>>;

fn json_response(v: Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

async fn handoffs(State(p): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let q: BTreeMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let mut p = p.lock().unwrap();
    p.requests += 1;
    if p.requests <= p.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Some(t) = &p.token {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {t}")) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    let after: usize = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
    let end = (after + limit).min(p.items.len());
    let items = p.items[after.min(end)..end].to_vec();
    json_response(json!({ "items": items, "next_cursor": if end > after { Some(end.to_string()) } else { None } }))
}

async fn message(State(p): State<Shared>, headers: HeaderMap, Path(conversation): Path<String>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).expect("a JSON body");
    let mut p = p.lock().unwrap();
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(!key.is_empty(), "every reply carries an Idempotency-Key");
    let mut body = body;
    body["conversation"] = json!(conversation);
    p.received.entry(key).or_insert((body, 0)).1 += 1;
    StatusCode::CREATED.into_response()
}

async fn platform(p: Shared) -> String {
    let app = axum::Router::new()
        .route("/v1/handoffs", axum::routing::get(handoffs))
        .route("/v1/conversations/{id}/messages", axum::routing::post(message))
        .with_state(p);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

fn items(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut d = valid_doc();
            d["handoff_id"] = json!(format!("hf_http_{i:03}"));
            d["conversation_id"] = json!(format!("conv:{i}"));
            d
        })
        .collect()
}

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    (dir, store)
}

/// A store with the demo users and the starter knowledge base (for drafting and approving).
/// The draft service over a desk's store.
fn drafts(store: &Store) -> desk_core::drafts::service::DraftService {
    desk_core::drafts::service::DraftService::new(Arc::new(store.clone()))
}

async fn desk_store() -> (tempfile::TempDir, Store) {
    let (dir, store) = store().await;
    store.seed_demo_users().await.unwrap();
    let kb = dir.path().join("kb");
    desk_core::drafts::kb::install_starter(&kb).unwrap();
    desk_core::drafts::kb::reindex(&store, &kb).await.unwrap();
    (dir, store)
}

fn source(url: &str, token: Option<&str>) -> HttpSource {
    let mut s = HttpSource::new(url, token.map(str::to_owned), Duration::from_secs(5));
    s.page_limit = 4;
    s.backoff = Duration::from_millis(10);
    s
}

#[tokio::test]
async fn pulls_every_page_quarantines_the_malformed_and_rereads_nothing() {
    let mut docs = items(9);
    docs[5]["intent"]["confidence"] = json!(1.7); // a malformed document among the good ones
    let p: Shared = Arc::new(Mutex::new(Platform { items: docs, ..Default::default() }));
    let url = platform(p.clone()).await;
    let (_d, store) = store().await;
    let src = source(&url, None);

    let r = src.pull(&store).await.unwrap();
    assert_eq!(r.pages, 4, "three full pages of 4, then an empty one: {r:?}");
    assert_eq!(r.arrived.len(), 8);
    assert_eq!(r.quarantined, 1);
    assert_eq!(store.handoff_count().await.unwrap(), 8);
    assert_eq!(store.quarantine_count().await.unwrap(), 1, "quarantined with its reasons, not dropped");
    assert_eq!(store.meta(&cursor_key(&url)).await.unwrap().as_deref(), Some("9"));

    // The next poll goes on from the cursor: nothing new.
    let r = src.pull(&store).await.unwrap();
    assert!(r.arrived.is_empty() && r.quarantined == 0, "{r:?}");
    // New items arrive on the platform: only they are read.
    p.lock().unwrap().items.extend(items(11).into_iter().skip(9));
    let r = src.pull(&store).await.unwrap();
    assert_eq!(r.arrived, vec!["hf_http_009".to_owned(), "hf_http_010".to_owned()]);

    // A crash before the cursor was saved re-reads pages: stored once, counted as unchanged.
    store.set_meta(&cursor_key(&url), "4").await.unwrap();
    let r = src.pull(&store).await.unwrap();
    assert!(r.arrived.is_empty(), "{r:?}");
    assert_eq!(r.unchanged, 6);
    assert_eq!(store.handoff_count().await.unwrap(), 10);
}

#[tokio::test]
async fn server_errors_are_retried_bad_credentials_are_not() {
    let p: Shared = Arc::new(Mutex::new(Platform { items: items(3), fail_first: 2, token: Some("s3cret".into()), ..Default::default() }));
    let url = platform(p.clone()).await;
    let (_d, store) = store().await;

    // 500, 500, then success: one pull, retried inside.
    let r = source(&url, Some("s3cret")).pull(&store).await.unwrap();
    assert_eq!(r.arrived.len(), 3);
    assert_eq!(p.lock().unwrap().requests, 4, "two failures, the page, the empty page");

    // A wrong token: a clear error, asked once, nothing stored.
    let before = p.lock().unwrap().requests;
    store.set_meta(&cursor_key(&url), "0").await.unwrap();
    let err = source(&url, Some("wrong")).pull(&store).await.unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized(401)), "{err:?}");
    assert!(!err.transient());
    assert!(err.to_string().contains("set-token"), "the message says what to do: {err}");
    assert_eq!(p.lock().unwrap().requests, before + 1, "not retried");

    // Always failing: gives up after its attempts with the status.
    p.lock().unwrap().fail_first = usize::MAX;
    let err = source(&url, Some("s3cret")).pull(&store).await.unwrap_err();
    assert!(matches!(err, SourceError::Server(500)), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_platform_is_a_clear_transient_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(); // closed again at once
    let (_d, store) = store().await;
    let err = source(&format!("http://127.0.0.1:{port}/v1"), None).pull(&store).await.unwrap_err();
    assert!(matches!(err, SourceError::Unreachable(_)), "{err:?}");
    assert!(err.transient());
    assert_eq!(store.handoff_count().await.unwrap(), 0);
}

#[tokio::test]
async fn approved_replies_go_back_through_the_platform_once_per_id() {
    let p: Shared = Arc::new(Mutex::new(Platform { items: items(1), ..Default::default() }));
    let url = platform(p.clone()).await;
    let (_dir, store) = desk_store().await;
    let src = source(&url, None);
    src.pull(&store).await.unwrap();

    let ana = store.sign_in("ana", DEMO_PASSWORD, T0).await.unwrap();
    let d = drafts(&store).draft(&ana, &DraftSetup::default(), "hf_http_000", T0, &|_: &str| {}).await.unwrap().unwrap();
    drafts(&store).decide(&ana, &d.id, DraftDecision::Approve, T0 + 1_000).await.unwrap();

    // The demo channel leaves it alone; the platform gets it.
    let others = desk_core::drafts::record::Carries::AllBut(desk_core::sources::http::SOURCE);
    assert!(desk_core::storage::OutboxStore::pending_replies(&store, others, 100).await.unwrap().is_empty());
    let sent = src.deliver(&store, &|| T0 + 2_000).await.unwrap();
    assert_eq!(sent.sent.len(), 1);
    assert!(drafts(&store).outbox(&ana, "hf_http_000", T0).await.unwrap()[0].sent);
    assert!(src.deliver(&store, &|| T0 + 3_000).await.unwrap().sent.is_empty(), "sent once");

    // A crash before it was marked sent sends it again: the platform sees the same key.
    sqlx::query("UPDATE outbox SET state = 'pending'").execute(store.pool()).await.unwrap();
    src.deliver(&store, &|| T0 + 4_000).await.unwrap();
    let p = p.lock().unwrap();
    assert_eq!(p.received.len(), 1, "one reply, deduplicated by its Idempotency-Key");
    let (body, times) = p.received.values().next().unwrap();
    assert_eq!(*times, 2);
    assert_eq!(body["text"], json!(d.text));
    assert_eq!(body["conversation"], json!("conv:0"), "the conversation id, percent-encoded in the path and decoded by the platform");
    assert_eq!(body["author"], json!("Ana Agent"));
}

#[tokio::test]
async fn a_page_with_items_and_no_cursor_is_refused_before_anything_is_stored() {
    async fn no_cursor() -> Response {
        json_response(json!({ "items": [valid_doc()], "next_cursor": null }))
    }
    let app = axum::Router::new().route("/v1/handoffs", axum::routing::get(no_cursor));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (_d, store) = store().await;
    let err = source(&url, None).pull(&store).await.unwrap_err();
    assert!(matches!(err, SourceError::Malformed(_)), "{err:?}");
    assert_eq!(store.handoff_count().await.unwrap(), 0, "nothing stored, so nothing is read twice");
}

#[tokio::test]
async fn a_reply_the_platform_refuses_stays_pending_and_the_others_still_go() {
    async fn refuse_first(State(p): State<Shared>, Path(conversation): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
        if conversation == "conv:0" {
            return StatusCode::NOT_FOUND.into_response();
        }
        message(State(p), headers, Path(conversation), body).await
    }
    let p: Shared = Arc::new(Mutex::new(Platform { items: items(2), ..Default::default() }));
    let app = axum::Router::new()
        .route("/v1/handoffs", axum::routing::get(handoffs))
        .route("/v1/conversations/{id}/messages", axum::routing::post(refuse_first))
        .with_state(p.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (_dir, store) = desk_store().await;
    let src = source(&url, None);
    src.pull(&store).await.unwrap();
    let ana = store.sign_in("ana", DEMO_PASSWORD, T0).await.unwrap();
    for id in ["hf_http_000", "hf_http_001"] {
        let d = drafts(&store).draft(&ana, &DraftSetup::default(), id, T0, &|_: &str| {}).await.unwrap().unwrap();
        drafts(&store).decide(&ana, &d.id, DraftDecision::Approve, T0 + 1_000).await.unwrap();
    }
    let r = src.deliver(&store, &|| T0 + 2_000).await.unwrap();
    assert_eq!(r.sent.len(), 1, "{r:?}");
    assert_eq!(r.refused.len(), 1);
    assert_eq!(r.refused[0].1, SourceError::Rejected(404).to_string());
    let refused = &drafts(&store).outbox(&ana, "hf_http_000", T0).await.unwrap()[0];
    assert!(!refused.sent, "refused: still pending");
    assert_eq!(refused.last_error.as_deref(), Some("the bot platform rejected the request (404)"), "the reason is kept for the transcript");
    let next = &drafts(&store).outbox(&ana, "hf_http_001", T0).await.unwrap()[0];
    assert!(next.sent && next.last_error.is_none(), "the next reply went");
}
