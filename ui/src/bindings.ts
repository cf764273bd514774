// Generated from the Rust types in crates/desk-core (desk_core::ipc::typescript_bindings).
// Do not edit: run `UPDATE_BINDINGS=1 cargo test -p desk-core bindings` after changing them.

export type Channel = "web" | "email" | "sms" | "whatsapp" | "in_app" | "voice";

export type EscalationReason = "low_confidence" | "customer_requested_human" | "policy_refusal" | "high_risk_action" | "sentiment" | "repeated_correction" | "missing_fields" | "tool_failure" | "max_turns";

export type Priority = "low" | "normal" | "high" | "urgent";

export type SentimentLabel = "positive" | "neutral" | "negative" | "frustrated" | "angry";

export type ActionStatus = "pending" | "succeeded" | "failed" | "denied";

export type TurnRole = "customer" | "bot" | "agent" | "system";

export type Handoff = { schema: string, handoff_id: string, conversation_id: string, 
/**
 * RFC 3339 with an offset.
 */
escalated_at: string, channel: Channel, customer: Customer, intent: Intent, sentiment: Sentiment, reason: EscalationReason, priority: Priority, summary: string, collected_fields: Record<string, string>, attempted_actions: Array<AttemptedAction>, transcript: Array<Turn>, bot: BotInfo, };

export type Customer = { id: string, 
/**
 * Null for anonymous, SMS and voice customers.
 */
name: string | null, email: string | null, tier: string | null, verified: boolean, 
/**
 * A BCP 47 language tag such as `en` or `pt-BR`.
 */
language: string, };

export type Intent = { name: string, 
/**
 * 0..=1.
 */
confidence: number, alternatives: Array<IntentAlternative>, };

export type IntentAlternative = { name: string, confidence: number, };

export type Sentiment = { label: SentimentLabel, 
/**
 * -1 (most negative) ..= 1 (most positive).
 */
score: number, };

export type AttemptedAction = { tool: string, params: Record<string, unknown>, status: ActionStatus, 
/**
 * Null while the action is pending.
 */
result: string | null, at: string, };

export type Turn = { role: TurnRole, text: string, at: string, 
/**
 * Knowledge-base articles a bot turn relied on.
 */
sources?: Array<string>, };

export type BotInfo = { name: string, version: string, };

export type FieldError = { 
/**
 * JSON path of the offending value, `$` for the whole document.
 */
path: string, message: string, };

export type FieldProvenance = "verified" | "stated" | "inferred";

export type ConfidenceBand = "low" | "medium" | "high";

export type ConfidenceBands = { medium: number, high: number, };

export type SlaPolicy = { urgent_secs: number, high_secs: number, normal_secs: number, low_secs: number, };

export type SortKey = "triage" | "age" | "priority" | "confidence" | "intent" | "channel" | "customer" | "reason" | "sentiment";

export type QueueSort = { key: SortKey, descending: boolean, };

export type QueueFilter = { 
/**
 * Words searched in summary, transcript and customer (all must match; the last may be a prefix).
 */
search: string | null, priorities: Array<Priority>, channels: Array<Channel>, reasons: Array<EscalationReason>, intents: Array<string>, sentiments: Array<SentimentLabel>, bands: Array<ConfidenceBand>, claim: ClaimFilter, };

export type QueueQuery = { filter: QueueFilter, sort: QueueSort, 
/**
 * Opaque: `next_cursor` of the previous page.
 */
cursor: string | null, limit: number, };

export type QueueRow = { seq: number, handoff_id: string, conversation_id: string, escalated_at: string, escalated_ms: number, priority: Priority, 
/**
 * Seconds this priority may wait (the SLA), to colour the waiting time.
 */
sla_secs: number, intent: string, confidence: number, band: ConfidenceBand, channel: Channel, customer_id: string, customer_name: string | null, reason: EscalationReason, sentiment: SentimentLabel, sentiment_score: number, summary: string, status: string, action_count: number, failed_action_count: number, turn_count: number, 
/**
 * Who has claimed it, if anyone.
 */
claimed_by: string | null, claimed_by_id: number | null, };

