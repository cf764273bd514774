//! The draft lifecycle, driven: make a draft for the latest customer message (guardrails first,
//! then retrieval, then an engine, then the output checks), mark drafts stale when the
//! conversation moves on, record every decision (approve / edit / reject with a reason) with
//! its measurements, and carry approved text to the customer through the outbox.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::engine::{DraftContext, DraftEngine, DraftError, DraftOutput, EmbeddedEngine};
use super::guardrails::{check_draft, handover_request, injection_suspected, refusal_topic, DraftFlag, Pii};
use super::kb::Passage;
use super::llm::LlmEngine;
use crate::audit::user_actor;
use crate::handoff::TurnRole;
use crate::people::{PeopleError, Permission, Session};
use crate::store::{Store, StoreError};

/// The engines and guardrail settings in force.
#[derive(Debug, Clone, Default)]
pub struct DraftSetup {
    pub embedded: EmbeddedEngine,
    /// The LLM engine, when one is configured; the embedded engine is the fallback.
    pub llm: Option<LlmEngine>,
    pub pii: Pii,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    Ready,
    Stale,
    Approved,
    Edited,
    Rejected,
}

impl DraftState {
    fn as_str(self) -> &'static str {
        match self {
            DraftState::Ready => "ready",
            DraftState::Stale => "stale",
            DraftState::Approved => "approved",
            DraftState::Edited => "edited",
            DraftState::Rejected => "rejected",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "stale" => DraftState::Stale,
            "approved" => DraftState::Approved,
            "edited" => DraftState::Edited,
            "rejected" => DraftState::Rejected,
            _ => DraftState::Ready,
        }
    }
}

/// A draft as the agent sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftView {
    pub id: String,
    pub handoff_id: String,
    /// Index of the customer turn it answers.
    #[ts(type = "number")]
    pub turn_index: i64,
    pub engine: String,
    pub model: Option<String>,
    pub text: String,
    /// A note to the agent (refusal topic, or nothing relevant in the knowledge base), not a reply.
    pub is_note: bool,
    pub sources: Vec<Passage>,
    pub confidence: f64,
    pub flags: Vec<DraftFlag>,
    /// The flags that are warnings ([`DraftFlag::is_warning`]): the agent confirms before sending.
    pub warnings: Vec<DraftFlag>,
    pub state: DraftState,
    #[ts(type = "number")]
    pub latency_ms: i64,
    /// Why the LLM engine failed, when the embedded engine answered instead.
    pub engine_error: Option<String>,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    pub decided_by: Option<String>,
    pub reject_reason: Option<String>,
    pub sent_text: Option<String>,
}

/// Why a draft was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    Inaccurate,
    WrongTone,
    MissingInformation,
    PolicyViolation,
    NotNeeded,
    Other,
}

/// What the agent did with a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DraftDecision {
    /// Send it as it is.
    Approve,
    /// Send this text instead.
    Edit { text: String },
    /// Do not send it; optionally send the agent's own reply.
    Reject { reason: RejectReason, note: Option<String>, own_reply: Option<String> },
}

/// A reply on its way to (or delivered to) the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxEntry {
    pub id: String,
    pub handoff_id: String,
    pub draft_id: Option<String>,
    pub author: String,
    pub text: String,
    pub sent: bool,
    #[ts(type = "number")]
    pub created_at_ms: i64,
    #[ts(type = "number | null")]
    pub sent_at_ms: Option<i64>,
    /// Why it has not been delivered yet (it stays pending and is tried again).
    pub last_error: Option<String>,
}

/// Acceptance and effort per intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftIntentMetrics {
    pub intent: String,
    #[ts(type = "number")]
    pub drafts: i64,
    #[ts(type = "number")]
    pub decided: i64,
    #[ts(type = "number")]
    pub approved: i64,
    #[ts(type = "number")]
    pub edited: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    /// Approved as is, of decided.
    pub acceptance_rate: Option<f64>,
    /// Edited, of decided.
    pub edit_rate: Option<f64>,
    pub median_edit_distance: Option<f64>,
    pub median_decision_secs: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum DraftsError {
    #[error(transparent)]
    People(#[from] PeopleError),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DraftsError {
    fn from(e: sqlx::Error) -> Self {
        DraftsError::Store(e.into())
    }
}

fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 10];
    getrandom::fill(&mut b).expect("the OS random source");
    format!("{prefix}_{}", hex::encode(b))
}

