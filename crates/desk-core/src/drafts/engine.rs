//! Draft engines. Both take the same [`DraftContext`] (PII already masked, passages already
//! retrieved, the customer's text delimited as untrusted) and stream tokens as they write.

use std::future::Future;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::kb::Passage;
use crate::handoff::Handoff;

pub const EMBEDDED_TEMPLATES: &str = include_str!("../../../../config/templates.toml");

/// What an engine gets.
#[derive(Debug, Clone)]
pub struct DraftContext {
    /// The handoff, its free text PII-masked.
    pub handoff: Handoff,
    /// The customer message being answered (masked).
    pub customer_text: String,
    /// That message only asked for a person; `passages` were found for the customer's last
    /// message with a question in it.
    pub handover: bool,
    pub passages: Vec<Passage>,
}

/// What an engine returns.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftOutput {
    pub text: String,
    /// A note to the agent instead of a reply (the engine abstained).
    pub abstained: bool,
    pub confidence: f64,
    /// Passages actually relied on.
    pub sources: Vec<Passage>,
    pub model: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum DraftError {
    #[error("the model server did not answer in time")]
    Timeout,
    #[error("the model server is rate limiting requests (429)")]
    RateLimited,
    #[error("the model server failed ({0})")]
    Server(u16),
    #[error("the model server sent something that is not the chat-completions stream: {0}")]
    Malformed(String),
    #[error("the connection to the model server dropped before the reply was complete")]
    Dropped,
    #[error("cannot reach the model server: {0}")]
    Unreachable(String),
    #[error("no API key is stored for the model server")]
    NoApiKey,
}

/// A way of writing draft replies.
pub trait DraftEngine {
    fn name(&self) -> &'static str;
    /// Writes a draft, calling `on_token` with each piece of text as it is produced.
    fn draft(&self, ctx: &DraftContext, on_token: &(dyn Fn(&str) + Send + Sync)) -> impl Future<Output = Result<DraftOutput, DraftError>> + Send;
}

#[derive(Debug, Clone, Deserialize)]
struct Template {
    intents: Vec<String>,
    text: String,
}

#[derive(Debug, Clone, Deserialize)]
struct TemplateFile {
    template: Vec<Template>,
}

/// The least share of the customer's words a policy passage must cover to be quoted to them.
pub const POLICY_MIN_COVERAGE: f64 = 0.34;

/// The embedded default: retrieval from the knowledge base and per-intent templates whose slots
/// are filled from the collected fields. Needs nothing outside the machine. Abstains (and says
/// so) when retrieval finds nothing relevant.
#[derive(Debug, Clone)]
pub struct EmbeddedEngine {
    templates: Vec<Template>,
    /// Below this coverage of the customer's words, the best passage is not relevant.
    pub min_coverage: f64,
}

impl Default for EmbeddedEngine {
    fn default() -> Self {
        Self::from_toml(EMBEDDED_TEMPLATES).expect("the embedded templates.toml is valid")
    }
}

/// Fills `{field}` slots; a `[segment]` with a missing field is dropped (segments may nest).
pub fn fill(template: &str, fields: &dyn Fn(&str) -> Option<String>) -> String {
    fn segment(chars: &[char], i: &mut usize, fields: &dyn Fn(&str) -> Option<String>) -> (String, bool) {
        let mut out = String::new();
        let mut complete = true;
        while *i < chars.len() {
            match chars[*i] {
                '[' => {
                    *i += 1;
                    let (inner, ok) = segment(chars, i, fields);
                    if ok {
                        out.push_str(&inner);
                    }
                }
                ']' => {
                    *i += 1;
                    return (out, complete);
                }
                '{' => {
                    let end = chars[*i..].iter().position(|c| *c == '}').map(|p| *i + p);
                    match end {
                        Some(e) => {
                            let name: String = chars[*i + 1..e].iter().collect();
                            match fields(name.trim()) {
                                Some(v) => out.push_str(&v),
                                None => complete = false,
                            }
                            *i = e + 1;
                        }
                        None => {
                            out.push('{');
                            *i += 1;
                        }
                    }
                }
                c => {
                    out.push(c);
                    *i += 1;
                }
            }
        }
        (out, complete)
    }
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    segment(&chars, &mut i, fields).0
}

