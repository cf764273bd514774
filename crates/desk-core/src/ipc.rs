//! What the desktop shell and its window exchange: command results, events and errors, and the
//! generator of `ui/src/bindings.ts` (one source of truth: these Rust types).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{self, Handoff};
use crate::{analytics, audit, drafts, gates, people, ratings};
use crate::ingest::{ImportProgress, ImportReport, LineError};
use crate::queue::{self, ConfidenceBand, ConfidenceBands, SlaPolicy};
use crate::quarantine::QuarantineEntry;
use crate::store::StoredHandoff;

/// One escalation opened in the conversation view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffDetail {
    #[ts(type = "number")]
    pub seq: i64,
    pub handoff: Handoff,
    pub band: ConfidenceBand,
    /// Bands of the alternatives, in the same order.
    pub alternative_bands: Vec<ConfidenceBand>,
    /// Where each collected field came from: verified by a system, stated by the customer, or
    /// inferred by the bot.
    #[ts(type = "Record<string, FieldProvenance>")]
    pub field_provenance: std::collections::BTreeMap<String, handoff::FieldProvenance>,
    /// Who has claimed it, if anyone.
    pub claimed_by: Option<String>,
    #[ts(type = "number | null")]
    pub claimed_by_id: Option<i64>,
    #[ts(type = "number")]
    pub escalated_ms: i64,
    #[ts(type = "number")]
    pub sla_secs: i64,
    pub status: String,
    /// 1 for the first document; +1 each time the bot sent a changed one for the same id.
    #[ts(type = "number")]
    pub revision: i64,
    pub source: String,
    pub received_at: String,
    pub updated_at: String,
}

impl HandoffDetail {
    pub fn new(s: StoredHandoff, bands: ConfidenceBands, sla: SlaPolicy) -> Self {
        Self {
            seq: s.seq,
            band: bands.band(s.handoff.intent.confidence),
            alternative_bands: s.handoff.intent.alternatives.iter().map(|a| bands.band(a.confidence)).collect(),
            field_provenance: s.handoff.field_provenance(),
            claimed_by: s.claimed_by.clone(),
            claimed_by_id: s.claimed_by_id,
            escalated_ms: s.handoff.escalated_ms(),
            sla_secs: sla.for_priority(s.handoff.priority),
            status: s.status,
            revision: s.revision,
            source: s.source,
            received_at: s.received_at,
            updated_at: s.updated_at,
            handoff: s.handoff,
        }
    }
}

/// About the running app, for the status bar and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    pub version: String,
    pub database_path: String,
    pub log_dir: String,
    pub demo_source: bool,
    pub bands: ConfidenceBands,
    pub sla: SlaPolicy,
    /// A real database with no users yet: the window asks for the first admin account.
    pub needs_first_admin: bool,
    /// On a demo database: the demo accounts and their password, shown on the sign-in screen.
    pub demo_accounts: Vec<DemoAccount>,
    pub demo_password: Option<String>,
    /// The shortest password a new account may have.
    #[ts(type = "number")]
    pub password_min: usize,
    /// The HTTP bot source, when one is configured, and how its last pull went.
    pub http_source: Option<SourceStatus>,
    /// In team mode: the team server this desk works on, and whether it answers.
    pub server: Option<ServerLink>,
}

/// Which team server this desk works on (Settings → Team server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamServerSetting {
    /// The saved server URL (or the environment's); `None`: the desk works on its own database.
    pub url: Option<String>,
    /// A PEM certificate to trust for it, besides the system's.
    pub ca_path: Option<String>,
    /// Set by `HANDOFF_DESK_SERVER_URL`, which wins over the saved setting.
    pub from_env: bool,
    /// The server this running desk is connected to (a change applies after a restart).
    pub connected: Option<String>,
}

/// Event `server-link`: the team server this desk is a client of, and whether it answers.
/// Offline, the window shows what it last read, read only, under a banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServerLink {
    pub url: String,
    pub online: bool,
    /// Why the last request failed, while offline.
    pub last_error: Option<String>,
    /// Since when it is online or offline.
    #[ts(type = "number")]
    pub since_ms: i64,
}

