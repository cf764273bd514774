import type {
  AppStatus,
  Actor,
  Analytics,
  CalibrationBin,
  HandoffDetail,
  Permission,
  QueueFacets,
  QueueRow,
  Rating,
  RatingInput,
  Role,
  SessionInfo,
} from "../bindings";

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
    claimed_by: null,
    claimed_by_id: null,
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
    field_provenance: { order_id: "verified", amount: "stated", currency: "inferred" },
    claimed_by: null,
    claimed_by_id: null,
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

// ------------------------------------------------------------------ people

/** The demo users (as the Rust side seeds them). */
export const USERS: Record<string, Actor> = {
  ana: { user_id: 1, username: "ana", display_name: "Ana Agent", roles: ["agent"] },
  sam: { user_id: 2, username: "sam", display_name: "Sam Supervisor", roles: ["supervisor", "agent"] },
  lee: { user_id: 3, username: "lee", display_name: "Lee Team-Lead", roles: ["team_lead"] },
  ada: { user_id: 4, username: "ada", display_name: "Ada Admin", roles: ["admin"] },
};

export const DEMO_PASSWORD = "demo-desk-1";

/**
 * Test data: what desk-core's permission matrix grants each role, without the draft permissions
 * (reply_to_customers, configure_drafts): `installDrafts` (backend-drafts.ts) adds those.
 */
const GRANTS: Record<Role, Permission[]> = {
  agent: ["view_queue", "view_quarantine", "claim_handoff", "propose_tool_calls", "view_audit"],
  supervisor: [
    "view_queue",
    "view_quarantine",
    "claim_handoff",
    "reassign_handoff",
    "import_handoffs",
    "view_analytics",
    "propose_tool_calls",
    "approve_tool_calls",
    "view_audit",
  ],
  team_lead: ["view_queue", "view_quarantine", "rate_handoffs", "view_analytics", "export_data", "view_audit"],
  admin: ["view_queue", "view_quarantine", "import_handoffs", "view_analytics", "export_data", "manage_users", "change_policy", "view_audit"],
};

export function sessionOf(actor: Actor): SessionInfo {
  const permissions = [...new Set(actor.roles.flatMap((r) => GRANTS[r]))];
  return { actor, permissions, stepped_up_until_ms: null, switched: false, ends_at_ms: null, locked: false };
}

export function ratingInput(over: Partial<RatingInput> = {}): RatingInput {
  return {
    summary_accurate: "yes",
    intent_correct: true,
    correct_intent: null,
    context_complete: true,
    missing_fields: [],
    actions_reported: true,
    timing: "right",
    overall: 4,
    comment: "",
    ...over,
  };
}

export function rating(id: number, handoffId: string, rater: Actor, over: Partial<Rating> = {}): Rating {
  const at = new Date(Date.now() - 3 * 60_000).toISOString();
  return {
    id,
    handoff_id: handoffId,
    rater_id: rater.user_id,
    rater_name: rater.display_name,
    bot_name: "helpbot",
    bot_version: "2026.11.2",
    intent: "refund_request",
    confidence: 0.62,
    input: ratingInput(),
    revision: 1,
    created_at: at,
    updated_at: at,
    ...over,
  };
}

export function analytics(rated: number): Analytics {
  const bins: CalibrationBin[] = Array.from({ length: 10 }, (_, i) => {
    const n = rated === 0 || i < 3 ? 0 : 2 + i;
    return {
      lower: i / 10,
      upper: (i + 1) / 10,
      rated: n,
      mean_confidence: n === 0 ? null : i / 10 + 0.05,
      share_correct: n === 0 ? null : Math.max(0, i / 10 - 0.1),
    };
  });
  return {
    escalations: 1234,
    rated,
    by_day_reason: [
      { day: "2026-11-21", reason: "low_confidence", count: 14 },
      { day: "2026-11-21", reason: "tool_failure", count: 3 },
      { day: "2026-11-22", reason: "low_confidence", count: 11 },
      { day: "2026-11-23", reason: "customer_requested_human", count: 6 },
    ],
    by_intent: [
      {
        intent: "refund_request",
        escalations: 700,
        avg_confidence: 0.61,
        rated: rated === 0 ? 0 : 30,
        avg_overall: rated === 0 ? null : 3.4,
        intent_correct_share: rated === 0 ? null : 0.7,
        summary_accurate_share: rated === 0 ? null : 0.8,
        overall_counts: rated === 0 ? [0, 0, 0, 0, 0] : [2, 4, 8, 10, 6],
      },
      {
        intent: "order_status",
        escalations: 534,
        avg_confidence: 0.74,
        rated: rated === 0 ? 0 : 12,
        avg_overall: rated === 0 ? null : 4.1,
        intent_correct_share: rated === 0 ? null : 0.92,
        summary_accurate_share: rated === 0 ? null : 0.75,
        overall_counts: rated === 0 ? [0, 0, 0, 0, 0] : [0, 1, 1, 5, 5],
      },
    ],
    by_version: [
      {
        bot_version: "2026.11.2",
        escalations: 1234,
        rated,
        avg_overall: rated === 0 ? null : 3.6,
        intent_correct_share: rated === 0 ? null : 0.76,
        overall_counts: rated === 0 ? [0, 0, 0, 0, 0] : [2, 5, 9, 15, 11],
      },
    ],
    calibration: { bins, ece: rated === 0 ? null : 0.1, rated },
    time_to_claim: { claimed: 900, p50_secs: 240, p90_secs: 1500 },
    time_to_first_response: { claimed: 600, p50_secs: 420, p90_secs: 2100 },
    tools: [{ tool: "billing.refund", calls: 10, succeeded: 7, failed: 1, denied: 2, success_rate: 0.875, median_approval_secs: 120 }],
    all_intents: ["order_status", "refund_request"],
    all_bot_versions: ["2026.11.1", "2026.11.2"],
  };
}

/** A demo user as the gate simulation (dev/gates-sim.ts) takes them. */
export function simUser(username: keyof typeof USERS | string, steppedUp = false) {
  const a = USERS[username]!;
  return { ...a, mayApprove: sessionOf(a).permissions.includes("approve_tool_calls"), steppedUp };
}

/** What `app_status` answers in tests: no demo source, default bands and SLAs, demo accounts. */
export function appStatus(over: Partial<AppStatus> = {}): AppStatus {
  return {
    version: "0.1.0",
    database_path: "/tmp/desk.sqlite3",
    log_dir: "/tmp/logs",
    demo_source: false,
    bands: { medium: 0.6, high: 0.85 },
    sla: { urgent_secs: 120, high_secs: 600, normal_secs: 1800, low_secs: 7200 },
    needs_first_admin: false,
    demo_accounts: Object.values(USERS).map((u) => ({ username: u.username, display_name: u.display_name, roles: u.roles })),
    demo_password: DEMO_PASSWORD,
    password_min: 8,
    http_source: null,
    server: null,
    ...over,
  };
}
