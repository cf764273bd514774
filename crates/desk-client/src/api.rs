//! Each of the desktop's commands as a call to the team server's API (README, "Team server"),
//! with the token of whoever is signed in on this desk. The server checks every call itself;
//! the desk decides nothing. One method per command, in the order of `desk_core::ipc::COMMANDS`,
//! so that the mapping from the window's commands to the API is in one place.

use desk_core::analytics::{Analytics, AnalyticsFilter, ExportTable};
use desk_core::audit::{AuditEvent, AuditFilter, AuditVerification};
use desk_core::drafts::service::{DraftDecision, DraftIntentMetrics, DraftView, OutboxEntry};
use desk_core::gates::tools::ToolSpec;
use desk_core::gates::{PendingApproval, ProposeInput, ToolCallView};
use desk_core::ingest::ImportReport;
use desk_core::ipc::{HandoffDetail, IpcError, SessionState};
use desk_core::people::{NewUser, Role, UserSummary};
use desk_core::quarantine::QuarantineEntry;
use desk_core::queue::{QueueFacets, QueuePage, QueueQuery};
use desk_core::ratings::{Rating, RatingInput};
use reqwest::Method;
use serde_json::json;

use crate::DeskClient;

type CmdResult<T> = Result<T, IpcError>;

/// One path segment, percent-encoded (ids are the bot platforms' and may hold anything).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("json")
}

/// What is configured on the server, not on a desk in team mode.
pub fn on_the_server(what: &str) -> IpcError {
    IpcError::invalid_input(format!("{what} is configured on the team server, not on this desk."))
}

impl DeskClient {
    pub async fn queue_page(&self, query: &QueueQuery) -> CmdResult<QueuePage> {
        self.query("/v1/queue/page", &json_of(query)).await
    }

    pub async fn queue_facets(&self) -> CmdResult<QueueFacets> {
        self.get("/v1/queue/facets").await
    }

    pub async fn get_handoff(&self, id: &str) -> CmdResult<HandoffDetail> {
        self.get(&format!("/v1/handoffs/{}", seg(id))).await
    }

    pub async fn list_quarantine(&self, before_id: Option<i64>, limit: i64) -> CmdResult<Vec<QuarantineEntry>> {
        let before = before_id.map(|b| format!("&before_id={b}")).unwrap_or_default();
        self.get(&format!("/v1/quarantine?limit={limit}{before}")).await
    }

    pub async fn import_file(&self, path: &str, bytes: Vec<u8>) -> CmdResult<ImportReport> {
        let name = std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.upload(&format!("/v1/imports?name={}", seg(&name)), bytes).await
    }

    pub async fn create_first_admin(&self, user: NewUser, setup_code: Option<String>) -> CmdResult<SessionState> {
        let code = setup_code.filter(|code| !code.trim().is_empty()).ok_or_else(|| IpcError::invalid_input("Enter the setup code the server printed when it started."))?;
        self.set_up(&code, user).await
    }

    pub async fn claim_handoff(&self, id: &str) -> CmdResult<()> {
        self.change(Method::PUT, &format!("/v1/handoffs/{}/claim", seg(id)), None).await
    }

    pub async fn release_handoff(&self, id: &str) -> CmdResult<()> {
        self.change(Method::DELETE, &format!("/v1/handoffs/{}/claim", seg(id)), None).await
    }

    pub async fn rate_handoff(&self, id: &str, input: &RatingInput) -> CmdResult<Rating> {
        self.change(Method::POST, &format!("/v1/handoffs/{}/ratings", seg(id)), Some(&json_of(input))).await
    }

    pub async fn handoff_ratings(&self, id: &str) -> CmdResult<Vec<Rating>> {
        self.get(&format!("/v1/handoffs/{}/ratings", seg(id))).await
    }

    pub async fn next_unrated(&self, after_seq: Option<i64>) -> CmdResult<Option<String>> {
        let after = after_seq.map(|a| format!("?after_seq={a}")).unwrap_or_default();
        self.get(&format!("/v1/ratings/next-unrated{after}")).await
    }

