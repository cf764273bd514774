//! `desk-server`: the team's one authority. The same `desk-core` services the desktop runs,
//! over HTTP and on PostgreSQL: sign-in with server-held token sessions, the queue, claims,
//! intake pushed by bot platforms, the quarantine, a live event stream with replay, tool calls behind approval gates (proposed by
//! agents, decided by supervisors, executed only here), users, and the audit log.
//!
//! Every handler resolves the caller's token to a [`Session`] with the user's roles as they are
//! now ([`TokenSessions::resolve`]) and hands it to a service that checks the permission itself;
//! the server adds no rule of its own. The API is JSON under `/v1` (README, "Team server").

pub mod checkpoints;
pub mod error;
pub mod tail;
pub mod tls;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use desk_core::analytics::{Analytics, AnalyticsFilter, AnalyticsService};
use desk_core::audit::{AuditLog, AuditVerification};
use desk_core::drafts::service::{DraftDecision, DraftService, DraftSetup, DraftView, OutboxEntry};
use desk_core::gates::tools::ToolSpec;
use desk_core::ratings::{Rating, RatingInput, Ratings};
use desk_core::events::{DeskEvent, EventPosition};
use desk_core::gates::{GateService, PendingApproval, ProposeInput, ToolCallView};
use desk_core::handoff::limits::DOCUMENT_BYTES_MAX;
use desk_core::ingest::{Ingest, Outcome};
use desk_core::ipc::{HandoffDetail, IpcErrorKind};
use desk_core::people::tokens::{TokenSessions, SESSION_ENDED_HEADER};
use desk_core::people::{now_ms, Accounts, NewUser, Role, Session, SessionInfo, UserSummary};
use desk_core::queue::{QueueFacets, QueuePage, QueueQuery, QueueService};
use desk_core::storage::Database;
use desk_core::store::QuarantineEntry;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use error::{ApiError, ApiResult};

/// A bot platform allowed to push escalations, by the SHA-256 of its bearer token, and where
/// the replies to its conversations go back.
#[derive(Debug, Clone)]
pub struct Platform {
    pub name: String,
    pub token_sha256: String,
    /// The platform's API for replies (`POST {url}/conversations/{id}/messages`, the protocol of
    /// the HTTP bot source), with the token the server presents there.
    pub replies: Option<(String, Option<String>)>,
}

impl Platform {
    pub fn new(name: &str, token: &str) -> Self {
        Self { name: name.to_owned(), token_sha256: hex::encode(Sha256::digest(token.as_bytes())), replies: None }
    }

    /// Replies go back to `url`, presenting `token`.
    pub fn with_replies(mut self, url: &str, token: Option<&str>) -> Self {
        self.replies = Some((url.trim_end_matches('/').to_owned(), token.map(str::to_owned)));
        self
    }

    /// The `source` its pushed escalations are stored under.
    pub fn source(&self) -> String {
        format!("push:{}", self.name)
    }
}

/// Carries approved replies back to the platforms that pushed the conversations, every
/// `every` (at least once, deduplicated by the reply's id on the platform's side; recorded sent
/// exactly once, even with several servers delivering).
pub async fn deliver_replies(db: Arc<dyn Database>, platforms: Arc<Vec<Platform>>, every: std::time::Duration) {
    let channels: Vec<desk_core::sources::http::HttpSource> = platforms
        .iter()
        .filter_map(|p| p.replies.as_ref().map(|(url, token)| desk_core::sources::http::HttpSource::new(url, token.clone(), std::time::Duration::from_secs(10)).for_source(p.source())))
        .collect();
    if channels.is_empty() {
        return;
    }
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        for c in &channels {
            match desk_core::drafts::outbox::deliver(&*db, c, &now_ms).await {
                Ok(r) => {
                    if let Some(why) = &r.unavailable {
                        tracing::warn!(platform = %desk_core::drafts::outbox::ReplyChannel::name(c), error = %why, "replies not delivered; trying again");
                    }
                }
                Err(e) => tracing::error!(error = %e, "reply delivery failed; trying again"),
            }
        }
    }
}

