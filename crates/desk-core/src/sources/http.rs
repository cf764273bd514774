//! The production source: pulls `handoff/v1` documents from a bot platform over HTTP, and sends
//! the replies agents approved back the same way.
//!
//! The protocol (README, "HTTP bot source"):
//! - `GET {base}/handoffs?after={cursor}&limit={n}` (no `after` on the first pull), with
//!   `Authorization: Bearer {token}` when a token is stored in the keyring. The answer is
//!   `200 {"items": [<handoff/v1 document>, …], "next_cursor": "<opaque>" | null}`. Each item is
//!   ingested as its own document: a malformed one is quarantined with its reasons, never
//!   dropped. The cursor is saved only after the page's items are stored, so a crash re-reads a
//!   page at most, and ingest is idempotent (same id and revision: unchanged).
//! - `POST {base}/conversations/{conversation_id}/messages` with `Idempotency-Key: {outbox id}`
//!   and `{"id", "handoff_id", "text", "author"}`: a 2xx means delivered. An entry is sent at
//!   least once (a crash before it is marked sent sends it again) and the platform deduplicates
//!   by the key.
//!
//! `next_cursor` is the position after the page's last item; it is `null` only on a page with no
//! items (a page with items and no cursor is refused before anything is stored, so nothing is
//! read twice). The cursor is kept per platform URL.
//!
//! Transient failures (connection, timeout, 429, 5xx) are retried with backoff inside one call;
//! the caller polls again later. 401/403 and other 4xx are reported as they are, not retried. A
//! reply the platform refuses for good (4xx) is left pending with the reason logged, and the
//! replies after it still go.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

pub use crate::drafts::outbox::DeliveryReport;
use crate::drafts::outbox::{ChannelError, ReplyChannel};
use crate::drafts::record::{Carries, OutboxRecord};
use crate::gates::executor::urlencode;
use crate::ingest::{Ingest, Outcome};
use crate::storage::Database;
use crate::store::StoreError;

/// The `source` the store records for handoffs that came this way.
pub const SOURCE: &str = "http";
const CURSOR_KEY: &str = "source.http.cursor";

/// The cursor's key for one platform (a different URL starts from the beginning).
pub fn cursor_key(base_url: &str) -> String {
    format!("{CURSOR_KEY}:{}", base_url.trim_end_matches('/'))
}
/// Checks a bot platform's URL before anything is sent to it: http(s), no credentials in it (a
/// token is kept apart: the keyring on a desk, a file on the server), and no token over plain
/// HTTP except on this machine.
pub fn check_url(url: &str, has_token: bool) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return Err(format!("the source URL must be an http(s) URL, not {url:?}"));
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        // (not echoed: it would put the credentials in the log and on screen)
        return Err("the source URL carries credentials: keep the token apart, never in the URL".into());
    }
    let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
    if has_token && url.starts_with("http://") && !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return Err("the source token would travel unencrypted: use an https:// URL (plain http only on this machine)".into());
    }
    Ok(())
}

/// What the polling loop tells whoever shows its work: the desk's window. The team server
/// watches nothing (its desks learn of each change from the event stream).
pub trait SourceWatcher: Send + Sync {
    /// A page was stored: the escalations new or changed, and how many went to quarantine.
    fn stored(&self, _arrived: &[String], _quarantined: usize) {}
    /// A round of replies was sent (or refused, with the reasons).
    fn delivered(&self, _report: &DeliveryReport) {}
}

/// Nobody to tell.
pub struct Unwatched;
impl SourceWatcher for Unwatched {}

