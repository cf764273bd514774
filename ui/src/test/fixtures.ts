import type { HandoffDetail, QueueFacets, QueueRow } from "../bindings";

export function row(i: number, over: Partial<QueueRow> = {}): QueueRow {
  const now = Date.now();
  return {
    seq: i + 1,
    handoff_id: `hf_${String(i).padStart(4, "0")}`,
    conversation_id: `conv_${i}`,
    escalated_at: new Date(now - 60_000).toISOString(),
    escalated_ms: now - 60_000,
    priority: "normal",
    sla_secs: 1800,
    intent: i % 2 === 0 ? "refund_request" : "order_status",
    confidence: 0.62,
    band: "medium",
    channel: "web",
    customer_id: `cus_${i}`,
    customer_name: `Customer ${i}`,
    reason: "low_confidence",
    sentiment: "frustrated",
    sentiment_score: -0.7,
    summary: `Summary of escalation ${i}`,
    status: "open",
    action_count: 2,
    failed_action_count: 1,
    turn_count: 2,
    ...over,
  };
}

export function rows(n: number): QueueRow[] {
  return Array.from({ length: n }, (_, i) => row(i));
}

export function facets(total: number, quarantined = 0): QueueFacets {
  return {
    total,
    quarantined,
    priorities: [{ value: "normal", count: total }],
    intents: [
      { value: "refund_request", count: Math.ceil(total / 2) },
      { value: "order_status", count: Math.floor(total / 2) },
    ],
  };
}

export function detail(id: string, over: Partial<HandoffDetail["handoff"]> = {}): HandoffDetail {
  const now = Date.now();
  return {
    seq: 1,
    band: "medium",
    alternative_bands: ["low"],
    escalated_ms: now - 6 * 60_000,
    sla_secs: 600,
    status: "open",
    revision: 1,
    source: "demo",
    received_at: new Date(now - 6 * 60_000).toISOString(),
    updated_at: new Date(now - 6 * 60_000).toISOString(),
    handoff: {
      schema: "handoff/v1",
      handoff_id: id,
      conversation_id: "conv_81723",
      escalated_at: new Date(now - 6 * 60_000).toISOString(),
      channel: "web",
      customer: { id: "cus_42", name: "Ada L.", email: "ada@example.com", tier: "gold", verified: true, language: "en" },
      intent: { name: "refund_request", confidence: 0.62, alternatives: [{ name: "order_status", confidence: 0.21 }] },
      sentiment: { label: "frustrated", score: -0.7 },
      reason: "low_confidence",
      priority: "high",
      summary: "Wants a refund for order A123; item arrived damaged; photo sent.",
      collected_fields: { order_id: "A123", amount: "59.00", currency: "USD" },
      attempted_actions: [
        { tool: "orders.lookup", params: { order_id: "A123" }, status: "succeeded", result: "delivered 2026-11-20", at: new Date(now - 7 * 60_000).toISOString() },
        {
          tool: "billing.refund",
          params: { order_id: "A123", amount: "59.00" },
          status: "denied",
          result: "above bot limit of 25.00",
          at: new Date(now - 7 * 60_000).toISOString(),
        },
      ],
      transcript: [
        { role: "customer", text: "My order arrived broken.", at: new Date(now - 8 * 60_000).toISOString() },
        { role: "bot", text: "Sorry to hear that.", at: new Date(now - 8 * 60_000).toISOString(), sources: ["kb/returns"] },
      ],
      bot: { name: "helpbot", version: "2026.11.2" },
      ...over,
    },
  };
}