/// The collected fields as one line a customer can check ("car type Standard; pickup city
/// Vegas"), at most `max` of them; `None` when there are none.
///
/// Contact and identity details (names, email, phone, address, usernames, account numbers,
/// membership) are left out: the customer knows them, and a reply need not carry them.
pub fn recap(fields: &std::collections::BTreeMap<String, String>, max: usize) -> Option<String> {
    const PRIVATE: &[&str] = &["name", "email", "phone", "address", "street", "zip", "postcode", "user", "account", "member", "tier", "password", "ssn", "card", "iban", "dob", "birth", "topic"];
    let parts: Vec<String> = fields
        .iter()
        .filter(|(k, v)| {
            let k = k.to_lowercase();
            !v.trim().is_empty() && !PRIVATE.iter().any(|p| k.contains(p))
        })
        .take(max)
        .map(|(k, v)| format!("{} {}", k.replace('_', " "), v.trim().trim_end_matches(['.', ';', ','])))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn first_sentences(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for s in text.split_inclusive(['.', '!', '?']) {
        if !out.is_empty() && out.len() + s.len() > max_chars {
            break;
        }
        out.push_str(s);
    }
    out.trim().to_owned()
}

impl EmbeddedEngine {
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let f: TemplateFile = toml::from_str(text).map_err(|e| format!("templates.toml: {e}"))?;
        if !f.template.iter().any(|t| t.intents.is_empty()) {
            return Err("templates.toml: the last template must have no intents (the fallback)".into());
        }
        Ok(Self { templates: f.template, min_coverage: 0.2 })
    }

    fn template_for(&self, intent: &str) -> &Template {
        self.templates
            .iter()
            .find(|t| t.intents.iter().any(|i| i == intent))
            .or_else(|| self.templates.iter().find(|t| t.intents.is_empty()))
            .expect("a fallback template")
    }

    /// Composes the reply without streaming (the engine's whole logic).
    pub fn compose(&self, ctx: &DraftContext) -> DraftOutput {
        let h = &ctx.handoff;
        let best = ctx.passages.first().filter(|p| p.coverage >= self.min_coverage);
        let first_name = h.customer.name.as_deref().and_then(|n| n.split_whitespace().next()).map(str::to_owned);
        let hello = match &first_name {
            Some(n) => format!("Hi {n},\n\n"),
            None => "Hello,\n\n".to_owned(),
        };
        if ctx.handover && best.is_none() {
            // The customer asked for a person and the knowledge base has nothing on their
            // question: take over, show what is already known (so nothing has to be repeated),
            // and claim nothing. No source, so a low confidence.
            let mut text = format!("{hello}I'm a member of the support team and I've read your conversation with our assistant, so you won't need to repeat anything.");
            if let Some(r) = recap(&h.collected_fields, 5) {
                text.push_str(&format!(" Here's what I have so far: {r}."));
            }
            text.push_str(" I'm looking into it now and will be right back with you.");
            return DraftOutput { text, abstained: false, confidence: 0.4, sources: vec![], model: None };
        }
        let Some(best) = best else {
            return DraftOutput {
                text: "No knowledge-base article covers this message, so there is no draft. Answer it yourself, or escalate it if it needs a specialist.".into(),
                abstained: true,
                confidence: 0.0,
                sources: vec![],
                model: None,
            };
        };
        let lookup = |name: &str| -> Option<String> {
            match name {
                "first_name" => first_name.clone(),
                "recap" => recap(&h.collected_fields, 5),
                _ => h.collected_fields.get(name).filter(|v| !v.trim().is_empty()).cloned(),
            }
        };
        let template = self.template_for(&h.intent.name);
        let opening = fill(&template.text, &lookup);
        // The fallback template already says who is writing; the others get a line first.
        let mut text = if ctx.handover && !template.intents.is_empty() {
            format!("{hello}I'm from the support team and I'm taking over from our assistant. {opening}")
        } else {
            format!("{hello}{opening}")
        };
        // Customer-facing policy articles are quoted; agent guidelines only inform (and are cited)
        // when the template is about the handoff's topic. The fallback template says nothing a
        // guideline backs, so there it cites only a quoted policy: a source is shown only when
        // the draft relies on it. A policy is quoted only when it is about the message.
        let fallback = template.intents.is_empty();
        let mut sources = if fallback { vec![] } else { vec![best.clone()] };
        // Quoting a policy to a customer needs more than a passage worth citing: the article is
        // about the message (a title/keyword word, or its intent) and covers a third of its words
        // ("exchange rate" shares a keyword with the returns policy's "exchange", and nothing else).
        let policy = ctx
            .passages
            .iter()
            .find(|p| p.article_id.starts_with("policies/") && p.topical && p.coverage >= self.min_coverage.max(POLICY_MIN_COVERAGE));
        if let Some(policy) = policy {
            text.push_str("\n\n");
            // The first paragraph is written for the customer; later ones may be notes for agents.
            text.push_str(&first_sentences(policy.text.split("\n\n").next().unwrap_or(&policy.text), 320));
            if !sources.iter().any(|s| s.article_id == policy.article_id) {
                sources.push(policy.clone());
            }
        }
        // An acknowledgement promises the next step; an answer offers more help.
        text.push_str(if fallback && policy.is_none() {
            "\n\nI'm looking into it now and will be right back with you."
        } else {
            "\n\nIs there anything else I can help you with?"
        });
        let confidence = match (fallback, policy) {
            (false, _) => (0.35 + 0.6 * best.coverage).min(0.95),
            (true, Some(p)) => (0.35 + 0.6 * p.coverage).min(0.95),
            // Only an acknowledgement: nothing in it is an answer.
            (true, None) => 0.4,
        };
        DraftOutput { text, abstained: false, confidence: (confidence * 100.0).round() / 100.0, sources, model: None }
    }
}

impl DraftEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn draft(&self, ctx: &DraftContext, on_token: &(dyn Fn(&str) + Send + Sync)) -> Result<DraftOutput, DraftError> {
        let out = self.compose(ctx);
        for piece in out.text.split_inclusive(' ') {
            on_token(piece);
        }
        Ok(out)
    }
}
