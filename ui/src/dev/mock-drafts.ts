// Draft commands for the fixture back end (dev/mock.ts delegates them here): drafts streamed
// token by token over the Channel, decisions, the outbox (sent ~1.5 s after a decision, then
// `drafts-changed`), draft metrics, the LLM settings with a key "in the keyring", and the
// knowledge-base reindex. URL parameters (besides mock.ts's):
//   ?llm=1             drafts come from an LLM (gpt-4o-mini)
//   ?llm=fail          the LLM fails: the embedded engine answers (flag fell_back + the error)
//   ?keyring=fail      the OS keyring cannot be read
//   ?again=1           the customer writes again 6 s after the first draft (stale → fresh draft)
//   ?stream=slow       tokens arrive slowly (to look at the streaming state)
import type {
  DraftDecision,
  DraftFlag,
  DraftIntentMetrics,
  DraftView,
  Handoff,
  HandoffDetail,
  KbReport,
  LlmStatus,
  OutboxEntry,
  Passage,
  Permission,
} from "../bindings";

export type DraftsMockContext = {
  /** Throws an IpcError-shaped value unless the signed-in user may do this (and stepped up). */
  authorize: (p: Permission, stepUp?: boolean) => { user: { display_name: string } };
  detail: (id: string) => HandoffDetail;
  emit: (event: string, payload: unknown) => void;
  params: URLSearchParams;
};

const COMMANDS = new Set([
  "draft_for",
  "drafts_of",
  "decide_draft",
  "outbox_of",
  "draft_metrics",
  "llm_status",
  "save_llm_settings",
  "set_llm_api_key",
  "kb_reindex",
]);

