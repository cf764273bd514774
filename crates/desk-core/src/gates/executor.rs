//! Executes approved tool calls over HTTP: the URL from the tool's template, the parameters as a
//! JSON body, and an `Idempotency-Key` equal to the call's id, so a retry or a resume after a
//! crash never executes twice. Transient failures (connection errors, timeouts, 409 "in
//! progress", 429, 502/503/504) are retried with backoff; 4xx is not retried.

use std::time::Duration;

use serde_json::{Map, Value};

use super::tools::ToolSpec;

/// How one execution attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOutcome {
    pub succeeded: bool,
    /// The HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The response body, or what went wrong.
    pub detail: String,
    /// Whether a person may retry (with the same key) after this failure.
    pub retryable: bool,
    /// Requests sent in this attempt (1 + automatic retries).
    pub requests: u32,
}

#[derive(Clone, Debug)]
pub struct ToolExecutor {
    client: reqwest::Client,
    base_url: String,
    /// Automatic retries of transient failures within one attempt.
    pub max_retries: u32,
    pub backoff: Duration,
}

impl ToolExecutor {
    pub fn new(base_url: impl Into<String>, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(3))
            .build()
            .expect("an HTTP client with default TLS");
        Self { client, base_url: base_url.into().trim_end_matches('/').to_owned(), max_retries: 3, backoff: Duration::from_millis(200) }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The request URL for this executor's backend.
    pub fn url(&self, spec: &ToolSpec, params: &Map<String, Value>) -> String {
        request_url(&self.base_url, spec, params)
    }

    /// Sends the call, retrying transient failures with exponential backoff.
    pub async fn send(&self, spec: &ToolSpec, params: &Map<String, Value>, idempotency_key: &str) -> ExecOutcome {
        let url = self.url(spec, params);
        // Validation refuses such parameters at proposal; this holds for a call read back from
        // the store as well (a resume, a retry): nothing is sent to a URL that `..` would move.
        if url.split(['/', '?', '#']).any(super::tools::is_dot_segment) {
            return ExecOutcome { succeeded: false, status: None, detail: "refused: a parameter would be a \".\" or \"..\" segment of the request's URL".into(), retryable: false, requests: 0 };
        }
        let method = reqwest::Method::from_bytes(spec.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut requests = 0;
        let mut delay = self.backoff;
        loop {
            requests += 1;
            let mut req = self.client.request(method.clone(), &url).header("Idempotency-Key", idempotency_key);
            if method != reqwest::Method::GET {
                req = req.json(params);
            }
            let (outcome, transient) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let body = resp.text().await.unwrap_or_default();
                    let body = clip(&body, 2_000);
                    match status {
                        200..=299 => (ExecOutcome { succeeded: true, status: Some(status), detail: body, retryable: false, requests }, false),
                        409 | 429 | 502 | 503 | 504 => (ExecOutcome { succeeded: false, status: Some(status), detail: body, retryable: true, requests }, true),
                        400..=499 => (ExecOutcome { succeeded: false, status: Some(status), detail: body, retryable: false, requests }, false),
                        // A 500 the backend stored for this key: the same key gets the same answer.
                        _ => (ExecOutcome { succeeded: false, status: Some(status), detail: body, retryable: true, requests }, false),
                    }
                }
                Err(e) => {
                    let what = if e.is_timeout() {
                        "timed out waiting for the backend"
                    } else if e.is_connect() {
                        "could not connect to the backend"
                    } else {
                        "the connection to the backend failed"
                    };
                    (ExecOutcome { succeeded: false, status: None, detail: format!("{what}: {e}"), retryable: true, requests }, true)
                }
            };
            if !transient || requests > self.max_retries {
                return outcome;
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
}

/// The request URL: `{base}` and `{param}` placeholders filled (parameters URL-encoded).
pub fn request_url(base_url: &str, spec: &ToolSpec, params: &Map<String, Value>) -> String {
    let mut url = spec.url.replace("{base}", base_url.trim_end_matches('/'));
    for (k, v) in params {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        url = url.replace(&format!("{{{k}}}"), &urlencode(&text));
    }
    url
}

/// Percent-encodes a URL path segment.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::tools::Tools;
    use serde_json::json;

    #[tokio::test]
    async fn a_call_read_back_with_a_dot_segment_is_not_sent() {
        // a listener that counts connections: nothing may reach it
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let h = hits.clone();
        tokio::spawn(async move {
            while let Ok((_s, _)) = listener.accept().await {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let tools = Tools::embedded();
        let spec = tools.get("orders.cancel").unwrap();
        let exec = ToolExecutor::new(format!("http://{addr}"), Duration::from_secs(1));
        let params = json!({ "order_id": "..", "reason": "x" }).as_object().unwrap().clone();
        let out = exec.send(spec, &params, "idem-1").await;
        assert!(!out.succeeded && !out.retryable && out.requests == 0, "{out:?}");
        assert!(out.detail.contains(".."), "{}", out.detail);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