/// What the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<dyn Database>,
    pub sessions: TokenSessions,
    pub queue: QueueService,
    pub gates: GateService,
    pub audit: AuditLog,
    pub drafts: DraftService,
    pub analytics: AnalyticsService,
    /// The engines drafts are made with: the embedded engine, grounded in the server's
    /// knowledge base (an LLM engine on the server is not configurable yet).
    pub draft_setup: Arc<DraftSetup>,
    pub platforms: Arc<Vec<Platform>>,
    /// The one-time code that creates the first admin (while there is no user).
    pub setup_code: Option<Arc<String>>,
    /// Bumped when a transaction that wrote events commits (`PgStore::spawn_event_wakeups`).
    pub wake: Arc<tokio::sync::watch::Sender<u64>>,
    /// The one reader of the event table that every live stream of this process follows.
    pub tail: Arc<tail::EventTail>,
}

impl AppState {
    /// Needs a Tokio runtime: the event tail starts here.
    pub fn new(db: Arc<dyn Database>, gates: GateService, platforms: Vec<Platform>, setup_code: Option<String>) -> Self {
        let wake = Arc::new(tokio::sync::watch::channel(0).0);
        Self {
            tail: tail::EventTail::spawn(db.clone(), wake.subscribe()),
            sessions: TokenSessions::new(db.clone()),
            queue: QueueService::new(db.clone(), Default::default(), Default::default()),
            audit: AuditLog::new(db.clone()),
            drafts: DraftService::new(db.clone()),
            analytics: AnalyticsService::new(db.clone()),
            draft_setup: Arc::new(DraftSetup::default()),
            gates,
            db,
            platforms: Arc::new(platforms),
            setup_code: setup_code.map(Arc::new),
            wake,
        }
    }
}

/// A JSON request body; one that does not parse is answered in the API's error shape
/// (`invalid_input`, with what was wrong), like every other error.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError::new(e.status(), IpcErrorKind::InvalidInput, e.body_text())),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// The signed-in caller, resolved from `Authorization: Bearer <token>` on every request.
pub struct Caller {
    pub session: Session,
    pub token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(|| ApiError::unauthenticated("Sign in first: no bearer token."))?.to_owned();
        let session = state.sessions.resolve(&token, now_ms()).await?;
        Ok(Caller { session, token })
    }
}

/// The platform pushing a document, by its bearer token.
pub struct PlatformCaller(pub Platform);

impl FromRequestParts<AppState> for PlatformCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(|| ApiError::unauthenticated("No platform token."))?;
        let digest = hex::encode(Sha256::digest(token.as_bytes()));
        state
            .platforms
            .iter()
            .find(|p| p.token_sha256 == digest)
            .map(|p| PlatformCaller(p.clone()))
            .ok_or_else(|| ApiError::unauthenticated("Unknown platform token."))
    }
}

