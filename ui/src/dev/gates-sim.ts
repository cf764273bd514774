// A simulation of desk-core's approval gates and audit log, for the fixture back end
// (dev/mock.ts) and the test back end (test/backend.ts). It mirrors config/tools.toml,
// config/policy.toml, gates/lifecycle.rs and audit.rs closely enough to show every state; the
// Rust side is the one that counts. Never imported by the app itself.
import type {
  AuditEvent,
  AuditFilter,
  AuditVerification,
  CallState,
  Decision,
  Flag,
  Handoff,
  PendingApproval,
  ProposeInput,
  ToolCallView,
  ToolSpec,
} from "../bindings";

// ------------------------------------------------------------------ SHA-256 (small, synchronous)
const PRIMES: number[] = [];
for (let n = 2; PRIMES.length < 64; n++) if (PRIMES.every((p) => n % p !== 0)) PRIMES.push(n);
const frac32 = (x: number) => Math.floor((x - Math.floor(x)) * 2 ** 32) >>> 0;
const K = Uint32Array.from(PRIMES.map((p) => frac32(Math.cbrt(p))));
const H0 = Uint32Array.from(PRIMES.slice(0, 8).map((p) => frac32(Math.sqrt(p))));
const ror = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export function sha256Hex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array((((bytes.length + 9 + 63) >> 6) << 6) >>> 0);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const dv = new DataView(padded.buffer);
  const bits = bytes.length * 8;
  dv.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  dv.setUint32(padded.length - 4, bits >>> 0);
  const h = Uint32Array.from(H0);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      w[i] = (w[i - 16]! + (ror(a, 7) ^ ror(a, 18) ^ (a >>> 3)) + w[i - 7]! + (ror(b, 17) ^ ror(b, 19) ^ (b >>> 10))) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
}

/** JSON with object keys sorted and no whitespace (serde_json's Map is ordered by key). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

// ------------------------------------------------------------------ catalogue (config/tools.toml)
const str = (name: string, max_len: number, required = true) => ({ name, type: "string" as const, required, max_len, min: null, max: null, values: null });

/** As the core's `Policy::approval_needs_step_up`: a risky tool, or an amount over the threshold. */
function needsStepUp(tool: string, amount: string | null): boolean {
  const risk = TOOLS.find((t) => t.name === tool)?.risk ?? "";
  return POLICY.stepUpRisks.includes(risk) || (amount !== null && (moneyMinor(amount) ?? 0) > POLICY.stepUpOverMinor);
}

export const TOOLS: ToolSpec[] = [
  { name: "orders.lookup", title: "Look up order", method: "GET", url: "{base}/v1/orders/{order_id}", risk: "read", params: [str("order_id", 64)] },
  {
    name: "billing.refund",
    title: "Refund",
    method: "POST",
    url: "{base}/v1/refunds",
    risk: "money",
    params: [
      str("order_id", 64),
      { name: "amount", type: "money", required: true, max_len: null, min: "0.01", max: "10000.00", values: null },
      { name: "currency", type: "enum", required: true, max_len: null, min: null, max: null, values: ["USD", "EUR", "GBP"] },
      str("reason", 500, false),
    ],
  },
  { name: "orders.cancel", title: "Cancel order", method: "POST", url: "{base}/v1/orders/{order_id}/cancel", risk: "cancellation", params: [str("order_id", 64), str("reason", 500, false)] },
  {
    name: "subscriptions.cancel",
    title: "Cancel subscription",
    method: "POST",
    url: "{base}/v1/subscriptions/{subscription_id}/cancel",
    risk: "cancellation",
    params: [str("subscription_id", 64), { name: "at_period_end", type: "boolean", required: true, max_len: null, min: null, max: null, values: null }],
  },
  { name: "accounts.change_address", title: "Change address", method: "POST", url: "{base}/v1/customers/{customer_id}/address", risk: "account", params: [str("customer_id", 64), str("address", 500)] },
  {
    name: "billing.change_payment_method",
    title: "Change payment method",
    method: "POST",
    url: "{base}/v1/customers/{customer_id}/payment_method",
    risk: "payment",
    params: [str("customer_id", 64), str("payment_method_token", 128)],
  },
  { name: "accounts.close", title: "Close account", method: "POST", url: "{base}/v1/customers/{customer_id}/close", risk: "closure", params: [str("customer_id", 64), str("reason", 500)] },
  { name: "billing.resend_invoice", title: "Resend invoice", method: "POST", url: "{base}/v1/invoices/{invoice_id}/send", risk: "notification", params: [str("invoice_id", 64)] },
  { name: "cards.freeze", title: "Freeze card", method: "POST", url: "{base}/v1/cards/{card_last4}/freeze", risk: "account", params: [str("card_last4", 4), str("reason", 500, false)] },
];

