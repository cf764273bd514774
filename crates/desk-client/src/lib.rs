//! The desktop as a client of `desk-server` (team mode): the server's API called with the token
//! of whoever is signed in on this desk, the live event stream followed with `Last-Event-ID`
//! replay, and a read-only copy of what this desk has read, for when the server cannot be reached.
//!
//! The server is the authority: this crate decides nothing. Sessions are the server's opaque
//! tokens, held in this process's memory only (never on disk); a token the server no longer
//! accepts is dropped at once. While the server is unreachable, reads answer from the copy (the
//! queue pages and the conversations this desk opened, as last read) and every change is
//! refused with a clear error, never queued. The copy lives in memory, for the people signed
//! in, and is cleared when the last of them signs out.

pub mod api;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::events::{DeskEvent, EventPosition};
use desk_core::ipc::{IpcError, IpcErrorKind, ServerLink, SessionState};
use desk_core::people::{now_ms, NewUser, SessionInfo};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How many answers the read-only copy keeps (the oldest go first).
const COPY_ENTRIES_MAX: usize = 2_000;

/// Whether a call only reads (answered from the copy while offline) or changes something
/// (refused while offline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
}

/// What a request carries.
enum Payload<'a> {
    None,
    Json(&'a Value),
    Bytes(Vec<u8>),
}

#[derive(Clone)]
struct Signed {
    token: String,
    info: SessionInfo,
}

#[derive(Default)]
struct Copy {
    entries: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Copy {
    fn put(&mut self, key: String, body: String) {
        if self.entries.insert(key.clone(), body).is_none() {
            self.order.push_back(key);
            while self.order.len() > COPY_ENTRIES_MAX {
                if let Some(old) = self.order.pop_front() {
                    self.entries.remove(&old);
                }
            }
        }
    }
}

struct Inner {
    base: String,
    http: reqwest::Client,
    stream: reqwest::Client,
    /// Who is signed in here, the current one last (a supervisor switching in is pushed on top).
    sessions: Mutex<Vec<Signed>>,
    copy: Mutex<Copy>,
    link: tokio::sync::watch::Sender<ServerLink>,
}

/// A connection to one team server. Cheap to clone.
#[derive(Clone)]
pub struct DeskClient {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Checks a server URL as typed in Settings or `HANDOFF_DESK_SERVER_URL`.
pub fn check_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("the server URL must start with https:// (or http:// on this machine), not {url:?}"))?;
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() {
        return Err("the server URL has no host".into());
    }
    if authority.contains('@') {
        return Err("the server URL must not carry credentials: sign in in the window instead".into());
    }
    let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
    if url.starts_with("http://") && !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return Err("passwords and tokens would travel unencrypted: use an https:// server URL (plain http only on this machine)".into());
    }
    Ok(url.to_owned())
}

impl DeskClient {
    /// A client of the server at `url` ([`check_url`]); `ca_pem` is a certificate to trust
    /// besides the system's (the server's self-signed one, for local use).
    pub fn new(url: &str, ca_pem: Option<&[u8]>) -> Result<Self, String> {
        let base = check_url(url)?;
        let build = |total: Option<Duration>| {
            let mut b = reqwest::Client::builder().connect_timeout(Duration::from_secs(3));
            if let Some(t) = total {
                b = b.timeout(t);
            }
            if let Some(pem) = ca_pem {
                let cert = reqwest::Certificate::from_pem(pem).map_err(|e| format!("the server certificate cannot be read: {e}"))?;
                b = b.add_root_certificate(cert);
            }
            b.build().map_err(|e| format!("cannot make an HTTP client: {e}"))
        };
        let link = ServerLink { url: base.clone(), online: false, last_error: None, since_ms: now_ms() };
        Ok(Self {
            inner: Arc::new(Inner {
                http: build(Some(Duration::from_secs(30)))?,
                stream: build(None)?,
                base,
                sessions: Mutex::new(Vec::new()),
                copy: Mutex::new(Copy::default()),
                link: tokio::sync::watch::channel(link).0,
            }),
        })
    }

    pub fn url(&self) -> &str {
        &self.inner.base
    }

    /// Whether the server answered last time it was asked.
    pub fn link(&self) -> ServerLink {
        self.inner.link.borrow().clone()
    }

    /// Changes of [`DeskClient::link`] (online ↔ offline).
    pub fn watch_link(&self) -> tokio::sync::watch::Receiver<ServerLink> {
        self.inner.link.subscribe()
    }

    fn set_link(&self, online: bool, error: Option<String>) {
        self.inner.link.send_if_modified(|l| {
            let flipped = l.online != online;
            if flipped {
                l.since_ms = now_ms();
            }
            let changed = flipped || l.last_error != error;
            l.online = online;
            l.last_error = error;
            changed
        });
    }