export type QueuePage = { rows: Array<QueueRow>, next_cursor: string | null, 
/**
 * A search matched more than [`SEARCH_CANDIDATES`]: only the newest of them are listed.
 */
search_capped: boolean, };

export type FacetCount = { value: string, count: number, };

export type QueueFacets = { total: number, quarantined: number, priorities: Array<FacetCount>, intents: Array<FacetCount>, };

export type QuarantineEntry = { id: number, received_at: string, source: string, line_no: number | null, handoff_id: string | null, 
/**
 * The raw document as text (invalid UTF-8 shown with replacement characters; the bytes are
 * kept exactly in the database).
 */
raw_text: string, raw_is_utf8: boolean, raw_bytes: number, errors: Array<FieldError>, };

export type LineError = { line: number, handoff_id: string | null, errors: Array<FieldError>, };

export type ImportReport = { source: string, lines: number, accepted: number, updated: number, unchanged: number, quarantined: number, 
/**
 * The first quarantined lines with their reasons (all are in the quarantine).
 */
line_errors: Array<LineError>, 
/**
 * `handoff_id`s that were new or changed, in file order (capped), for live updates.
 */
changed_ids: Array<string>, };

export type ImportProgress = { lines_done: number, bytes_done: number, bytes_total: number, };

export type HandoffDetail = { seq: number, handoff: Handoff, band: ConfidenceBand, 
/**
 * Bands of the alternatives, in the same order.
 */
alternative_bands: Array<ConfidenceBand>, 
/**
 * Where each collected field came from: verified by a system, stated by the customer, or
 * inferred by the bot.
 */
field_provenance: Record<string, FieldProvenance>, 
/**
 * Who has claimed it, if anyone.
 */
claimed_by: string | null, claimed_by_id: number | null, escalated_ms: number, sla_secs: number, status: string, 
/**
 * 1 for the first document; +1 each time the bot sent a changed one for the same id.
 */
revision: number, source: string, received_at: string, updated_at: string, };

export type AppStatus = { version: string, database_path: string, log_dir: string, demo_source: boolean, bands: ConfidenceBands, sla: SlaPolicy, 
/**
 * A real database with no users yet: the window asks for the first admin account.
 */
needs_first_admin: boolean, 
/**
 * On a demo database: the demo accounts and their password, shown on the sign-in screen.
 */
demo_accounts: Array<DemoAccount>, demo_password: string | null, 
/**
 * The shortest password a new account may have.
 */
password_min: number, 
/**
 * The HTTP bot source, when one is configured, and how its last pull went.
 */
http_source: SourceStatus | null, 
/**
 * In team mode: the team server this desk works on, and whether it answers.
 */
server: ServerLink | null, };

export type QueueChanged = { 
/**
 * Escalations new or changed in this batch.
 */
handoff_ids: Array<string>, 
/**
 * Documents quarantined in this batch (not the total).
 */
quarantined: number, };

export type IpcErrorKind = "not_found" | "invalid_input" | "internal" | "unauthenticated" | "locked" | "forbidden" | "step_up_required" | "wrong_credentials" | "rate_limited" | "conflict" | "offline";

export type IpcError = { kind: IpcErrorKind, message: string, };

export type DemoAccount = { username: string, display_name: string, roles: Array<Role>, };

export type SourceStatus = { url: string, 
/**
 * When a pull last succeeded.
 */
last_ok_ms: number | null, 
/**
 * The last pull's or delivery's error; `None` once one succeeds again.
 */
last_error: string | null, 
/**
 * When the last error happened.
 */
last_error_ms: number | null, };

export type ServerLink = { url: string, online: boolean, 
/**
 * Why the last request failed, while offline.
 */
last_error: string | null, 
/**
 * Since when it is online or offline.
 */
since_ms: number, };

export type TeamServerSetting = { 
/**
 * The saved server URL (or the environment's); `None`: the desk works on its own database.
 */
url: string | null, 
/**
 * A PEM certificate to trust for it, besides the system's.
 */
ca_path: string | null, 
/**
 * Set by `HANDOFF_DESK_SERVER_URL`, which wins over the saved setting.
 */
from_env: boolean, 
/**
 * The server this running desk is connected to (a change applies after a restart).
 */
connected: string | null, };