// ------------------------------------------------------------------ policy (config/policy.toml)
type Rule = {
  id: string;
  tool?: string;
  risk?: string;
  amount_over?: string;
  amount_at_most?: string;
  currency?: string[];
  tiers?: string[];
  flags_any?: Flag[];
  decision: Decision;
  reason: string;
};

export const POLICY = {
  version: "2026-11-23.1",
  sha256: sha256Hex("policy.toml 2026-11-23.1"),
  stepUpOverMinor: 50000,
  stepUpRisks: ["closure", "payment", "account", "cancellation"],
  rules: [
    { id: "fraud", flags_any: ["fraud_suspected"], decision: "approve", reason: "Fraud is suspected on this conversation: a supervisor must approve any action." },
    { id: "closure", risk: "closure", decision: "approve", reason: "Closing an account cannot be undone: a supervisor must approve." },
    { id: "payment-method", risk: "payment", decision: "approve", reason: "Payment-method changes are a common takeover path: a supervisor must approve." },
    { id: "cancellation", risk: "cancellation", decision: "approve", reason: "Cancellations need a supervisor." },
    { id: "refund-unverified", tool: "billing.refund", flags_any: ["unverified_identity"], decision: "approve", reason: "The customer's identity is not verified: a supervisor must approve refunds." },
    { id: "refund-over-threshold", tool: "billing.refund", amount_over: "50.00", decision: "approve", reason: "Refunds above 50.00 need a supervisor." },
    { id: "refund-small", tool: "billing.refund", decision: "confirm", reason: "Refunds up to 50.00: the agent confirms." },
    {
      id: "customer-supplied-account-change",
      risk: "account",
      flags_any: ["params_from_customer_text"],
      decision: "approve",
      reason: "Account details taken from the customer's own words: a supervisor checks them.",
    },
    { id: "reads", risk: "read", decision: "allow", reason: "Reading an order changes nothing." },
    { id: "default", decision: "confirm", reason: "Any other action: the agent confirms." },
  ] as Rule[],
};

/** Money as minor units: "59.00" → 5900; null for anything else. */
export function moneyMinor(s: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0") || "0");
}

function evaluate(tool: ToolSpec, params: Record<string, unknown>, tier: string | null, flags: Flag[]) {
  const amount = typeof params.amount === "string" ? moneyMinor(params.amount) : null;
  const currency = typeof params.currency === "string" ? params.currency : null;
  rules: for (const r of POLICY.rules) {
    const matched: string[] = [];
    if (r.tool !== undefined) {
      const ok = r.tool.endsWith("*") ? tool.name.startsWith(r.tool.slice(0, -1)) : tool.name === r.tool;
      if (!ok) continue;
      matched.push(`tool is ${r.tool}`);
    }
    if (r.risk !== undefined) {
      if (tool.risk !== r.risk) continue;
      matched.push(`risk class is ${r.risk}`);
    }
    if (r.amount_over !== undefined) {
      if (amount === null || amount <= moneyMinor(r.amount_over)!) continue;
      matched.push(`amount is over ${r.amount_over}`);
    }
    if (r.amount_at_most !== undefined) {
      if (amount === null || amount > moneyMinor(r.amount_at_most)!) continue;
      matched.push(`amount is at most ${r.amount_at_most}`);
    }
    if (r.currency !== undefined) {
      if (currency === null || !r.currency.includes(currency)) continue;
      matched.push(`currency is ${currency}`);
    }
    if (r.tiers !== undefined) {
      if (tier === null || !r.tiers.includes(tier)) continue;
      matched.push(`customer tier is ${tier}`);
    }
    if (r.flags_any !== undefined) {
      const f = r.flags_any.find((x) => flags.includes(x));
      if (!f) continue rules;
      matched.push(`flag ${f}`);
    }
    if (matched.length === 0) matched.push("catch-all rule");
    return { decision: r.decision, rule_id: r.id, reason: r.reason, matched };
  }
  return { decision: "deny" as Decision, rule_id: "none", reason: "No rule of the policy matches this call, so it is denied.", matched: [] };
}

