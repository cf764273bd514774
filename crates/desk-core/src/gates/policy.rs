//! The risk policy (`config/policy.toml`): maps a tool call (tool, risk class, amount, currency,
//! customer tier, flags) to allow | confirm | approve | deny with a human-readable reason. Rules
//! are tried in order and the first match decides; the file's SHA-256 is stored with every
//! decision so a decision can always be traced to the exact policy that made it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::tools::{money_minor, ToolSpec};

pub const EMBEDDED_POLICY: &str = include_str!("../../../../config/policy.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Confirm,
    Approve,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Confirm => "confirm",
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Decision::Allow, Decision::Confirm, Decision::Approve, Decision::Deny].into_iter().find(|d| d.as_str() == s)
    }
}

/// Facts about a call the policy can match on, derived by `desk-core`, never typed by the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// An agent marked the conversation as suspected fraud, or the bot collected `fraud_suspected`.
    FraudSuspected,
    /// The handoff says the customer's identity is not verified.
    UnverifiedIdentity,
    /// A parameter's value appears in what the customer wrote (it could be an injection).
    ParamsFromCustomerText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Rule {
    pub id: String,
    #[serde(default)]
    pub tool: Option<String>,
    #[serde(default)]
    pub risk: Option<String>,
    #[serde(default)]
    pub amount_over: Option<String>,
    #[serde(default)]
    pub amount_at_most: Option<String>,
    #[serde(default)]
    pub currency: Option<Vec<String>>,
    #[serde(default)]
    pub tiers: Option<Vec<String>>,
    #[serde(default)]
    pub flags_any: Option<Vec<Flag>>,
    pub decision: Decision,
    pub reason: String,
}

#[derive(Deserialize)]
struct PolicyFile {
    version: String,
    /// Approving a call whose amount is above this asks the supervisor's password again.
    #[serde(default)]
    step_up_amount_over: Option<String>,
    /// Approving a call of a tool in one of these risk classes always asks for it.
    #[serde(default)]
    step_up_risks: Vec<String>,
    rule: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub version: String,
    pub sha256: String,
    pub step_up_amount_over_minor: Option<i64>,
    /// Approving a call of a tool in one of these risk classes always asks for the password.
    pub step_up_risks: Vec<String>,
    rules: Vec<Rule>,
}

/// What the policy decided and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PolicyDecision {
    pub decision: Decision,
    pub rule_id: String,
    pub reason: String,
    /// The conditions of the matching rule, in words.
    pub matched: Vec<String>,
    pub policy_version: String,
    pub policy_sha256: String,
}

pub struct PolicyInput<'a> {
    pub tool: &'a ToolSpec,
    pub params: &'a Map<String, Value>,
    pub tier: Option<&'a str>,
    pub flags: &'a [Flag],
}

impl Policy {
    pub fn embedded() -> Self {
        Self::from_toml(EMBEDDED_POLICY).expect("the embedded policy.toml is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let f: PolicyFile = toml::from_str(text).map_err(|e| format!("policy.toml: {e}"))?;
        for r in &f.rule {
            for a in [&r.amount_over, &r.amount_at_most].into_iter().flatten() {
                if money_minor(a).is_none() {
                    return Err(format!("policy.toml: rule {} has an amount that is not money: {a}", r.id));
                }
            }
        }
        let step_up = match &f.step_up_amount_over {
            Some(s) => Some(money_minor(s).ok_or_else(|| format!("policy.toml: step_up_amount_over is not money: {s}"))?),
            None => None,
        };
        Ok(Self {
            version: f.version,
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            step_up_amount_over_minor: step_up,
            step_up_risks: f.step_up_risks,
            rules: f.rule,
        })
    }

    /// Whether approving this call asks the approver for their password again: a tool whose
    /// risk class is listed (closure, payment, account changes, cancellations), or an amount
    /// above the threshold, whatever the tool.
    pub fn approval_needs_step_up(&self, tool: Option<&ToolSpec>, params: &Map<String, Value>) -> bool {
        let risky = tool.is_some_and(|t| self.step_up_risks.iter().any(|r| *r == t.risk));
        let amount = params.get("amount").and_then(Value::as_str).and_then(money_minor);
        risky || matches!((amount, self.step_up_amount_over_minor), (Some(a), Some(l)) if a > l)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The first matching rule decides; with none, the call is denied.
    pub fn evaluate(&self, input: &PolicyInput<'_>) -> PolicyDecision {
        let amount = input.params.get("amount").and_then(Value::as_str).and_then(money_minor);
        let currency = input.params.get("currency").and_then(Value::as_str);
        for r in &self.rules {
            let mut matched = vec![];
            if let Some(t) = &r.tool {
                let ok = match t.strip_suffix('*') {
                    Some(prefix) => input.tool.name.starts_with(prefix),
                    None => &input.tool.name == t,
                };
                if !ok {
                    continue;
                }
                matched.push(format!("tool is {t}"));
            }
            if let Some(risk) = &r.risk {
                if &input.tool.risk != risk {
                    continue;
                }
                matched.push(format!("risk class is {risk}"));
            }
            if let Some(over) = r.amount_over.as_deref() {
                match (amount, money_minor(over)) {
                    (Some(a), Some(o)) if a > o => matched.push(format!("amount is over {over}")),
                    _ => continue,
                }
            }
            if let Some(most) = r.amount_at_most.as_deref() {
                match (amount, money_minor(most)) {
                    (Some(a), Some(m)) if a <= m => matched.push(format!("amount is at most {most}")),
                    _ => continue,
                }
            }
            if let Some(cs) = &r.currency {
                match currency {
                    Some(c) if cs.iter().any(|x| x == c) => matched.push(format!("currency is {c}")),
                    _ => continue,
                }
            }
            if let Some(tiers) = &r.tiers {
                match input.tier {
                    Some(t) if tiers.iter().any(|x| x == t) => matched.push(format!("customer tier is {t}")),
                    _ => continue,
                }
            }
            if let Some(flags) = &r.flags_any {
                match flags.iter().find(|f| input.flags.contains(f)) {
                    Some(f) => matched.push(format!("flag {}", serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())),
                    None => continue,
                }
            }
            if matched.is_empty() {
                matched.push("catch-all rule".into());
            }
            return PolicyDecision {
                decision: r.decision,
                rule_id: r.id.clone(),
                reason: r.reason.clone(),
                matched,
                policy_version: self.version.clone(),
                policy_sha256: self.sha256.clone(),
            };
        }
        PolicyDecision {
            decision: Decision::Deny,
            rule_id: "none".into(),
            reason: "No rule of the policy matches this call, so it is denied.".into(),
            matched: vec![],
            policy_version: self.version.clone(),
            policy_sha256: self.sha256.clone(),
        }
    }
}