export type Availability = { available: boolean, 
/**
 * Since when (`None`: never set, which counts as away).
 */
since_ms: number | null, };

export type TeamMember = { user_id: number, username: string, display_name: string, roles: Array<Role>, available: boolean, since_ms: number | null, 
/**
 * Escalations claimed by them now.
 */
holding: number, 
/**
 * Which ones, oldest claim first.
 */
held: Array<HeldEscalation>, skills: Skills, 
/**
 * The escalation offered to them now, if any.
 */
offered: string | null, };

export type Skills = { 
/**
 * Intent names, as the bot sends them (`refund_request`).
 */
intents: Array<string>, channels: Array<Channel>, 
/**
 * Language tags (`en`, `es`); a tag takes its regional variants (`es` takes `es-MX`).
 */
languages: Array<string>, };

export type HeldEscalation = { user_id: number, handoff_id: string, 
/**
 * The customer's name, or their id when the bot had no name.
 */
customer: string, intent: string, priority: string, claimed_at_ms: number, };

export type RoutingOffer = { id: number, handoff_id: string, offered_ms: number, expires_ms: number, customer_name: string | null, intent: string, priority: Priority, channel: Channel, summary: string, 
/**
 * RFC 3339: when the bot handed it over.
 */
escalated_at: string, };

export type SessionState = { current: SessionInfo | null, previous: Actor | null, };

export type Role = "agent" | "supervisor" | "team_lead" | "admin";

export type Permission = "view_queue" | "view_quarantine" | "claim_handoff" | "reassign_handoff" | "import_handoffs" | "rate_handoffs" | "view_analytics" | "export_data" | "manage_users" | "propose_tool_calls" | "approve_tool_calls" | "change_policy" | "view_audit" | "reply_to_customers" | "configure_drafts";

export type Actor = { user_id: number, username: string, display_name: string, roles: Array<Role>, };

export type SessionInfo = { actor: Actor, 
/**
 * Every permission the user holds (the window hides the rest).
 */
permissions: Array<Permission>, 
/**
 * Until when a step-up is valid (ms since the epoch), if one was made.
 */
stepped_up_until_ms: number | null, 
/**
 * Opened with "Switch user" on someone else's desk: it ends after one approval decision,
 * or at `ends_at_ms`, and the desk goes back to its owner.
 */
switched: boolean, 
/**
 * When the session ends by itself (ms since the epoch), if known.
 */
ends_at_ms: number | null, 
/**
 * Idle for longer than the lock allows: the password unlocks it (a step-up).
 */
locked: boolean, };

export type UserSummary = { id: number, username: string, display_name: string, roles: Array<Role>, active: boolean, };

export type NewUser = { username: string, display_name: string, password: string, roles: Array<Role>, };

export type ClaimFilter = "any" | "unclaimed" | "mine";

export type SummaryVerdict = "yes" | "partly" | "no";

export type EscalationTiming = "too_early" | "right" | "too_late";

export type RatingInput = { summary_accurate: SummaryVerdict, intent_correct: boolean, 
/**
 * The right intent, when the bot's was wrong.
 */
correct_intent: string | null, context_complete: boolean, 
/**
 * Fields the bot should have collected, when context was incomplete.
 */
missing_fields: Array<string>, actions_reported: boolean, timing: EscalationTiming, 
/**
 * 1..=5.
 */
overall: number, comment: string, };

export type Rating = { id: number, handoff_id: string, rater_id: number, rater_name: string, bot_name: string, bot_version: string, intent: string, confidence: number, input: RatingInput, revision: number, created_at: string, updated_at: string, };

export type AnalyticsFilter = { 
/**
 * Escalated at or after (ms since the epoch).
 */
from_ms: number | null, 
/**
 * Escalated before (ms since the epoch).
 */
to_ms: number | null, intents: Array<string>, bot_versions: Array<string>, };

export type DayReasonCount = { 
/**
 * `YYYY-MM-DD` (UTC).
 */
day: string, reason: string, count: number, };