// ------------------------------------------------------------------ validation (gates/tools.rs)
export function validate(toolName: string, params: Record<string, unknown>): { path: string; message: string }[] {
  const spec = TOOLS.find((t) => t.name === toolName);
  if (!spec) return [{ path: "$.tool", message: `unknown tool "${toolName}"` }];
  const errors: { path: string; message: string }[] = [];
  const err = (name: string, message: string) => errors.push({ path: `$.params.${name}`, message });
  for (const key of Object.keys(params)) if (!spec.params.some((p) => p.name === key)) err(key, `is not a parameter of ${toolName}`);
  for (const p of spec.params) {
    const v = params[p.name];
    if (v === undefined) {
      if (p.required) err(p.name, "is required");
      continue;
    }
    if (p.type === "boolean") {
      if (typeof v !== "boolean") err(p.name, "must be true or false");
      continue;
    }
    if (typeof v !== "string") {
      err(p.name, "must be a string");
      continue;
    }
    if (p.required && v.trim() === "") {
      err(p.name, "must not be empty");
      continue;
    }
    if (p.max_len !== null && [...v].length > p.max_len) err(p.name, `is longer than ${p.max_len} characters`);
    if (p.type === "enum" && !(p.values ?? []).includes(v)) err(p.name, `must be one of ${(p.values ?? []).join(", ")}`);
    if (p.type === "money") {
      const m = moneyMinor(v);
      if (m === null) err(p.name, `"${v}" is not an amount like 59.00`);
      else {
        if (p.min !== null && m < moneyMinor(p.min)!) err(p.name, `must be at least ${p.min}`);
        if (p.max !== null && m > moneyMinor(p.max)!) err(p.name, `must be at most ${p.max}`);
      }
    }
  }
  return errors;
}

// ------------------------------------------------------------------ the simulation
export type SimActor = { user_id: number; username: string; display_name: string; mayApprove: boolean; steppedUp: boolean };
export type Outcome = { succeeded: boolean; status: number | null; detail: string; retryable: boolean };
type Failure = { kind: string; message: string };

type Stored = ToolCallView & { approved_sha256: string | null; approved_by_id: number | null };
type StoredEvent = AuditEvent & { payload_text: string };

const GENESIS = "0".repeat(64);
const fail = (kind: string, message: string): Failure => ({ kind, message });

export type GateSimOptions = {
  /** The escalation a call belongs to (for flags, policy tier and the approvals inbox). */
  handoff: (id: string) => Handoff | undefined;
  baseUrl?: string;
  now?: () => number;
  /** Called after every change of a call (the shell emits `gates-changed`). */
  onChange?: (v: ToolCallView) => void;
  /** Called when a call becomes approved (the shell executes it in the background). */
  onApproved?: (id: string, actor: string) => void;
  /** How an execution ends. */
  outcome?: (v: ToolCallView) => Outcome;
  requestTtlMs?: number;
  approvalTtlMs?: number;
  pendingSlaMs?: number;
};

export class GateSim {
  calls: Stored[] = [];
  events: StoredEvent[] = [];
  /** The kept head hash (cutting events off the end shows). */
  head: string = GENESIS;
  private seq = 0;
  private readonly o: Required<Omit<GateSimOptions, "onChange" | "onApproved">> & Pick<GateSimOptions, "onChange" | "onApproved">;

  constructor(opts: GateSimOptions) {
    this.o = {
      baseUrl: "http://127.0.0.1:47291",
      now: () => Date.now(),
      outcome: defaultOutcome,
      requestTtlMs: 30 * 60_000,
      approvalTtlMs: 30 * 60_000,
      pendingSlaMs: 5 * 60_000,
      ...opts,
    };
  }