/// Pulls `source` every `poll` (doubling the wait while it fails, up to five minutes), sends back
/// the replies to its escalations, and keeps how it is doing in the database
/// ([`crate::ipc::SourceStatus`]), for as long as the task runs.
pub async fn keep_pulling(db: std::sync::Arc<dyn Database>, source: HttpSource, poll: Duration, watcher: std::sync::Arc<dyn SourceWatcher>) {
    use crate::ipc::SourceStatus;
    let mut status = SourceStatus { url: source.base_url().to_owned(), ..Default::default() };
    let save = |status: &SourceStatus| {
        let db = db.clone();
        let json = serde_json::to_string(status).expect("json");
        async move {
            if let Err(e) = db.set_meta(SourceStatus::META_KEY, &json).await {
                tracing::warn!(error = %e, "could not record the source status");
            }
        }
    };
    save(&status).await; // "connecting…", not a previous run's state
    let mut wait = poll;
    loop {
        let now = crate::people::now_ms();
        // Each stored page is announced at once: a failure on a later page loses no news.
        let pulled = source.pull_with(&*db, |arrived, quarantined| watcher.stored(arrived, quarantined)).await;
        // Pulling and delivering fail separately: a refused reply does not slow the queue.
        let mut problem = None;
        match pulled {
            Ok(_) => {
                status.last_ok_ms = Some(now);
                wait = poll;
            }
            Err(e) => {
                tracing::warn!(error = %e, "pulling from the bot platform failed; trying again later");
                problem = Some(e.to_string());
                wait = (wait * 2).min(Duration::from_secs(300));
            }
        }
        match source.deliver(&*db, &crate::people::now_ms).await {
            Ok(r) => {
                // Sent, or refused with a reason the transcript now shows.
                watcher.delivered(&r);
                if let Some(e) = &r.unavailable {
                    tracing::warn!(error = %e, "sending replies to the bot platform failed; trying again later");
                    problem.get_or_insert_with(|| format!("replies not delivered: {e}"));
                } else if let (None, Some((_, e))) = (&problem, r.refused.first()) {
                    let what = match r.refused.len() {
                        1 => "1 reply is not delivered".to_owned(),
                        n => format!("{n} replies are not delivered"),
                    };
                    problem = Some(format!("{what}: {e}"));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "sending replies to the bot platform failed; trying again later");
                problem.get_or_insert_with(|| format!("replies not delivered: {e}"));
            }
        }
        status.last_error_ms = problem.as_ref().map(|_| crate::people::now_ms());
        status.last_error = problem;
        save(&status).await;
        tokio::time::sleep(wait).await;
    }
}

/// Pages read in one pull at most (the next poll goes on from the saved cursor).
const MAX_PAGES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("the bot platform refused the credentials ({0}): store a valid token (on a desk: `handoff-desk source set-token`; on the team server: the file DESK_SERVER_SOURCE_TOKEN_FILE names), then restart")]
    Unauthorized(u16),
    #[error("the bot platform rejected the request ({0})")]
    Rejected(u16),
    #[error("the bot platform failed ({0})")]
    Server(u16),
    #[error("cannot reach the bot platform: {0}")]
    Unreachable(String),
    #[error("the bot platform answered something that is not a page of handoffs: {0}")]
    Malformed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SourceError {
    /// Worth trying again soon (the platform or the network may recover by itself).
    pub fn transient(&self) -> bool {
        matches!(self, SourceError::Server(_) | SourceError::Unreachable(_))
    }
}

impl From<sqlx::Error> for SourceError {
    fn from(e: sqlx::Error) -> Self {
        SourceError::Store(e.into())
    }
}

/// What one pull stored.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PullReport {
    pub pages: usize,
    /// New or revised escalations, by handoff id.
    pub arrived: Vec<String>,
    pub unchanged: usize,
    pub quarantined: usize,
}

#[derive(Deserialize)]
struct Page {
    items: Vec<Value>,
    next_cursor: Option<String>,
}

pub struct HttpSource {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
    pub page_limit: usize,
    /// Attempts per request for transient failures.
    pub attempts: u32,
    pub backoff: Duration,
    /// The `source` its escalations are stored under, and whose replies it carries.
    source: String,
}

