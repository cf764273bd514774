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
        let Some(best) = best else {
            return DraftOutput {
                text: "No knowledge-base article covers this message, so there is no draft. Answer it yourself, or escalate it if it needs a specialist.".into(),
                abstained: true,
                confidence: 0.0,
                sources: vec![],
                model: None,
            };
        };
        let first_name = h.customer.name.as_deref().and_then(|n| n.split_whitespace().next()).map(str::to_owned);
        let lookup = |name: &str| -> Option<String> {
            if name == "first_name" {
                return first_name.clone();
            }
            h.collected_fields.get(name).filter(|v| !v.trim().is_empty()).cloned()
        };
        let opening = fill(&self.template_for(&h.intent.name).text, &lookup);
        let mut text = match &first_name {
            Some(n) => format!("Hi {n},\n\n{opening}"),
            None => format!("Hello,\n\n{opening}"),
        };
        // Customer-facing policy articles are quoted; agent guidelines only inform (and are cited).
        let mut sources = vec![best.clone()];
        if let Some(policy) = ctx.passages.iter().find(|p| p.article_id.starts_with("policies/") && p.coverage >= self.min_coverage) {
            text.push_str("\n\n");
            text.push_str(&first_sentences(&policy.text, 320));
            if policy.article_id != best.article_id {
                sources.push(policy.clone());
            }
        }
        text.push_str("\n\nIs there anything else I can help you with?");
        let confidence = (0.35 + 0.6 * best.coverage).min(0.95);
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
