//! The team server pulls escalations from a bot platform, as a desk does (the HTTP bot source's
//! protocol, README "HTTP bot source"), and carries the approved replies back: the real
//! `desk-server` binary configured by its environment, against a local platform that speaks
//! the protocol. Every page is read, the malformed item is quarantined with its reason, the
//! token goes as a bearer (from its file, never the command line), and an approved reply reaches
//! the platform once, keyed by its outbox id.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;
mod process;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use common::*;
use desk_core::people::Role;
use serde_json::{json, Value};

const PASSWORD: &str = "a-long-password-1";
const SOURCE_TOKEN: &str = "pull-token-0123456789";

#[derive(Default)]
struct Platform {
    items: Vec<Value>,
    /// The bearer each request presented.
    auth: Vec<String>,
    /// Replies by Idempotency-Key: (conversation, body, times received).
    received: BTreeMap<String, (String, Value, usize)>,
}

type Shared = Arc<Mutex<Platform>>;

async fn page(State(p): State<Shared>, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Result<Json<Value>, StatusCode> {
    let mut p = p.lock().unwrap();
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    p.auth.push(auth.clone());
    if auth != format!("Bearer {SOURCE_TOKEN}") {
        return Err(StatusCode::UNAUTHORIZED);
    }
    let after: usize = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10).min(2);
    let end = (after + limit).min(p.items.len());
    let items = p.items[after.min(end)..end].to_vec();
    Ok(Json(json!({ "items": items, "next_cursor": if end > after { Some(end.to_string()) } else { None } })))
}

async fn message(State(p): State<Shared>, headers: HeaderMap, Path(conversation): Path<String>, Json(body): Json<Value>) -> StatusCode {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    p.lock().unwrap().received.entry(key).or_insert((conversation, body, 0)).2 += 1;
    StatusCode::CREATED
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_pulls_from_a_bot_platform_and_sends_the_approved_replies_back() {
    let platform: Shared = Arc::default();
    {
        let mut p = platform.lock().unwrap();
        for i in 0..3 {
            let mut d = valid_doc();
            d["handoff_id"] = json!(format!("hf_pulled_{i}"));
            d["conversation_id"] = json!(format!("conv_pulled_{i}"));
            p.items.push(d);
        }
        p.items.insert(1, json!({ "schema_version": "handoff/v1", "handoff_id": "hf_broken" }));
    }
    let app = axum::Router::new()
        .route("/bot/handoffs", axum::routing::get(page))
        .route("/bot/conversations/{id}/messages", axum::routing::post(message))
        .with_state(platform.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let source_url = format!("http://{}/bot", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("source-token");
    std::fs::write(&token_file, format!("{SOURCE_TOKEN}\n")).unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    let db = process::team(&database_url, PASSWORD, &[("ana", "Ana Agent", &[Role::Agent])]).await;
    let backend = desk_demo::DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let env = [
        ("DESK_SERVER_SOURCE_URL", source_url.as_str()),
        ("DESK_SERVER_SOURCE_TOKEN_FILE", token_file.to_str().unwrap()),
        ("DESK_SERVER_SOURCE_POLL_SECS", "1"),
    ];
    let server = process::start_with(&database_url, &backend.base_url(), dir.path(), process::free_port(), &env).await;

    // Every page is read; the broken item is quarantined with its reason, the others stored.
    for i in 0..3 {
        let id = format!("hf_pulled_{i}");
        process::until(&format!("{id} to be pulled"), Duration::from_secs(20), async || db.stored_handoff(&id).await.ok()).await;
    }
    let quarantined = db.quarantine_records(None, 10).await.unwrap();
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    assert!(String::from_utf8_lossy(&quarantined[0].raw).contains("hf_broken"), "the raw text is kept");
    assert!(quarantined[0].errors.contains("/"), "with its reasons and their paths: {}", quarantined[0].errors);
    assert!(platform.lock().unwrap().auth.iter().all(|a| a == &format!("Bearer {SOURCE_TOKEN}")), "the token from its file, as a bearer");

    // Ana approves an edited reply on a pulled conversation: it reaches the platform once.
    let http = reqwest::Client::new();
    let signed: Value = http.post(format!("{}/v1/sessions", server.url)).json(&json!({"username": "ana", "password": PASSWORD})).send().await.unwrap().json().await.unwrap();
    let token = signed["token"].as_str().unwrap();
    let draft: Value = http.post(format!("{}/v1/handoffs/hf_pulled_2/draft", server.url)).bearer_auth(token).json(&json!({})).send().await.unwrap().json().await.unwrap();
    let decided = http
        .post(format!("{}/v1/drafts/{}/decision", server.url, draft["id"].as_str().unwrap()))
        .bearer_auth(token)
        .json(&json!({"kind": "edit", "text": "Hi Ada, the refund is on its way."}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), reqwest::StatusCode::OK);
    let (conversation, body) = process::until("the approved reply to reach the platform", Duration::from_secs(20), async || {
        platform.lock().unwrap().received.values().next().map(|(c, b, _)| (c.clone(), b.clone()))
    })
    .await;
    assert_eq!((conversation.as_str(), body["text"].as_str()), ("conv_pulled_2", Some("Hi Ada, the refund is on its way.")));
    tokio::time::sleep(Duration::from_millis(2500)).await; // more rounds: nothing is sent again
    let received = &platform.lock().unwrap().received;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received.values().next().unwrap().2, 1, "sent once");
    drop(server);
}