impl HttpSource {
    pub fn new(base_url: &str, token: Option<String>, timeout: Duration) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            token,
            client: reqwest::Client::builder().timeout(timeout).build().expect("an HTTP client"),
            page_limit: 100,
            attempts: 4,
            backoff: Duration::from_millis(250),
            source: SOURCE.to_owned(),
        }
    }

    /// The same protocol for escalations stored under another source: the team server carries
    /// the replies to conversations a platform pushed (`push:<platform>`) back this way.
    pub fn for_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Sends a request built by `make`, retrying transient failures with exponential backoff.
    async fn request(&self, make: impl Fn() -> reqwest::RequestBuilder) -> Result<reqwest::Response, SourceError> {
        let mut wait = self.backoff;
        let mut attempt = 1;
        loop {
            let err = match make().send().await {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) => {
                    let status = r.status().as_u16();
                    match status {
                        401 | 403 => SourceError::Unauthorized(status),
                        429 | 500..=599 => SourceError::Server(status),
                        // Not the body: the platform may echo customer text back, and errors reach the logs.
                        _ => SourceError::Rejected(status),
                    }
                }
                Err(e) => SourceError::Unreachable(e.without_url().to_string()),
            };
            if !err.transient() || attempt >= self.attempts {
                return Err(err);
            }
            tracing::warn!(error = %err, attempt, "bot platform request failed; retrying");
            tokio::time::sleep(wait).await;
            wait *= 2;
            attempt += 1;
        }
    }

    /// Pulls every page after the saved cursor and stores what it holds, on either store.
    pub async fn pull(&self, store: &dyn Database) -> Result<PullReport, SourceError> {
        self.pull_with(store, |_, _| {}).await
    }

    /// As [`Self::pull`], telling `on_page` what each stored page brought (new or revised ids,
    /// quarantined count) as soon as it is stored, so a failure on a later page loses no news.
    pub async fn pull_with(&self, store: &dyn Database, mut on_page: impl FnMut(&[String], usize)) -> Result<PullReport, SourceError> {
        let mut report = PullReport::default();
        let key = cursor_key(&self.base);
        let mut cursor = store.meta(&key).await?;
        while report.pages < MAX_PAGES {
            let url = format!("{}/handoffs", self.base);
            let limit = self.page_limit.to_string();
            let after = cursor.clone();
            let resp = self
                .request(|| {
                    let mut q: Vec<(&str, &str)> = vec![("limit", &limit)];
                    if let Some(a) = &after {
                        q.push(("after", a));
                    }
                    self.authorized(self.client.get(&url).query(&q))
                })
                .await?;
            let page: Page = resp.json().await.map_err(|e| SourceError::Malformed(e.without_url().to_string()))?;
            if !page.items.is_empty() && page.next_cursor.is_none() {
                return Err(SourceError::Malformed("a page with items has no next_cursor".into()));
            }
            report.pages += 1;
            let (mut arrived, mut quarantined) = (vec![], 0);
            // One transaction per page: the page is stored whole or not at all, then the cursor moves.
            let raws: Vec<Vec<u8>> = page.items.iter().map(|item| serde_json::to_vec(item).expect("json")).collect();
            for outcome in store.ingest_batch(&raws, &self.source).await? {
                match outcome {
                    Outcome::Accepted { handoff_id, .. } | Outcome::Updated { handoff_id, .. } => arrived.push(handoff_id),
                    Outcome::Unchanged { .. } => report.unchanged += 1,
                    Outcome::Quarantined { .. } => quarantined += 1,
                }
            }
            on_page(&arrived, quarantined);
            report.arrived.extend(arrived);
            report.quarantined += quarantined;
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() => {
                    store.set_meta(&key, &next).await?;
                    cursor = Some(next);
                }
                _ => break,
            }
            if page.items.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    /// Sends the pending replies of escalations that came from this source, each stamped with
    /// `clock()` when the platform took it ([`crate::drafts::outbox::deliver`]). A reply the
    /// platform refuses for good is reported and skipped (it stays pending); a transient failure
    /// ends the round (tried again next time).
    pub async fn deliver(&self, db: &dyn Database, clock: &(dyn Fn() -> i64 + Send + Sync)) -> Result<DeliveryReport, StoreError> {
        crate::drafts::outbox::deliver(db, self, clock).await
    }
}

#[async_trait::async_trait]
impl ReplyChannel for HttpSource {
    fn name(&self) -> &str {
        &self.source
    }

    fn carries(&self) -> Carries<'_> {
        Carries::Only(&self.source)
    }

    async fn send(&self, reply: &OutboxRecord) -> Result<(), ChannelError> {
        let url = format!("{}/conversations/{}/messages", self.base, urlencode(&reply.conversation_id));
        let body = json!({ "id": reply.id, "handoff_id": reply.handoff_id, "text": reply.text, "author": reply.author_name });
        match self.request(|| self.authorized(self.client.post(&url).header("Idempotency-Key", &reply.id).json(&body))).await {
            Ok(_) => Ok(()),
            Err(e @ SourceError::Rejected(_)) => Err(ChannelError::Refused(e.to_string())),
            Err(e) => Err(ChannelError::Unavailable(e.to_string())),
        }
    }
}