/// How the HTTP bot source is doing (kept in the database by the polling loop).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SourceStatus {
    pub url: String,
    /// When a pull last succeeded.
    #[ts(type = "number | null")]
    pub last_ok_ms: Option<i64>,
    /// The last pull's or delivery's error; `None` once one succeeds again.
    pub last_error: Option<String>,
    /// When the last error happened.
    #[ts(type = "number | null")]
    pub last_error_ms: Option<i64>,
}

impl SourceStatus {
    pub const META_KEY: &'static str = "source.http.status";
}

/// A demo account offered on the sign-in screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<crate::people::Role>,
}

/// Who is signed in, and to whom the desk goes back when they sign out (a supervisor who
/// signed in on an agent's desk hands it back to the agent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionState {
    pub current: Option<crate::people::SessionInfo>,
    pub previous: Option<crate::people::Actor>,
}

/// Event `queue-changed`: escalations arrived or changed, or documents were quarantined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueChanged {
    /// Escalations new or changed in this batch.
    pub handoff_ids: Vec<String>,
    /// Documents quarantined in this batch (not the total).
    #[ts(type = "number")]
    pub quarantined: i64,
}

/// Event `import-progress`.
pub type ImportProgressEvent = ImportProgress;

/// What the window branches on when a command fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorKind {
    NotFound,
    InvalidInput,
    Internal,
    /// Nobody is signed in (or the session ended): ask who is signed in now.
    Unauthenticated,
    /// The session is idle-locked: its password unlocks it.
    Locked,
    /// The signed-in user's role does not allow it.
    Forbidden,
    /// Ask for the password again, then retry.
    StepUpRequired,
    WrongCredentials,
    RateLimited,
    /// The state changed under the user (e.g. someone else claimed it).
    Conflict,
    /// The team server cannot be reached: reads show the last copy, changes are refused.
    Offline,
}

/// Every command's error, as the window receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub kind: IpcErrorKind,
    pub message: String,
}