export function isDraftsCommand(cmd: string): boolean {
  return COMMANDS.has(cmd);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- knowledge base (from kb/)
const KB: Record<string, Omit<Passage, "coverage" | "topical">> = {
  refunds: {
    article_id: "policies/refunds",
    title: "Refunds",
    heading: "Refunds",
    text: "Refunds go back to the original payment method. Once a refund is issued it takes 3 to 5 business days to appear on the customer's statement.\n\nA damaged or defective item can be refunded without returning it when the customer sends a photo of the damage.",
  },
  refundInitiate: {
    article_id: "abcd/product_defect/refund_initiate",
    title: "Product Defect / Initiate Refund",
    heading: "Step 2: Validate Purchase",
    text: "To confirm that their purchase is valid with [Validate Purchase]:\n- Username\n- Email Address\n- Order ID - last item, to be consistent with verify identity",
  },
  shipping: {
    article_id: "policies/shipping",
    title: "Shipping, delivery times and tracking",
    heading: "Shipping, delivery times and tracking",
    text: "Standard delivery takes 3 to 7 business days; express delivery takes 1 to 2 business days. Tracking details are emailed when the parcel leaves the warehouse.\n\nIf a parcel shows as delivered but has not arrived, we wait 48 hours (parcels are sometimes scanned early), then open a carrier investigation and send a replacement or a refund.",
  },
  subscriptions: {
    article_id: "policies/subscriptions",
    title: "Subscriptions and cancellations",
    heading: "Subscriptions and cancellations",
    text: "A subscription can be cancelled at any time. It stays active until the end of the current billing period and is not renewed; cancellations take effect immediately only on request, without a refund of the current period.",
  },
  address: {
    article_id: "policies/address-changes",
    title: "Changing a delivery address",
    heading: "Changing a delivery address",
    text: "The delivery address of an order can be changed free of charge until the order is dispatched. After dispatch we ask the carrier to redirect the parcel; redirection is not always possible.\n\nFor security, address changes on an account need the customer's identity to be verified first.",
  },
  cards: {
    article_id: "policies/cards",
    title: "Lost, stolen or compromised cards",
    heading: "Lost, stolen or compromised cards",
    text: "A lost or stolen card should be frozen straight away; a frozen card can be unfrozen at any time. A replacement card arrives within 5 business days.",
  },
  payments: {
    article_id: "policies/payments",
    title: "Payments, double charges and payment methods",
    heading: "Payments, double charges and payment methods",
    text: "A double charge is usually a pending authorisation that drops off within 3 business days. If both charges have settled, we refund the duplicate.",
  },
  payBill: {
    article_id: "abcd/subscription_inquiry/manage_pay_bill",
    title: "Subscription Inquiry / Pay Bill",
    heading: "Step 3: Update Payment Method",
    text: "If the payment failed, ask the customer to check the card details on file, then retry the payment with [Make Purchase].",
  },
};

type Plan = { opening: string; sources: [keyof typeof KB, number][]; policy?: string };

const PLANS: Record<string, Plan> = {
  refund_request: {
    opening: "I'm sorry the item arrived damaged. Thanks for the photo: I can refund it without you having to send it back.",
    sources: [["refunds", 0.74], ["refundInitiate", 0.41]],
    policy: "Refunds go back to the original payment method and take 3 to 5 business days to appear on your statement.",
  },
  order_status: {
    opening: "I've checked order {order_id}: it is with the carrier and on its way to you.",
    sources: [["shipping", 0.66]],
    policy: "Standard delivery takes 3 to 7 business days, and the tracking details are in the email we sent when the parcel left the warehouse.",
  },
  cancel_subscription: {
    opening: "I can cancel your subscription for you.",
    sources: [["subscriptions", 0.81]],
    policy: "It stays active until the end of the current billing period and is not renewed after that.",
  },
  change_address: {
    opening: "I can update the delivery address on order {order_id} as long as it hasn't been dispatched yet.",
    sources: [["address", 0.7]],
    policy: "Changing the address is free until the order is dispatched; after that we ask the carrier to redirect the parcel.",
  },
  card_lost: {
    opening: "I've frozen your card so nobody can use it; you can unfreeze it at any time.",
    sources: [["cards", 0.77]],
    policy: "A replacement card arrives within 5 business days.",
  },
  payment_failed: {
    opening: "I'm sorry your payment didn't go through. Could you check that the card details on your account are up to date? Then I can retry it for you.",
    sources: [["payBill", 0.38]],
  },
  billing_dispute: {
    opening: "I can see two charges of {amount} on your account.",
    sources: [["payments", 0.69]],
    policy: "A double charge is usually a pending authorisation that drops off within 3 business days; if both have settled, we refund the duplicate.",
  },
};

const SECURITY_NOTE =
  "Possible account compromise or security incident. Follow the security-incident procedure; do not discuss details in the chat.";
const ABSTAIN_NOTE =
  "No knowledge-base article covers this message, so there is no draft. Answer it yourself, or escalate it if it needs a specialist.";

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---------------------------------------------------------------- state
const drafts = new Map<string, DraftView>();
const outbox: OutboxEntry[] = [];
const decidedAt = new Map<string, number>();
const editDistance = new Map<string, number>();
let llm: LlmStatus = {
  settings: { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini", timeout_secs: 20 },
  enabled: false,
  has_api_key: false,
  keyring_error: null,
};
let wroteAgain = false;
let draftSeq = 0;
let outboxSeq = 0;

function lastCustomer(h: Handoff): number {
  for (let i = h.transcript.length - 1; i >= 0; i--) if (h.transcript[i]!.role === "customer") return i;
  return -1;
}

function compose(h: Handoff, turn: number, params: URLSearchParams): Omit<DraftView, "id" | "state" | "created_at_ms" | "latency_ms"> {
  const customerText = h.transcript[turn]!.text;
  const flags: DraftFlag[] = [];
  const first = h.customer.name?.split(" ")[0] ?? null;
  const fields = h.collected_fields;
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => fields[k] ?? "your order");
  const mode = params.get("llm") ?? (llm.enabled ? "1" : null);
  let engine = mode === "1" ? "llm" : "embedded";
  let model: string | null = mode === "1" ? llm.settings.model : null;
  let engineError: string | null = null;
  if (mode === "fail") {
    flags.push("fell_back");
    engine = "embedded";
    model = null;
    engineError = `the model server did not answer within ${llm.settings.timeout_secs} s (${llm.settings.base_url})`;
  }
  if (/\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}/.test(customerText) || h.intent.name === "card_lost") flags.push("pii_masked");
  if (/<script|ignore (all|previous)|system prompt/i.test(customerText)) flags.push("prompt_injection");
  const base = { handoff_id: h.handoff_id, turn_index: turn, engine, model, engine_error: engineError, decided_by: null, reject_reason: null, reject_note: null, sent_text: null };

  if (h.intent.name === "account_locked") {
    flags.push("refusal_topic");
    return { ...base, engine: "embedded", model: null, text: SECURITY_NOTE, is_note: true, sources: [], confidence: 0, flags, warnings: warningsOf(flags) };
  }
  const plan = PLANS[h.intent.name];
  if (!plan) {
    flags.push("abstained");
    return { ...base, text: ABSTAIN_NOTE, is_note: true, sources: [], confidence: 0, flags, warnings: warningsOf(flags) };
  }
  const sources: Passage[] = plan.sources.map(([k, coverage]) => ({ ...KB[k]!, coverage, topical: true }));
  let text = `${first ? `Hi ${first},` : "Hello,"}\n\n${fill(plan.opening)}`;
  if (plan.policy) text += `\n\n${plan.policy}`;
  // A model likes to say it already refunded; the handoff shows the refund was denied.
  if (engine === "llm" && h.intent.name === "refund_request" && h.attempted_actions.some((a) => a.status === "denied")) {
    text += `\n\nI've already issued a full refund of ${fields.amount ?? "the amount"} ${fields.currency ?? ""}`.trimEnd() + ".";
    flags.push("unverified_action_claim");
  } else if (hash(h.handoff_id) % 4 === 1 && h.attempted_actions.some((a) => a.status !== "succeeded")) {
    // now and then the draft claims something the handoff does not show as done
    text += "\n\nI've already processed this for you.";
    flags.push("unverified_action_claim");
  }
  text += "\n\nIs there anything else I can help you with?";
  const confidence = Math.round(Math.min(0.95, 0.35 + 0.6 * sources[0]!.coverage) * 100) / 100;
  return { ...base, text, is_note: false, sources, confidence, flags, warnings: warningsOf(flags) };
}