export type IntentStats = { intent: string, escalations: number, avg_confidence: number, rated: number, avg_overall: number | null, 
/**
 * Share of ratings that found the bot's intent correct.
 */
intent_correct_share: number | null, 
/**
 * Share of ratings that found the summary accurate ("yes").
 */
summary_accurate_share: number | null, 
/**
 * How many ratings gave each overall score, 1 to 5.
 */
overall_counts: Array<number>, };

export type VersionStats = { bot_version: string, escalations: number, rated: number, avg_overall: number | null, intent_correct_share: number | null, overall_counts: Array<number>, };

export type CalibrationBin = { lower: number, upper: number, rated: number, mean_confidence: number | null, 
/**
 * Share whose intent the team leads rated correct.
 */
share_correct: number | null, };

export type Calibration = { bins: Array<CalibrationBin>, 
/**
 * Expected calibration error: Σ (n_bin / n) · |share_correct − mean_confidence|.
 */
ece: number | null, rated: number, };

export type ResponseTimes = { 
/**
 * Escalations claimed by an agent.
 */
claimed: number, 
/**
 * Seconds from escalation to claim.
 */
p50_secs: number | null, p90_secs: number | null, };

export type Analytics = { escalations: number, rated: number, by_day_reason: Array<DayReasonCount>, by_intent: Array<IntentStats>, by_version: Array<VersionStats>, calibration: Calibration, time_to_claim: ResponseTimes, 
/**
 * From the escalation to the first reply an agent sent.
 */
time_to_first_response: ResponseTimes, tools: Array<ToolStats>, 
/**
 * Every intent and bot version in the data, for the filter menus.
 */
all_intents: Array<string>, all_bot_versions: Array<string>, };

export type ExportTable = "by_intent" | "by_version" | "by_day_reason" | "calibration" | "ratings";

export type ToolStats = { tool: string, calls: number, succeeded: number, failed: number, denied: number, 
/**
 * Succeeded, of those that finished executing.
 */
success_rate: number | null, 
/**
 * From the request to the supervisor's decision, for calls that needed one.
 */
median_approval_secs: number | null, };

export type GatesChanged = { call_id: string, handoff_id: string, state: CallState, };

export type ParamType = "string" | "money" | "enum" | "boolean";

export type ParamSpec = { name: string, type: ParamType, required: boolean, max_len: number | null, min: string | null, max: string | null, values: Array<string> | null, };

export type ToolSpec = { name: string, title: string, method: string, url: string, risk: string, params: Array<ParamSpec>, };

export type Decision = "allow" | "confirm" | "approve" | "deny";

export type Flag = "fraud_suspected" | "unverified_identity" | "params_from_customer_text";

export type CallState = "proposed" | "pending" | "approved" | "denied" | "expired" | "executing" | "succeeded" | "failed";

export type Origin = "agent" | "bot";

export type ProposeInput = { handoff_id: string, tool: string, params: Record<string, unknown>, origin: Origin, 
/**
 * The agent suspects fraud on this conversation.
 */
fraud_suspected: boolean, };

export type ToolCallView = { id: string, handoff_id: string, tool: string, tool_title: string, 
/**
 * Exactly as they will be sent.
 */
params: Record<string, unknown>, params_sha256: string, 
/**
 * The request as it will be sent: method and URL.
 */
request_line: string, amount: string | null, currency: string | null, origin: Origin, flags: Array<Flag>, decision: Decision, rule_id: string, rule_reason: string, rule_matched: Array<string>, policy_version: string, policy_sha256: string, state: CallState, requested_by_id: number, requested_by: string, requested_by_username: string, approved_by: string | null, approved_at_ms: number | null, expires_at_ms: number | null, decided_by: string | null, decision_reason: string | null, attempts: number, http_status: number | null, outcome: string | null, retryable: boolean, 
/**
 * When the requester escalated this overdue request to all supervisors.
 */
escalated_at_ms: number | null, 
/**
 * From when a pending request may be escalated (it waited past the gate's SLA).
 */
escalatable_at_ms: number | null, created_at_ms: number, updated_at_ms: number, };