/// Character-level edit distance (Levenshtein), for how much an agent changed a draft.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    id: String,
    handoff_id: String,
    turn_index: i64,
    engine: String,
    model: Option<String>,
    text: String,
    kind: String,
    sources: String,
    confidence: f64,
    flags: String,
    state: String,
    latency_ms: i64,
    engine_error: Option<String>,
    created_at_ms: i64,
    decided_by_name: Option<String>,
    reject_reason: Option<String>,
    sent_text: Option<String>,
}

const SELECT_DRAFT: &str = "SELECT d.id, h.handoff_id, d.turn_index, d.engine, d.model, d.text, d.kind, d.sources, d.confidence, d.flags, \
    d.state, d.latency_ms, d.engine_error, d.created_at_ms, u.display_name AS decided_by_name, d.reject_reason, d.sent_text \
    FROM drafts d JOIN handoffs h ON h.seq = d.handoff_seq LEFT JOIN users u ON u.id = d.decided_by";

impl DraftRow {
    fn view(self) -> DraftView {
        let flags: Vec<DraftFlag> = serde_json::from_str(&self.flags).unwrap_or_default();
        DraftView {
            id: self.id,
            handoff_id: self.handoff_id,
            turn_index: self.turn_index,
            engine: self.engine,
            model: self.model,
            text: self.text,
            is_note: self.kind == "note",
            sources: serde_json::from_str(&self.sources).unwrap_or_default(),
            confidence: self.confidence,
            warnings: flags.iter().copied().filter(|f| f.is_warning()).collect(),
            flags,
            state: DraftState::parse(&self.state),
            latency_ms: self.latency_ms,
            engine_error: self.engine_error,
            created_at_ms: self.created_at_ms,
            decided_by: self.decided_by_name,
            reject_reason: self.reject_reason,
            sent_text: self.sent_text,
        }
    }
}