/// The commands the window may call: name, arguments (camelCase, as Tauri expects), result.
/// `src-tauri` registers exactly these; a test there checks the two lists agree.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("queue_page", "{ query: QueueQuery }", "QueuePage"),
    ("queue_facets", "Record<string, never>", "QueueFacets"),
    ("get_handoff", "{ handoffId: string }", "HandoffDetail"),
    ("list_quarantine", "{ beforeId: number | null, limit: number }", "Array<QuarantineEntry>"),
    ("import_file", "{ path: string }", "ImportReport"),
    ("app_status", "Record<string, never>", "AppStatus"),
    ("session_state", "Record<string, never>", "SessionState"),
    ("sign_in", "{ username: string, password: string, switchUser: boolean }", "SessionState"),
    ("sign_out", "Record<string, never>", "SessionState"),
    ("step_up", "{ password: string }", "SessionState"),
    ("session_activity", "Record<string, never>", "null"),
    ("create_first_admin", "{ user: NewUser, setupCode: string | null }", "SessionState"),
    ("claim_handoff", "{ handoffId: string }", "null"),
    ("release_handoff", "{ handoffId: string }", "null"),
    ("rate_handoff", "{ handoffId: string, input: RatingInput }", "Rating"),
    ("handoff_ratings", "{ handoffId: string }", "Array<Rating>"),
    ("next_unrated", "{ afterSeq: number | null }", "string | null"),
    ("analytics", "{ filter: AnalyticsFilter }", "Analytics"),
    ("export_csv", "{ table: ExportTable, filter: AnalyticsFilter, path: string }", "number"),
    ("export_eval_cases", "{ filter: AnalyticsFilter, path: string }", "number"),
    ("list_users", "Record<string, never>", "Array<UserSummary>"),
    ("create_user", "{ user: NewUser }", "UserSummary"),
    ("update_user", "{ userId: number, roles: Array<Role>, active: boolean }", "UserSummary"),
    ("list_tools", "Record<string, never>", "Array<ToolSpec>"),
    ("tool_calls_for", "{ handoffId: string }", "Array<ToolCallView>"),
    ("propose_tool_call", "{ input: ProposeInput }", "ToolCallView"),
    ("confirm_tool_call", "{ callId: string }", "ToolCallView"),
    ("pending_approvals", "Record<string, never>", "Array<PendingApproval>"),
    ("approval_history", "Record<string, never>", "Array<ToolCallView>"),
    ("approve_tool_call", "{ callId: string, paramsSha256: string }", "ToolCallView"),
    ("deny_tool_call", "{ callId: string, reason: string }", "ToolCallView"),
    ("retry_tool_call", "{ callId: string }", "ToolCallView"),
    ("escalate_tool_call", "{ callId: string }", "ToolCallView"),
    ("audit_list", "{ filter: AuditFilter, beforeId: number | null, limit: number }", "Array<AuditEvent>"),
    ("audit_verify", "Record<string, never>", "AuditVerification"),
    ("audit_export", "{ path: string }", "number"),
    ("draft_for", "{ handoffId: string, onToken: import(\"@tauri-apps/api/core\").Channel<string> }", "DraftView | null"),
    ("drafts_of", "{ handoffId: string }", "Array<DraftView>"),
    ("decide_draft", "{ draftId: string, decision: DraftDecision }", "DraftView"),
    ("outbox_of", "{ handoffId: string }", "Array<OutboxEntry>"),
    ("draft_metrics", "Record<string, never>", "Array<DraftIntentMetrics>"),
    ("llm_status", "Record<string, never>", "LlmStatus"),
    ("save_llm_settings", "{ settings: LlmSettings, enabled: boolean }", "LlmStatus"),
    ("set_llm_api_key", "{ apiKey: string }", "LlmStatus"),
    ("kb_reindex", "Record<string, never>", "KbReport"),
    ("team_server", "Record<string, never>", "TeamServerSetting"),
    ("set_team_server", "{ url: string | null, caPath: string | null }", "TeamServerSetting"),
    ("my_availability", "Record<string, never>", "Availability"),
    ("set_availability", "{ available: boolean }", "Availability"),
    ("team_board", "Record<string, never>", "Array<TeamMember>"),
    ("my_offer", "Record<string, never>", "RoutingOffer | null"),
    ("accept_offer", "{ offerId: number }", "string"),
    ("decline_offer", "{ offerId: number }", "null"),
    ("set_skills", "{ userId: number, skills: Skills }", "Skills"),
    ("reassign", "{ handoffId: string, userId: number }", "null"),
];

/// Who may call a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (signing in, the app's status).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user whose roles grant this (and a fresh step-up where it needs one).
    Needs(crate::people::Permission),
}