export type PendingApproval = { call: ToolCallView, summary: string, customer: string, intent: string, priority: Priority, 
/**
 * How long the customer has waited since the escalation.
 */
customer_waiting_ms: number, 
/**
 * How long the request has waited for a supervisor.
 */
request_waiting_ms: number, 
/**
 * Waited longer than the gate's SLA.
 */
overdue: boolean, 
/**
 * Approving it asks for the password again (amount above the step-up threshold).
 */
needs_step_up: boolean, };

export type AuditEvent = { id: number, at_ms: number, actor: string, kind: string, subject: string, payload: unknown, prev_hash: string, hash: string, };

export type AuditVerification = { events: number, ok: boolean, 
/**
 * The first event that does not verify, and why.
 */
first_broken_id: number | null, problem: string | null, };

export type AuditFilter = { kind_prefix: string | null, subject: string | null, actor: string | null, };

export type DraftsChanged = { handoff_id: string, };

export type LlmStatus = { settings: LlmSettings, 
/**
 * Drafts come from the LLM engine (with the embedded one as fallback).
 */
enabled: boolean, has_api_key: boolean, 
/**
 * Why the keyring could not be read, if it could not.
 */
keyring_error: string | null, };

export type LlmSettings = { 
/**
 * e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1` (Ollama).
 */
base_url: string, model: string, timeout_secs: number, };

export type Passage = { article_id: string, title: string, heading: string, text: string, 
/**
 * Share of the query's words found in the passage (0..1).
 */
coverage: number, 
/**
 * The article is about the query: one of its words is in the article's title or keywords,
 * or the article is written for the handoff's intent. Only a topical policy is quoted to a
 * customer (a word that happens to occur in its text is not enough).
 */
topical: boolean, };

export type KbReport = { articles: number, passages: number, changed: boolean, errors: Array<string>, };

export type DraftFlag = "prompt_injection" | "unverified_action_claim" | "unsourced_policy_claim" | "refusal_topic" | "pii_masked" | "abstained" | "fell_back";

export type DraftState = "ready" | "stale" | "approved" | "edited" | "rejected";

export type DraftView = { id: string, handoff_id: string, 
/**
 * Index of the customer turn it answers.
 */
turn_index: number, engine: string, model: string | null, text: string, 
/**
 * A note to the agent (refusal topic, or nothing relevant in the knowledge base), not a reply.
 */
is_note: boolean, sources: Array<Passage>, confidence: number, flags: Array<DraftFlag>, 
/**
 * The flags that are warnings ([`DraftFlag::is_warning`]): the agent confirms before sending.
 */
warnings: Array<DraftFlag>, state: DraftState, latency_ms: number, 
/**
 * Why the LLM engine failed, when the embedded engine answered instead.
 */
engine_error: string | null, created_at_ms: number, decided_by: string | null, reject_reason: RejectReason | null, 
/**
 * The agent's words on why it was rejected.
 */
reject_note: string | null, sent_text: string | null, };

export type RejectReason = "inaccurate" | "wrong_tone" | "missing_information" | "policy_violation" | "not_needed" | "other";

export type DraftDecision = { "kind": "approve" } | { "kind": "edit", text: string, } | { "kind": "reject", reason: RejectReason, note: string | null, own_reply: string | null, };

export type OutboxEntry = { id: string, handoff_id: string, draft_id: string | null, author: string, text: string, sent: boolean, created_at_ms: number, sent_at_ms: number | null, 
/**
 * Why it has not been delivered yet (it stays pending and is tried again).
 */
last_error: string | null, };

export type DraftIntentMetrics = { intent: string, drafts: number, decided: number, approved: number, edited: number, rejected: number, 
/**
 * Approved as is, of decided.
 */
acceptance_rate: number | null, 
/**
 * Edited, of decided.
 */
edit_rate: number | null, median_edit_distance: number | null, median_decision_secs: number | null, };

