//! Guardrails shared by every draft engine (OWASP Top 10 for LLM applications in mind):
//!
//! * customer text is passed as delimited, untrusted content ([`delimit_untrusted`]);
//! * PII (Luhn-valid card numbers, government ids, and patterns the config adds) is masked before
//!   any text leaves the machine and before it is logged or stored ([`Pii::mask`]);
//! * topics on the refusal list produce a note to the agent instead of an answer ([`refusal_topic`]);
//! * a likely prompt injection in the customer's text is flagged ([`injection_suspected`]);
//! * a draft that claims an action that did not happen, or makes a policy claim with no source,
//!   is flagged ([`check_draft`]).

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{ActionStatus, Handoff};

/// A topic the desk never lets a draft answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RefusalTopic {
    LegalAdvice,
    MedicalAdvice,
    PricingNegotiation,
    SecurityIncident,
}

impl RefusalTopic {
    pub fn note(self) -> &'static str {
        match self {
            RefusalTopic::LegalAdvice => "The customer asks for legal advice. Do not advise; point them to their own counsel or the legal team.",
            RefusalTopic::MedicalAdvice => "The customer asks for medical advice. Do not advise; point them to a medical professional.",
            RefusalTopic::PricingNegotiation => "The customer wants to negotiate a price. Only an authorised person may offer discounts.",
            RefusalTopic::SecurityIncident => "Possible account compromise or security incident. Follow the security-incident procedure; do not discuss details in the chat.",
        }
    }
}

/// What a guardrail noticed about a draft or the text it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DraftFlag {
    /// The customer's text looks like an attempt to instruct the model.
    PromptInjection,
    /// The draft says an action happened that the handoff does not show as done.
    UnverifiedActionClaim,
    /// The draft states policy without citing a source.
    UnsourcedPolicyClaim,
    /// A refusal-list topic: the draft is a note to the agent, not an answer.
    RefusalTopic,
    /// PII was masked before the text left the machine.
    PiiMasked,
    /// Retrieval found nothing relevant: the engine abstained.
    Abstained,
    /// The LLM engine failed and the embedded engine answered instead.
    FellBack,
}

impl DraftFlag {
    /// A warning the agent must look at before sending (a draft with one is not sent by a
    /// single key); the others are information.
    pub fn is_warning(self) -> bool {
        matches!(self, DraftFlag::PromptInjection | DraftFlag::UnverifiedActionClaim | DraftFlag::UnsourcedPolicyClaim | DraftFlag::RefusalTopic)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    CardNumber,
    GovernmentId,
    Custom,
}

/// The PII masker: built-in patterns plus the ones the config adds.
#[derive(Debug, Clone, Default)]
pub struct Pii {
    extra: Vec<Regex>,
}

fn card_candidates() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // 13–19 digits, optionally grouped by single spaces or dashes.
    R.get_or_init(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("regex"))
}

fn government_ids() -> &'static [Regex] {
    static R: OnceLock<Vec<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        [
            r"\b\d{3}-\d{2}-\d{4}\b",                              // US SSN
            r"(?i)\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", // UK National Insurance
            r"(?i)\b(?:passport|license|licence)(?: number| no\.?)?[:#]? ?[A-Z0-9]{6,12}\b",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("regex"))
        .collect()
    })
}

/// The Luhn check over the digits of `s` (separators ignored).
pub fn luhn_valid(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}

impl Pii {
    /// With extra patterns (regular expressions) from the config; a bad pattern is an error.
    pub fn new(extra: &[String]) -> Result<Self, String> {
        let extra = extra.iter().map(|p| Regex::new(p).map_err(|e| format!("PII pattern {p:?}: {e}"))).collect::<Result<_, _>>()?;
        Ok(Self { extra })
    }

