//! The `handoff/v1` contract: what a bot sends when it escalates a conversation to a human.
//!
//! The JSON Schema in `schema/handoff-v1.schema.json` describes the same contract; a test keeps
//! the two in agreement. [`validate`] turns untrusted JSON into a [`Handoff`] or into every error
//! it found, each with its JSON path.

mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use validate::{parse_document, validate_value, FieldError, Invalid};

/// The value of `schema` in every v1 document.
pub const SCHEMA_V1: &str = "handoff/v1";

/// Limits of the contract. Beyond a limit a document is rejected with the path and the limit,
/// never truncated.
pub mod limits {
    /// `handoff_id`, `conversation_id`, `customer.id`: 1..=128 characters of `[A-Za-z0-9_.:-]`.
    pub const ID_MAX: usize = 128;
    /// A short name: intent names, tool names, bot name and version, field keys, tier, language.
    pub const NAME_MAX: usize = 64;
    /// `customer.name` and `customer.email`.
    pub const PERSON_MAX: usize = 256;
    /// `summary`.
    pub const SUMMARY_MAX: usize = 2_000;
    /// One transcript turn's text, an action's result, a collected field's value.
    pub const TEXT_MAX: usize = 8_000;
    /// Turns per transcript.
    pub const TURNS_MAX: usize = 500;
    /// Attempted actions per handoff.
    pub const ACTIONS_MAX: usize = 100;
    /// Intent alternatives.
    pub const ALTERNATIVES_MAX: usize = 10;
    /// Collected fields.
    pub const FIELDS_MAX: usize = 100;
    /// Sources on one bot turn.
    pub const SOURCES_MAX: usize = 20;
    /// Nesting depth of an action's `params` (the params object itself is depth 1).
    pub const PARAMS_DEPTH_MAX: usize = 5;
    /// Bytes of one document (one line of a JSON Lines file).
    pub const DOCUMENT_BYTES_MAX: usize = 1_048_576;
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The exact (case-sensitive) text of this value in the contract.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            /// Parses the exact text; `None` for anything else.
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

/// For the other closed sets of words the stores keep as text (e.g. [`crate::routing::OfferState`]).
pub(crate) use string_enum;

string_enum!(
    /// Where the customer talks to the bot.
    Channel { Web => "web", Email => "email", Sms => "sms", Whatsapp => "whatsapp", InApp => "in_app", Voice => "voice" }
);
string_enum!(
    /// Why the bot handed the conversation over.
    EscalationReason {
        LowConfidence => "low_confidence",
        CustomerRequestedHuman => "customer_requested_human",
        PolicyRefusal => "policy_refusal",
        HighRiskAction => "high_risk_action",
        Sentiment => "sentiment",
        RepeatedCorrection => "repeated_correction",
        MissingFields => "missing_fields",
        ToolFailure => "tool_failure",
        MaxTurns => "max_turns",
    }
);
string_enum!(
    /// How soon a human must answer.
    Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
);
string_enum!(
    /// The customer's mood as the bot read it.
    SentimentLabel { Positive => "positive", Neutral => "neutral", Negative => "negative", Frustrated => "frustrated", Angry => "angry" }
);
string_enum!(
    /// What became of a tool call the bot attempted.
    ActionStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed", Denied => "denied" }
);
string_enum!(
    /// Who said a transcript turn.
    TurnRole { Customer => "customer", Bot => "bot", Agent => "agent", System => "system" }
);

impl Priority {
    /// Higher is more urgent: low 0, normal 1, high 2, urgent 3.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }
}

/// One escalation, as the bot sent it and validation accepted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Handoff {
    pub schema: String,
    pub handoff_id: String,
    pub conversation_id: String,
    /// RFC 3339 with an offset.
    pub escalated_at: String,
    pub channel: Channel,
    pub customer: Customer,
    pub intent: Intent,
    pub sentiment: Sentiment,
    pub reason: EscalationReason,
    pub priority: Priority,
    pub summary: String,
    #[ts(type = "Record<string, string>")]
    pub collected_fields: BTreeMap<String, String>,
    pub attempted_actions: Vec<AttemptedAction>,
    pub transcript: Vec<Turn>,
    pub bot: BotInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Customer {
    pub id: String,
    /// Null for anonymous, SMS and voice customers.
    pub name: Option<String>,
    pub email: Option<String>,
    pub tier: Option<String>,
    pub verified: bool,
    /// A BCP 47 language tag such as `en` or `pt-BR`.
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Intent {
    pub name: String,
    /// 0..=1.
    pub confidence: f64,
    pub alternatives: Vec<IntentAlternative>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IntentAlternative {
    pub name: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Sentiment {
    pub label: SentimentLabel,
    /// -1 (most negative) ..= 1 (most positive).
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttemptedAction {
    pub tool: String,
    #[ts(type = "Record<string, unknown>")]
    pub params: serde_json::Map<String, serde_json::Value>,
    pub status: ActionStatus,
    /// Null while the action is pending.
    pub result: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Turn {
    pub role: TurnRole,
    pub text: String,
    pub at: String,
    /// Knowledge-base articles a bot turn relied on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sources: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotInfo {
    pub name: String,
    pub version: String,
}

/// Where a collected field's value came from, as far as the handoff shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldProvenance {
    /// A system confirmed it: an action that succeeded was called with this value.
    Verified,
    /// The customer said it: it appears in one of their turns.
    Stated,
    /// Neither: the bot inferred it.
    Inferred,
}

impl Handoff {
    /// The provenance of each collected field.
    pub fn field_provenance(&self) -> BTreeMap<String, FieldProvenance> {
        let customer_text: Vec<String> =
            self.transcript.iter().filter(|t| t.role == TurnRole::Customer).map(|t| t.text.to_lowercase()).collect();
        self.collected_fields
            .iter()
            .map(|(k, v)| {
                let needle = v.trim().to_lowercase();
                let verified = !needle.is_empty()
                    && self.attempted_actions.iter().any(|a| {
                        a.status == ActionStatus::Succeeded
                            && a.params.values().any(|p| p.as_str().is_some_and(|s| s.trim().to_lowercase() == needle))
                    });
                let stated = !needle.is_empty() && customer_text.iter().any(|t| t.contains(&needle));
                let p = if verified {
                    FieldProvenance::Verified
                } else if stated {
                    FieldProvenance::Stated
                } else {
                    FieldProvenance::Inferred
                };
                (k.clone(), p)
            })
            .collect()
    }

    /// The canonical JSON of this document: keys in declaration order, no whitespace.
    /// Two documents with the same canonical JSON are the same escalation, unchanged.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a Handoff always serialises")
    }

    /// Milliseconds since the epoch of `escalated_at` (validated, so it parses).
    pub fn escalated_ms(&self) -> i64 {
        chrono::DateTime::parse_from_rfc3339(&self.escalated_at)
            .map(|t| t.timestamp_millis())
            .unwrap_or(0)
    }
}
