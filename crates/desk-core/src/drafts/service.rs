//! The draft lifecycle, driven: make a draft for the latest customer message (guardrails first,
//! then retrieval, then an engine, then the output checks), mark drafts stale when the
//! conversation moves on, record every decision (approve / edit / reject with a reason) with
//! its measurements, and carry approved text to the customer through the outbox.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::engine::{DraftContext, DraftEngine, DraftError, DraftOutput, EmbeddedEngine};
use super::guardrails::{check_draft, handover_request, injection_suspected, refusal_topic, DraftFlag, Pii};
use super::kb::{KbReport, Passage};
pub use super::lifecycle::DraftState;
use super::lifecycle::{decide, Decidable, Refused};
use super::llm::LlmEngine;
use super::record::{DraftDecided, NewDraftRecord, NewOutboxRecord};
use crate::audit::user_actor;
use crate::handoff::TurnRole;
use crate::people::{PeopleError, Permission, Session};
use crate::storage::{Database, NewAuditEvent};
use crate::store::StoreError;

/// The engines and guardrail settings in force.
#[derive(Debug, Clone, Default)]
pub struct DraftSetup {
    pub embedded: EmbeddedEngine,
    /// The LLM engine, when one is configured; the embedded engine is the fallback.
    pub llm: Option<LlmEngine>,
    pub pii: Pii,
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
    pub reject_reason: Option<RejectReason>,
    /// The agent's words on why it was rejected.
    pub reject_note: Option<String>,
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

impl RejectReason {
    pub const ALL: [RejectReason; 6] = [
        RejectReason::Inaccurate,
        RejectReason::WrongTone,
        RejectReason::MissingInformation,
        RejectReason::PolicyViolation,
        RejectReason::NotNeeded,
        RejectReason::Other,
    ];

    /// As stored and sent (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Inaccurate => "inaccurate",
            RejectReason::WrongTone => "wrong_tone",
            RejectReason::MissingInformation => "missing_information",
            RejectReason::PolicyViolation => "policy_violation",
            RejectReason::NotNeeded => "not_needed",
            RejectReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
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

impl From<Refused> for DraftsError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Conflict(m) => DraftsError::Conflict(m),
            Refused::Invalid(m) => DraftsError::Invalid(m),
        }
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

/// Drafts, decisions, the outbox and the knowledge base, as the signed-in person may use them.
/// Cheap to clone.
#[derive(Clone)]
pub struct DraftService {
    db: Arc<dyn Database>,
}

impl DraftService {
    pub fn new(db: Arc<dyn Database>) -> Self {
        Self { db }
    }

    /// The draft for the latest customer message of an escalation (who asks must see the
    /// queue): the live one, or a new one (older ready drafts become stale). `None` when the
    /// customer has said nothing.
    pub async fn draft(&self, by: &Session, setup: &DraftSetup, handoff_id: &str, now: i64, on_token: &(dyn Fn(&str) + Send + Sync)) -> Result<Option<DraftView>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        make_draft(&*self.db, setup, handoff_id, now, on_token).await
    }