  /** Run `fn` as if the clock read `atMs` (to seed history). */
  at<T>(atMs: number, fn: () => T): T {
    const real = this.o.now;
    this.o.now = () => atMs;
    try {
      return fn();
    } finally {
      this.o.now = real;
    }
  }

  private now() {
    return this.o.now();
  }

  private view(c: Stored): ToolCallView {
    const { approved_sha256: _a, approved_by_id: _b, ...v } = c;
    return { ...v, params: { ...v.params }, flags: [...v.flags], rule_matched: [...v.rule_matched] };
  }

  private get(id: string): Stored {
    const c = this.calls.find((x) => x.id === id);
    if (!c) throw fail("not_found", `No tool call ${id}.`);
    return c;
  }

  audit(kind: string, subject: string, payload: unknown, actor: string): AuditEvent {
    const last = this.events[this.events.length - 1];
    const id = (last?.id ?? 0) + 1;
    const prev_hash = last?.hash ?? GENESIS;
    const at_ms = this.now();
    const payload_text = canonicalJson(payload);
    const hash = sha256Hex(JSON.stringify([id, at_ms, actor, kind, subject, payload_text, prev_hash]));
    const e: StoredEvent = { id, at_ms, actor, kind, subject, payload: JSON.parse(payload_text) as unknown, prev_hash, hash, payload_text };
    this.events.push(e);
    this.head = hash;
    return e;
  }

  private transitionAudit(c: Stored, kind: string, actor: string, reason: string | null = null) {
    this.audit(
      kind,
      c.id,
      { tool: c.tool, handoff_id: c.handoff_id, params_sha256: c.params_sha256, state: c.state, attempt: c.attempts, reason, http_status: c.http_status, outcome: c.outcome },
      actor,
    );
  }

  private changed(c: Stored) {
    c.updated_at_ms = this.now();
    this.o.onChange?.(this.view(c));
  }

  // ---------------------------------------------------------------- commands
  tools(): ToolSpec[] {
    return TOOLS.map((t) => ({ ...t, params: t.params.map((p) => ({ ...p })) }));
  }

  callsFor(handoffId: string): ToolCallView[] {
    return this.calls.filter((c) => c.handoff_id === handoffId).sort((a, b) => a.created_at_ms - b.created_at_ms).map((c) => this.view(c));
  }

  call(id: string): ToolCallView {
    return this.view(this.get(id));
  }

