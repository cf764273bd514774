// Human words for the enum values the Rust side sends. Display only: no rule lives here.
import type {
  ActionStatus,
  CallState,
  Channel,
  ConfidenceBand,
  EscalationReason,
  EscalationTiming,
  ExportTable,
  FieldProvenance,
  Flag,
  Priority,
  Role,
  SentimentLabel,
  SortKey,
  SummaryVerdict,
  TurnRole,
} from "./bindings";

export const PRIORITIES: readonly Priority[] = ["urgent", "high", "normal", "low"];
export const CHANNELS: readonly Channel[] = ["web", "email", "sms", "whatsapp", "in_app", "voice"];
export const REASONS: readonly EscalationReason[] = [
  "low_confidence",
  "customer_requested_human",
  "policy_refusal",
  "high_risk_action",
  "sentiment",
  "repeated_correction",
  "missing_fields",
  "tool_failure",
  "max_turns",
];
export const SENTIMENTS: readonly SentimentLabel[] = ["angry", "frustrated", "negative", "neutral", "positive"];
export const BANDS: readonly ConfidenceBand[] = ["low", "medium", "high"];

export const PRIORITY_LABEL: Record<Priority, string> = {
  urgent: "urgent",
  high: "high",
  normal: "normal",
  low: "low",
};

export const CHANNEL_LABEL: Record<Channel, string> = {
  web: "Web",
  email: "Email",
  sms: "SMS",
  whatsapp: "WhatsApp",
  in_app: "In-app",
  voice: "Voice",
};

export const REASON_LABEL: Record<EscalationReason, string> = {
  low_confidence: "Low confidence",
  customer_requested_human: "Asked for a human",
  policy_refusal: "Policy refusal",
  high_risk_action: "High-risk action",
  sentiment: "Sentiment",
  repeated_correction: "Repeated correction",
  missing_fields: "Missing fields",
  tool_failure: "Tool failure",
  max_turns: "Too many turns",
};

export const SENTIMENT_LABEL: Record<SentimentLabel, string> = {
  positive: "positive",
  neutral: "neutral",
  negative: "negative",
  frustrated: "frustrated",
  angry: "angry",
};

export const BAND_WORD: Record<ConfidenceBand, string> = { low: "LOW", medium: "MEDIUM", high: "HIGH" };
export const BAND_SHORT: Record<ConfidenceBand, string> = { low: "LOW", medium: "MED", high: "HIGH" };

export const ACTION_STATUS: Record<ActionStatus, { icon: string; word: string }> = {
  succeeded: { icon: "✓", word: "succeeded" },
  failed: { icon: "✗", word: "failed" },
  denied: { icon: "⛔", word: "denied" },
  pending: { icon: "⏳", word: "pending" },
};

export const ROLE_LABEL: Record<TurnRole, string> = {
  customer: "Customer",
  bot: "Bot",
  agent: "Agent",
  system: "System",
};

export const SORT_KEYS: readonly SortKey[] = [
  "triage",
  "age",
  "priority",
  "confidence",
  "intent",
  "channel",
  "customer",
  "reason",
  "sentiment",
];

/** Each sort key's name and what ascending / descending mean for it. */
export const SORT_LABEL: Record<SortKey, { name: string; asc: string; desc: string }> = {
  triage: { name: "Triage", asc: "most urgent first", desc: "least urgent first" },
  age: { name: "Escalated", asc: "oldest first", desc: "newest first" },
  priority: { name: "Priority", asc: "lowest first", desc: "highest first" },
  confidence: { name: "Confidence", asc: "lowest first", desc: "highest first" },
  intent: { name: "Intent", asc: "A → Z", desc: "Z → A" },
  channel: { name: "Channel", asc: "A → Z", desc: "Z → A" },
  customer: { name: "Customer", asc: "A → Z", desc: "Z → A" },
  reason: { name: "Reason", asc: "A → Z", desc: "Z → A" },
  sentiment: { name: "Sentiment", asc: "most negative first", desc: "most positive first" },
};