impl Store {
    /// As [`Store::draft_for`], asked by `by` (who must see the queue).
    pub async fn draft_as(&self, by: &Session, setup: &DraftSetup, handoff_id: &str, now: i64, on_token: &(dyn Fn(&str) + Send + Sync)) -> Result<Option<DraftView>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        self.draft_for(setup, handoff_id, now, on_token).await
    }

    /// As [`Store::drafts_of`], asked by `by` (who must see the queue).
    pub async fn drafts_as(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<DraftView>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        self.drafts_of(handoff_id).await
    }

    /// As [`Store::outbox_of`], asked by `by` (who must see the queue).
    pub async fn outbox_as(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<OutboxEntry>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        self.outbox_of(handoff_id).await
    }

    /// As [`Store::kb_reindex`], asked by `by` (who must configure drafts, with a fresh step-up).
    pub async fn kb_reindex_as(&self, by: &Session, dir: &std::path::Path, now: i64) -> Result<super::kb::KbReport, DraftsError> {
        by.authorize(Permission::ConfigureDrafts, now)?;
        Ok(self.kb_reindex(dir).await?)
    }

    /// The draft for the latest customer message of an escalation: the existing one, or a new
    /// one (older ready drafts become stale). `None` when the customer has said nothing.
    pub async fn draft_for(&self, setup: &DraftSetup, handoff_id: &str, now: i64, on_token: &(dyn Fn(&str) + Send + Sync)) -> Result<Option<DraftView>, DraftsError> {
        let stored = crate::storage::HandoffStore::stored_handoff(self, handoff_id).await?;
        let Some(turn_index) = stored.handoff.transcript.iter().rposition(|t| t.role == TurnRole::Customer) else {
            return Ok(None);
        };
        let turn_index = turn_index as i64;
        sqlx::query("UPDATE drafts SET state = 'stale' WHERE handoff_seq = ? AND state = 'ready' AND turn_index < ?")
            .bind(stored.seq)
            .bind(turn_index)
            .execute(self.pool())
            .await?;
        if let Some(existing) = sqlx::query_as::<_, DraftRow>(&format!("{SELECT_DRAFT} WHERE d.handoff_seq = ? AND d.turn_index = ? AND d.state != 'stale' ORDER BY d.created_at_ms DESC LIMIT 1"))
            .bind(stored.seq)
            .bind(turn_index)
            .fetch_optional(self.pool())
            .await?
        {
            return Ok(Some(existing.view()));
        }

        let started = Instant::now();
        let mut h = stored.handoff.clone();
        // Mask PII in everything that could leave the machine.
        let mut masked_any = false;
        for t in h.transcript.iter_mut() {
            let (m, k) = setup.pii.mask(&t.text);
            masked_any |= !k.is_empty();
            t.text = m;
        }
        let (summary, k) = setup.pii.mask(&h.summary);
        masked_any |= !k.is_empty();
        h.summary = summary;
        for v in h.collected_fields.values_mut() {
            let (m, k) = setup.pii.mask(v);
            masked_any |= !k.is_empty();
            *v = m;
        }
        let customer_text = h.transcript[turn_index as usize].text.clone();
        let mut flags = vec![];
        if masked_any {
            flags.push(DraftFlag::PiiMasked);
        }
        if injection_suspected(&customer_text) {
            flags.push(DraftFlag::PromptInjection);
        }

        let mut engine_name = "embedded";
        let mut engine_error = None;
        let output: DraftOutput = if let Some(topic) = refusal_topic(&customer_text) {
            flags.push(DraftFlag::RefusalTopic);
            DraftOutput { text: topic.note().to_owned(), abstained: true, confidence: 0.0, sources: vec![], model: None }
        } else {
            // "Can I talk to a person?" asks nothing the knowledge base answers: retrieve for the
            // customer's last message that says something (not a bare slot answer like "A123"),
            // or else the bot's summary.
            let handover = handover_request(&customer_text);
            let query = if handover {
                h.transcript[..turn_index as usize]
                    .iter()
                    .rev()
                    .find(|t| t.role == TurnRole::Customer && !handover_request(&t.text) && super::kb::query_terms(&t.text).len() >= 2)
                    .map(|t| t.text.clone())
                    .unwrap_or_else(|| h.summary.clone())
            } else {
                customer_text.clone()
            };
            let passages = self.kb_search(&query, Some(&h.intent.name), 3).await?;
            let ctx = DraftContext { handoff: h.clone(), customer_text: customer_text.clone(), handover, passages };
            let from_llm = match &setup.llm {
                Some(llm) => {
                    engine_name = "llm";
                    match llm.draft(&ctx, on_token).await {
                        Ok(o) => Some(o),
                        Err(e) => {
                            tracing::warn!(error = %e, "LLM engine failed; the embedded engine answers");
                            engine_error = Some(e);
                            None
                        }
                    }
                }
                None => None,
            };
            match from_llm {
                Some(o) => o,
                None => {
                    if engine_error.is_some() {
                        flags.push(DraftFlag::FellBack);
                        engine_name = "embedded";
                    }
                    setup.embedded.draft(&ctx, on_token).await.unwrap_or_else(|_: DraftError| setup.embedded.compose(&ctx))
                }
            }
        };
        if output.abstained && !flags.contains(&DraftFlag::RefusalTopic) {
            flags.push(DraftFlag::Abstained);
        }
        let (text, k) = setup.pii.mask(&output.text);
        if !k.is_empty() && !flags.contains(&DraftFlag::PiiMasked) {
            flags.push(DraftFlag::PiiMasked);
        }
        if !output.abstained {
            for f in check_draft(&text, &stored.handoff, !output.sources.is_empty()) {
                flags.push(f);
            }
        }
        let id = new_id("dr");
        let latency = started.elapsed().as_millis() as i64;
        sqlx::query(
            "INSERT INTO drafts (id, handoff_seq, turn_index, engine, model, text, kind, sources, confidence, flags, state, latency_ms, \
             engine_error, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?)",
        )
        .bind(&id)
        .bind(stored.seq)
        .bind(turn_index)
        .bind(engine_name)
        .bind(&output.model)
        .bind(&text)
        .bind(if output.abstained { "note" } else { "reply" })
        .bind(serde_json::to_string(&output.sources).expect("json"))
        .bind(output.confidence)
        .bind(serde_json::to_string(&flags).expect("json"))
        .bind(latency)
        .bind(engine_error.as_ref().map(|e| e.to_string()))
        .bind(now)
        .execute(self.pool())
        .await?;
        tracing::info!(draft_id = %id, engine = engine_name, latency_ms = latency, flags = ?flags, "draft ready");
        Ok(Some(self.draft(&id).await?))
    }

    pub async fn draft(&self, id: &str) -> Result<DraftView, DraftsError> {
        sqlx::query_as::<_, DraftRow>(&format!("{SELECT_DRAFT} WHERE d.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(DraftRow::view)
            .ok_or_else(|| DraftsError::Store(StoreError::NotFound(format!("draft {id}"))))
    }

    /// Every draft of an escalation, newest first.
    pub async fn drafts_of(&self, handoff_id: &str) -> Result<Vec<DraftView>, DraftsError> {
        Ok(sqlx::query_as::<_, DraftRow>(&format!("{SELECT_DRAFT} WHERE h.handoff_id = ? ORDER BY d.created_at_ms DESC"))
            .bind(handoff_id)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(DraftRow::view)
            .collect())
    }

    /// Records what the agent did with a draft; text to send goes to the outbox. The decision,
    /// its measurements and its audit event are written in one transaction.
    pub async fn decide_draft(&self, by: &Session, draft_id: &str, decision: DraftDecision, now: i64) -> Result<DraftView, DraftsError> {
        by.authorize(Permission::ReplyToCustomers, now)?;
        let d = self.draft(draft_id).await?;
        if d.state == DraftState::Stale {
            return Err(DraftsError::Conflict("The customer wrote again since this draft was made: a fresh draft answers the new message.".into()));
        }
        if d.state != DraftState::Ready {
            return Err(DraftsError::Conflict(format!("This draft was already {}.", d.state.as_str())));
        }
        let (state, send, reason, distance) = match &decision {
            DraftDecision::Approve => {
                if d.is_note {
                    return Err(DraftsError::Invalid("This is a note to you, not a reply: edit it into a reply or write your own.".into()));
                }
                (DraftState::Approved, Some(d.text.clone()), None, Some(0))
            }
            DraftDecision::Edit { text } => {
                if text.trim().is_empty() {
                    return Err(DraftsError::Invalid("The reply is empty.".into()));
                }
                (DraftState::Edited, Some(text.trim().to_owned()), None, Some(edit_distance(&d.text, text.trim()) as i64))
            }
            DraftDecision::Reject { reason, note, own_reply } => {
                let reason_text = match note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(n) => format!("{}: {n}", serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
                    None => serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                };
                if *reason == RejectReason::Other && note.as_deref().map(str::trim).unwrap_or("").is_empty() {
                    return Err(DraftsError::Invalid("Say why the draft was rejected.".into()));
                }
                (DraftState::Rejected, own_reply.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned), Some(reason_text), None)
            }
        };
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE drafts SET state = ?, decided_by = ?, decided_at_ms = ?, reject_reason = ?, sent_text = ?, edit_distance = ? \
             WHERE id = ? AND state = 'ready'",
        )
        .bind(state.as_str())
        .bind(by.actor.user_id)
        .bind(now)
        .bind(&reason)
        .bind(&send)
        .bind(distance)
        .bind(draft_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(DraftsError::Conflict("Someone decided this draft a moment ago.".into()));
        }
        let kind = format!("draft.{}", state.as_str());
        crate::store::audit::append(&mut tx, now, &actor, &kind, draft_id, &json!({ "handoff_id": d.handoff_id, "engine": d.engine, "reason": reason, "edit_distance": distance })).await?;
        if let Some(text) = &send {
            let ob = new_id("ob");
            let seq: i64 = sqlx::query_scalar("SELECT seq FROM handoffs WHERE handoff_id = ?").bind(&d.handoff_id).fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO outbox (id, handoff_seq, draft_id, author, text, state, created_at_ms) VALUES (?, ?, ?, ?, ?, 'pending', ?)")
                .bind(&ob)
                .bind(seq)
                .bind(draft_id)
                .bind(by.actor.user_id)
                .bind(text)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            crate::store::audit::append(&mut tx, now, &actor, "reply.queued", &ob, &json!({ "handoff_id": d.handoff_id, "draft_id": draft_id, "chars": text.chars().count() })).await?;
        }
        tx.commit().await?;
        self.draft(draft_id).await
    }

    /// Delivers pending outbox entries through the demo bot's channel: at least once (a crash
    /// before marking an entry sent delivers it again) and deduplicated by the entry's id on the
    /// receiving side. Returns the ids sent now. Replies to escalations from the HTTP source go
    /// back through it instead ([`crate::sources::http::HttpSource::deliver`]).
    pub async fn deliver_outbox(&self, now: i64) -> Result<Vec<String>, DraftsError> {
        let pending: Vec<String> = sqlx::query_scalar(
            "SELECT o.id FROM outbox o JOIN handoffs h ON h.seq = o.handoff_seq \
             WHERE o.state = 'pending' AND h.source != ? ORDER BY o.created_at_ms LIMIT 100",
        )
        .bind(crate::sources::http::SOURCE)
        .fetch_all(self.pool())
        .await?;
        for id in &pending {
            self.outbox_attempt(id).await?;
            // The channel: receiving the same id twice changes nothing but its delivery count.
            sqlx::query(
                "INSERT INTO demo_channel_received (outbox_id, received_at_ms) VALUES (?, ?) \
                 ON CONFLICT(outbox_id) DO UPDATE SET deliveries = deliveries + 1",
            )
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await?;
            self.outbox_sent(id, now, "demo").await?;
        }
        Ok(pending)
    }

    /// Counts a delivery attempt of an outbox entry (before it is handed to its channel).
    pub(crate) async fn outbox_attempt(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?").bind(id).execute(self.pool()).await?;
        Ok(())
    }

    /// Records that `channel` took an outbox entry: sent, its last error cleared, and the
    /// `reply.sent` audit event, in one transaction. An entry another worker already recorded
    /// sent changes nothing and writes no second event.
    pub(crate) async fn outbox_sent(&self, id: &str, now: i64, channel: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let marked = sqlx::query("UPDATE outbox SET state = 'sent', sent_at_ms = ?, last_error = NULL WHERE id = ? AND state = 'pending'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if marked == 1 {
            crate::store::audit::append(&mut tx, now, "system", "reply.sent", id, &json!({ "channel": channel })).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The escalation an outbox entry belongs to.
    pub async fn outbox_handoff(&self, outbox_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT h.handoff_id FROM outbox o JOIN handoffs h ON h.seq = o.handoff_seq WHERE o.id = ?")
            .bind(outbox_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Replies of an escalation, oldest first.
    pub async fn outbox_of(&self, handoff_id: &str) -> Result<Vec<OutboxEntry>, DraftsError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(String, String, Option<String>, String, String, String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT o.id, h.handoff_id, o.draft_id, u.display_name, o.text, o.state, o.created_at_ms, o.sent_at_ms, o.last_error FROM outbox o \
             JOIN handoffs h ON h.seq = o.handoff_seq JOIN users u ON u.id = o.author WHERE h.handoff_id = ? ORDER BY o.created_at_ms",
        )
        .bind(handoff_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, handoff_id, draft_id, author, text, state, created_at_ms, sent_at_ms, last_error)| OutboxEntry {
                id,
                handoff_id,
                draft_id,
                author,
                text,
                sent: state == "sent",
                created_at_ms,
                sent_at_ms,
                last_error,
            })
            .collect())
    }

    /// Acceptance rate, edit rate, edit distance and time to decision per intent.
    pub async fn draft_metrics(&self, by: &Session, now: i64) -> Result<Vec<DraftIntentMetrics>, DraftsError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        let rows: Vec<(String, String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
            "SELECT h.intent, d.state, d.edit_distance, d.decided_at_ms, d.created_at_ms FROM drafts d JOIN handoffs h ON h.seq = d.handoff_seq \
             WHERE d.kind = 'reply' ORDER BY h.intent",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<DraftIntentMetrics> = vec![];
        let mut distances: Vec<Vec<f64>> = vec![];
        let mut times: Vec<Vec<f64>> = vec![];
        for (intent, state, dist, decided, created) in rows {
            if out.last().is_none_or(|m| m.intent != intent) {
                out.push(DraftIntentMetrics {
                    intent: intent.clone(),
                    drafts: 0,
                    decided: 0,
                    approved: 0,
                    edited: 0,
                    rejected: 0,
                    acceptance_rate: None,
                    edit_rate: None,
                    median_edit_distance: None,
                    median_decision_secs: None,
                });
                distances.push(vec![]);
                times.push(vec![]);
            }
            let m = out.last_mut().expect("pushed");
            m.drafts += 1;
            match state.as_str() {
                "approved" => m.approved += 1,
                "edited" => m.edited += 1,
                "rejected" => m.rejected += 1,
                _ => continue,
            }
            m.decided += 1;
            if let Some(d) = dist {
                distances.last_mut().expect("pushed").push(d as f64);
            }
            if let Some(t) = decided {
                times.last_mut().expect("pushed").push((t - created) as f64 / 1000.0);
            }
        }
        for ((m, d), t) in out.iter_mut().zip(distances.iter_mut()).zip(times.iter_mut()) {
            if m.decided > 0 {
                m.acceptance_rate = Some(m.approved as f64 / m.decided as f64);
                m.edit_rate = Some(m.edited as f64 / m.decided as f64);
            }
            m.median_edit_distance = median(d);
            m.median_decision_secs = median(t);
        }
        Ok(out)
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}