/// The access each command needs. The shell calls [`authorize_command`] before every command;
/// services check again where they change something, so bypassing the window bypasses nothing.
pub const COMMAND_ACCESS: &[(&str, Access)] = {
    use crate::people::Permission::*;
    use Access::*;
    &[
        ("queue_page", Needs(ViewQueue)),
        ("queue_facets", Needs(ViewQueue)),
        ("get_handoff", Needs(ViewQueue)),
        ("list_quarantine", Needs(ViewQuarantine)),
        ("import_file", Needs(ImportHandoffs)),
        ("app_status", Public),
        ("session_state", Public),
        ("sign_in", Public),
        ("sign_out", Public),
        ("step_up", SignedIn),
        ("session_activity", SignedIn),
        ("create_first_admin", Public),
        ("claim_handoff", Needs(ClaimHandoff)),
        ("release_handoff", Needs(ClaimHandoff)),
        ("rate_handoff", Needs(RateHandoffs)),
        ("handoff_ratings", Needs(ViewAnalytics)),
        ("next_unrated", Needs(RateHandoffs)),
        ("analytics", Needs(ViewAnalytics)),
        ("export_csv", Needs(ExportData)),
        ("export_eval_cases", Needs(ExportData)),
        ("list_users", Needs(ManageUsers)),
        ("create_user", Needs(ManageUsers)),
        ("update_user", Needs(ManageUsers)),
        ("list_tools", Needs(ViewQueue)),
        ("tool_calls_for", Needs(ViewQueue)),
        ("propose_tool_call", Needs(ProposeToolCalls)),
        ("confirm_tool_call", Needs(ProposeToolCalls)),
        ("pending_approvals", Needs(ApproveToolCalls)),
        ("approval_history", Needs(ApproveToolCalls)),
        ("approve_tool_call", Needs(ApproveToolCalls)),
        ("deny_tool_call", Needs(ApproveToolCalls)),
        ("retry_tool_call", Needs(ProposeToolCalls)),
        ("escalate_tool_call", Needs(ProposeToolCalls)),
        ("audit_list", Needs(ViewAudit)),
        ("audit_verify", Needs(ViewAudit)),
        ("audit_export", Needs(ExportData)),
        ("draft_for", Needs(ReplyToCustomers)),
        ("drafts_of", Needs(ViewQueue)),
        ("decide_draft", Needs(ReplyToCustomers)),
        ("outbox_of", Needs(ViewQueue)),
        ("draft_metrics", Needs(ViewAnalytics)),
        ("llm_status", Needs(ViewQueue)),
        ("save_llm_settings", Needs(ConfigureDrafts)),
        ("set_llm_api_key", Needs(ConfigureDrafts)),
        ("kb_reindex", Needs(ConfigureDrafts)),
        ("team_server", SignedIn),
        ("set_team_server", SignedIn),
        ("my_availability", Needs(ClaimHandoff)),
        ("set_availability", Needs(ClaimHandoff)),
        ("team_board", Needs(ReassignHandoff)),
        ("my_offer", Needs(ClaimHandoff)),
        ("accept_offer", Needs(ClaimHandoff)),
        ("decline_offer", Needs(ClaimHandoff)),
        ("set_skills", Needs(ReassignHandoff)),
        ("reassign", Needs(ReassignHandoff)),
    ]
};

/// Decides whether `session` (or nobody) may call `command` now. Unknown commands are refused.
pub fn authorize_command(
    session: Option<&crate::people::Session>,
    command: &str,
    now_ms: i64,
) -> Result<(), crate::people::PeopleError> {
    use crate::people::PeopleError;
    let access = COMMAND_ACCESS
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, a)| *a)
        .ok_or_else(|| PeopleError::Invalid(format!("unknown command {command}")))?;
    match (access, session) {
        (Access::Public, _) => Ok(()),
        (_, None) => Err(PeopleError::NotSignedIn),
        (Access::SignedIn, Some(_)) => Ok(()),
        (Access::Needs(p), Some(s)) => s.authorize(p, now_ms),
    }
}

/// The events the shell emits: name and payload.
pub const EVENTS: &[(&str, &str)] = &[
    ("queue-changed", "QueueChanged"),
    ("import-progress", "ImportProgress"),
    ("gates-changed", "GatesChanged"),
    ("drafts-changed", "DraftsChanged"),
    ("server-link", "ServerLink"),
    ("desk-resync", "null"),
    ("routing-changed", "null"),
];

/// Event `drafts-changed`: a draft or a reply of this escalation changed (made, decided, sent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftsChanged {
    pub handoff_id: String,
}

/// The LLM engine's configuration as the window sees it (never the key itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LlmStatus {
    pub settings: crate::drafts::llm::LlmSettings,
    /// Drafts come from the LLM engine (with the embedded one as fallback).
    pub enabled: bool,
    pub has_api_key: bool,
    /// Why the keyring could not be read, if it could not.
    pub keyring_error: Option<String>,
}

/// Event `gates-changed`: a tool call changed state (proposed, decided, executed, expired).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GatesChanged {
    pub call_id: String,
    pub handoff_id: String,
    pub state: crate::gates::lifecycle::CallState,
}