export function customerLabel(name: string | null, id: string): string {
  return name !== null && name.trim() !== "" ? name : id;
}

export const USER_ROLES: readonly Role[] = ["agent", "supervisor", "team_lead", "admin"];

export const USER_ROLE_LABEL: Record<Role, string> = {
  agent: "Agent",
  supervisor: "Supervisor",
  team_lead: "Team lead",
  admin: "Admin",
};

export function rolesLabel(roles: readonly Role[]): string {
  return roles.map((r) => USER_ROLE_LABEL[r]).join(", ");
}

/** "Ana Agent" → "AA", "lee" → "LE": for the small claimed-by avatars. */
export function initials(name: string): string {
  const words = name.trim().split(/[\s\-_.]+/).filter(Boolean);
  if (words.length === 0) return "?";
  if (words.length === 1) return words[0]!.slice(0, 2).toUpperCase();
  return (words[0]![0]! + words[words.length - 1]![0]!).toUpperCase();
}

export const PROVENANCE_LABEL: Record<FieldProvenance, { word: string; hint: string }> = {
  verified: { word: "verified", hint: "Verified by a system (e.g. an order lookup)" },
  stated: { word: "stated", hint: "Stated by the customer, not checked" },
  inferred: { word: "inferred", hint: "Inferred by the bot: check it with the customer" },
};

export const SUMMARY_VERDICT_LABEL: Record<SummaryVerdict, string> = { yes: "Yes", partly: "Partly", no: "No" };

export const TIMING_LABEL: Record<EscalationTiming, string> = {
  too_early: "Too early",
  right: "Right",
  too_late: "Too late",
};

export const EXPORT_TABLE_LABEL: Record<ExportTable, string> = {
  by_intent: "Ratings by intent",
  by_version: "Ratings by bot version",
  by_day_reason: "Escalations by day and reason",
  calibration: "Calibration bins",
  ratings: "Every rating",
};

// ------------------------------------------------------------------ approval gates and audit

/** How each tool-call state reads; `tone` picks the colour (never the only signal). */
export const CALL_STATE: Record<CallState, { word: string; tone: "ok" | "bad" | "wait" | "run" | "off" }> = {
  proposed: { word: "needs confirmation", tone: "wait" },
  pending: { word: "pending approval", tone: "wait" },
  approved: { word: "approved", tone: "run" },
  executing: { word: "running", tone: "run" },
  succeeded: { word: "succeeded", tone: "ok" },
  failed: { word: "failed", tone: "bad" },
  denied: { word: "denied", tone: "bad" },
  expired: { word: "expired", tone: "off" },
};

export const FLAG_LABEL: Record<Flag, { word: string; hint: string }> = {
  fraud_suspected: { word: "Fraud suspected", hint: "An agent marked this conversation as suspected fraud, or the bot collected it" },
  unverified_identity: { word: "Identity not verified", hint: "The bot platform did not verify the customer's identity" },
  params_from_customer_text: {
    word: "Values from the customer's words",
    hint: "A parameter's value appears in what the customer wrote: check it was not injected",
  },
};

/** The audit log's kind filter: prefixes of `AuditEvent.kind`. */
export const AUDIT_KIND_PREFIXES: readonly { value: string; label: string }[] = [
  { value: "", label: "All kinds" },
  { value: "tool_call.", label: "Tool calls (tool_call.)" },
  { value: "draft.", label: "Drafts (draft.)" },
  { value: "reply.", label: "Replies (reply.)" },
  { value: "auth.", label: "Sign-ins (auth.)" },
];

/** "120.00 USD": the amount exactly as Rust sent it, with its currency. */
export function moneyLabel(amount: string, currency: string | null): string {
  return currency ? `${amount} ${currency}` : amount;
}
