//! What the desktop shell and its window exchange: command results, events and errors, and the
//! generator of `ui/src/bindings.ts` (one source of truth: these Rust types).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{self, Handoff};
use crate::ingest::{ImportProgress, ImportReport, LineError};
use crate::queue::{self, ConfidenceBand, ConfidenceBands, SlaPolicy};
use crate::store::{QuarantineEntry, StoredHandoff};

/// One escalation opened in the conversation view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffDetail {
    #[ts(type = "number")]
    pub seq: i64,
    pub handoff: Handoff,
    pub band: ConfidenceBand,
    /// Bands of the alternatives, in the same order.
    pub alternative_bands: Vec<ConfidenceBand>,
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
}

/// Event `queue-changed`: escalations arrived or changed, or documents were quarantined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueChanged {
    pub handoff_ids: Vec<String>,
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
];

/// The events the shell emits: name and payload.
pub const EVENTS: &[(&str, &str)] = &[("queue-changed", "QueueChanged"), ("import-progress", "ImportProgress")];

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

impl IpcError {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        IpcError { kind: IpcErrorKind::InvalidInput, message: message.into() }
    }
}