/// The contents of `ui/src/bindings.ts`.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        handoff::Channel::decl(&cfg),
        handoff::EscalationReason::decl(&cfg),
        handoff::Priority::decl(&cfg),
        handoff::SentimentLabel::decl(&cfg),
        handoff::ActionStatus::decl(&cfg),
        handoff::TurnRole::decl(&cfg),
        Handoff::decl(&cfg),
        handoff::Customer::decl(&cfg),
        handoff::Intent::decl(&cfg),
        handoff::IntentAlternative::decl(&cfg),
        handoff::Sentiment::decl(&cfg),
        handoff::AttemptedAction::decl(&cfg),
        handoff::Turn::decl(&cfg),
        handoff::BotInfo::decl(&cfg),
        handoff::FieldError::decl(&cfg),
        handoff::FieldProvenance::decl(&cfg),
        ConfidenceBand::decl(&cfg),
        ConfidenceBands::decl(&cfg),
        SlaPolicy::decl(&cfg),
        queue::SortKey::decl(&cfg),
        queue::QueueSort::decl(&cfg),
        queue::QueueFilter::decl(&cfg),
        queue::QueueQuery::decl(&cfg),
        queue::QueueRow::decl(&cfg),
        queue::QueuePage::decl(&cfg),
        queue::FacetCount::decl(&cfg),
        queue::QueueFacets::decl(&cfg),
        QuarantineEntry::decl(&cfg),
        LineError::decl(&cfg),
        ImportReport::decl(&cfg),
        ImportProgress::decl(&cfg),
        HandoffDetail::decl(&cfg),
        AppStatus::decl(&cfg),
        QueueChanged::decl(&cfg),
        IpcErrorKind::decl(&cfg),
        IpcError::decl(&cfg),
        DemoAccount::decl(&cfg),
        SourceStatus::decl(&cfg),
        ServerLink::decl(&cfg),
        TeamServerSetting::decl(&cfg),
        crate::routing::Availability::decl(&cfg),
        crate::routing::TeamMember::decl(&cfg),
        crate::routing::Skills::decl(&cfg),
        crate::routing::HeldEscalation::decl(&cfg),
        crate::routing::RoutingOffer::decl(&cfg),
        SessionState::decl(&cfg),
        people::Role::decl(&cfg),
        people::Permission::decl(&cfg),
        people::Actor::decl(&cfg),
        people::SessionInfo::decl(&cfg),
        people::UserSummary::decl(&cfg),
        people::NewUser::decl(&cfg),
        queue::ClaimFilter::decl(&cfg),
        ratings::SummaryVerdict::decl(&cfg),
        ratings::EscalationTiming::decl(&cfg),
        ratings::RatingInput::decl(&cfg),
        ratings::Rating::decl(&cfg),
        analytics::AnalyticsFilter::decl(&cfg),
        analytics::DayReasonCount::decl(&cfg),
        analytics::IntentStats::decl(&cfg),
        analytics::VersionStats::decl(&cfg),
        analytics::CalibrationBin::decl(&cfg),
        analytics::Calibration::decl(&cfg),
        analytics::ResponseTimes::decl(&cfg),
        analytics::Analytics::decl(&cfg),
        analytics::ExportTable::decl(&cfg),
        analytics::ToolStats::decl(&cfg),
        GatesChanged::decl(&cfg),
        gates::tools::ParamType::decl(&cfg),
        gates::tools::ParamSpec::decl(&cfg),
        gates::tools::ToolSpec::decl(&cfg),
        gates::policy::Decision::decl(&cfg),
        gates::policy::Flag::decl(&cfg),
        gates::lifecycle::CallState::decl(&cfg),
        gates::Origin::decl(&cfg),
        gates::ProposeInput::decl(&cfg),
        gates::ToolCallView::decl(&cfg),
        gates::PendingApproval::decl(&cfg),
        audit::AuditEvent::decl(&cfg),
        audit::AuditVerification::decl(&cfg),
        audit::AuditFilter::decl(&cfg),
        DraftsChanged::decl(&cfg),
        LlmStatus::decl(&cfg),
        drafts::llm::LlmSettings::decl(&cfg),
        drafts::kb::Passage::decl(&cfg),
        drafts::kb::KbReport::decl(&cfg),
        drafts::guardrails::DraftFlag::decl(&cfg),
        drafts::service::DraftState::decl(&cfg),
        drafts::service::DraftView::decl(&cfg),
        drafts::service::RejectReason::decl(&cfg),
        drafts::service::DraftDecision::decl(&cfg),
        drafts::service::OutboxEntry::decl(&cfg),
        drafts::service::DraftIntentMetrics::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in crates/desk-core (desk_core::ipc::typescript_bindings).\n\
         // Do not edit: run `UPDATE_BINDINGS=1 cargo test -p desk-core bindings` after changing them.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: its arguments and its result. */\nexport type Commands = {\n");
    for (name, args, ret) in COMMANDS {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {ret} }};\n"));
    }
    out.push_str("};\n\n/** Every event: its payload. */\nexport type Events = {\n");
    for (name, payload) in EVENTS {
        out.push_str(&format!("  \"{name}\": {payload};\n"));
    }
    out.push_str("};\n");
    out
}