  propose(by: SimActor, input: ProposeInput): ToolCallView {
    const errors = validate(input.tool, input.params);
    if (errors.length > 0) {
      throw fail("invalid_input", `The parameters do not fit ${input.tool}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
    }
    const spec = TOOLS.find((t) => t.name === input.tool)!;
    const h = this.o.handoff(input.handoff_id);
    if (!h) throw fail("not_found", `No escalation with id ${input.handoff_id}.`);
    const flags: Flag[] = [];
    if (input.fraud_suspected || (h.collected_fields.fraud_suspected ?? "").toLowerCase() === "true") flags.push("fraud_suspected");
    if (!h.customer.verified) flags.push("unverified_identity");
    const said = h.transcript.filter((t) => t.role === "customer").map((t) => t.text.toLowerCase());
    const fromCustomer = Object.values(input.params)
      .filter((v): v is string => typeof v === "string")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => [...s].length >= 6)
      .some((s) => said.some((t) => t.includes(s)));
    if (fromCustomer) flags.push("params_from_customer_text");
    const d = evaluate(spec, input.params, h.customer.tier, flags);
    const now = this.now();
    const params = JSON.parse(canonicalJson(input.params)) as Record<string, unknown>;
    const sha = sha256Hex(canonicalJson(params));
    const id = `tc_${sha256Hex(`${now}:${++this.seq}:${input.tool}`).slice(0, 20)}`;
    let url = spec.url.replace("{base}", this.o.baseUrl);
    for (const [k, v] of Object.entries(params)) url = url.replace(`{${k}}`, encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v)));
    const state: CallState = d.decision === "allow" ? "approved" : d.decision === "approve" ? "pending" : d.decision === "deny" ? "denied" : "proposed";
    const c: Stored = {
      id,
      handoff_id: input.handoff_id,
      tool: spec.name,
      tool_title: spec.title,
      params,
      params_sha256: sha,
      request_line: `${spec.method} ${url}`,
      amount: typeof params.amount === "string" ? params.amount : null,
      currency: typeof params.currency === "string" ? params.currency : null,
      origin: input.origin,
      flags,
      decision: d.decision,
      rule_id: d.rule_id,
      rule_reason: d.reason,
      rule_matched: d.matched,
      policy_version: POLICY.version,
      policy_sha256: POLICY.sha256,
      state,
      requested_by_id: by.user_id,
      requested_by: by.display_name,
      requested_by_username: by.username,
      approved_by: null,
      approved_at_ms: null,
      expires_at_ms: now + this.o.requestTtlMs,
      decided_by: null,
      decision_reason: null,
      attempts: 0,
      http_status: null,
      outcome: null,
      retryable: false,
      escalated_at_ms: null,
      escalatable_at_ms: state === "pending" ? now + 5 * 60 * 1000 : null,
      created_at_ms: now,
      updated_at_ms: now,
      approved_sha256: state === "approved" ? sha : null,
      approved_by_id: null,
    };
    this.calls.push(c);
    const actor = actorOf(by);
    this.audit(
      "tool_call.proposed",
      id,
      {
        tool: c.tool,
        handoff_id: c.handoff_id,
        params,
        params_sha256: sha,
        origin: c.origin,
        flags,
        decision: d.decision,
        rule_id: d.rule_id,
        rule_reason: d.reason,
        policy_version: POLICY.version,
        policy_sha256: POLICY.sha256,
      },
      actor,
    );
    const second = { allow: "tool_call.allowed_by_policy", approve: "tool_call.approval_requested", deny: "tool_call.denied_by_policy", confirm: null }[d.decision];
    if (second) this.audit(second, id, { tool: c.tool, handoff_id: c.handoff_id, params_sha256: sha, decision: d.decision }, actor);
    this.changed(c);
    if (state === "approved") this.o.onApproved?.(id, actor);
    return this.view(c);
  }

  confirm(by: SimActor, id: string): ToolCallView {
    const c = this.get(id);
    if (c.state !== "proposed" || c.decision !== "confirm") throw fail("conflict", `A call that is ${c.state} cannot be confirmed.`);
    if (by.user_id !== c.requested_by_id) throw fail("forbidden", "Only the agent who proposed it can confirm it.");
    if (this.now() >= (c.expires_at_ms ?? 0)) throw fail("conflict", "This proposal has expired.");
    c.state = "approved";
    c.approved_by_id = by.user_id;
    c.approved_by = by.display_name;
    c.approved_sha256 = c.params_sha256;
    c.approved_at_ms = this.now();
    this.transitionAudit(c, "tool_call.confirmed", actorOf(by));
    this.changed(c);
    this.o.onApproved?.(id, actorOf(by));
    return this.view(c);
  }

  pending(): PendingApproval[] {
    const now = this.now();
    const out = this.calls
      .filter((c) => c.state === "pending")
      .map((c) => {
        const h = this.o.handoff(c.handoff_id);
        const escalatedMs = h ? Date.parse(h.escalated_at) : c.created_at_ms;
        const amount = c.amount !== null ? (moneyMinor(c.amount) ?? 0) : 0;
        const p: PendingApproval = {
          call: this.view(c),
          summary: h?.summary ?? "",
          customer: h ? (h.customer.name ?? h.customer.id) : "",
          intent: h?.intent.name ?? "",
          priority: h?.priority ?? "normal",
          customer_waiting_ms: now - escalatedMs,
          request_waiting_ms: now - c.created_at_ms,
          overdue: now - c.created_at_ms > this.o.pendingSlaMs,
          needs_step_up: needsStepUp(c.tool, c.amount),
        };
        return { amount, p };
      });
    out.sort(
      (a, b) =>
        Number(b.p.call.escalated_at_ms !== null) - Number(a.p.call.escalated_at_ms !== null) ||
        b.p.customer_waiting_ms - a.p.customer_waiting_ms ||
        b.amount - a.amount,
    );
    return out.map((x) => x.p);
  }

  history(limit = 200): ToolCallView[] {
    return this.calls
      .filter((c) => c.decision === "approve" && c.state !== "pending")
      .sort((a, b) => b.updated_at_ms - a.updated_at_ms)
      .slice(0, limit)
      .map((c) => this.view(c));
  }

  approve(by: SimActor, id: string, shownSha: string): ToolCallView {
    const c = this.get(id);
    if (by.mayApprove && needsStepUp(c.tool, c.amount) && !by.steppedUp) throw fail("step_up_required", "Confirm your password to do this.");
    if (c.state !== "pending") throw fail("conflict", `A call that is ${c.state} cannot be approved.`);
    if (!by.mayApprove) throw fail("forbidden", "Only a supervisor can approve or deny tool calls.");
    if (by.user_id === c.requested_by_id) throw fail("forbidden", "The person who requested this call cannot approve or deny it (four eyes).");
    if (shownSha !== c.params_sha256) throw fail("conflict", "The parameters changed since they were approved: the approval no longer applies.");
    if (this.now() >= (c.expires_at_ms ?? 0)) throw fail("conflict", "This request has expired.");
    const now = this.now();
    c.state = "approved";
    c.approved_by_id = by.user_id;
    c.approved_by = by.display_name;
    c.decided_by = by.display_name;
    c.approved_sha256 = shownSha;
    c.approved_at_ms = now;
    c.expires_at_ms = now + this.o.approvalTtlMs;
    this.transitionAudit(c, "tool_call.approved", actorOf(by));
    this.changed(c);
    this.o.onApproved?.(id, actorOf(by));
    return this.view(c);
  }

  deny(by: SimActor, id: string, reason: string): ToolCallView {
    const c = this.get(id);
    if (c.state !== "pending") throw fail("conflict", `A call that is ${c.state} cannot be denied.`);
    if (!by.mayApprove) throw fail("forbidden", "Only a supervisor can approve or deny tool calls.");
    if (by.user_id === c.requested_by_id) throw fail("forbidden", "The person who requested this call cannot approve or deny it (four eyes).");
    if (reason.trim() === "") throw fail("invalid_input", "A denial needs a reason.");
    c.state = "denied";
    c.decided_by = by.display_name;
    c.decision_reason = reason.trim();
    this.transitionAudit(c, "tool_call.denied", actorOf(by), c.decision_reason);
    this.changed(c);
    return this.view(c);
  }

  /** Expire what is past its time (the shell's sweep). */
  expire(): string[] {
    const now = this.now();
    const due = this.calls.filter((c) => ["proposed", "pending", "approved"].includes(c.state) && c.attempts === 0 && (c.expires_at_ms ?? Infinity) <= now);
    for (const c of due) {
      c.state = "expired";
      this.transitionAudit(c, "tool_call.expired", "system");
      this.changed(c);
    }
    return due.map((c) => c.id);
  }

  /** Records that execution starts (before anything is sent). */
  startExecution(id: string, actor: string): ToolCallView {
    const c = this.get(id);
    if (c.state !== "approved" || c.attempts !== 0) throw fail("conflict", `A call that is ${c.state} cannot be executed.`);
    if (c.approved_sha256 !== c.params_sha256) throw fail("conflict", "The parameters changed since they were approved: the approval no longer applies.");
    c.state = "executing";
    c.attempts = 1;
    this.transitionAudit(c, "tool_call.execution_started", actor);
    this.changed(c);
    return this.view(c);
  }

  finishExecution(id: string, outcome?: Outcome): ToolCallView {
    const c = this.get(id);
    if (c.state !== "executing") throw fail("conflict", `A call that is ${c.state} cannot be marked finished.`);
    const o = outcome ?? this.o.outcome(this.view(c));
    c.state = o.succeeded ? "succeeded" : "failed";
    c.retryable = !o.succeeded && o.retryable;
    c.http_status = o.status ?? c.http_status;
    c.outcome = o.detail;
    this.transitionAudit(c, o.succeeded ? "tool_call.succeeded" : "tool_call.failed", "system");
    this.changed(c);
    return this.view(c);
  }

  /** Start and finish at once. */
  execute(id: string, actor: string, outcome?: Outcome): ToolCallView {
    this.startExecution(id, actor);
    return this.finishExecution(id, outcome);
  }

  retry(by: SimActor, id: string, outcome?: Outcome): ToolCallView {
    const c = this.get(id);
    if (c.state !== "failed") throw fail("conflict", `A call that is ${c.state} cannot be re-sent.`);
    if (!c.retryable) throw fail("conflict", "This failure is not retryable.");
    c.state = "executing";
    c.attempts += 1;
    c.retryable = false;
    this.transitionAudit(c, "tool_call.execution_retried", actorOf(by));
    this.changed(c);
    return this.finishExecution(id, outcome);
  }

  escalate(by: SimActor, id: string): ToolCallView {
    const c = this.get(id);
    if (c.state !== "pending") throw fail("conflict", `A call that is not pending cannot be escalated.`);
    const waited = this.now() - c.created_at_ms;
    if (waited <= this.o.pendingSlaMs) throw fail("invalid_input", `It can be escalated once it has waited ${this.o.pendingSlaMs / 60_000} minutes.`);
    if (c.escalated_at_ms === null) c.escalated_at_ms = this.now();
    this.audit("tool_call.escalated", id, { waited_ms: waited }, actorOf(by));
    this.changed(c);
    return this.view(c);
  }

  // ---------------------------------------------------------------- audit log
  auditList(f: AuditFilter, beforeId: number | null, limit: number): AuditEvent[] {
    const kind = f.kind_prefix ?? "";
    const subject = f.subject ?? "";
    const actor = (f.actor ?? "").toLowerCase();
    return this.events
      .filter((e) => e.id < (beforeId ?? Infinity))
      .filter((e) => (kind === "" || e.kind.startsWith(kind)) && (subject === "" || e.subject === subject) && (actor === "" || e.actor.toLowerCase().includes(actor)))
      .sort((a, b) => b.id - a.id)
      .slice(0, Math.min(1000, Math.max(1, limit)))
      .map(({ payload_text: _t, ...e }) => ({ ...e }));
  }

  verify(): AuditVerification {
    let prev = GENESIS;
    let n = 0;
    const broken = (id: number, problem: string): AuditVerification => ({ events: n, ok: false, first_broken_id: id, problem });
    for (const [i, e] of this.events.entries()) {
      n += 1;
      const expected = i + 1;
      if (e.id !== expected) return broken(expected, `event ${expected} is missing (the next stored event is ${e.id})`);
      if (e.prev_hash !== prev) return broken(e.id, `event ${e.id} does not follow event ${e.id - 1} (its previous hash differs): events were removed or reordered`);
      const h = sha256Hex(JSON.stringify([e.id, e.at_ms, e.actor, e.kind, e.subject, e.payload_text, e.prev_hash]));
      if (h !== e.hash) return broken(e.id, `event ${e.id} was changed after it was written (its hash does not match its content)`);
      prev = e.hash;
    }
    if (this.events.length > 0 && this.head !== prev) {
      return broken(this.events.length + 1, `the log ends at event ${this.events.length} but events after it were written: the end was cut off`);
    }
    return { events: n, ok: true, first_broken_id: null, problem: null };
  }

  /** Change an event's stored payload behind the log's back (for the "broken chain" screens). */
  tamper(id: number) {
    const e = this.events.find((x) => x.id === id);
    if (e) e.payload_text = e.payload_text.replace(/\}$/, ',"edited":true}');
  }
}

export function actorOf(a: { user_id: number; username: string }): string {
  return `user:${a.user_id}:${a.username}`;
}

function defaultOutcome(v: ToolCallView): Outcome {
  if (v.tool === "orders.lookup") {
    return { succeeded: true, status: 200, detail: canonicalJson({ order_id: v.params.order_id, status: "delivered", total: "59.00" }), retryable: false };
  }
  return { succeeded: true, status: 200, detail: canonicalJson({ id: `op_${v.id.slice(3, 13)}`, status: "succeeded" }), retryable: false };
}