    /// One draft.
    pub async fn get(&self, by: &Session, draft_id: &str, now: i64) -> Result<DraftView, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        draft(&*self.db, draft_id).await
    }

    /// Every draft of an escalation, newest first.
    pub async fn drafts(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<DraftView>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.db.draft_records_of(handoff_id).await?.into_iter().map(|r| r.view()).collect())
    }

    /// Replies of an escalation, oldest first.
    pub async fn outbox(&self, by: &Session, handoff_id: &str, now: i64) -> Result<Vec<OutboxEntry>, DraftsError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.db.outbox_records_of(handoff_id).await?.into_iter().map(|r| r.entry()).collect())
    }

    /// Records what the agent did with a draft ([`decide`]); text to send goes to the outbox.
    /// The decision, its reply and their audit events are written in one transaction,
    /// compare-and-set on `ready`.
    pub async fn decide(&self, by: &Session, draft_id: &str, decision: DraftDecision, now: i64) -> Result<DraftView, DraftsError> {
        by.authorize(Permission::ReplyToCustomers, now)?;
        let d = draft(&*self.db, draft_id).await?;
        let decided = decide(Decidable { state: d.state, is_note: d.is_note, text: &d.text }, &decision)?;
        let actor = user_actor(by.actor.user_id, &by.actor.username);
        let mut audit = vec![NewAuditEvent::new(
            now,
            &actor,
            &decided.state.event_kind(),
            draft_id,
            json!({ "handoff_id": d.handoff_id, "engine": d.engine, "reason": decided.reject_reason, "note": decided.reject_note, "edit_distance": decided.edit_distance }),
        )];
        let reply_id = new_id("ob");
        let reply = decided.send.as_deref().map(|text| {
            audit.push(NewAuditEvent::new(now, &actor, "reply.queued", &reply_id, json!({ "handoff_id": d.handoff_id, "draft_id": draft_id, "chars": text.chars().count() })));
            NewOutboxRecord { id: &reply_id, handoff_id: &d.handoff_id, draft_id: Some(draft_id), author: by.actor.user_id, text, created_at_ms: now }
        });
        let written = DraftDecided {
            draft_id,
            state: decided.state,
            decided_by: by.actor.user_id,
            decided_at_ms: now,
            reject_reason: decided.reject_reason,
            reject_note: decided.reject_note.as_deref(),
            sent_text: decided.send.as_deref(),
            edit_distance: decided.edit_distance,
        };
        if !self.db.decide_draft(&written, reply.as_ref(), &audit).await? {
            return Err(DraftsError::Conflict("Someone decided this draft a moment ago.".into()));
        }
        draft(&*self.db, draft_id).await
    }

    /// Acceptance rate, edit rate, edit distance and time to decision per intent.
    pub async fn metrics(&self, by: &Session, now: i64) -> Result<Vec<DraftIntentMetrics>, DraftsError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        let rows = self.db.draft_outcomes().await?;
        let mut out: Vec<DraftIntentMetrics> = vec![];
        let mut distances: Vec<Vec<f64>> = vec![];
        let mut times: Vec<Vec<f64>> = vec![];
        for o in rows {
            let (intent, state, dist, decided, created) = (o.intent, o.state, o.edit_distance, o.decided_at_ms, o.created_at_ms);
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

    /// Reindexes the knowledge base folder (who asks must configure drafts).
    pub async fn kb_reindex(&self, by: &Session, dir: &std::path::Path, now: i64) -> Result<KbReport, DraftsError> {
        by.authorize(Permission::ConfigureDrafts, now)?;
        Ok(super::kb::reindex(&*self.db, dir).await?)
    }
}

async fn draft(db: &dyn Database, id: &str) -> Result<DraftView, DraftsError> {
    db.draft_record(id).await?.map(|r| r.view()).ok_or_else(|| DraftsError::Store(StoreError::NotFound(format!("draft {id}"))))
}

/// Makes (or finds) the draft for the latest customer message: guardrails first, then
/// retrieval, then an engine (the LLM when configured, the embedded engine otherwise or when
/// it fails), then the output checks.
async fn make_draft(db: &dyn Database, setup: &DraftSetup, handoff_id: &str, now: i64, on_token: &(dyn Fn(&str) + Send + Sync)) -> Result<Option<DraftView>, DraftsError> {
    let stored = db.stored_handoff(handoff_id).await?;
    let Some(turn_index) = stored.handoff.transcript.iter().rposition(|t| t.role == TurnRole::Customer) else {
        return Ok(None);
    };
    let turn_index = turn_index as i64;
    if let Some(live) = db.live_draft(stored.seq, turn_index).await? {
        return Ok(Some(live.view()));
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
        let passages = super::kb::search(db, &query, Some(&h.intent.name), 3).await?;
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
    let record = NewDraftRecord {
        id: &id,
        handoff_seq: stored.seq,
        turn_index,
        engine: engine_name,
        model: output.model.as_deref(),
        text: &text,
        kind: if output.abstained { "note" } else { "reply" },
        sources: serde_json::to_string(&output.sources).expect("json"),
        confidence: output.confidence,
        flags: serde_json::to_string(&flags).expect("json"),
        latency_ms: latency,
        engine_error: engine_error.as_ref().map(|e| e.to_string()),
        created_at_ms: now,
    };
    db.insert_draft(&record).await?;
    tracing::info!(draft_id = %id, engine = engine_name, latency_ms = latency, flags = ?flags, "draft ready");
    Ok(Some(draft(db, &id).await?))
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}