/** The flags that are warnings, as desk-core's `DraftFlag::is_warning` says (for the stand-in backends). */
export function warningsOf(flags: DraftFlag[]): DraftFlag[] {
  const warning: DraftFlag[] = ["prompt_injection", "unverified_action_claim", "unsourced_policy_claim", "refusal_topic"];
  return flags.filter((f) => warning.includes(f));
}

function sender(arg: unknown): (index: number, message: string) => void {
  const id = typeof arg === "object" && arg !== null ? (arg as { id: number }).id : Number(String(arg).replace("__CHANNEL__:", ""));
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__;
  return (index, message) => {
    try {
      internals.runCallback(id, { index, message });
    } catch {
      // the window stopped listening (another conversation was opened)
    }
  };
}

/** Words and their spaces, two or three at a time, as a model streams them. */
function tokens(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const n = 1 + ((i * 7) % 3);
    out.push(words.slice(i, i + n).join(""));
    i += n;
  }
  return out;
}

async function draftFor(handoffId: string, onToken: unknown, ctx: DraftsMockContext): Promise<DraftView | null> {
  ctx.authorize("reply_to_customers");
  const h = ctx.detail(handoffId).handoff;
  const turn = lastCustomer(h);
  if (turn < 0) return null;
  for (const d of drafts.values()) {
    if (d.handoff_id === handoffId && d.state === "ready" && d.turn_index < turn) drafts.set(d.id, { ...d, state: "stale" });
  }
  const existing = [...drafts.values()].filter((d) => d.handoff_id === handoffId && d.turn_index === turn && d.state !== "stale").at(-1);
  if (existing) return existing;

  const started = Date.now();
  const plan = compose(h, turn, ctx.params);
  const send = sender(onToken);
  const slow = ctx.params.get("stream") === "slow";
  await sleep(slow ? 900 : 350); // retrieval, the model's first token
  const parts = tokens(plan.text);
  for (let i = 0; i < parts.length; i++) {
    send(i, parts[i]!);
    await sleep(slow ? 160 : 28 + (i % 5) * 9);
  }
  const d: DraftView = { ...plan, id: `dr_${(++draftSeq).toString(36)}${hash(handoffId).toString(36).slice(0, 5)}`, state: "ready", created_at_ms: Date.now(), latency_ms: Date.now() - started };
  drafts.set(d.id, d);
  ctx.emit("drafts-changed", { handoff_id: handoffId });

  if (ctx.params.get("again") === "1" && !wroteAgain) {
    wroteAgain = true;
    setTimeout(() => {
      h.transcript.push({ role: "customer", text: "Hello? Is anyone there? I also need the invoice for this order.", at: new Date().toISOString() });
      ctx.emit("queue-changed", { handoff_ids: [handoffId], quarantined: 0 });
    }, 6000);
  }
  return d;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function decide(draftId: string, dec: DraftDecision, ctx: DraftsMockContext): DraftView {
  const who = ctx.authorize("reply_to_customers").user.display_name;
  const d = drafts.get(draftId);
  if (!d) throw { kind: "not_found", message: `No draft ${draftId}.` };
  if (d.state === "stale") throw { kind: "conflict", message: "The customer wrote again since this draft was made: a fresh draft answers the new message." };
  if (d.state !== "ready") throw { kind: "conflict", message: `This draft was already ${d.state}.` };
  let next: DraftView;
  if (dec.kind === "approve") {
    if (d.is_note) throw { kind: "invalid_input", message: "This is a note to you, not a reply: edit it into a reply or write your own." };
    next = { ...d, state: "approved", decided_by: who, sent_text: d.text };
    editDistance.set(d.id, 0);
  } else if (dec.kind === "edit") {
    const text = dec.text.trim();
    if (text === "") throw { kind: "invalid_input", message: "The reply is empty." };
    next = { ...d, state: "edited", decided_by: who, sent_text: text };
    editDistance.set(d.id, levenshtein(d.text, text));
  } else {
    const note = dec.note?.trim() ?? "";
    if (dec.reason === "other" && note === "") throw { kind: "invalid_input", message: "Say why the draft was rejected." };
    const own = dec.own_reply?.trim() ?? "";
    next = { ...d, state: "rejected", decided_by: who, reject_reason: dec.reason, reject_note: note === "" ? null : note, sent_text: own === "" ? null : own };
  }
  drafts.set(d.id, next);
  decidedAt.set(d.id, Date.now());
  if (next.sent_text !== null) {
    const entry: OutboxEntry = {
      id: `ob_${++outboxSeq}`,
      handoff_id: d.handoff_id,
      draft_id: d.id,
      author: who,
      text: next.sent_text,
      sent: false,
      created_at_ms: Date.now(),
      sent_at_ms: null,
      last_error: null,
    };
    outbox.push(entry);
    setTimeout(() => {
      entry.sent = true;
      entry.sent_at_ms = Date.now();
      ctx.emit("drafts-changed", { handoff_id: d.handoff_id });
    }, 1500);
  }
  ctx.emit("drafts-changed", { handoff_id: d.handoff_id });
  return next;
}

/** Seeded history (a few weeks of shadow mode), plus whatever was decided in this session. */
const SEEDED: [string, number, number, number, number, number, number][] = [
  // intent, drafts, approved, edited, rejected, median edit distance, median secs
  ["refund_request", 148, 71, 38, 22, 46, 52],
  ["order_status", 131, 96, 17, 9, 18, 31],
  ["billing_dispute", 64, 23, 19, 15, 71, 88],
  ["cancel_subscription", 57, 38, 11, 4, 24, 40],
  ["change_address", 42, 27, 9, 3, 15, 36],
  ["card_lost", 38, 26, 6, 4, 20, 29],
  ["payment_failed", 35, 9, 12, 11, 94, 117],
];

function metrics(ctx: DraftsMockContext): DraftIntentMetrics[] {
  ctx.authorize("view_analytics");
  const rows = new Map<string, DraftIntentMetrics>();
  for (const [intent, n, a, e, r, dist, secs] of SEEDED) {
    const decided = a + e + r;
    rows.set(intent, { intent, drafts: n, decided, approved: a, edited: e, rejected: r, acceptance_rate: a / decided, edit_rate: e / decided, median_edit_distance: dist, median_decision_secs: secs });
  }
  for (const d of drafts.values()) {
    if (d.is_note) continue;
    const intent = ctx.detail(d.handoff_id).handoff.intent.name;
    const m = rows.get(intent) ?? { intent, drafts: 0, decided: 0, approved: 0, edited: 0, rejected: 0, acceptance_rate: null, edit_rate: null, median_edit_distance: null, median_decision_secs: null };
    m.drafts += 1;
    if (d.state === "approved" || d.state === "edited" || d.state === "rejected") {
      m[d.state] += 1;
      m.decided += 1;
      m.acceptance_rate = m.approved / m.decided;
      m.edit_rate = m.edited / m.decided;
    }
    rows.set(intent, m);
  }
  return [...rows.values()].sort((x, y) => x.intent.localeCompare(y.intent));
}

function status(ctx: DraftsMockContext): LlmStatus {
  return { ...llm, keyring_error: ctx.params.get("keyring") === "fail" ? "the OS keyring is locked: org.freedesktop.secrets did not answer" : null };
}

/** Answers one of the draft commands (see `isDraftsCommand`). */
export async function draftsMock(cmd: string, a: Record<string, unknown>, ctx: DraftsMockContext): Promise<unknown> {
  switch (cmd) {
    case "draft_for":
      return draftFor(String(a.handoffId), a.onToken, ctx);
    case "drafts_of":
      ctx.authorize("view_queue");
      return [...drafts.values()].filter((d) => d.handoff_id === a.handoffId).reverse();
    case "decide_draft":
      return decide(String(a.draftId), a.decision as DraftDecision, ctx);
    case "outbox_of":
      ctx.authorize("view_queue");
      return outbox.filter((o) => o.handoff_id === a.handoffId).map((o) => ({ ...o }));
    case "draft_metrics":
      return metrics(ctx);
    case "llm_status":
      ctx.authorize("view_queue");
      return status(ctx);
    case "save_llm_settings": {
      ctx.authorize("configure_drafts", true);
      const s = a.settings as LlmStatus["settings"];
      if (!/^https?:\/\//.test(s.base_url)) throw { kind: "invalid_input", message: "The base URL must start with http:// or https://." };
      if (s.model.trim() === "" || !(s.timeout_secs >= 1 && s.timeout_secs <= 300)) throw { kind: "invalid_input", message: "Give a model name and a timeout of 1 to 300 seconds." };
      llm = { ...llm, settings: s, enabled: Boolean(a.enabled) };
      return status(ctx);
    }
    case "set_llm_api_key":
      ctx.authorize("configure_drafts", true);
      llm = { ...llm, has_api_key: String(a.apiKey).trim() !== "" };
      return status(ctx);
    case "kb_reindex": {
      ctx.authorize("configure_drafts", true);
      await sleep(700);
      const r: KbReport = { articles: 65, passages: 418, changed: false, errors: [] };
      return r;
    }
    default:
      throw { kind: "internal", message: `The mock back end has no command "${cmd}".` };
  }
}