    pub async fn analytics(&self, filter: &AnalyticsFilter) -> CmdResult<Analytics> {
        self.query("/v1/analytics", &json_of(filter)).await
    }

    pub async fn export_csv(&self, table: ExportTable, filter: &AnalyticsFilter) -> CmdResult<String> {
        let table = json_of(&table).as_str().unwrap_or_default().to_owned();
        self.query_text(Method::POST, &format!("/v1/analytics/export/{table}"), Some(&json_of(filter))).await
    }

    pub async fn export_eval_cases(&self, filter: &AnalyticsFilter) -> CmdResult<String> {
        self.query_text(Method::POST, "/v1/analytics/eval-cases", Some(&json_of(filter))).await
    }

    pub async fn list_users(&self) -> CmdResult<Vec<UserSummary>> {
        self.get("/v1/users").await
    }

    pub async fn create_user(&self, user: &NewUser) -> CmdResult<UserSummary> {
        self.change(Method::POST, "/v1/users", Some(&json_of(user))).await
    }

    pub async fn update_user(&self, user_id: i64, roles: &[Role], active: bool) -> CmdResult<UserSummary> {
        self.change(Method::PATCH, &format!("/v1/users/{user_id}"), Some(&json!({ "roles": roles, "active": active }))).await
    }

    pub async fn list_tools(&self) -> CmdResult<Vec<ToolSpec>> {
        self.get("/v1/tools").await
    }

    pub async fn tool_calls_for(&self, id: &str) -> CmdResult<Vec<ToolCallView>> {
        self.get(&format!("/v1/handoffs/{}/tool-calls", seg(id))).await
    }

    pub async fn propose_tool_call(&self, input: &ProposeInput) -> CmdResult<ToolCallView> {
        // The server takes the call's origin from who proposes it: an agent, through this desk.
        let body = json!({ "tool": input.tool, "params": input.params, "fraud_suspected": input.fraud_suspected });
        self.change(Method::POST, &format!("/v1/handoffs/{}/tool-calls", seg(&input.handoff_id)), Some(&body)).await
    }

    /// One call, for the live stream (not a command of its own).
    pub async fn tool_call(&self, id: &str) -> CmdResult<ToolCallView> {
        self.get(&format!("/v1/tool-calls/{}", seg(id))).await
    }

    pub async fn confirm_tool_call(&self, id: &str) -> CmdResult<ToolCallView> {
        self.change(Method::POST, &call_action(id, "confirm"), None).await
    }

    pub async fn pending_approvals(&self) -> CmdResult<Vec<PendingApproval>> {
        self.get("/v1/approvals").await
    }

    pub async fn approval_history(&self) -> CmdResult<Vec<ToolCallView>> {
        self.get("/v1/approvals/history").await
    }

    pub async fn approve_tool_call(&self, id: &str, params_sha256: &str) -> CmdResult<ToolCallView> {
        self.change(Method::POST, &call_action(id, "approve"), Some(&json!({ "params_sha256": params_sha256 }))).await
    }

    pub async fn deny_tool_call(&self, id: &str, reason: &str) -> CmdResult<ToolCallView> {
        self.change(Method::POST, &call_action(id, "deny"), Some(&json!({ "reason": reason }))).await
    }

    pub async fn retry_tool_call(&self, id: &str) -> CmdResult<ToolCallView> {
        self.change(Method::POST, &call_action(id, "retry"), None).await
    }

    pub async fn escalate_tool_call(&self, id: &str) -> CmdResult<ToolCallView> {
        self.change(Method::POST, &call_action(id, "escalate"), None).await
    }

    pub async fn audit_list(&self, filter: &AuditFilter, before_id: Option<i64>, limit: i64) -> CmdResult<Vec<AuditEvent>> {
        self.query("/v1/audit", &json!({ "filter": filter, "before_id": before_id, "limit": limit })).await
    }

