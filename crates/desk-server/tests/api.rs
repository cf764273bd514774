//! desk-server over real HTTP on a real PostgreSQL server: sign-in and token sessions (missing,
//! garbage, expired, revoked and wrong-role tokens refused at every endpoint; a demoted user
//! loses the rights at once), push intake (idempotent, a bad document answered with its JSON
//! paths and quarantined, an unknown platform refused, 413 over the size limit), claims raced by
//! two agents, and a refund behind an approval gate: the agent cannot approve it, not even
//! through the API with their own token; the supervisor approves it from their own session and
//! the backend executes it once. The live stream replays everything after `Last-Event-ID`, in
//! order, once, and a change made through one server reaches a follower of another. An idle
//! session locks (423) until its password is given again; a "Switch user" session ends with
//! the decision it was opened for and says so in a header.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{GateService, Gates, Silent};
use desk_core::people::tokens::{SessionRules, TokenSessions, SESSION_ENDED_HEADER};
use desk_core::people::{NewUser, Role};
use desk_core::storage::Database;
use desk_demo::DemoBackend;
use desk_server::{router, AppState, Platform};
use desk_store_postgres::PgStore;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PLATFORM_TOKEN: &str = "platform-token-0123456789";
const PASSWORD: &str = "a-long-password-1";

struct Server {
    url: String,
    database_url: String,
    db: Arc<dyn Database>,
    backend: DemoBackend,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn server_with(ttl_ms: Option<i64>) -> Server {
    let rules = ttl_ms.map(|ttl| SessionRules { lifetime_ms: ttl, ..SessionRules::default() });
    server_at(desk_store_suite::fresh_postgres_url().await, rules).await
}

/// A second server on the same database.
async fn server_on(database_url: &str) -> Server {
    server_at(database_url.to_owned(), None).await
}

async fn server_at(url: String, rules: Option<SessionRules>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let pg = PgStore::connect(&url, 8).await.unwrap();
    let db: Arc<dyn Database> = Arc::new(pg.clone());
    desk_core::drafts::kb::install_starter(&dir.path().join("kb")).unwrap();
    desk_core::drafts::kb::reindex(&*db, &dir.path().join("kb")).await.unwrap();
    let backend = DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let gates = GateService::new(db.clone(), Gates::default(), ToolExecutor::new(backend.base_url(), Duration::from_secs(5))).in_background(Arc::new(Silent));
    let mut state = AppState::new(db.clone(), gates, vec![Platform::new("helpbot", PLATFORM_TOKEN)], Some("1234-5678-9abc-def0".into()));
    if let Some(rules) = rules {
        state.sessions = TokenSessions::new(db.clone()).with_rules(rules);
    }
    pg.spawn_event_wakeups(state.wake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    Server { url: format!("http://{addr}"), database_url: url, db, backend, http: reqwest::Client::new(), _dir: dir }
}

async fn server() -> Server {
    server_with(None).await
}

impl Server {
    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(token), Some(body)).await
    }

    async fn push(&self, token: &str, doc: &[u8]) -> (StatusCode, Value) {
        let resp = self.http.post(format!("{}/v1/handoffs", self.url)).bearer_auth(token).body(doc.to_vec()).send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Sets up the team: the first admin with the setup code, then an agent, a second agent and
    /// a supervisor created by the admin. Returns their tokens.
    async fn team(&self) -> Team {
        let (s, _) = self
            .call(reqwest::Method::POST, "/v1/setup", None, Some(json!({"code": "wrong", "username": "ada", "display_name": "Ada Admin", "password": PASSWORD, "roles": ["admin"]})))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "a wrong setup code is refused");
        let (s, v) = self
            .call(reqwest::Method::POST, "/v1/setup", None, Some(json!({"code": "1234-5678-9abc-def0", "username": "ada", "display_name": "Ada Admin", "password": PASSWORD, "roles": ["admin"]})))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let ada = self.sign_in("ada").await;
        for (u, name, roles) in [("ana", "Ana Agent", vec![Role::Agent]), ("bob", "Bob Agent", vec![Role::Agent]), ("sam", "Sam Supervisor", vec![Role::Supervisor, Role::Agent])] {
            let nu = NewUser { username: u.into(), display_name: name.into(), password: PASSWORD.into(), roles };
            let (s, v) = self.post("/v1/users", &ada, serde_json::to_value(nu).unwrap()).await;
            assert_eq!(s, StatusCode::OK, "{v}");
        }
        Team { ana: self.sign_in("ana").await, bob: self.sign_in("bob").await, sam: self.sign_in("sam").await, ada }
    }