/// The API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/setup", post(setup))
        .route("/v1/sessions", post(sign_in))
        .route("/v1/sessions/current", get(current_session).delete(sign_out))
        .route("/v1/sessions/current/step-up", post(step_up))
        .route("/v1/sessions/current/activity", post(session_activity))
        .route("/v1/queue/page", post(queue_page))
        .route("/v1/queue/facets", get(queue_facets))
        .route("/v1/handoffs", post(intake))
        .route("/v1/handoffs/{id}", get(handoff))
        .route("/v1/handoffs/{id}/claim", put(claim).delete(release))
        .route("/v1/handoffs/{id}/tool-calls", get(tool_calls_of).post(propose))
        .route("/v1/handoffs/{id}/draft", post(draft))
        .route("/v1/handoffs/{id}/drafts", get(drafts_of))
        .route("/v1/handoffs/{id}/replies", get(replies_of))
        .route("/v1/handoffs/{id}/ratings", get(ratings_of).post(rate))
        .route("/v1/drafts/{id}/decision", post(decide_draft))
        .route("/v1/analytics", post(analytics))
        .route("/v1/tools", get(tools))
        .route("/v1/quarantine", get(quarantine))
        .route("/v1/approvals", get(approvals))
        .route("/v1/tool-calls/{id}", get(tool_call))
        .route("/v1/tool-calls/{id}/approve", post(approve))
        .route("/v1/tool-calls/{id}/deny", post(deny))
        .route("/v1/tool-calls/{id}/confirm", post(confirm))
        .route("/v1/tool-calls/{id}/retry", post(retry))
        .route("/v1/tool-calls/{id}/escalate", post(escalate))
        .route("/v1/approvals/history", get(approval_history))
        .route("/v1/ratings/next-unrated", get(next_unrated))
        .route("/v1/analytics/export/{table}", post(export_csv))
        .route("/v1/analytics/eval-cases", post(export_eval_cases))
        .route("/v1/drafts/metrics", get(draft_metrics))
        .route("/v1/audit", post(audit_list))
        .route("/v1/audit/export", get(audit_export))
        .route("/v1/me/availability", get(my_availability).put(set_availability))
        .route("/v1/team", get(team_board))
        .route("/v1/me/offer", get(my_offer))
        .route("/v1/offers/{id}/accept", post(accept_offer))
        .route("/v1/offers/{id}/decline", post(decline_offer))
        .route("/v1/users/{id}/skills", put(set_skills))
        .route("/v1/handoffs/{id}/assignee", put(reassign))
        .route("/v1/imports", post(import).layer(DefaultBodyLimit::max(IMPORT_BYTES_MAX)))
        .route("/v1/users", get(users).post(create_user))
        .route("/v1/users/{id}", axum::routing::patch(update_user))
        .route("/v1/audit/verify", get(audit_verify))
        .route("/v1/events", get(events))
        .layer(DefaultBodyLimit::max(DOCUMENT_BYTES_MAX))
        .with_state(state)
}

/// Up, on which database, and whether the first admin is still to be created.
async fn health(State(s): State<AppState>) -> Json<Value> {
    let needs_setup = s.setup_code.is_some() && !s.db.has_users().await.unwrap_or(true);
    Json(json!({ "ok": true, "database": s.db.kind(), "needs_setup": needs_setup }))
}

#[derive(Deserialize)]
struct Setup {
    code: String,
    #[serde(flatten)]
    admin: NewUser,
}

/// Creates the first admin with the one-time code the server printed at start.
async fn setup(State(s): State<AppState>, Body(body): Body<Setup>) -> ApiResult<UserSummary> {
    let expected = s.setup_code.as_deref().ok_or_else(|| ApiError::new(StatusCode::CONFLICT, IpcErrorKind::Conflict, "This server is set up already."))?;
    let same = Sha256::digest(body.code.trim().as_bytes()) == Sha256::digest(expected.as_bytes());
    if !same {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, IpcErrorKind::WrongCredentials, "That is not the setup code this server printed."));
    }
    Ok(Json(s.db.create_first_admin(body.admin).await?))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
    /// "Switch user": signing in on someone else's desk, for one decision and two minutes.
    #[serde(default)]
    switch_user: bool,
}

async fn sign_in(State(s): State<AppState>, Body(c): Body<Credentials>) -> ApiResult<Value> {
    let (token, session) = if c.switch_user {
        s.sessions.sign_in_switched(&c.username, &c.password, now_ms()).await?
    } else {
        s.sessions.sign_in(&c.username, &c.password, now_ms()).await?
    };
    Ok(Json(json!({ "token": token, "session": session.info() })))
}

fn token_of(headers: &HeaderMap) -> Result<&str, ApiError> {
    bearer(headers).ok_or_else(|| ApiError::unauthenticated("Sign in first: no bearer token."))
}