    pub async fn audit_verify(&self) -> CmdResult<AuditVerification> {
        self.get("/v1/audit/verify").await
    }

    /// The audit log as JSON Lines, and how many events it holds.
    pub async fn audit_export(&self) -> CmdResult<(String, i64)> {
        let body = self.query_text(Method::GET, "/v1/audit/export", None).await?;
        let n = body.lines().filter(|l| !l.trim().is_empty()).count() as i64;
        Ok((body, n))
    }

    /// The draft is made on the server (by its engines, grounded in its knowledge base); it
    /// arrives whole, so the window gets it as one piece on `on_token`.
    pub async fn draft_for(&self, id: &str, on_token: impl Fn(&str)) -> CmdResult<Option<DraftView>> {
        let d: Option<DraftView> = self.change(Method::POST, &format!("/v1/handoffs/{}/draft", seg(id)), None).await?;
        if let Some(d) = &d {
            on_token(&d.text);
        }
        Ok(d)
    }

    pub async fn drafts_of(&self, id: &str) -> CmdResult<Vec<DraftView>> {
        self.get(&format!("/v1/handoffs/{}/drafts", seg(id))).await
    }

    pub async fn decide_draft(&self, draft_id: &str, decision: &DraftDecision) -> CmdResult<DraftView> {
        self.change(Method::POST, &format!("/v1/drafts/{}/decision", seg(draft_id)), Some(&json_of(decision))).await
    }

    pub async fn outbox_of(&self, id: &str) -> CmdResult<Vec<OutboxEntry>> {
        self.get(&format!("/v1/handoffs/{}/replies", seg(id))).await
    }

    pub async fn my_availability(&self) -> CmdResult<desk_core::routing::Availability> {
        self.get("/v1/me/availability").await
    }

    pub async fn set_availability(&self, available: bool) -> CmdResult<desk_core::routing::Availability> {
        self.change(Method::PUT, "/v1/me/availability", Some(&json!({ "available": available }))).await
    }

    pub async fn team_board(&self) -> CmdResult<Vec<desk_core::routing::TeamMember>> {
        self.get("/v1/team").await
    }

    pub async fn my_offer(&self) -> CmdResult<Option<desk_core::routing::RoutingOffer>> {
        self.get("/v1/me/offer").await
    }

    /// Accepts an offer; returns the escalation now claimed.
    pub async fn accept_offer(&self, offer_id: i64) -> CmdResult<String> {
        #[derive(serde::Deserialize)]
        struct Accepted {
            handoff_id: String,
        }
        let a: Accepted = self.change(Method::POST, &format!("/v1/offers/{offer_id}/accept"), None).await?;
        Ok(a.handoff_id)
    }

    pub async fn decline_offer(&self, offer_id: i64) -> CmdResult<()> {
        self.change(Method::POST, &format!("/v1/offers/{offer_id}/decline"), None).await
    }

    pub async fn set_skills(&self, user_id: i64, skills: &desk_core::routing::Skills) -> CmdResult<desk_core::routing::Skills> {
        self.change(Method::PUT, &format!("/v1/users/{user_id}/skills"), Some(&json_of(skills))).await
    }

    pub async fn reassign(&self, handoff_id: &str, user_id: i64) -> CmdResult<()> {
        self.change(Method::PUT, &format!("/v1/handoffs/{}/assignee", seg(handoff_id)), Some(&json!({ "user_id": user_id }))).await
    }

    pub async fn draft_metrics(&self) -> CmdResult<Vec<DraftIntentMetrics>> {
        self.get("/v1/drafts/metrics").await
    }
}

fn call_action(id: &str, action: &str) -> String {
    format!("/v1/tool-calls/{}/{action}", seg(id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_one_path_segment() {
        assert_eq!(super::seg("conv-42_a.b~"), "conv-42_a.b~");
        assert_eq!(super::seg("a/b c?d#é"), "a%2Fb%20c%3Fd%23%C3%A9");
    }
}
