// Human words for the enum values the Rust side sends. Display only: no rule lives here.
import type {
  ActionStatus,
  Channel,
  ConfidenceBand,
  EscalationReason,
  Priority,
  SentimentLabel,
  SortKey,
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