    async fn sign_in(&self, username: &str) -> String {
        let (s, v) = self.call(reqwest::Method::POST, "/v1/sessions", None, Some(json!({"username": username, "password": PASSWORD}))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(!v.to_string().contains(PASSWORD));
        v["token"].as_str().unwrap().to_owned()
    }
}

struct Team {
    ana: String,
    bob: String,
    sam: String,
    ada: String,
}

/// Every endpoint that needs a session, with a body that would do something.
fn guarded() -> Vec<(reqwest::Method, &'static str, Option<Value>)> {
    use reqwest::Method as M;
    vec![
        (M::GET, "/v1/sessions/current", None),
        (M::POST, "/v1/sessions/current/step-up", Some(json!({"password": PASSWORD}))),
        (M::POST, "/v1/sessions/current/activity", None),
        (M::POST, "/v1/queue/page", Some(json!({}))),
        (M::GET, "/v1/queue/facets", None),
        (M::GET, "/v1/handoffs/hf_2f9c01", None),
        (M::PUT, "/v1/handoffs/hf_2f9c01/claim", None),
        (M::DELETE, "/v1/handoffs/hf_2f9c01/claim", None),
        (M::GET, "/v1/handoffs/hf_2f9c01/tool-calls", None),
        (M::POST, "/v1/handoffs/hf_2f9c01/tool-calls", Some(json!({"tool": "billing.refund", "params": {"order_id": "A123", "amount": "480.00", "currency": "USD"}}))),
        (M::GET, "/v1/quarantine", None),
        (M::GET, "/v1/approvals", None),
        (M::GET, "/v1/tool-calls/tc_x", None),
        (M::POST, "/v1/tool-calls/tc_x/approve", Some(json!({"params_sha256": "x"}))),
        (M::POST, "/v1/tool-calls/tc_x/deny", Some(json!({"reason": "no"}))),
        (M::GET, "/v1/users", None),
        (M::POST, "/v1/users", Some(json!({"username": "eve", "display_name": "Eve", "password": PASSWORD, "roles": ["admin"]}))),
        (M::PATCH, "/v1/users/1", Some(json!({"roles": ["admin"], "active": true}))),
        (M::GET, "/v1/audit/verify", None),
        (M::GET, "/v1/events", None),
        (M::POST, "/v1/handoffs/hf_2f9c01/draft", None),
        (M::GET, "/v1/handoffs/hf_2f9c01/drafts", None),
        (M::GET, "/v1/handoffs/hf_2f9c01/replies", None),
        (M::GET, "/v1/handoffs/hf_2f9c01/ratings", None),
        (M::POST, "/v1/handoffs/hf_2f9c01/ratings", Some(json!({}))),
        (M::POST, "/v1/drafts/dr_x/decision", Some(json!({"kind": "approve"}))),
        (M::POST, "/v1/analytics", Some(json!({}))),
        (M::GET, "/v1/tools", None),
        (M::POST, "/v1/tool-calls/tc_x/confirm", None),
        (M::POST, "/v1/tool-calls/tc_x/retry", None),
        (M::POST, "/v1/tool-calls/tc_x/escalate", None),
        (M::GET, "/v1/approvals/history", None),
        (M::GET, "/v1/ratings/next-unrated", None),
        (M::POST, "/v1/analytics/export/by_intent", Some(json!({}))),
        (M::POST, "/v1/analytics/eval-cases", Some(json!({}))),
        (M::GET, "/v1/drafts/metrics", None),
        (M::POST, "/v1/audit", Some(json!({}))),
        (M::GET, "/v1/audit/export", None),
        (M::POST, "/v1/imports?name=x.jsonl", Some(json!({"schema": "handoff/v1"}))),
        (M::GET, "/v1/me/availability", None),
        (M::PUT, "/v1/me/availability", Some(json!({"available": true}))),
        (M::GET, "/v1/team", None),
        (M::GET, "/v1/me/offer", None),
        (M::POST, "/v1/offers/1/accept", None),
        (M::POST, "/v1/offers/1/decline", None),
        (M::PUT, "/v1/users/1/skills", Some(json!({"intents": [], "channels": [], "languages": []}))),
        (M::PUT, "/v1/handoffs/hf_2f9c01/assignee", Some(json!({"user_id": 1}))),
        (M::DELETE, "/v1/sessions/current", None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refuses_a_missing_garbage_expired_or_revoked_token() {
    let srv = server_with(Some(1_500)).await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let revoked = srv.sign_in("ana").await;
    let (s, _) = srv.call(reqwest::Method::DELETE, "/v1/sessions/current", Some(&revoked), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let expiring = srv.sign_in("sam").await;
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    for (method, path, body) in guarded() {
        for (what, token) in [("missing", None), ("garbage", Some("not-a-token")), ("revoked", Some(revoked.as_str())), ("expired", Some(expiring.as_str())), ("platform", Some(PLATFORM_TOKEN))] {
            let (s, v) = srv.call(method.clone(), path, token, body.clone()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path} with a {what} token: {v}");
            assert_eq!(v["kind"], "unauthenticated", "{method} {path}: {v}");
        }
    }
    // A session token does not push escalations either.
    let (s, _) = srv.push(&team.ada, &bytes(&valid_doc())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(srv.db.handoff_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_checked_by_the_server_and_a_demotion_takes_effect_at_once() {
    let srv = server().await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    // Agents do not manage users or see the approvals queue; admins do not claim.
    for (path, token) in [("/v1/users", &team.ana), ("/v1/approvals", &team.ana), ("/v1/users", &team.sam)] {
        let (s, v) = srv.get(path, token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {v}");
        assert_eq!(v["kind"], "forbidden");
    }
    let (s, _) = srv.call(reqwest::Method::PUT, "/v1/handoffs/hf_2f9c01/claim", Some(&team.ada), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = srv.get("/v1/audit/verify", &team.ada).await;
    assert_eq!((s, v["ok"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    // Sam sees the approvals queue until the admin makes him an agent: his own token, unchanged,
    // is refused on the very next call.
    assert_eq!(srv.get("/v1/approvals", &team.sam).await.0, StatusCode::OK);
    let (_, users) = srv.get("/v1/users", &team.ada).await;
    let sam_id = users.as_array().unwrap().iter().find(|u| u["username"] == "sam").unwrap()["id"].as_i64().unwrap();
    let (s, v) = srv.call(reqwest::Method::PATCH, &format!("/v1/users/{sam_id}"), Some(&team.ada), Some(json!({"roles": ["agent"], "active": true}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(srv.get("/v1/approvals", &team.sam).await.0, StatusCode::FORBIDDEN);
    // Deactivated: not signed in at all.
    srv.call(reqwest::Method::PATCH, &format!("/v1/users/{sam_id}"), Some(&team.ada), Some(json!({"roles": ["agent"], "active": false}))).await;
    assert_eq!(srv.get("/v1/sessions/current", &team.sam).await.0, StatusCode::UNAUTHORIZED);
    // Wrong passwords: one answer for a wrong password and an unknown user.
    let (s1, v1) = srv.call(reqwest::Method::POST, "/v1/sessions", None, Some(json!({"username": "ana", "password": "nope-nope-nope"}))).await;
    let (s2, v2) = srv.call(reqwest::Method::POST, "/v1/sessions", None, Some(json!({"username": "nobody", "password": "nope-nope-nope"}))).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(v1["message"], v2["message"]);
    let _ = team.bob;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_handoffs_are_idempotent_and_a_bad_one_is_quarantined_with_its_paths() {
    let srv = server().await;
    let team = srv.team().await;
    let (s, v) = srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    assert_eq!((s, v["outcome"].as_str()), (StatusCode::CREATED, Some("accepted")), "{v}");
    let (s, v) = srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    assert_eq!((s, v["outcome"].as_str()), (StatusCode::OK, Some("unchanged")), "{v}");
    let bad = mutate(valid_doc(), "/intent/confidence", Some(json!(7)));
    let bad = mutate(bad, "/handoff_id", Some(json!("hf_bad")));
    let (s, v) = srv.push(PLATFORM_TOKEN, &bytes(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["path"] == "$.intent.confidence"), "{v}");
    let (s, v) = srv.push(PLATFORM_TOKEN, b"{ not json").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, q) = srv.get("/v1/quarantine", &team.sam).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(q.as_array().unwrap().len(), 2, "both bad documents are kept: {q}");
    assert_eq!(q[1]["handoff_id"], "hf_bad", "{q}");
    // A request body that is not what the call takes: the API's own error shape, saying what.
    let resp = srv.http.post(format!("{}/v1/handoffs/hf_2f9c01/tool-calls", srv.url)).bearer_auth(&team.ana).header("content-type", "application/json").body("{\"tool\": 7}").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["kind"], "invalid_input", "{v}");
    assert!(v["message"].as_str().unwrap().contains("tool"), "{v}");
    let (s, _) = srv.push("an-unknown-platform-token", &bytes(&valid_doc())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let huge = vec![b' '; desk_core::handoff::limits::DOCUMENT_BYTES_MAX + 10];
    let (s, _) = srv.push(PLATFORM_TOKEN, &huge).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // The agent sees the pushed escalation in the queue and opens it.
    let (s, page) = srv.post("/v1/queue/page", &team.ana, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["rows"].as_array().map(|r| r.len()), Some(1), "{page}");
    let (s, h) = srv.get("/v1/handoffs/hf_2f9c01", &team.ana).await;
    assert_eq!((s, h["source"].as_str()), (StatusCode::OK, Some("push:helpbot")), "{h}");
    let (s, _) = srv.get("/v1/handoffs/hf_nope", &team.ana).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_claim_at_once_one_wins_and_the_other_is_told_who() {
    let srv = server().await;
    let team = srv.team().await;
    for round in 0..20 {
        let mut doc = valid_doc();
        doc["handoff_id"] = json!(format!("hf_race_{round}"));
        srv.push(PLATFORM_TOKEN, &bytes(&doc)).await;
        let path = format!("/v1/handoffs/hf_race_{round}/claim");
        let (a, b) = tokio::join!(srv.call(reqwest::Method::PUT, &path, Some(&team.ana), None), srv.call(reqwest::Method::PUT, &path, Some(&team.bob), None));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::CONFLICT], "round {round}: {a:?} {b:?}");
        let loser = if a.0 == StatusCode::CONFLICT { &a.1 } else { &b.1 };
        let winner = if a.0 == StatusCode::NO_CONTENT { "Ana Agent" } else { "Bob Agent" };
        assert!(loser["message"].as_str().unwrap().contains(winner), "{loser}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_refund_waits_for_a_supervisor_and_executes_once() {
    let srv = server().await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let (s, call) = srv.post("/v1/handoffs/hf_2f9c01/tool-calls", &team.ana, json!({"tool": "billing.refund", "params": {"order_id": "A123", "amount": "480.00", "currency": "USD"}})).await;
    assert_eq!(s, StatusCode::OK, "{call}");
    assert_eq!(call["state"], "pending", "{call}");
    let id = call["id"].as_str().unwrap().to_owned();
    let digest = call["params_sha256"].as_str().unwrap().to_owned();
    // The requester cannot approve it, not even through the API with their own token.
    let (s, v) = srv.post(&format!("/v1/tool-calls/{id}/approve"), &team.ana, json!({"params_sha256": digest})).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::CONFLICT, "{s}: {v}");
    // The supervisor sees it waiting; an approval bound to other parameters is refused.
    let (_, pending) = srv.get("/v1/approvals", &team.sam).await;
    assert!(pending.to_string().contains(&id), "{pending}");
    let (s, v) = srv.post(&format!("/v1/tool-calls/{id}/approve"), &team.sam, json!({"params_sha256": "0".repeat(64)})).await;
    assert_ne!(s, StatusCode::OK, "{v}");
    let (s, v) = srv.post(&format!("/v1/tool-calls/{id}/approve"), &team.sam, json!({"params_sha256": digest})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Executed by the server, once.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (_, c) = srv.get(&format!("/v1/tool-calls/{id}"), &team.ana).await;
        if c["state"] == "succeeded" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not executed: {c}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(srv.backend.executions(&id).await, 1);
    let (s, v) = srv.post(&format!("/v1/tool-calls/{id}/approve"), &team.sam, json!({"params_sha256": digest})).await;
    assert_eq!(s, StatusCode::CONFLICT, "approved once: {v}");
    assert_eq!(srv.backend.total_executions().await, 1);
    // Four eyes: a supervisor's own request waits for another supervisor.
    let (_, own) = srv.post("/v1/handoffs/hf_2f9c01/tool-calls", &team.sam, json!({"tool": "billing.refund", "params": {"order_id": "A123", "amount": "300.00", "currency": "USD"}})).await;
    assert_eq!(own["state"], "pending", "{own}");
    let (s, v) = srv.post(&format!("/v1/tool-calls/{}/approve", own["id"].as_str().unwrap()), &team.sam, json!({"params_sha256": own["params_sha256"]})).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::CONFLICT, "the requester approved their own call: {s} {v}");
    assert_eq!(srv.backend.total_executions().await, 1);
    let (_, verified) = srv.get("/v1/audit/verify", &team.ada).await;
    assert_eq!(verified["ok"], true, "{verified}");
}

/// Reads server-sent events from a response until `want` arrive (or 20 s pass).
async fn read_events(resp: &mut reqwest::Response, want: usize) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    let mut buf = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while out.len() < want {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let chunk = match tokio::time::timeout(left, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            other => panic!("the stream ended or stalled after {} of {want} events: {other:?}", out.len()),
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut kind, mut data) = (String::new(), String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:")) {
                    id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("event: ").or_else(|| line.strip_prefix("event:")) {
                    kind = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                    data.push_str(v);
                }
            }
            if !id.is_empty() {
                out.push((id, kind, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    out
}

impl Server {
    async fn follow(&self, token: &str, last_event_id: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(format!("{}/v1/events", self.url)).bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp
    }
}

fn push_doc(i: usize) -> Vec<u8> {
    let mut doc = valid_doc();
    doc["handoff_id"] = json!(format!("hf_ev_{i:03}"));
    bytes(&doc)
}

/// A desktop that follows the stream, drops off, and comes back with the last id it saw gets
/// every change after it, in order, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_replays_everything_after_last_event_id_in_order_once() {
    let srv = server().await;
    let team = srv.team().await;
    let mut stream = srv.follow(&team.ana, None).await;
    for i in 0..30 {
        srv.push(PLATFORM_TOKEN, &push_doc(i)).await;
    }
    let first = read_events(&mut stream, 30).await;
    let arrived: Vec<&str> = first.iter().map(|(_, _, e)| e["subject"].as_str().unwrap()).collect();
    assert_eq!(arrived, (0..30).map(|i| format!("hf_ev_{i:03}")).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>());
    assert!(first.iter().all(|(_, k, _)| k == "handoff.arrived"));
    drop(stream);

    // Offline: 70 more changes (arrivals, claims, a bad document), some at the same moment.
    let mut handles = vec![];
    for i in 30..60 {
        let (http, url) = (srv.http.clone(), srv.url.clone());
        handles.push(tokio::spawn(async move { http.post(format!("{url}/v1/handoffs")).bearer_auth(PLATFORM_TOKEN).body(push_doc(i)).send().await.unwrap().status() }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::CREATED);
    }
    for i in 0..39 {
        let (s, _) = srv.call(reqwest::Method::PUT, &format!("/v1/handoffs/hf_ev_{i:03}/claim"), Some(&team.ana), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    srv.push(PLATFORM_TOKEN, b"{\"schema\": \"handoff/v1\"}").await;

    let last = first.last().unwrap().0.clone();
    let mut again = srv.follow(&team.ana, Some(&last)).await;
    let rest = read_events(&mut again, 70).await;
    let ids: Vec<desk_core::events::EventPosition> = rest.iter().map(|(id, _, _)| id.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order, no repeats: {ids:?}");
    assert!(ids[0] > last.parse().unwrap(), "nothing before the last id seen is sent again");
    let count = |k: &str| rest.iter().filter(|(_, kind, _)| kind == k).count();
    assert_eq!((count("handoff.arrived"), count("handoff.changed"), count("quarantine.added")), (30, 39, 1), "{rest:?}");
    let mut subjects: Vec<&str> = rest.iter().filter(|(_, k, _)| k == "handoff.arrived").map(|(_, _, e)| e["subject"].as_str().unwrap()).collect();
    subjects.sort();
    assert_eq!(subjects.len(), 30);
    subjects.dedup();
    assert_eq!(subjects.len(), 30, "each arrival once");

    // A bad position is a clear error; an agent's stream ends when the token is revoked.
    let resp = srv.http.get(format!("{}/v1/events", srv.url)).bearer_auth(&team.ana).header("Last-Event-ID", "yesterday").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = srv.http.get(format!("{}/v1/events", srv.url)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // After retention pruned what it saw, a desk coming back is told to read everything again
    // (one `stream.reset` carrying the present position), then gets what follows.
    assert!(desk_core::events::prune(&*srv.db, desk_core::people::now_ms() + 1_000).await.unwrap() >= 100);
    let mut late = srv.follow(&team.ana, Some(&last)).await;
    srv.push(PLATFORM_TOKEN, &push_doc(99)).await;
    let got = read_events(&mut late, 2).await;
    assert_eq!(got[0].1, desk_core::events::RESET, "{got:?}");
    assert_eq!((got[1].1.as_str(), got[1].2["subject"].as_str()), ("handoff.arrived", Some("hf_ev_099")), "{got:?}");
    assert!(got[0].0.parse::<desk_core::events::EventPosition>().unwrap() < got[1].0.parse().unwrap());
}

/// Two servers on one database: a change made through one reaches a desktop following the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_server_reaches_a_follower_of_another() {
    let a = server().await;
    let team = a.team().await;
    let b = server_on(&a.database_url).await;
    let mut stream = b.follow(&team.sam, None).await;
    a.push(PLATFORM_TOKEN, &push_doc(1)).await;
    a.call(reqwest::Method::PUT, "/v1/handoffs/hf_ev_001/claim", Some(&team.ana), None).await;
    let got = read_events(&mut stream, 2).await;
    assert_eq!(got.iter().map(|(_, k, e)| (k.as_str(), e["subject"].as_str().unwrap())).collect::<Vec<_>>(), vec![("handoff.arrived", "hf_ev_001"), ("handoff.changed", "hf_ev_001")]);
    // And the claim is one fact: server B sees who has it.
    let (s, v) = b.call(reqwest::Method::PUT, "/v1/handoffs/hf_ev_001/claim", Some(&team.bob), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(v["message"].as_str().unwrap().contains("Ana Agent"), "{v}");
}

/// Shadow mode and team leads over the API: the agent gets a grounded draft and sends it; the
/// reply waits in the outbox; a team lead rates the handoff and sees it in the analytics; an
/// agent sees no analytics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_ratings_and_analytics_over_the_api() {
    let srv = server().await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let (s, tools) = srv.get("/v1/tools", &team.ana).await;
    assert_eq!(s, StatusCode::OK);
    assert!(tools.as_array().unwrap().iter().any(|t| t["name"] == "billing.refund"), "{tools}");
    let (s, d) = srv.post("/v1/handoffs/hf_2f9c01/draft", &team.ana, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert!(d["sources"].as_array().unwrap().iter().any(|p| p["article_id"] == "policies/refunds"), "{d}");
    let (s, same) = srv.post("/v1/handoffs/hf_2f9c01/draft", &team.ana, json!({})).await;
    assert_eq!((s, &same["id"]), (StatusCode::OK, &d["id"]), "asking again returns the live draft");
    let path = format!("/v1/drafts/{}/decision", d["id"].as_str().unwrap());
    let (s, v) = srv.post(&path, &team.ana, json!({"kind": "reject", "reason": "other", "note": null, "own_reply": null})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection as other needs a reason: {v}");
    let (s, decided) = srv.post(&path, &team.ana, json!({"kind": "approve"})).await;
    assert_eq!((s, decided["state"].as_str()), (StatusCode::OK, Some("approved")), "{decided}");
    let (s, v) = srv.post(&path, &team.bob, json!({"kind": "approve"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once: {v}");
    let (_, replies) = srv.get("/v1/handoffs/hf_2f9c01/replies", &team.ana).await;
    assert_eq!(replies.as_array().map(|r| r.len()), Some(1), "{replies}");
    assert_eq!(replies[0]["text"], d["text"]);

    // A team lead rates the handoff; the analytics count it.
    let lee = NewUser { username: "lee".into(), display_name: "Lee Lead".into(), password: PASSWORD.into(), roles: vec![Role::TeamLead] };
    srv.post("/v1/users", &team.ada, serde_json::to_value(lee).unwrap()).await;
    let lee = srv.sign_in("lee").await;
    let rubric = serde_json::to_value(rubric(true, 4)).unwrap();
    let (s, v) = srv.post("/v1/handoffs/hf_2f9c01/ratings", &team.ana, rubric.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "agents do not rate: {v}");
    let (s, r) = srv.post("/v1/handoffs/hf_2f9c01/ratings", &lee, rubric).await;
    assert_eq!((s, r["rater_name"].as_str()), (StatusCode::OK, Some("Lee Lead")), "{r}");
    let (s, a) = srv.post("/v1/analytics", &lee, json!({"intents": ["refund_request"]})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!((a["escalations"].as_i64(), a["rated"].as_i64()), (Some(1), Some(1)), "{a}");
    assert_eq!(srv.post("/v1/analytics", &team.ana, json!({})).await.0, StatusCode::FORBIDDEN);
}

/// Replies go back to the platform that pushed the conversation, from the server: once per
/// reply id (the platform sees the outbox id as Idempotency-Key), with the server's reply token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_replies_go_back_to_the_platform_that_pushed_the_conversation() {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    type Seen = Arc<Mutex<BTreeMap<String, (String, Value, String)>>>;
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let app = axum::Router::new().route(
        "/api/conversations/{conv}/messages",
        axum::routing::post(move |axum::extract::Path(conv): axum::extract::Path<String>, headers: axum::http::HeaderMap, body: String| {
            let seen = s2.clone();
            async move {
                let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                seen.lock().unwrap().insert(key, (conv, serde_json::from_str(&body).unwrap_or(Value::Null), auth));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let platform_url = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let srv = server().await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let (_, d) = srv.post("/v1/handoffs/hf_2f9c01/draft", &team.ana, json!({})).await;
    let (s, _) = srv.post(&format!("/v1/drafts/{}/decision", d["id"].as_str().unwrap()), &team.ana, json!({"kind": "edit", "text": "Hi Ada, your refund of 59.00 is on its way."})).await;
    assert_eq!(s, StatusCode::OK);
    let platforms = Arc::new(vec![Platform::new("helpbot", PLATFORM_TOKEN).with_replies(&platform_url, Some("reply-token-xyz"))]);
    let delivering = tokio::spawn(desk_server::deliver_replies(srv.db.clone(), platforms, Duration::from_millis(100)));
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let reply = loop {
        let (_, replies) = srv.get("/v1/handoffs/hf_2f9c01/replies", &team.ana).await;
        if replies[0]["sent"] == true {
            break replies[0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "the reply was not delivered: {replies}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(400)).await; // more rounds: nothing is sent again
    delivering.abort();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (conv, body, auth) = seen.get(reply["id"].as_str().unwrap()).expect("keyed by the outbox id");
    assert_eq!(conv, "conv_81723");
    assert_eq!(body["text"], "Hi Ada, your refund of 59.00 is on its way.");
    assert_eq!(auth, "Bearer reply-token-xyz");
    assert!(desk_server::parse_platforms("[platforms]\nhelpbot = { token = \"0123456789abcdef\", replies_url = \"ftp://x\" }").is_err());
    let parsed = desk_server::parse_platforms("[platforms]\na = \"0123456789abcdef\"\nb = { token = \"0123456789abcdefg\", replies_url = \"https://b.example/api/\" }").unwrap();
    assert_eq!((parsed[0].replies.is_none(), parsed[1].replies.as_ref().map(|r| r.0.as_str())), (true, Some("https://b.example/api")));
}

/// Routing over the API: a round offers the escalation to the available agent whose skills
/// match; Bob cannot answer Ana's offer; Ana declines and it goes to Bob, who accepts and holds
/// it; Sam sets skills and reassigns it to Ana, and agents may do neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalations_are_offered_accepted_declined_and_reassigned_over_the_api() {
    let srv = server().await;
    let team = srv.team().await;
    let policy = desk_core::routing::RoutingPolicy::default();
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let (_, users) = srv.get("/v1/users", &team.ada).await;
    let id_of = |name: &str| users.as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_i64().unwrap();
    let put = |path: String, token: String, body: Value| {
        let srv = &srv;
        async move { srv.call(reqwest::Method::PUT, &path, Some(&token), Some(body)).await }
    };

    let (s, _) = put(format!("/v1/users/{}/skills", id_of("bob")), team.ana.clone(), json!({"intents": [], "channels": [], "languages": []})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "agents do not set skills");
    let (s, v) = put(format!("/v1/users/{}/skills", id_of("sam")), team.sam.clone(), json!({"intents": ["order_status"], "channels": [], "languages": []})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["intents"], json!(["order_status"]));
    for t in [&team.ana, &team.bob, &team.sam] {
        let (s, v) = put("/v1/me/availability".into(), t.clone(), json!({"available": true})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    let now = desk_core::people::now_ms();
    desk_core::routing::route_once(&*srv.db, policy, now).await.unwrap();
    let (_, sam_offer) = srv.get("/v1/me/offer", &team.sam).await;
    assert_eq!(sam_offer, Value::Null, "a refund request is not offered to someone who takes order questions only");
    let (a, b) = (srv.get("/v1/me/offer", &team.ana).await.1, srv.get("/v1/me/offer", &team.bob).await.1);
    let (first, first_token, second_token) = if a.is_null() { (b, &team.bob, &team.ana) } else { (a, &team.ana, &team.bob) };
    assert_eq!(first["handoff_id"], "hf_2f9c01", "{first}");
    assert_eq!(first["customer_name"], "Ada L.");
    let offer = first["id"].as_i64().unwrap();
    let (s, v) = srv.post(&format!("/v1/offers/{offer}/accept"), second_token, json!(null)).await;
    assert_eq!((s, v["message"].as_str().unwrap_or_default().contains("someone else")), (StatusCode::CONFLICT, true), "{v}");
    let (s, _) = srv.post(&format!("/v1/offers/{offer}/decline"), first_token, json!(null)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    desk_core::routing::route_once(&*srv.db, policy, now + 10).await.unwrap();
    let (_, next) = srv.get("/v1/me/offer", second_token).await;
    assert_eq!(next["handoff_id"], "hf_2f9c01", "declined, it goes to the other agent: {next}");
    let (s, v) = srv.post(&format!("/v1/offers/{}/accept", next["id"]), second_token, json!(null)).await;
    assert_eq!((s, &v["handoff_id"]), (StatusCode::OK, &json!("hf_2f9c01")), "{v}");
    let (_, board) = srv.get("/v1/team", &team.sam).await;
    let holder = if second_token == &team.bob { "bob" } else { "ana" };
    let row = board.as_array().unwrap().iter().find(|m| m["username"] == holder).unwrap();
    assert_eq!(row["held"][0]["handoff_id"], "hf_2f9c01", "{board}");

    let other = if holder == "bob" { "ana" } else { "bob" };
    let (s, _) = put("/v1/handoffs/hf_2f9c01/assignee".into(), team.ana.clone(), json!({"user_id": id_of(other)})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "agents do not reassign");
    let (s, v) = put("/v1/handoffs/hf_2f9c01/assignee".into(), team.sam.clone(), json!({"user_id": id_of(other)})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, board) = srv.get("/v1/team", &team.sam).await;
    let row = board.as_array().unwrap().iter().find(|m| m["username"] == other).unwrap();
    assert_eq!(row["holding"], 1, "{board}");
    let (s, v) = put("/v1/handoffs/hf_2f9c01/assignee".into(), team.sam.clone(), json!({"user_id": id_of("ada")})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an admin without the agent role takes no escalations: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_locks_until_the_password_is_given_again() {
    let idle = SessionRules { idle_ms: 1_000, ..SessionRules::default() };
    let srv = server_at(desk_store_suite::fresh_postgres_url().await, Some(idle)).await;
    let team = srv.team().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let (s, v) = srv.get("/v1/queue/facets", &team.ana).await;
    assert_eq!(s, StatusCode::LOCKED, "{v}");
    assert_eq!(v["kind"], "locked", "{v}");
    // Who is at the desk still answers (the lock screen shows it), marked locked.
    let (s, v) = srv.get("/v1/sessions/current", &team.ana).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["locked"], true, "{v}");
    assert_eq!(v["actor"]["username"], "ana", "{v}");
    // Reporting activity does not unlock it; a wrong password does not either.
    let (s, _) = srv.post("/v1/sessions/current/activity", &team.ana, json!({})).await;
    assert_eq!(s, StatusCode::LOCKED);
    let (s, _) = srv.post("/v1/sessions/current/step-up", &team.ana, json!({"password": "wrong-password"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = srv.get("/v1/queue/facets", &team.ana).await;
    assert_eq!(s, StatusCode::LOCKED);
    // The password unlocks it, on the same token.
    let (s, v) = srv.post("/v1/sessions/current/step-up", &team.ana, json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["locked"], false, "{v}");
    let (s, v) = srv.get("/v1/queue/facets", &team.ana).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Signing out works on a locked session (someone else wants the desk).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let (s, _) = srv.call(reqwest::Method::DELETE, "/v1/sessions/current", Some(&team.bob), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = srv.get("/v1/sessions/current", &team.bob).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switch_user_session_ends_with_its_decision_and_its_sign_in_is_no_step_up() {
    let srv = server().await;
    let team = srv.team().await;
    srv.push(PLATFORM_TOKEN, &bytes(&valid_doc())).await;
    let propose = |amount: &str, tool: &str| json!({"tool": tool, "params": {"order_id": "A123", "amount": amount, "currency": "USD"}});
    let (_, first) = srv.post("/v1/handoffs/hf_2f9c01/tool-calls", &team.ana, propose("120.00", "billing.refund")).await;
    let (_, second) = srv.post("/v1/handoffs/hf_2f9c01/tool-calls", &team.ana, propose("130.00", "billing.refund")).await;
    assert_eq!(first["state"], "pending", "{first}");

    // Sam signs in on Ana's desk: a switched session, short-lived.
    let (s, v) = srv.call(reqwest::Method::POST, "/v1/sessions", None, Some(json!({"username": "sam", "password": PASSWORD, "switch_user": true}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["session"]["switched"], true, "{v}");
    assert_eq!(v["session"]["stepped_up_until_ms"], Value::Null, "signing in on someone else's desk is no step-up: {v}");
    let ends = v["session"]["ends_at_ms"].as_i64().expect("a switched session has an end");
    assert!(ends - desk_core::people::now_ms() <= 2 * 60 * 1000, "{v}");
    let switched = v["token"].as_str().unwrap().to_owned();

    // Its one decision goes through, and the answer says the session ended with it.
    let url = format!("{}/v1/tool-calls/{}/approve", srv.url, first["id"].as_str().unwrap());
    let resp = srv.http.post(url).bearer_auth(&switched).json(&json!({"params_sha256": first["params_sha256"]})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get(SESSION_ENDED_HEADER).map(|h| h.to_str().unwrap()), Some("switch-user"));
    // Nothing more as Sam from Ana's desk.
    let (s, v) = srv.post(&format!("/v1/tool-calls/{}/approve", second["id"].as_str().unwrap()), &switched, json!({"params_sha256": second["params_sha256"]})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (_, c) = srv.get(&format!("/v1/tool-calls/{}", second["id"].as_str().unwrap()), &team.ana).await;
    assert_eq!(c["state"], "pending", "{c}");
    // Sam's own session at Sam's desk is not touched; an ordinary decision does not end it.
    let (s, v) = srv.post(&format!("/v1/tool-calls/{}/approve", second["id"].as_str().unwrap()), &team.sam, json!({"params_sha256": second["params_sha256"]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = srv.get("/v1/queue/facets", &team.sam).await;
    assert_eq!(s, StatusCode::OK);
}