    /// Masks PII; returns the masked text and what was masked. Card numbers keep their last
    /// four digits ("[card •••• 4242]"); a Luhn-invalid number (an order number) is left alone.
    pub fn mask(&self, text: &str) -> (String, Vec<PiiKind>) {
        let mut kinds = vec![];
        let mut out = card_candidates()
            .replace_all(text, |c: &regex::Captures<'_>| {
                let m = &c[0];
                if luhn_valid(m) {
                    kinds.push(PiiKind::CardNumber);
                    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
                    format!("[card •••• {}]", &digits[digits.len() - 4..])
                } else {
                    m.to_owned()
                }
            })
            .into_owned();
        for r in government_ids() {
            if r.is_match(&out) {
                kinds.push(PiiKind::GovernmentId);
                out = r.replace_all(&out, "[id masked]").into_owned();
            }
        }
        for r in &self.extra {
            if r.is_match(&out) {
                kinds.push(PiiKind::Custom);
                out = r.replace_all(&out, "[masked]").into_owned();
            }
        }
        kinds.dedup();
        (out, kinds)
    }
}


/// Anything a model could read as the delimiter's tag, whatever its case or spacing:
/// `<customer_message`, `</Customer_Message`, `< / CUSTOMER_MESSAGE`.
fn delimiter_tag() -> &'static regex::Regex {
    static TAG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    TAG.get_or_init(|| regex::Regex::new(r"(?i)<(\s*/?\s*customer_message)").expect("a valid pattern"))
}

/// Wraps untrusted text (what the customer wrote, and what the bot derived from it) as data for
/// a model: tags that cannot be opened or closed from inside.
pub fn delimit_untrusted(text: &str) -> String {
    let inner = delimiter_tag().replace_all(text, "‹$1");
    format!("<customer_message untrusted=\"true\">\n{inner}\n</customer_message>")
}