impl From<crate::store::StoreError> for IpcError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        let kind = match &e {
            StoreError::NotFound(_) => IpcErrorKind::NotFound,
            _ => IpcErrorKind::Internal,
        };
        if kind == IpcErrorKind::Internal {
            tracing::error!(error = %e, source = ?std::error::Error::source(&e), "command failed");
        }
        IpcError { kind, message: e.to_string() }
    }
}

impl From<crate::people::PeopleError> for IpcError {
    fn from(e: crate::people::PeopleError) -> Self {
        use crate::people::PeopleError as P;
        let kind = match &e {
            P::WrongCredentials => IpcErrorKind::WrongCredentials,
            P::RateLimited { .. } => IpcErrorKind::RateLimited,
            P::Forbidden(_) => IpcErrorKind::Forbidden,
            P::StepUpRequired => IpcErrorKind::StepUpRequired,
            P::NotSignedIn | P::SessionEnded(_) => IpcErrorKind::Unauthenticated,
            P::Locked { .. } => IpcErrorKind::Locked,
            P::Invalid(_) => IpcErrorKind::InvalidInput,
            P::Conflict(_) => IpcErrorKind::Conflict,
            P::Store(_) => {
                let P::Store(inner) = e else { unreachable!() };
                return inner.into();
            }
        };
        IpcError { kind, message: e.to_string() }
    }
}

impl From<crate::gates::GateError> for IpcError {
    fn from(e: crate::gates::GateError) -> Self {
        use crate::gates::lifecycle::Refusal as R;
        use crate::gates::GateError as G;
        let kind = match &e {
            G::People(_) | G::Store(_) => {
                return match e {
                    G::People(p) => p.into(),
                    G::Store(s) => s.into(),
                    _ => unreachable!(),
                }
            }
            G::Refused(R::FourEyes | R::NotApprover | R::NotRequester) => IpcErrorKind::Forbidden,
            G::Refused(R::ReasonRequired) | G::InvalidParams { .. } => IpcErrorKind::InvalidInput,
            G::Refused(_) | G::Conflict(_) => IpcErrorKind::Conflict,
            G::NotFound(_) => IpcErrorKind::NotFound,
        };
        IpcError { kind, message: e.to_string() }
    }
}

impl From<crate::drafts::service::DraftsError> for IpcError {
    fn from(e: crate::drafts::service::DraftsError) -> Self {
        use crate::drafts::service::DraftsError as D;
        match e {
            D::People(p) => p.into(),
            D::Store(s) => s.into(),
            D::Conflict(m) => IpcError { kind: IpcErrorKind::Conflict, message: m },
            D::Invalid(m) => IpcError { kind: IpcErrorKind::InvalidInput, message: m },
        }
    }
}

impl IpcError {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        IpcError { kind: IpcErrorKind::InvalidInput, message: message.into() }
    }
}