/// Who the token stands for, locked or not (the desk shows its lock screen from this).
async fn current_session(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<SessionInfo> {
    Ok(Json(s.sessions.look_up(token_of(&headers)?, now_ms()).await?.info()))
}

/// Signing out works on a locked session too (someone else wants the desk).
async fn sign_out(State(s): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    s.sessions.sign_out(token_of(&headers)?, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Password {
    password: String,
}

/// The password again: a step-up, which also unlocks an idle-locked session.
async fn step_up(State(s): State<AppState>, headers: HeaderMap, Body(p): Body<Password>) -> ApiResult<SessionInfo> {
    Ok(Json(s.sessions.step_up(token_of(&headers)?, &p.password, now_ms()).await?.info()))
}

/// The person at the desk is active (the desk reports input): the idle clock starts again.
async fn session_activity(State(s): State<AppState>, c: Caller) -> Result<StatusCode, ApiError> {
    s.sessions.touch(&c.token, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// After an approval decision a "Switch user" session ends; the answer says so, and the desk
/// hands itself back to its owner.
async fn decided(s: &AppState, c: &Caller, view: ToolCallView) -> Result<Response, ApiError> {
    let ended = s.sessions.end_if_switched(&c.token, now_ms()).await?;
    let mut resp = Json(view).into_response();
    if ended {
        resp.headers_mut().insert(SESSION_ENDED_HEADER, HeaderValue::from_static("switch-user"));
    }
    Ok(resp)
}

/// One page of the queue; the body is a `QueueQuery`, and what it leaves out takes the
/// defaults (triage order, no filter, the first page).
async fn queue_page(State(s): State<AppState>, c: Caller, Body(body): Body<Value>) -> ApiResult<QueuePage> {
    let q: QueueQuery = with_defaults(body, "queue query")?;
    Ok(Json(s.queue.page(&c.session, &q, now_ms()).await?))
}

/// A request body over the type's defaults: the fields it leaves out keep their default.
fn with_defaults<T: Default + serde::Serialize + serde::de::DeserializeOwned>(body: Value, what: &str) -> Result<T, ApiError> {
    let mut v = serde_json::to_value(T::default()).expect("json");
    if let (Some(base), Value::Object(given)) = (v.as_object_mut(), body) {
        base.extend(given);
    }
    serde_json::from_value(v).map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, IpcErrorKind::InvalidInput, format!("Not a {what}: {e}")))
}

async fn queue_facets(State(s): State<AppState>, c: Caller) -> ApiResult<QueueFacets> {
    Ok(Json(s.queue.facets(&c.session, now_ms()).await?))
}

async fn handoff(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<HandoffDetail> {
    Ok(Json(s.queue.handoff(&c.session, &id, now_ms()).await?))
}

async fn claim(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    desk_core::claims::claim(&*s.db, &c.session, &id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn release(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    desk_core::claims::release(&*s.db, &c.session, &id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A bot platform pushes one `handoff/v1` document: stored (201 new, 200 updated or unchanged,
/// idempotent on `handoff_id`), or quarantined with its reasons (422 with the JSON paths) —
/// never dropped. Over the size limit: 413.
async fn intake(State(s): State<AppState>, p: PlatformCaller, body: axum::body::Bytes) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome = s.db.ingest(&body, &p.0.source()).await?;
    Ok(match outcome {
        Outcome::Accepted { handoff_id, seq } => (StatusCode::CREATED, Json(json!({ "outcome": "accepted", "handoff_id": handoff_id, "seq": seq }))),
        Outcome::Updated { handoff_id, seq } => (StatusCode::OK, Json(json!({ "outcome": "updated", "handoff_id": handoff_id, "seq": seq }))),
        Outcome::Unchanged { handoff_id, seq } => (StatusCode::OK, Json(json!({ "outcome": "unchanged", "handoff_id": handoff_id, "seq": seq }))),
        Outcome::Quarantined { id, handoff_id, errors } => {
            tracing::warn!(quarantine_id = id, platform = %p.0.name, "a pushed handoff was quarantined");
            let body = json!({
                "kind": "invalid_input",
                "message": format!("The document is not a valid handoff/v1 ({} problem(s)); it is quarantined as #{id}.", errors.len()),
                "quarantine_id": id,
                "handoff_id": handoff_id,
                "errors": errors,
            });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body))
        }
    })
}

#[derive(Deserialize)]
struct Page {
    before_id: Option<i64>,
    limit: Option<i64>,
}

async fn quarantine(State(s): State<AppState>, c: Caller, Query(p): Query<Page>) -> ApiResult<Vec<QuarantineEntry>> {
    Ok(Json(s.queue.quarantine(&c.session, p.before_id, p.limit.unwrap_or(100), now_ms()).await?))
}

async fn tool_calls_of(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<Vec<ToolCallView>> {
    Ok(Json(s.gates.tool_calls_for(&c.session, &id, now_ms()).await?))
}

#[derive(Deserialize)]
struct Proposal {
    tool: String,
    params: serde_json::Map<String, Value>,
    #[serde(default)]
    fraud_suspected: bool,
}

/// An agent proposes a tool call on an escalation; the policy decides whether it runs, needs
/// the agent's confirmation, or waits for a supervisor.
async fn propose(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(p): Body<Proposal>) -> ApiResult<ToolCallView> {
    let input = ProposeInput { handoff_id: id, tool: p.tool, params: p.params, origin: desk_core::gates::Origin::Agent, fraud_suspected: p.fraud_suspected };
    Ok(Json(s.gates.propose(&c.session, input, now_ms()).await?))
}

async fn approvals(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<PendingApproval>> {
    Ok(Json(s.gates.pending_approvals(&c.session, now_ms()).await?))
}

async fn tool_call(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<ToolCallView> {
    Ok(Json(s.gates.tool_call(&c.session, &id, now_ms()).await?))
}

#[derive(Deserialize)]
struct Approval {
    /// The digest of the parameters the supervisor was shown: the approval is bound to them.
    params_sha256: String,
}

async fn approve(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(a): Body<Approval>) -> Result<Response, ApiError> {
    let view = s.gates.approve(&c.session, &id, &a.params_sha256, now_ms()).await?;
    decided(&s, &c, view).await
}

#[derive(Deserialize)]
struct Denial {
    reason: String,
}

async fn deny(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(d): Body<Denial>) -> Result<Response, ApiError> {
    let view = s.gates.deny(&c.session, &id, &d.reason, now_ms()).await?;
    decided(&s, &c, view).await
}

/// The draft for the customer's latest message: the live one, or a new one.
async fn draft(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<Option<DraftView>> {
    Ok(Json(s.drafts.draft(&c.session, &s.draft_setup, &id, now_ms(), &|_| {}).await?))
}

async fn drafts_of(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<Vec<DraftView>> {
    Ok(Json(s.drafts.drafts(&c.session, &id, now_ms()).await?))
}

async fn replies_of(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<Vec<OutboxEntry>> {
    Ok(Json(s.drafts.outbox(&c.session, &id, now_ms()).await?))
}

/// Approve, edit or reject a draft (`DraftDecision`); text to send goes to the outbox.
async fn decide_draft(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(d): Body<DraftDecision>) -> ApiResult<DraftView> {
    Ok(Json(s.drafts.decide(&c.session, &id, d, now_ms()).await?))
}

async fn ratings_of(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<Vec<Rating>> {
    Ok(Json(s.db.ratings_of(&c.session, &id, now_ms()).await?))
}

async fn rate(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(r): Body<RatingInput>) -> ApiResult<Rating> {
    Ok(Json(s.db.rate(&c.session, &id, r, now_ms()).await?))
}

/// The analytics for a filter (`AnalyticsFilter`; what it leaves out means "any").
async fn analytics(State(s): State<AppState>, c: Caller, Body(body): Body<Value>) -> ApiResult<Analytics> {
    let f: AnalyticsFilter = with_defaults(body, "filter")?;
    Ok(Json(s.analytics.analytics(&c.session, &f, now_ms()).await?))
}

async fn tools(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<ToolSpec>> {
    Ok(Json(s.gates.tools(&c.session, now_ms())?))
}

async fn users(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<UserSummary>> {
    Ok(Json(s.db.list_users(&c.session, now_ms()).await?))
}

async fn create_user(State(s): State<AppState>, c: Caller, Body(u): Body<NewUser>) -> ApiResult<UserSummary> {
    Ok(Json(s.db.create_user(&c.session, u, now_ms()).await?))
}

#[derive(Deserialize)]
struct Access {
    roles: Vec<Role>,
    active: bool,
}

async fn update_user(State(s): State<AppState>, c: Caller, Path(id): Path<i64>, Body(a): Body<Access>) -> ApiResult<UserSummary> {
    Ok(Json(s.db.update_user(&c.session, id, a.roles, a.active, now_ms()).await?))
}

async fn audit_verify(State(s): State<AppState>, c: Caller) -> ApiResult<AuditVerification> {
    Ok(Json(s.audit.verify(&c.session, now_ms()).await?))
}

async fn confirm(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<ToolCallView> {
    Ok(Json(s.gates.confirm(&c.session, &id, now_ms()).await?))
}

/// A person retries a failed, retryable call (same idempotency key: executed at most once).
async fn retry(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<ToolCallView> {
    Ok(Json(s.gates.retry(&c.session, &id, now_ms()).await?))
}

/// An overdue request goes to every supervisor.
async fn escalate(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> ApiResult<ToolCallView> {
    Ok(Json(s.gates.escalate(&c.session, &id, now_ms()).await?))
}

/// The decided requests, newest first.
async fn approval_history(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<ToolCallView>> {
    Ok(Json(s.gates.approval_history(&c.session, 200, now_ms()).await?))
}

#[derive(Deserialize)]
struct AfterSeq {
    after_seq: Option<i64>,
}

/// The next escalation to rate after `after_seq`, if any.
async fn next_unrated(State(s): State<AppState>, c: Caller, Query(q): Query<AfterSeq>) -> ApiResult<Option<String>> {
    Ok(Json(s.db.next_unrated(&c.session, q.after_seq, now_ms()).await?))
}

fn text(content_type: &'static str, body: String) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    ([(axum::http::header::CONTENT_TYPE, content_type)], body)
}

/// One analytics table as CSV (`by_intent`, `by_version`, `by_day_reason`, `calibration`, `ratings`).
async fn export_csv(State(s): State<AppState>, c: Caller, Path(table): Path<String>, Body(body): Body<Value>) -> Result<impl axum::response::IntoResponse, ApiError> {
    let table: desk_core::analytics::ExportTable = serde_json::from_value(Value::String(table.clone()))
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, IpcErrorKind::NotFound, format!("There is no analytics table {table:?}.")))?;
    let f: AnalyticsFilter = with_defaults(body, "filter")?;
    Ok(text("text/csv; charset=utf-8", s.analytics.export_csv(&c.session, table, &f, now_ms()).await?))
}

/// The rated escalations as JSON Lines evaluation cases.
async fn export_eval_cases(State(s): State<AppState>, c: Caller, Body(body): Body<Value>) -> Result<impl axum::response::IntoResponse, ApiError> {
    let f: AnalyticsFilter = with_defaults(body, "filter")?;
    Ok(text("application/jsonl", s.analytics.export_eval_cases(&c.session, &f, now_ms()).await?))
}

async fn draft_metrics(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<desk_core::drafts::service::DraftIntentMetrics>> {
    Ok(Json(s.drafts.metrics(&c.session, now_ms()).await?))
}

#[derive(Deserialize)]
struct AuditPage {
    #[serde(default)]
    filter: desk_core::audit::AuditFilter,
    before_id: Option<i64>,
    limit: Option<i64>,
}

/// A page of the audit log, newest first (`filter`, `before_id`, `limit`).
async fn audit_list(State(s): State<AppState>, c: Caller, Body(p): Body<AuditPage>) -> ApiResult<Vec<desk_core::audit::AuditEvent>> {
    Ok(Json(s.audit.list(&c.session, &p.filter, p.before_id, p.limit.unwrap_or(100), now_ms()).await?))
}

/// The whole audit log as JSON Lines, with its hashes (for verification elsewhere).
async fn audit_export(State(s): State<AppState>, c: Caller) -> Result<impl axum::response::IntoResponse, ApiError> {
    let mut buf = Vec::new();
    s.audit.export(&c.session, &mut buf, now_ms()).await?;
    Ok(text("application/jsonl", String::from_utf8_lossy(&buf).into_owned()))
}

async fn my_availability(State(s): State<AppState>, c: Caller) -> ApiResult<desk_core::routing::Availability> {
    Ok(Json(desk_core::routing::mine(&*s.db, &c.session, now_ms()).await?))
}

#[derive(Deserialize)]
struct SetAvailable {
    available: bool,
}

/// An agent is available for escalations, or away.
async fn set_availability(State(s): State<AppState>, c: Caller, Body(b): Body<SetAvailable>) -> ApiResult<desk_core::routing::Availability> {
    Ok(Json(desk_core::routing::set_available(&*s.db, &c.session, b.available, now_ms()).await?))
}

/// Who is available and who holds how many escalations (supervisors).
async fn team_board(State(s): State<AppState>, c: Caller) -> ApiResult<Vec<desk_core::routing::TeamMember>> {
    Ok(Json(desk_core::routing::team(&*s.db, &c.session, now_ms()).await?))
}

/// The escalation offered to the signed-in agent now, if any.
async fn my_offer(State(s): State<AppState>, c: Caller) -> ApiResult<Option<desk_core::routing::RoutingOffer>> {
    Ok(Json(desk_core::routing::my_offer(&*s.db, &c.session, now_ms()).await?))
}

#[derive(Serialize)]
struct Accepted {
    handoff_id: String,
}

/// The agent takes the escalation offered to them: it is claimed for them.
async fn accept_offer(State(s): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult<Accepted> {
    Ok(Json(Accepted { handoff_id: desk_core::routing::accept_offer(&*s.db, &c.session, id, now_ms()).await? }))
}

/// The agent passes: the escalation goes to someone else.
async fn decline_offer(State(s): State<AppState>, c: Caller, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    desk_core::routing::decline_offer(&*s.db, &c.session, id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supervisor sets what an agent takes: intents, channels, languages (empty means any).
async fn set_skills(State(s): State<AppState>, c: Caller, Path(id): Path<i64>, Body(b): Body<desk_core::routing::Skills>) -> ApiResult<desk_core::routing::Skills> {
    Ok(Json(desk_core::routing::set_skills(&*s.db, &c.session, id, b, now_ms()).await?))
}

#[derive(Deserialize)]
struct Assignee {
    user_id: i64,
}

/// A supervisor gives an escalation to a named agent.
async fn reassign(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(b): Body<Assignee>) -> Result<StatusCode, ApiError> {
    desk_core::routing::reassign(&*s.db, &c.session, &id, b.user_id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How large a file a person may import at once.
pub const IMPORT_BYTES_MAX: usize = 256 * 1024 * 1024;

#[derive(Deserialize)]
struct ImportName {
    name: Option<String>,
}

/// A person imports a `handoff/v1` JSON Lines file (or one document) into the team's queue, as
/// the desktop's File → Import does: the same validation; what is bad is quarantined.
async fn import(State(s): State<AppState>, c: Caller, Query(q): Query<ImportName>, body: axum::body::Bytes) -> ApiResult<desk_core::ingest::ImportReport> {
    let name = q.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("upload");
    let source = format!("import:{}:{name}", c.session.actor.username);
    Ok(Json(s.queue.import(&c.session, &body, &source, &mut |_| {}, now_ms()).await?))
}

/// A one-time setup code (16 hex digits in four groups).
pub fn setup_code() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source");
    let h = hex::encode(b);
    format!("{}-{}-{}-{}", &h[0..4], &h[4..8], &h[8..12], &h[12..16])
}

/// The platforms file: under `[platforms]`, `name = "token"` for a platform that only pushes, or
/// `name = { token = "…", replies_url = "https://…", replies_token = "…" }` for one that also
/// takes the replies back.
pub fn parse_platforms(text: &str) -> Result<Vec<Platform>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Token(String),
        Full { token: String, replies_url: Option<String>, replies_token: Option<String> },
    }
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        platforms: std::collections::BTreeMap<String, Entry>,
    }
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    f.platforms
        .iter()
        .map(|(name, entry)| {
            let (token, replies_url, replies_token) = match entry {
                Entry::Token(t) => (t, None, None),
                Entry::Full { token, replies_url, replies_token } => (token, replies_url.as_deref(), replies_token.as_deref()),
            };
            if token.trim().len() < 16 {
                return Err(format!("the token of platform {name} is shorter than 16 characters"));
            }
            let p = Platform::new(name, token.trim());
            Ok(match replies_url {
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => p.with_replies(u, replies_token),
                Some(u) => return Err(format!("the replies_url of platform {name} is not an http(s) URL: {u}")),
                None => p,
            })
        })
        .collect()
}

/// The live stream: server-sent events, one per change, in commit order (`id:` is the
/// position, `event:` the kind, `data:` the [`desk_core::events::DeskEvent`]). A client that
/// reconnects with `Last-Event-ID` (or `?after=`) gets everything after it, once; without one,
/// it starts at the present. A position older than what the server keeps gets one
/// `stream.reset` first (read everything again), then what follows. The session is checked again every 30 seconds: a revoked or
/// expired token ends the stream.
async fn events(
    State(s): State<AppState>,
    c: Caller,
    headers: HeaderMap,
    Query(q): Query<After>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>, ApiError> {
    let given = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned).or(q.after);
    let mut buffered = std::collections::VecDeque::new();
    let start = match given.filter(|g| !g.trim().is_empty()) {
        Some(g) => {
            let after = g.parse::<EventPosition>().map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, IpcErrorKind::InvalidInput, e))?;
            if desk_core::events::replayable(&*s.db, after).await? {
                after
            } else {
                // Older than what is kept: the follower reads everything again, then follows from now.
                let head = desk_core::events::head(&*s.db, &c.session, now_ms()).await?;
                let reset = DeskEvent { id: head.id, txid: head.txid, at_ms: now_ms(), kind: desk_core::events::RESET.into(), subject: String::new(), handoff_id: None };
                buffered.push_back(tail::Frame::from(&reset));
                head
            }
        }
        None => desk_core::events::head(&*s.db, &c.session, now_ms()).await?,
    };
    struct Follow {
        s: AppState,
        token: String,
        session: Session,
        cursor: EventPosition,
        buffered: std::collections::VecDeque<tail::Frame>,
        checked: std::time::Instant,
        live: tokio::sync::broadcast::Receiver<tail::Page>,
        /// Replaying from the database until a page comes back empty; then from the tail.
        replaying: bool,
    }
    // Subscribed before the replay starts: nothing committed meanwhile can be missed.
    let live = s.tail.subscribe();
    let follow = Follow { s, token: c.token, session: c.session, cursor: start, buffered, checked: std::time::Instant::now(), live, replaying: true };
    let stream = futures_util::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(e) = f.buffered.pop_front() {
                return Some((Ok(Event::default().id(e.position.to_string()).event(e.kind).data(&*e.json)), f));
            }
            if f.checked.elapsed() > std::time::Duration::from_secs(30) {
                match f.s.sessions.resolve(&f.token, now_ms()).await {
                    Ok(session) => f.session = session,
                    Err(_) => return None,
                }
                if f.session.authorize(desk_core::people::Permission::ViewQueue, now_ms()).is_err() {
                    return None;
                }
                f.checked = std::time::Instant::now();
            }
            if f.replaying {
                match desk_core::events::page(&*f.s.db, &f.session, f.cursor, 500, now_ms()).await {
                    Ok(batch) if !batch.is_empty() => {
                        f.cursor = batch.last().expect("not empty").position();
                        f.buffered.extend(batch.iter().map(tail::Frame::from));
                    }
                    Ok(_) => f.replaying = false,
                    Err(desk_core::people::PeopleError::Forbidden(_)) => return None,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading events failed; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
                continue;
            }
            // Live: the shared tail's pages, without what this follower has sent already.
            match tokio::time::timeout(std::time::Duration::from_secs(30), f.live.recv()).await {
                Ok(Ok(page)) => {
                    let cursor = f.cursor;
                    f.buffered.extend(page.iter().filter(|fr| fr.position > cursor).cloned());
                    if let Some(last) = f.buffered.back() {
                        f.cursor = last.position;
                    }
                }
                // Too far behind the tail: back to the database from this follower's position.
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => f.replaying = true,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
                Err(_) => {} // quiet for 30 s: the session check above runs
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
struct After {
    after: Option<String>,
}
