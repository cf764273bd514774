#![allow(dead_code)]
//! Fixtures shared by the desk-core tests.

#[allow(unused_imports)]
pub use desk_core::ingest::Ingest;
#[allow(unused_imports)]
pub use desk_core::people::Accounts;
#[allow(unused_imports)]
pub use desk_core::ratings::Ratings;
#[allow(unused_imports)]
pub use desk_core::storage::MetaStore;
#[allow(unused_imports)]
pub use desk_core::storage::{HandoffStore, QuarantineStore};
use desk_core::ratings::{EscalationTiming, RatingInput, SummaryVerdict};
use serde_json::{json, Value};

/// The example document from the contract: valid.
pub fn valid_doc() -> Value {
    json!({
      "schema": "handoff/v1",
      "handoff_id": "hf_2f9c01",
      "conversation_id": "conv_81723",
      "escalated_at": "2026-11-23T18:00:00Z",
      "channel": "web",
      "customer": {"id": "cus_42", "name": "Ada L.", "email": "ada@example.com",
                   "tier": "gold", "verified": true, "language": "en"},
      "intent": {"name": "refund_request", "confidence": 0.62,
                 "alternatives": [{"name": "order_status", "confidence": 0.21}]},
      "sentiment": {"label": "frustrated", "score": -0.7},
      "reason": "low_confidence",
      "priority": "high",
      "summary": "Wants a refund for order A123; item arrived damaged; photo sent.",
      "collected_fields": {"order_id": "A123", "amount": "59.00", "currency": "USD"},
      "attempted_actions": [
        {"tool": "orders.lookup", "params": {"order_id": "A123"}, "status": "succeeded",
         "result": "delivered 2026-11-20", "at": "2026-11-23T17:59:02Z"},
        {"tool": "billing.refund", "params": {"order_id": "A123", "amount": "59.00"},
         "status": "denied", "result": "above bot limit of 25.00", "at": "2026-11-23T17:59:40Z"}],
      "transcript": [
        {"role": "customer", "text": "My blender arrived broken. I want my money back.", "at": "2026-11-23T17:58:10Z"},
        {"role": "bot", "text": "I'm sorry to hear that. Refunds above 25.00 need a colleague; connecting you now.",
         "at": "2026-11-23T17:59:45+01:00", "sources": ["kb/returns"]}],
      "bot": {"name": "helpbot", "version": "2026.11.2"}
    })
}

/// A valid document with another id, priority, time and intent.
pub fn doc(id: &str, priority: &str, escalated_at: &str, intent: &str, confidence: f64) -> Value {
    let mut d = valid_doc();
    d["handoff_id"] = json!(id);
    d["priority"] = json!(priority);
    d["escalated_at"] = json!(escalated_at);
    d["intent"]["name"] = json!(intent);
    d["intent"]["confidence"] = json!(confidence);
    d
}

/// Sets (or, with `None`, removes) the value at a JSON pointer.
pub fn mutate(mut v: Value, pointer: &str, new: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    let target = v.pointer_mut(parent).unwrap_or_else(|| panic!("no parent at {pointer}"));
    match (target, new) {
        (Value::Object(m), Some(n)) => {
            m.insert(key.to_owned(), n);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(a), Some(n)) => a[key.parse::<usize>().expect("index")] = n,
        (Value::Array(a), None) => {
            a.remove(key.parse::<usize>().expect("index"));
        }
        _ => panic!("cannot mutate {pointer}"),
    }
    v
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("json")
}

/// A team lead's rubric: the summary accurate, the context complete, the timing right; when the
/// bot's intent was wrong, the right one was `order_status`.
pub fn rubric(intent_correct: bool, overall: u8) -> RatingInput {
    RatingInput {
        summary_accurate: SummaryVerdict::Yes,
        intent_correct,
        correct_intent: (!intent_correct).then(|| "order_status".to_owned()),
        context_complete: true,
        missing_fields: vec![],
        actions_reported: true,
        timing: EscalationTiming::Right,
        overall,
        comment: String::new(),
    }
}
