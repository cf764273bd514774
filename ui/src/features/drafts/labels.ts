// Human words for the draft enums the Rust side sends. Display only: no rule lives here.
import type { ConfidenceBand, ConfidenceBands, DraftFlag, DraftState, DraftView, RejectReason } from "../../bindings";

/** What each guardrail flag means for the agent, as a warning they can act on. */
export const FLAG_TEXT: Record<DraftFlag, string> = {
  prompt_injection: "The customer's message looks like an attempt to instruct the AI",
  unverified_action_claim: "The draft says something was done that the handoff doesn't show as done",
  unsourced_policy_claim: "The draft states a policy that none of its sources supports: check it before sending",
  refusal_topic: "The customer raised a topic the AI must not answer (legal, medical, pricing or security): reply yourself",
  pii_masked: "Card or ID numbers were masked before drafting: the draft never saw them",
  abstained: "No knowledge-base article covers this message, so the AI wrote no reply",
  fell_back: "The LLM engine failed, so the built-in engine wrote this draft",
};

export const REJECT_REASONS: readonly RejectReason[] = [
  "inaccurate",
  "wrong_tone",
  "missing_information",
  "policy_violation",
  "not_needed",
  "other",
];

export const REJECT_REASON_LABEL: Record<RejectReason, string> = {
  inaccurate: "Inaccurate",
  wrong_tone: "Wrong tone",
  missing_information: "Missing information",
  policy_violation: "Against policy",
  not_needed: "No reply needed",
  other: "Other",
};

export const STATE_LABEL: Record<DraftState, string> = {
  ready: "ready",
  stale: "stale",
  approved: "approved",
  edited: "edited",
  rejected: "rejected",
};

/** "Embedded engine" or "LLM · gpt-4o-mini". */
export function engineLabel(d: Pick<DraftView, "engine" | "model">): string {
  if (d.engine === "llm") return d.model ? `LLM · ${d.model}` : "LLM";
  if (d.engine === "embedded") return "Embedded engine";
  return d.model ? `${d.engine} · ${d.model}` : d.engine;
}

/** The band of a confidence, with the thresholds the Rust side configured (the queue's). */
export function bandOf(confidence: number, bands: ConfidenceBands): ConfidenceBand {
  return confidence >= bands.high ? "high" : confidence >= bands.medium ? "medium" : "low";
}

/** A rejected draft's reason and the agent's note, as one phrase ("inaccurate: the amount is wrong"). */
export function rejectReasonText(reason: RejectReason, note: string | null): string {
  const label = REJECT_REASON_LABEL[reason] ?? reason;
  return note ? `${label}: ${note}` : label;
}

/** Index of the customer's latest message in a transcript (-1 when they said nothing). */
export function lastCustomerTurn(turns: { role: string }[]): number {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]!.role === "customer") return i;
  return -1;
}