    /// The sessions on this desk, without those whose time has run out (the server has ended
    /// them too: a "Switch user" session after two minutes, any session at its lifetime).
    fn live_sessions(&self) -> std::sync::MutexGuard<'_, Vec<Signed>> {
        let mut stack = lock(&self.inner.sessions);
        let now = now_ms();
        stack.retain(|s| s.info.ends_at_ms.is_none_or(|end| end > now));
        stack
    }

    fn token(&self) -> Option<String> {
        self.live_sessions().last().map(|s| s.token.clone())
    }

    /// Who is signed in here (and who was before a switch).
    pub fn session_state(&self) -> SessionState {
        let stack = self.live_sessions();
        SessionState {
            current: stack.last().map(|s| s.info.clone()),
            previous: stack.len().checked_sub(2).and_then(|i| stack.get(i)).map(|s| s.info.actor.clone()),
        }
    }

    /// The current session, as the server last described it.
    pub fn current(&self) -> Option<SessionInfo> {
        lock(&self.inner.sessions).last().map(|s| s.info.clone())
    }

    fn offline(&self, kind: Kind, e: &reqwest::Error) -> IpcError {
        let url = &self.inner.base;
        let message = if kind == Kind::Read {
            format!("Offline: the server at {url} cannot be reached, and this desk has no copy of this yet.")
        } else if e.is_connect() {
            format!("Offline — read only: the server at {url} cannot be reached, so nothing was changed. Try again when it is back.")
        } else {
            // Sent, but no answer: the server may have made the change.
            format!("The server at {url} did not answer: the change may or may not have been made. Check before trying again.")
        };
        IpcError { kind: IpcErrorKind::Offline, message }
    }

    /// Sends one request with the current token; reads fall back on the copy when the server
    /// cannot be reached.
    async fn request(&self, kind: Kind, method: Method, path: &str, payload: Payload<'_>) -> Result<String, IpcError> {
        let token = self.token();
        let key = match (&kind, &payload) {
            (Kind::Read, Payload::Json(v)) => Some(copy_key(token.as_deref(), &method, path, &v.to_string())),
            (Kind::Read, _) => Some(copy_key(token.as_deref(), &method, path, "")),
            _ => None,
        };
        let mut req = self.inner.http.request(method, format!("{}{path}", self.inner.base)).header("accept", "application/json");
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        req = match payload {
            Payload::None => req,
            Payload::Json(v) => req.json(v),
            Payload::Bytes(b) => req.body(b),
        };
        let unreachable = |e: reqwest::Error| {
            self.set_link(false, Some(e.to_string()));
            if let Some(k) = &key {
                if let Some(copy) = lock(&self.inner.copy).entries.get(k) {
                    return Ok(copy.clone());
                }
            }
            Err(self.offline(kind, &e))
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return unreachable(e),
        };
        let status = resp.status();
        let session_ended = resp.headers().contains_key(desk_core::people::tokens::SESSION_ENDED_HEADER);
        let text = match resp.text().await {
            Ok(t) => t,
            Err(e) => return unreachable(e),
        };
        if matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT) && serde_json::from_str::<IpcError>(&text).is_err() {
            // A proxy in front of a server that is down.
            self.set_link(false, Some(format!("{status} from the proxy")));
            if let Some(copy) = key.as_ref().and_then(|k| lock(&self.inner.copy).entries.get(k).cloned()) {
                return Ok(copy);
            }
            return Err(IpcError { kind: IpcErrorKind::Offline, message: format!("Offline: the server at {} is not answering ({status}).", self.inner.base) });
        }
        self.set_link(true, None);
        if status.is_success() {
            if let Some(k) = key {
                lock(&self.inner.copy).put(k, text.clone());
            }
            if let (true, Some(t)) = (session_ended, &token) {
                // A "Switch user" session made its decision: the desk goes back to its owner.
                self.drop_token(t);
            }
            return Ok(text);
        }
        let err = serde_json::from_str::<IpcError>(&text).unwrap_or_else(|_| IpcError {
            kind: if status.is_server_error() { IpcErrorKind::Internal } else { IpcErrorKind::InvalidInput },
            message: format!("The server answered {status}: {}", text.chars().take(300).collect::<String>()),
        });
        match (err.kind, &token) {
            // Expired or revoked: this desk no longer holds that session.
            (IpcErrorKind::Unauthenticated, Some(t)) => self.drop_token(t),
            // Idle-locked: the window shows its lock screen until the password is entered.
            (IpcErrorKind::Locked, Some(t)) => {
                if let Some(s) = lock(&self.inner.sessions).iter_mut().find(|s| s.token == *t) {
                    s.info.locked = true;
                }
            }
            _ => {}
        }
        Err(err)
    }

    fn drop_token(&self, token: &str) {
        let mut stack = lock(&self.inner.sessions);
        stack.retain(|s| s.token != token);
        if stack.is_empty() {
            *lock(&self.inner.copy) = Copy::default();
        }
    }

    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, IpcError> {
        let text = if text.trim().is_empty() { "null" } else { text };
        serde_json::from_str(text).map_err(|e| IpcError { kind: IpcErrorKind::Internal, message: format!("The server's answer is not what this desk understands: {e}") })
    }

    /// `GET path`, answered from the copy while offline.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, IpcError> {
        Self::parse(&self.request(Kind::Read, Method::GET, path, Payload::None).await?)
    }

    /// A `POST` that only reads (a query in the body), answered from the copy while offline.
    pub async fn query<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, IpcError> {
        Self::parse(&self.request(Kind::Read, Method::POST, path, Payload::Json(body)).await?)
    }

    /// A text answer (CSV, JSON Lines) of a read.
    pub async fn query_text(&self, method: Method, path: &str, body: Option<&Value>) -> Result<String, IpcError> {
        let payload = body.map(Payload::Json).unwrap_or(Payload::None);
        self.request(Kind::Read, method, path, payload).await
    }

    /// A change; refused while offline.
    pub async fn change<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&Value>) -> Result<T, IpcError> {
        let payload = body.map(Payload::Json).unwrap_or(Payload::None);
        Self::parse(&self.request(Kind::Write, method, path, payload).await?)
    }

    /// A change with raw bytes as its body (an import).
    pub async fn upload<T: DeserializeOwned>(&self, path: &str, bytes: Vec<u8>) -> Result<T, IpcError> {
        Self::parse(&self.request(Kind::Write, Method::POST, path, Payload::Bytes(bytes)).await?)
    }

    /// Signs in at the server; with `switch_user`, on top of who is signed in here.
    pub async fn sign_in(&self, username: &str, password: &str, switch_user: bool) -> Result<SessionState, IpcError> {
        #[derive(Deserialize)]
        struct Answer {
            token: String,
            session: SessionInfo,
        }
        let body = json!({ "username": username, "password": password, "switch_user": switch_user });
        let text = self.request(Kind::Write, Method::POST, "/v1/sessions", Payload::Json(&body)).await?;
        let a: Answer = Self::parse(&text)?;
        {
            let mut stack = lock(&self.inner.sessions);
            if !switch_user {
                stack.clear();
            }
            stack.retain(|s| s.info.actor.user_id != a.session.actor.user_id);
            stack.push(Signed { token: a.token, info: a.session });
        }
        Ok(self.session_state())
    }

    /// Signs the current person out (the server revokes the token) and hands the desk back to
    /// the one before, if any. Offline, the token is forgotten here and expires on the server.
    pub async fn sign_out(&self) -> SessionState {
        if let Some(token) = self.token() {
            if let Err(e) = self.request(Kind::Write, Method::DELETE, "/v1/sessions/current", Payload::None).await {
                tracing::warn!(error = %e.message, "the server did not revoke the session; it expires there");
            }
            self.drop_token(&token);
        }
        self.session_state()
    }

    /// Re-enters the password for a sensitive action; the server records the step-up.
    pub async fn step_up(&self, password: &str) -> Result<SessionState, IpcError> {
        let token = self.token().ok_or_else(|| IpcError { kind: IpcErrorKind::Unauthenticated, message: "Sign in first.".into() })?;
        let info: SessionInfo = self.change(Method::POST, "/v1/sessions/current/step-up", Some(&json!({ "password": password }))).await?;
        if let Some(top) = lock(&self.inner.sessions).iter_mut().find(|s| s.token == token) {
            top.info = info;
        }
        Ok(self.session_state())
    }

    /// The person at this desk is active: the server's idle clock starts again. Best effort: a
    /// desk that cannot reach the server has nothing to keep alive.
    pub async fn activity(&self) -> Result<(), IpcError> {
        if self.token().is_none() {
            return Ok(());
        }
        let _: Value = self.change(Method::POST, "/v1/sessions/current/activity", None).await?;
        Ok(())
    }

    /// Creates the first admin with the server's one-time setup code, then signs them in.
    pub async fn set_up(&self, code: &str, admin: NewUser) -> Result<SessionState, IpcError> {
        let mut body = serde_json::to_value(&admin).map_err(|e| IpcError::invalid_input(e.to_string()))?;
        body["code"] = json!(code);
        let password = admin.password.clone();
        let _: Value = self.change(Method::POST, "/v1/setup", Some(&body)).await?;
        self.sign_in(&admin.username, &password, false).await
    }

    /// Whether the server still needs its first admin (its health says so).
    pub async fn needs_setup(&self) -> Result<bool, IpcError> {
        let v: Value = self.get("/v1/health").await?;
        Ok(v.get("needs_setup").and_then(Value::as_bool).unwrap_or(false))
    }

    /// Follows the server's live stream for as long as the client lives, calling `on_event`
    /// for each change in commit order. Cut off, it reconnects with the last position it saw
    /// and receives what happened meanwhile, in order, once. With nobody signed in it waits.
    pub async fn follow(&self, on_event: impl FnMut(DeskEvent) + Send) {
        self.follow_from(None, on_event).await
    }

    /// As [`DeskClient::follow`], from just after `start` (`None`: from now on).
    pub async fn follow_from(&self, start: Option<EventPosition>, mut on_event: impl FnMut(DeskEvent) + Send) {
        let mut last = start;
        let mut backoff = Duration::from_millis(250);
        loop {
            let Some(token) = self.token() else {
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            };
            match self.stream_once(&token, &mut last, &mut on_event, &mut backoff).await {
                Ok(()) => {}
                Err(why) => tracing::debug!(error = %why, "the event stream ended; reconnecting"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn stream_once(
        &self,
        token: &str,
        last: &mut Option<EventPosition>,
        on_event: &mut (impl FnMut(DeskEvent) + Send),
        backoff: &mut Duration,
    ) -> Result<(), String> {
        let mut req = self.inner.stream.get(format!("{}/v1/events", self.inner.base)).bearer_auth(token).header("accept", "text/event-stream");
        if let Some(p) = last {
            req = req.header("last-event-id", p.to_string());
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                self.set_link(false, Some(e.to_string()));
                return Err(e.to_string());
            }
        };
        if resp.status() == StatusCode::UNAUTHORIZED {
            self.drop_token(token);
            return Err("the session ended".into());
        }
        if !resp.status().is_success() {
            return Err(format!("the event stream answered {}", resp.status()));
        }
        self.set_link(true, None);
        *backoff = Duration::from_millis(250);
        let mut parser = SseParser::default();
        loop {
            // The server sends a keep-alive every 15 s; silence for longer is a dead connection.
            let chunk = match tokio::time::timeout(Duration::from_secs(45), resp.chunk()).await {
                Err(_) => return Err("no keep-alive for 45 s".into()),
                Ok(Err(e)) => {
                    self.set_link(false, Some(e.to_string()));
                    return Err(e.to_string());
                }
                Ok(Ok(None)) => return Ok(()),
                Ok(Ok(Some(c))) => c,
            };
            for event in parser.feed(&chunk) {
                if let Ok(e) = serde_json::from_str::<DeskEvent>(&event) {
                    if last.is_some_and(|l| e.position() <= l) {
                        continue; // never twice
                    }
                    *last = Some(e.position());
                    on_event(e);
                }
            }
        }
    }
}

fn copy_key(token: Option<&str>, method: &Method, path: &str, body: &str) -> String {
    // Per person: one user's copy never answers another's read.
    let who = token.map(|t| hex::encode(Sha256::digest(t.as_bytes()))).unwrap_or_default();
    format!("{who} {method} {path} {body}")
}

/// Server-sent events, parsed from the bytes as they arrive: the `data:` of each event.
#[derive(Default)]
pub struct SseParser {
    pending: Vec<u8>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds bytes; returns the data of each event they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(nl) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    out.push(std::mem::take(&mut self.data).join("\n"));
                }
            } else if let Some(d) = line.strip_prefix("data:") {
                self.data.push(d.strip_prefix(' ').unwrap_or(d).to_owned());
            }
            // `id:`, `event:` and comments: the data carries the position and the kind.
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_parsed_across_chunk_boundaries() {
        let mut p = SseParser::default();
        assert!(p.feed(b": keep-alive\n\nid: 1.2\nevent: handoff.arrived\nda").is_empty());
        assert_eq!(p.feed(b"ta: {\"a\":1}\r\n\r\nid: 1.3\ndata: x\ndata: y\n\n"), vec!["{\"a\":1}".to_owned(), "x\ny".to_owned()]);
    }

    #[test]
    fn server_urls_are_checked() {
        assert_eq!(check_url("https://desk.example.com/").unwrap(), "https://desk.example.com");
        assert!(check_url("http://127.0.0.1:8787").is_ok());
        assert!(check_url("http://desk.example.com").unwrap_err().contains("unencrypted"));
        assert!(check_url("https://u:p@desk.example.com").unwrap_err().contains("credentials"));
        assert!(check_url("desk.example.com").is_err());
    }
}