fn words(text: &str) -> String {
    format!(" {} ", text.to_lowercase().split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
}

/// The refusal-list topic the customer's text is about, if any.
pub fn refusal_topic(text: &str) -> Option<RefusalTopic> {
    let w = words(text);
    let has = |phrases: &[&str]| phrases.iter().any(|p| w.contains(&format!(" {p} ")));
    if has(&[
        "hacked", "compromised", "someone logged into my account", "someone accessed", "unauthorized access", "unauthorised access",
        "identity theft", "phishing", "data breach", "stole my account", "taken over", "account takeover", "someone else logged in",
    ]) {
        return Some(RefusalTopic::SecurityIncident);
    }
    if has(&["lawyer", "attorney", "sue", "suing", "lawsuit", "legal action", "small claims", "court", "is it legal", "my legal rights", "legally"]) {
        return Some(RefusalTopic::LegalAdvice);
    }
    if has(&[
        "doctor", "medication", "medicine", "dosage", "dose", "symptoms", "diagnosis", "allergic reaction", "rash", "is it safe to take",
        "pregnant", "side effects",
    ]) {
        return Some(RefusalTopic::MedicalAdvice);
    }
    if has(&[
        "discount", "price match", "cheaper", "lower the price", "better price", "better deal", "negotiate", "knock off", "give me a deal",
        "competitor sells", "match the price",
    ]) {
        return Some(RefusalTopic::PricingNegotiation);
    }
    None
}

/// Whether the customer's message only asks for a person ("can I talk to a human?"), so it
/// carries no question of its own: the draft answers the conversation, not these words. Needs
/// both a person ("a human", "an agent", "someone from your team") and a request for one
/// ("talk to", "get me", "is there"), in a short message: "I spoke to an agent yesterday, where
/// is my refund?" and "Can a person collect the parcel?" are questions, not requests.
pub fn handover_request(text: &str) -> bool {
    let w = words(text);
    let has = |phrases: &[&str]| phrases.iter().any(|p| w.contains(&format!(" {p} ")));
    w.split_whitespace().count() <= 16
        && has(&[
            "real person", "a human", "human being", "an agent", "a person", "someone", "a representative", "a manager",
            "a supervisor", "an operator", "live agent", "a real agent", "customer service rep",
        ])
        && has(&[
            "talk to", "talk with", "speak to", "speak with", "get me", "put me through", "connect me", "transfer me",
            "i want", "i need", "i'd like", "can i", "could i", "may i", "is there", "let me", "give me", "want to speak",
        ])
}

/// Whether the customer's text looks like an attempt to instruct the model.
pub fn injection_suspected(text: &str) -> bool {
    static R: OnceLock<Vec<Regex>> = OnceLock::new();
    let rules = R.get_or_init(|| {
        [
            r"(?i)\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|your|the)\b.{0,20}\b(instructions?|rules|prompt|guidelines|directions)",
            r"(?i)\b(system|developer|hidden|initial)\s+(prompt|message|instructions?)",
            r"(?i)\b(reveal|show|print|repeat|output|tell me)\b.{0,30}\b(instructions?|prompt|rules|configuration)",
            r"(?i)\byou are (now|no longer)\b",
            r"(?i)\b(act|pretend|behave) as (if|an?|the)\b",
            r"(?i)\b(developer|dan|god|jailbreak) mode\b",
            r"(?i)<\|?(im_start|im_end|system|endoftext)\|?>",
            r"(?i)^\s*(###|\[)\s*(system|instruction|assistant)",
            r"(?i)\b(new|updated) instructions?\s*:",
            r"(?i)\bas an ai\b.{0,40}\b(you must|you will|you should)\b",
            r"(?i)\b(approve|issue|process)\b.{0,30}\b(refund|credit)\b.{0,30}\bwithout\b.{0,20}\b(approval|checking|verification)",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("regex"))
        .collect()
    });
    rules.iter().any(|r| r.is_match(text))
}

/// Flags for a finished draft: claims of actions the handoff does not show as done, and policy
/// statements with no source behind them.
pub fn check_draft(draft: &str, handoff: &Handoff, has_sources: bool) -> Vec<DraftFlag> {
    static CLAIM: OnceLock<Regex> = OnceLock::new();
    static POLICY: OnceLock<Regex> = OnceLock::new();
    let claim = CLAIM.get_or_init(|| {
        Regex::new(r"(?i)\b(i|we)\s*(have|'ve|just)?\s*(refunded|cancell?ed|issued|processed|changed|updated|closed|reset|credited|frozen|froze|sent|reversed|replaced)\b|\b(has|have) (been|now been) (refunded|cancell?ed|issued|processed|changed|updated|closed|reset|credited|frozen|sent|reversed|replaced)\b").expect("regex")
    });
    let policy = POLICY.get_or_init(|| {
        Regex::new(r"(?i)\b(our policy|per policy|policy (is|says|states)|within \d+ days|eligible for|not eligible|guarantee[ds]?|warranty|we (do not|don't|cannot|can't) (accept|allow|offer|refund))\b").expect("regex")
    });
    let mut flags = vec![];
    if let Some(m) = claim.find(draft) {
        let verb = m.as_str().to_lowercase();
        let done = handoff.attempted_actions.iter().any(|a| {
            a.status == ActionStatus::Succeeded && {
                let t = a.tool.to_lowercase();
                (verb.contains("refund") || verb.contains("credit")) && (t.contains("refund") || t.contains("credit"))
                    || verb.contains("cancel") && t.contains("cancel")
                    || (verb.contains("changed") || verb.contains("updated")) && (t.contains("change") || t.contains("update"))
                    || verb.contains("froze") && t.contains("freeze")
                    || verb.contains("sent") && (t.contains("send") || t.contains("resend"))
                    || verb.contains("closed") && t.contains("close")
                    || verb.contains("reset") && t.contains("reset")
            }
        });
        if !done {
            flags.push(DraftFlag::UnverifiedActionClaim);
        }
    }
    if !has_sources && policy.is_match(draft) {
        flags.push(DraftFlag::UnsourcedPolicyClaim);
    }
    flags
}
