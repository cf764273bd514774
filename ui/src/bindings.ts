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

export type ConfidenceBand = "low" | "medium" | "high";

export type ConfidenceBands = { medium: number, high: number, };

export type SlaPolicy = { urgent_secs: number, high_secs: number, normal_secs: number, low_secs: number, };

export type SortKey = "triage" | "age" | "priority" | "confidence" | "intent" | "channel" | "customer" | "reason" | "sentiment";

export type QueueSort = { key: SortKey, descending: boolean, };

export type QueueFilter = { 
/**
 * Words searched in summary, transcript and customer (all must match; the last may be a prefix).
 */
search: string | null, priorities: Array<Priority>, channels: Array<Channel>, reasons: Array<EscalationReason>, intents: Array<string>, sentiments: Array<SentimentLabel>, bands: Array<ConfidenceBand>, };

export type QueueQuery = { filter: QueueFilter, sort: QueueSort, 
/**
 * Opaque: `next_cursor` of the previous page.
 */
cursor: string | null, limit: number, };

export type QueueRow = { seq: number, handoff_id: string, conversation_id: string, escalated_at: string, escalated_ms: number, priority: Priority, 
/**
 * Seconds this priority may wait (the SLA), to colour the waiting time.
 */
sla_secs: number, intent: string, confidence: number, band: ConfidenceBand, channel: Channel, customer_id: string, customer_name: string | null, reason: EscalationReason, sentiment: SentimentLabel, sentiment_score: number, summary: string, status: string, action_count: number, failed_action_count: number, turn_count: number, };

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
alternative_bands: Array<ConfidenceBand>, escalated_ms: number, sla_secs: number, status: string, 
/**
 * 1 for the first document; +1 each time the bot sent a changed one for the same id.
 */
revision: number, source: string, received_at: string, updated_at: string, };

export type AppStatus = { version: string, database_path: string, log_dir: string, demo_source: boolean, bands: ConfidenceBands, sla: SlaPolicy, };

export type QueueChanged = { handoff_ids: Array<string>, quarantined: number, };

export type IpcErrorKind = "not_found" | "invalid_input" | "internal";

export type IpcError = { kind: IpcErrorKind, message: string, };

/** Every command: its arguments and its result. */
export type Commands = {
  queue_page: { args: { query: QueueQuery }; result: QueuePage };
  queue_facets: { args: Record<string, never>; result: QueueFacets };
  get_handoff: { args: { handoffId: string }; result: HandoffDetail };
  list_quarantine: { args: { beforeId: number | null, limit: number }; result: Array<QuarantineEntry> };
  import_file: { args: { path: string }; result: ImportReport };
  app_status: { args: Record<string, never>; result: AppStatus };
};

/** Every event: its payload. */
export type Events = {
  "queue-changed": QueueChanged;
  "import-progress": ImportProgress;
};