/** Every command: its arguments and its result. */
export type Commands = {
  queue_page: { args: { query: QueueQuery }; result: QueuePage };
  queue_facets: { args: Record<string, never>; result: QueueFacets };
  get_handoff: { args: { handoffId: string }; result: HandoffDetail };
  list_quarantine: { args: { beforeId: number | null, limit: number }; result: Array<QuarantineEntry> };
  import_file: { args: { path: string }; result: ImportReport };
  app_status: { args: Record<string, never>; result: AppStatus };
  session_state: { args: Record<string, never>; result: SessionState };
  sign_in: { args: { username: string, password: string, switchUser: boolean }; result: SessionState };
  sign_out: { args: Record<string, never>; result: SessionState };
  step_up: { args: { password: string }; result: SessionState };
  session_activity: { args: Record<string, never>; result: null };
  create_first_admin: { args: { user: NewUser, setupCode: string | null }; result: SessionState };
  claim_handoff: { args: { handoffId: string }; result: null };
  release_handoff: { args: { handoffId: string }; result: null };
  rate_handoff: { args: { handoffId: string, input: RatingInput }; result: Rating };
  handoff_ratings: { args: { handoffId: string }; result: Array<Rating> };
  next_unrated: { args: { afterSeq: number | null }; result: string | null };
  analytics: { args: { filter: AnalyticsFilter }; result: Analytics };
  export_csv: { args: { table: ExportTable, filter: AnalyticsFilter, path: string }; result: number };
  export_eval_cases: { args: { filter: AnalyticsFilter, path: string }; result: number };
  list_users: { args: Record<string, never>; result: Array<UserSummary> };
  create_user: { args: { user: NewUser }; result: UserSummary };
  update_user: { args: { userId: number, roles: Array<Role>, active: boolean }; result: UserSummary };
  list_tools: { args: Record<string, never>; result: Array<ToolSpec> };
  tool_calls_for: { args: { handoffId: string }; result: Array<ToolCallView> };
  propose_tool_call: { args: { input: ProposeInput }; result: ToolCallView };
  confirm_tool_call: { args: { callId: string }; result: ToolCallView };
  pending_approvals: { args: Record<string, never>; result: Array<PendingApproval> };
  approval_history: { args: Record<string, never>; result: Array<ToolCallView> };
  approve_tool_call: { args: { callId: string, paramsSha256: string }; result: ToolCallView };
  deny_tool_call: { args: { callId: string, reason: string }; result: ToolCallView };
  retry_tool_call: { args: { callId: string }; result: ToolCallView };
  escalate_tool_call: { args: { callId: string }; result: ToolCallView };
  audit_list: { args: { filter: AuditFilter, beforeId: number | null, limit: number }; result: Array<AuditEvent> };
  audit_verify: { args: Record<string, never>; result: AuditVerification };
  audit_export: { args: { path: string }; result: number };
  draft_for: { args: { handoffId: string, onToken: import("@tauri-apps/api/core").Channel<string> }; result: DraftView | null };
  drafts_of: { args: { handoffId: string }; result: Array<DraftView> };
  decide_draft: { args: { draftId: string, decision: DraftDecision }; result: DraftView };
  outbox_of: { args: { handoffId: string }; result: Array<OutboxEntry> };
  draft_metrics: { args: Record<string, never>; result: Array<DraftIntentMetrics> };
  llm_status: { args: Record<string, never>; result: LlmStatus };
  save_llm_settings: { args: { settings: LlmSettings, enabled: boolean }; result: LlmStatus };
  set_llm_api_key: { args: { apiKey: string }; result: LlmStatus };
  kb_reindex: { args: Record<string, never>; result: KbReport };
  team_server: { args: Record<string, never>; result: TeamServerSetting };
  set_team_server: { args: { url: string | null, caPath: string | null }; result: TeamServerSetting };
  my_availability: { args: Record<string, never>; result: Availability };
  set_availability: { args: { available: boolean }; result: Availability };
  team_board: { args: Record<string, never>; result: Array<TeamMember> };
  my_offer: { args: Record<string, never>; result: RoutingOffer | null };
  accept_offer: { args: { offerId: number }; result: string };
  decline_offer: { args: { offerId: number }; result: null };
  set_skills: { args: { userId: number, skills: Skills }; result: Skills };
  reassign: { args: { handoffId: string, userId: number }; result: null };
};

/** Every event: its payload. */
export type Events = {
  "queue-changed": QueueChanged;
  "import-progress": ImportProgress;
  "gates-changed": GatesChanged;
  "drafts-changed": DraftsChanged;
  "server-link": ServerLink;
  "desk-resync": null;
  "routing-changed": null;
};
