//! The tool catalogue (`config/tools.toml`): what each tool is, how it is called over HTTP, and
//! the schema its parameters must fit. A proposal whose parameters do not fit is refused with
//! every problem named.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::handoff::FieldError;

pub const EMBEDDED_TOOLS: &str = include_str!("../../../../config/tools.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    String,
    /// A decimal string with at most two decimals, e.g. "59.00".
    Money,
    Enum,
    Boolean,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    pub required: bool,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ToolSpec {
    pub name: String,
    pub title: String,
    pub method: String,
    pub url: String,
    pub risk: String,
    pub params: Vec<ParamSpec>,
}

#[derive(Deserialize)]
struct Catalogue {
    tool: Vec<ToolSpec>,
}

/// A URL path segment that `.`/`..` resolution would remove or climb out of: `.`, `..` and their
/// percent-encoded spellings (`%2e`, `.%2E`…), which URL parsers resolve the same way. A
/// parameter placed in a URL may not be one, or `orders/{order_id}/cancel` with `..` would
/// reach another endpoint of the backend.
pub fn is_dot_segment(segment: &str) -> bool {
    let dots = segment.to_ascii_lowercase().replace("%2e", ".");
    dots == "." || dots == ".."
}

/// The parameters placed in the tool's URL (`{name}` placeholders).
fn in_url<'a>(spec: &'a ToolSpec) -> impl Iterator<Item = &'a ParamSpec> + 'a {
    spec.params.iter().filter(|p| spec.url.contains(&format!("{{{}}}", p.name)))
}

/// The loaded catalogue.
#[derive(Debug, Clone)]
pub struct Tools {
    specs: Vec<ToolSpec>,
}

/// Money as minor units (cents): "59.00" → 5900. `None` for anything else.
pub fn money_minor(s: &str) -> Option<i64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || whole.len() > 12 || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_val: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac_val)
}

/// The canonical JSON of parameters: keys sorted, no whitespace.
pub fn canonical_params(params: &Map<String, Value>) -> String {
    serde_json::to_string(params).expect("json")
}

/// SHA-256 (hex) of the canonical parameters: what an approval is bound to.
pub fn params_sha256(params: &Map<String, Value>) -> String {
    hex::encode(Sha256::digest(canonical_params(params).as_bytes()))
}

impl Tools {
    pub fn embedded() -> Self {
        Self::from_toml(EMBEDDED_TOOLS).expect("the embedded tools.toml is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let c: Catalogue = toml::from_str(text).map_err(|e| format!("tools.toml: {e}"))?;
        for t in &c.tool {
            if t.url.split(['/', '?', '#']).any(is_dot_segment) {
                return Err(format!("tools.toml: {} has a \".\" or \"..\" segment in its URL", t.name));
            }
            for p in &t.params {
                if p.kind == ParamType::Enum && p.values.as_ref().is_none_or(|v| v.is_empty()) {
                    return Err(format!("tools.toml: {}.{} is an enum without values", t.name, p.name));
                }
                for bound in [&p.min, &p.max].into_iter().flatten() {
                    if money_minor(bound).is_none() {
                        return Err(format!("tools.toml: {}.{} has a bound that is not money: {bound}", t.name, p.name));
                    }
                }
            }
        }
        Ok(Self { specs: c.tool })
    }

    pub fn all(&self) -> &[ToolSpec] {
        &self.specs
    }

    pub fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.specs.iter().find(|t| t.name == name)
    }

    /// Checks parameters against the tool's schema; every problem is reported with its path.
    pub fn validate(&self, tool: &str, params: &Map<String, Value>) -> Result<(), Vec<FieldError>> {
        let Some(spec) = self.get(tool) else {
            return Err(vec![FieldError { path: "$.tool".into(), message: format!("unknown tool \"{tool}\"") }]);
        };
        let mut errors = vec![];
        let err = |errors: &mut Vec<FieldError>, name: &str, message: String| errors.push(FieldError { path: format!("$.params.{name}"), message });
        for key in params.keys() {
            if !spec.params.iter().any(|p| &p.name == key) {
                err(&mut errors, key, format!("is not a parameter of {tool}"));
            }
        }
        for p in &spec.params {
            let Some(v) = params.get(&p.name) else {
                if p.required {
                    err(&mut errors, &p.name, "is required".into());
                }
                continue;
            };
            match p.kind {
                ParamType::Boolean => {
                    if !v.is_boolean() {
                        err(&mut errors, &p.name, "must be true or false".into());
                    }
                }
                ParamType::String | ParamType::Enum | ParamType::Money => {
                    let Some(s) = v.as_str() else {
                        err(&mut errors, &p.name, "must be a string".into());
                        continue;
                    };
                    if p.required && s.trim().is_empty() {
                        err(&mut errors, &p.name, "must not be empty".into());
                        continue;
                    }
                    if let Some(max) = p.max_len {
                        if s.chars().count() > max {
                            err(&mut errors, &p.name, format!("is longer than {max} characters"));
                        }
                    }
                    if p.kind == ParamType::Enum && !p.values.as_ref().is_some_and(|vals| vals.iter().any(|x| x == s)) {
                        err(&mut errors, &p.name, format!("must be one of {}", p.values.as_deref().unwrap_or_default().join(", ")));
                    }
                    if p.kind == ParamType::Money {
                        match money_minor(s) {
                            None => err(&mut errors, &p.name, format!("\"{s}\" is not an amount like 59.00")),
                            Some(m) => {
                                if let Some(min) = p.min.as_deref().and_then(money_minor) {
                                    if m < min {
                                        err(&mut errors, &p.name, format!("must be at least {}", p.min.as_deref().unwrap_or_default()));
                                    }
                                }
                                if let Some(max) = p.max.as_deref().and_then(money_minor) {
                                    if m > max {
                                        err(&mut errors, &p.name, format!("must be at most {}", p.max.as_deref().unwrap_or_default()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for p in in_url(spec) {
            if params.get(&p.name).and_then(Value::as_str).is_some_and(is_dot_segment) {
                err(&mut errors, &p.name, "goes into the request's URL and cannot be \".\" or \"..\"".into());
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().expect("an object").clone()
    }

    #[test]
    fn a_parameter_in_the_url_cannot_climb_out_of_its_segment() {
        let tools = Tools::embedded();
        for dots in [".", "..", "%2e%2e", ".%2E", "%2E"] {
            let errors = tools.validate("orders.cancel", &params(json!({ "order_id": dots, "reason": "customer_request" }))).unwrap_err();
            assert!(errors.iter().any(|e| e.path == "$.params.order_id" && e.message.contains("URL")), "{dots}: {errors:?}");
        }
        // dots inside a value are fine, and a value outside the URL is not checked this way
        assert!(tools.validate("orders.cancel", &params(json!({ "order_id": "A.1..2", "reason": "customer_request" }))).is_ok());
        assert!(!is_dot_segment("..."));
    }

    #[test]
    fn a_catalogue_with_a_dot_segment_in_a_url_is_refused() {
        let toml = r#"
[[tool]]
name = "x.y"
title = "X"
method = "POST"
url = "{base}/v1/../admin/{id}"
risk = "low"
params = [{ name = "id", type = "string", required = true }]
"#;
        assert!(Tools::from_toml(toml).unwrap_err().contains("segment"));
        assert!(Tools::from_toml(&toml.replace("/../", "/")).is_ok());
    }
}
