//! Field-by-field validation of untrusted `handoff/v1` JSON. Every error is collected, each with
//! its JSON path (`$.intent.confidence`, `$.transcript[3].text`), so a bot team can fix a whole
//! document in one round trip.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::limits::*;
use super::*;

/// One reason a document is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldError {
    /// JSON path of the offending value, `$` for the whole document.
    pub path: String,
    pub message: String,
}

/// A document that failed validation: every error found, and the `handoff_id` when it had one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid handoff/v1 document ({} error(s)); first: {}: {}", errors.len(), errors[0].path, errors[0].message)]
pub struct Invalid {
    pub handoff_id: Option<String>,
    pub errors: Vec<FieldError>,
}

/// Parses and validates one document from raw bytes (one line of a JSON Lines file, or an HTTP
/// body): size, UTF-8, JSON syntax, then every field.
pub fn parse_document(raw: &[u8]) -> Result<Handoff, Invalid> {
    let fail = |message: String| Invalid {
        handoff_id: None,
        errors: vec![FieldError { path: "$".into(), message }],
    };
    if raw.len() > DOCUMENT_BYTES_MAX {
        return Err(fail(format!(
            "document is {} bytes; the limit is {DOCUMENT_BYTES_MAX} bytes",
            raw.len()
        )));
    }
    let text = std::str::from_utf8(raw).map_err(|e| {
        fail(format!(
            "not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(fail("empty document (only whitespace)".into()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        fail(format!(
            "not valid JSON: {} (line {}, column {})",
            strip_position(&e.to_string()),
            e.line(),
            e.column()
        ))
    })?;
    validate_value(&value)
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// Validates a parsed JSON value against `handoff/v1`.
pub fn validate_value(value: &Value) -> Result<Handoff, Invalid> {
    let mut c = Checker::default();
    let handoff = c.handoff(value);
    match handoff {
        Some(h) if c.errors.is_empty() => Ok(h),
        _ => {
            let handoff_id = value
                .get("handoff_id")
                .and_then(Value::as_str)
                .filter(|s| valid_id(s))
                .map(str::to_owned);
            if c.errors.is_empty() {
                c.err("$", "invalid document");
            }
            Err(Invalid { handoff_id, errors: c.errors })
        }
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= ID_MAX
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

/// Which strings a text field accepts.
#[derive(Clone, Copy)]
enum Text {
    /// An identifier: `[A-Za-z0-9_.:-]`, 1..=ID_MAX.
    Id,
    /// Non-empty (after trimming), at most `max` characters.
    NonEmpty(usize),
    /// Possibly empty, at most `max` characters.
    Any(usize),
}

impl Checker {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.to_owned(), message: message.into() });
    }

    fn object<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.err(path, format!("expected an object, found {}", json_type(other)));
                None
            }
        }
    }

    /// Reports missing required keys and unknown keys of an object.
    fn keys(&mut self, m: &Map<String, Value>, path: &str, required: &[&str], optional: &[&str]) {
        for key in required {
            if !m.contains_key(*key) {
                self.err(&format!("{path}.{key}"), "required field is missing");
            }
        }
        for key in m.keys() {
            if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                self.err(&format!("{path}.{}", path_key(key)), "unknown field (not part of handoff/v1)");
            }
        }
    }

    fn text(&mut self, m: &Map<String, Value>, key: &str, path: &str, kind: Text) -> Option<String> {
        let v = m.get(key)?;
        self.text_value(v, &format!("{path}.{key}"), kind)
    }

    fn text_value(&mut self, v: &Value, path: &str, kind: Text) -> Option<String> {
        let Value::String(s) = v else {
            self.err(path, format!("expected a string, found {}", json_type(v)));
            return None;
        };
        let len = s.chars().count();
        match kind {
            Text::Id => {
                if s.is_empty() {
                    self.err(path, "must not be empty");
                    return None;
                }
                if len > ID_MAX {
                    self.err(path, format!("is {len} characters; the limit is {ID_MAX}"));
                    return None;
                }
                if !valid_id(s) {
                    self.err(path, "may contain only letters, digits, '_', '-', '.' and ':'");
                    return None;
                }
            }
            Text::NonEmpty(max) | Text::Any(max) => {
                if matches!(kind, Text::NonEmpty(_)) && s.trim().is_empty() {
                    self.err(path, "must not be empty");
                    return None;
                }
                if len > max {
                    self.err(path, format!("is {len} characters; the limit is {max}"));
                    return None;
                }
                if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
                    self.err(path, "contains a control character");
                    return None;
                }
            }
        }
        Some(s.clone())
    }

    fn nullable_text(&mut self, m: &Map<String, Value>, key: &str, path: &str, kind: Text) -> Option<Option<String>> {
        match m.get(key)? {
            Value::Null => Some(None),
            v => self.text_value(v, &format!("{path}.{key}"), kind).map(Some),
        }
    }

    fn number(&mut self, m: &Map<String, Value>, key: &str, path: &str, min: f64, max: f64) -> Option<f64> {
        let v = m.get(key)?;
        let path = format!("{path}.{key}");
        let Some(n) = v.as_f64().filter(|_| v.is_number()) else {
            self.err(&path, format!("expected a number, found {}", json_type(v)));
            return None;
        };
        if !n.is_finite() {
            self.err(&path, "must be a finite number");
            return None;
        }
        if n < min || n > max {
            self.err(&path, format!("is {n}; must be between {min} and {max} inclusive"));
            return None;
        }
        Some(n)
    }

    fn boolean(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<bool> {
        let v = m.get(key)?;
        match v {
            Value::Bool(b) => Some(*b),
            other => {
                self.err(&format!("{path}.{key}"), format!("expected a boolean, found {}", json_type(other)));
                None
            }
        }
    }

    fn enumerated<E: Copy>(&mut self, m: &Map<String, Value>, key: &str, path: &str, all: &[E], as_str: fn(E) -> &'static str) -> Option<E> {
        let v = m.get(key)?;
        let path = format!("{path}.{key}");
        let Value::String(s) = v else {
            self.err(&path, format!("expected a string, found {}", json_type(v)));
            return None;
        };
        let found = all.iter().copied().find(|e| as_str(*e) == s);
        if found.is_none() {
            let allowed: Vec<&str> = all.iter().map(|e| as_str(*e)).collect();
            self.err(&path, format!("\"{}\" is not one of: {}", clip(s, 40), allowed.join(", ")));
        }
        found
    }

    fn timestamp(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        let s = self.text(m, key, path, Text::NonEmpty(64))?;
        let t_separator = matches!(s.as_bytes().get(10), Some(b'T' | b't'));
        if !t_separator || chrono::DateTime::parse_from_rfc3339(&s).is_err() {
            self.err(
                &format!("{path}.{key}"),
                format!("\"{}\" is not an RFC 3339 timestamp with an offset (e.g. 2026-11-23T18:00:00Z)", clip(&s, 40)),
            );
            return None;
        }
        Some(s)
    }

    fn array<'v>(&mut self, m: &'v Map<String, Value>, key: &str, path: &str, max: usize) -> Option<&'v Vec<Value>> {
        let v = m.get(key)?;
        let path = format!("{path}.{key}");
        let Value::Array(items) = v else {
            self.err(&path, format!("expected an array, found {}", json_type(v)));
            return None;
        };
        if items.len() > max {
            self.err(&path, format!("has {} items; the limit is {max}", items.len()));
            return None;
        }
        Some(items)
    }

    fn handoff(&mut self, v: &Value) -> Option<Handoff> {
        let m = self.object(v, "$")?;
        self.keys(
            m,
            "$",
            &[
                "schema", "handoff_id", "conversation_id", "escalated_at", "channel", "customer", "intent",
                "sentiment", "reason", "priority", "summary", "collected_fields", "attempted_actions",
                "transcript", "bot",
            ],
            &[],
        );
        let schema = self.text(m, "schema", "$", Text::NonEmpty(32));
        if let Some(s) = &schema {
            if s != SCHEMA_V1 {
                self.err("$.schema", format!("\"{}\" is not supported; expected \"{SCHEMA_V1}\"", clip(s, 40)));
            }
        }
        let handoff_id = self.text(m, "handoff_id", "$", Text::Id);
        let conversation_id = self.text(m, "conversation_id", "$", Text::Id);
        let escalated_at = self.timestamp(m, "escalated_at", "$");
        let channel = self.enumerated(m, "channel", "$", Channel::ALL, Channel::as_str);
        let customer = m.get("customer").and_then(|v| self.customer(v));
        let intent = m.get("intent").and_then(|v| self.intent(v));
        let sentiment = m.get("sentiment").and_then(|v| self.sentiment(v));
        let reason = self.enumerated(m, "reason", "$", EscalationReason::ALL, EscalationReason::as_str);
        let priority = self.enumerated(m, "priority", "$", Priority::ALL, Priority::as_str);
        let summary = self.text(m, "summary", "$", Text::NonEmpty(SUMMARY_MAX));
        let collected_fields = m.get("collected_fields").and_then(|v| self.fields(v));
        let attempted_actions = self.array(m, "attempted_actions", "$", ACTIONS_MAX).map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, a)| self.action(a, &format!("$.attempted_actions[{i}]")))
                .collect::<Vec<_>>()
        });
        let transcript = self.array(m, "transcript", "$", TURNS_MAX).map(|items| {
            if items.is_empty() {
                self.err("$.transcript", "must have at least one turn");
            }
            items
                .iter()
                .enumerate()
                .filter_map(|(i, t)| self.turn(t, &format!("$.transcript[{i}]")))
                .collect::<Vec<_>>()
        });
        let bot = m.get("bot").and_then(|v| self.bot(v));
        Some(Handoff {
            schema: schema?,
            handoff_id: handoff_id?,
            conversation_id: conversation_id?,
            escalated_at: escalated_at?,
            channel: channel?,
            customer: customer?,
            intent: intent?,
            sentiment: sentiment?,
            reason: reason?,
            priority: priority?,
            summary: summary?,
            collected_fields: collected_fields?,
            attempted_actions: attempted_actions?,
            transcript: transcript?,
            bot: bot?,
        })
    }

    fn customer(&mut self, v: &Value) -> Option<Customer> {
        let p = "$.customer";
        let m = self.object(v, p)?;
        self.keys(m, p, &["id", "name", "email", "tier", "verified", "language"], &[]);
        let id = self.text(m, "id", p, Text::Id);
        let name = self.nullable_text(m, "name", p, Text::NonEmpty(PERSON_MAX));
        let email = self.nullable_text(m, "email", p, Text::NonEmpty(PERSON_MAX));
        if let Some(Some(e)) = &email {
            if !looks_like_email(e) {
                self.err("$.customer.email", "is not an email address");
            }
        }
        let tier = self.nullable_text(m, "tier", p, Text::NonEmpty(NAME_MAX));
        let verified = self.boolean(m, "verified", p);
        let language = self.text(m, "language", p, Text::NonEmpty(35));
        if let Some(l) = &language {
            if !looks_like_language_tag(l) {
                self.err("$.customer.language", format!("\"{}\" is not a language tag such as \"en\" or \"pt-BR\"", clip(l, 40)));
            }
        }
        Some(Customer { id: id?, name: name?, email: email?, tier: tier?, verified: verified?, language: language? })
    }

    fn intent(&mut self, v: &Value) -> Option<Intent> {
        let p = "$.intent";
        let m = self.object(v, p)?;
        self.keys(m, p, &["name", "confidence", "alternatives"], &[]);
        let name = self.text(m, "name", p, Text::NonEmpty(NAME_MAX));
        let confidence = self.number(m, "confidence", p, 0.0, 1.0);
        let alternatives = self.array(m, "alternatives", p, ALTERNATIVES_MAX).map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let ap = format!("$.intent.alternatives[{i}]");
                    let am = self.object(a, &ap)?;
                    self.keys(am, &ap, &["name", "confidence"], &[]);
                    let name = self.text(am, "name", &ap, Text::NonEmpty(NAME_MAX));
                    let confidence = self.number(am, "confidence", &ap, 0.0, 1.0);
                    Some(IntentAlternative { name: name?, confidence: confidence? })
                })
                .collect::<Vec<_>>()
        });
        Some(Intent { name: name?, confidence: confidence?, alternatives: alternatives? })
    }

    fn sentiment(&mut self, v: &Value) -> Option<Sentiment> {
        let p = "$.sentiment";
        let m = self.object(v, p)?;
        self.keys(m, p, &["label", "score"], &[]);
        let label = self.enumerated(m, "label", p, SentimentLabel::ALL, SentimentLabel::as_str);
        let score = self.number(m, "score", p, -1.0, 1.0);
        Some(Sentiment { label: label?, score: score? })
    }

    fn fields(&mut self, v: &Value) -> Option<BTreeMap<String, String>> {
        let p = "$.collected_fields";
        let m = self.object(v, p)?;
        if m.len() > FIELDS_MAX {
            self.err(p, format!("has {} fields; the limit is {FIELDS_MAX}", m.len()));
            return None;
        }
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (k, val) in m {
            let kp = format!("{p}.{}", path_key(k));
            if k.is_empty() || k.chars().count() > NAME_MAX {
                self.err(&kp, format!("field names must be 1 to {NAME_MAX} characters"));
                ok = false;
                continue;
            }
            match self.text_value(val, &kp, Text::Any(TEXT_MAX)) {
                Some(s) => {
                    out.insert(k.clone(), s);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn action(&mut self, v: &Value, p: &str) -> Option<AttemptedAction> {
        let m = self.object(v, p)?;
        self.keys(m, p, &["tool", "params", "status", "result", "at"], &[]);
        let tool = self.text(m, "tool", p, Text::NonEmpty(NAME_MAX));
        let params = m.get("params").and_then(|pv| {
            let pp = format!("{p}.params");
            let pm = self.object(pv, &pp)?;
            let depth = depth(pv);
            if depth > PARAMS_DEPTH_MAX {
                self.err(&pp, format!("is nested {depth} levels deep; the limit is {PARAMS_DEPTH_MAX}"));
                return None;
            }
            Some(pm.clone())
        });
        let status = self.enumerated(m, "status", p, ActionStatus::ALL, ActionStatus::as_str);
        let result = self.nullable_text(m, "result", p, Text::Any(TEXT_MAX));
        let at = self.timestamp(m, "at", p);
        Some(AttemptedAction { tool: tool?, params: params?, status: status?, result: result?, at: at? })
    }

    fn turn(&mut self, v: &Value, p: &str) -> Option<Turn> {
        let m = self.object(v, p)?;
        self.keys(m, p, &["role", "text", "at"], &["sources"]);
        let role = self.enumerated(m, "role", p, TurnRole::ALL, TurnRole::as_str);
        let text = self.text(m, "text", p, Text::NonEmpty(TEXT_MAX));
        let at = self.timestamp(m, "at", p);
        let sources = match m.get("sources") {
            None => Some(None),
            Some(_) => self.array(m, "sources", p, SOURCES_MAX).and_then(|items| {
                let list: Vec<Option<String>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.text_value(s, &format!("{p}.sources[{i}]"), Text::NonEmpty(256)))
                    .collect();
                list.into_iter().collect::<Option<Vec<_>>>().map(Some)
            }),
        };
        Some(Turn { role: role?, text: text?, at: at?, sources: sources? })
    }

    fn bot(&mut self, v: &Value) -> Option<BotInfo> {
        let p = "$.bot";
        let m = self.object(v, p)?;
        self.keys(m, p, &["name", "version"], &[]);
        let name = self.text(m, "name", p, Text::NonEmpty(NAME_MAX));
        let version = self.text(m, "version", p, Text::NonEmpty(NAME_MAX));
        Some(BotInfo { name: name?, version: version? })
    }
}

/// Nesting depth of a JSON value: a scalar is 0, `{}` is 1, `{"a": {}}` is 2.
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// A key as it appears in a JSON path: bare when it is a plain identifier, quoted otherwise.
fn path_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        k.to_owned()
    } else {
        format!("[{}]", serde_json::to_string(&clip(k, 64)).unwrap_or_default())
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

fn looks_like_email(s: &str) -> bool {
    let mut parts = s.splitn(2, '@');
    match (parts.next(), parts.next()) {
        (Some(local), Some(domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace) && !domain.contains('@')
        }
        _ => false,
    }
}

fn looks_like_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let Some(primary) = parts.next() else { return false };
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}
