//! The demo orders/billing backend: a real HTTP server on loopback that honours idempotency keys
//! the way Stripe does, so the demo (and the tests) exercise the real execution path.
//!
//! * The first response for a key is stored once execution starts — even a 5xx.
//! * The same key with the same request gets the stored response again (`Idempotent-Replayed`).
//! * The same key with a different request is an error (422), never a second execution.
//! * A key whose first request is still running answers 409.
//! * A request refused before execution starts (validation, 503 while unavailable) stores nothing.
//!
//! Its state lives in its own SQLite file, so it survives a restart of the desk. Faults can be
//! injected for tests: unavailable (503 before execution), an error after execution started
//! (stored 500), and slowness.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use desk_core::people::now_ms;
use tokio::sync::Mutex;

/// Faults to inject, each counting down per request.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Answer 503 before starting execution (nothing stored) this many times.
    pub unavailable: u32,
    /// Start execution, then fail with a 500 (stored for the key) this many times.
    pub error_after_start: u32,
    /// Wait this long after executing, before answering.
    pub delay: Duration,
}

#[derive(Clone)]
struct AppState {
    pool: SqlitePool,
    faults: Arc<Mutex<Faults>>,
}

/// A running demo backend.
#[derive(Clone)]
pub struct DemoBackend {
    pub addr: SocketAddr,
    pool: SqlitePool,
    faults: Arc<Mutex<Faults>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS effects (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
    body TEXT NOT NULL, at_ms INTEGER NOT NULL);
";

impl DemoBackend {
    /// Starts the server on `addr` (port 0 picks a free one) with its state in `db`.
    pub async fn start(db: &Path, addr: SocketAddr) -> std::io::Result<DemoBackend> {
        let opts = SqliteConnectOptions::new()
            .filename(db)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await.map_err(std::io::Error::other)?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(std::io::Error::other)?;
        let faults = Arc::new(Mutex::new(Faults::default()));
        let state = AppState { pool: pool.clone(), faults: faults.clone() };
        let app = axum::Router::new().fallback(handle).with_state(state);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "demo backend stopped");
            }
        });
        tracing::info!(%addr, "demo backend listening");
        Ok(DemoBackend { addr, pool, faults })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn set_faults(&self, f: Faults) {
        *self.faults.lock().await = f;
    }

    /// How many times a request with this key was executed (it must never be more than one).
    pub async fn executions(&self, key: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM effects WHERE key = ?").bind(key).fetch_one(&self.pool).await.unwrap_or(-1)
    }

    /// Executions per key, for keys executed more than once (must be empty).
    pub async fn duplicated_keys(&self) -> Vec<(String, i64)> {
        sqlx::query_as("SELECT key, COUNT(*) AS n FROM effects GROUP BY key HAVING n > 1").fetch_all(&self.pool).await.unwrap_or_default()
    }

    pub async fn total_executions(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM effects").fetch_one(&self.pool).await.unwrap_or(-1)
    }
}

fn respond(status: u16, body: &str, replayed: bool) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body.to_owned()).into_response();
    r.headers_mut().insert("content-type", "application/json".parse().expect("header"));
    if replayed {
        r.headers_mut().insert("idempotent-replayed", "true".parse().expect("header"));
    }
    r
}

async fn handle(State(st): State<AppState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let parsed: Value = if body.is_empty() { json!({}) } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return respond(400, &json!({"error": "invalid_json", "message": e.to_string()}).to_string(), false),
        }
    };
    if method == Method::GET {
        return match path.strip_prefix("/v1/orders/") {
            Some(id) if !id.starts_with("missing") => respond(200, &json!({"order_id": id, "status": "delivered", "total": "59.00"}).to_string(), false),
            _ => respond(404, &json!({"error": "not_found"}).to_string(), false),
        };
    }
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty()) else {
        return respond(400, &json!({"error": "idempotency_key_required"}).to_string(), false);
    };
    let fingerprint = hex::encode(Sha256::digest(format!("{method} {path} {parsed}").as_bytes()));

    // Validation happens before execution starts: nothing is stored.
    if let Some(amount) = parsed.get("amount").and_then(Value::as_str) {
        if desk_core::gates::tools::money_minor(amount).is_some_and(|m| m > 500_000) {
            return respond(400, &json!({"error": "amount_exceeds_refundable_balance", "message": "The amount is more than the order's refundable balance."}).to_string(), false);
        }
    }

    let existing: Option<(String, Option<i64>, Option<String>)> =
        match sqlx::query_as("SELECT fingerprint, status, body FROM idempotency WHERE key = ?").bind(key).fetch_optional(&st.pool).await {
            Ok(r) => r,
            Err(e) => return respond(500, &json!({"error": "storage", "message": e.to_string()}).to_string(), false),
        };
    if let Some((fp, status, stored)) = existing {
        if fp != fingerprint {
            return respond(422, &json!({"error": "idempotency_key_reused", "message": "This key was used with different parameters."}).to_string(), false);
        }
        return match (status, stored) {
            (Some(s), Some(b)) => respond(s as u16, &b, true),
            _ => respond(409, &json!({"error": "in_progress", "message": "A request with this key is still running."}).to_string(), false),
        };
    }

    {
        let mut f = st.faults.lock().await;
        if f.unavailable > 0 {
            f.unavailable -= 1;
            return respond(503, &json!({"error": "unavailable"}).to_string(), false);
        }
    }

    // Execution starts: claim the key, then perform the effect and store the response, atomically
    // enough that a key is never executed twice.
    let started = sqlx::query("INSERT INTO idempotency (key, fingerprint, created_at_ms) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING")
        .bind(key)
        .bind(&fingerprint)
        .bind(now_ms())
        .execute(&st.pool)
        .await;
    match started {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) => return respond(409, &json!({"error": "in_progress"}).to_string(), false),
        Err(e) => return respond(500, &json!({"error": "storage", "message": e.to_string()}).to_string(), false),
    }
    let (error_after_start, delay) = {
        let mut f = st.faults.lock().await;
        let e = f.error_after_start > 0;
        if e {
            f.error_after_start -= 1;
        }
        (e, f.delay)
    };
    let (status, response) = if error_after_start {
        (500u16, json!({"error": "internal", "message": "The backend failed while executing."}))
    } else {
        let id = format!("ef_{}", &fingerprint[..12]);
        let effect = sqlx::query("INSERT INTO effects (key, method, path, body, at_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(key)
            .bind(method.as_str())
            .bind(&path)
            .bind(parsed.to_string())
            .bind(now_ms())
            .execute(&st.pool)
            .await;
        if let Err(e) = effect {
            return respond(500, &json!({"error": "storage", "message": e.to_string()}).to_string(), false);
        }
        (200u16, json!({"id": id, "status": "succeeded", "path": path, "request": parsed}))
    };
    let body = response.to_string();
    let _ = sqlx::query("UPDATE idempotency SET status = ?, body = ? WHERE key = ?")
        .bind(status as i64)
        .bind(&body)
        .bind(key)
        .execute(&st.pool)
        .await;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    respond(status, &body, false)
}
