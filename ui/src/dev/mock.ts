// Fixture back end for running the UI without Rust: `VITE_MOCK=1 npm run dev` or
// `npm run build:mock`. main.tsx imports this module only when import.meta.env.VITE_MOCK is "1",
// so it is not part of the normal build. URL parameters shape what it shows (for screenshots):
//   ?open=<handoff_id>|first  open a conversation      ?view=quarantine   start in the quarantine
//   ?dialog=import|help       open a dialog            ?arrive=N          N arrivals after 1.5 s
//   ?live=0                   no periodic arrivals     ?empty=1           an empty queue
//   ?fail=queue|handoff       make that command fail   ?theme=dark|light  force a theme
//   ?rows=N                   number of escalations (default 420)
//   ?user=ana|sam|lee|ada|none  signed in as that demo user (default none: the sign-in screen)
//   ?view=analytics|admin     start on that screen     ?dialog=switch-user  the switch-user dialog
//   ?rated=0                  no ratings yet           ?first=1           a database with no users
//   ?stepped=1                a fresh step-up (exports and user changes do not ask again)
//   ?view=approvals|audit     the approvals inbox / the audit log
//   ?open=calls               the escalation with a pending, a succeeded and a failed tool call
//   ?audit=broken             an audit log whose hash chain does not verify
//   ?propose=<tool>|          the propose form open on the open escalation (with that tool)
//   ?scroll=<aria-label>      scroll that region into view after 2.5 s (e.g. "Actions")
//   ?deny=1                   a supervisor denies the ?open=calls refund after 1.5 s
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  Actor,
  Analytics,
  AnalyticsFilter,
  CalibrationBin,
  ExportTable,
  FieldProvenance,
  NewUser,
  Permission,
  Rating,
  RatingInput,
  Role,
  SessionInfo,
  SessionState,
  Skills,
  UserSummary,
  ActionStatus,
  AttemptedAction,
  Channel,
  ConfidenceBand,
  EscalationReason,
  Handoff,
  HandoffDetail,
  ImportReport,
  Priority,
  QuarantineEntry,
  QueueFacets,
  QueueQuery,
  QueuePage,
  QueueRow,
  SentimentLabel,
  SortKey,
  Turn,
  AuditFilter,
  ProposeInput,
  ToolCallView,
} from "../bindings";
import type { InitialState } from "../App";
import { GateSim, actorOf as logActor, canonicalJson, type Outcome, type SimActor } from "./gates-sim";

// ---------------------------------------------------------------- deterministic randomness
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd = mulberry32(20261123);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------- vocabulary
const FIRST = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Hedy", "Tim", "Radia", "Ken", "Barbara", "Dennis", "Frances", "Joan", "Katherine", "Edsger", "Sofia", "Mateo", "Aiko", "Priya", "Olu", "Chen", "Fatima", "Lars", "Inés"];
const LAST = ["L.", "H.", "T.", "M.", "K.", "P.", "B.", "O.", "S.", "W.", "N.", "R."];
const TIERS = ["gold", "silver", "standard", "platinum", null] as const;
const LANGS = ["en", "en", "en", "es", "de", "pt-BR", "fr"];
const SLA: Record<Priority, number> = { urgent: 120, high: 600, normal: 1800, low: 7200 };
const RANK: Record<Priority, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

type Script = {
  intent: string;
  summary: (o: string) => string;
  customer: (o: string) => string[];
  bot: string[];
  sources: string[];
  fields: (o: string) => Record<string, string>;
  actions: (o: string) => [string, Record<string, unknown>, ActionStatus, string | null][];
  alts: string[];
};

const SCRIPTS: Script[] = [
  {
    intent: "refund_request",
    summary: (o) => `Wants a refund for order ${o}; item arrived damaged; photo sent.`,
    customer: (o) => [
      `Hi, my order ${o} arrived with the glass cracked. I want my money back.`,
      "I already sent a photo yesterday. Why is this so hard?",
      "No, I don't want a replacement. Refund please.",
    ],
    bot: [
      "I'm sorry your item arrived damaged. I can help with that — let me look up your order.",
      "I found your order. Refunds above 25.00 need a colleague's approval, so I'm handing you over now.",
    ],
    sources: ["kb/returns", "kb/refund-limits"],
    fields: (o) => ({ order_id: o, amount: "59.00", currency: "USD", photo_received: "yes" }),
    actions: (o) => [
      ["orders.lookup", { order_id: o }, "succeeded", "delivered 2026-11-20"],
      ["billing.refund", { order_id: o, amount: "59.00", currency: "USD", reason: "damaged_on_arrival" }, "denied", "above bot limit of 25.00"],
    ],
    alts: ["order_status", "damaged_item"],
  },
  {
    intent: "order_status",
    summary: (o) => `Asks where order ${o} is; tracking has shown no movement for 5 days.`,
    customer: (o) => [`Where is my order ${o}? Tracking hasn't moved since Tuesday.`, "It was supposed to be a birthday present for Saturday."],
    bot: ["Let me check the tracking for you.", "The carrier shows the parcel at the regional depot. I'll get a colleague to contact the carrier."],
    sources: ["kb/shipping-times"],
    fields: (o) => ({ order_id: o, carrier: "UPS", tracking: "1Z999AA10123456784" }),
    actions: (o) => [
      ["orders.lookup", { order_id: o }, "succeeded", "shipped 2026-11-17"],
      ["shipping.track", { carrier: "UPS", tracking: "1Z999AA10123456784" }, "succeeded", "in transit — regional depot, no scan for 5 days"],
    ],
    alts: ["delivery_delay"],
  },
  {
    intent: "cancel_subscription",
    summary: () => "Wants to cancel the Premium plan before renewal on Nov 30; asks for a pro-rated refund of this month.",
    customer: () => ["I want to cancel my subscription before it renews.", "And I want this month back, I haven't used it at all."],
    bot: ["I can cancel your plan. Pro-rated refunds are reviewed by our team.", "I've requested the cancellation; a colleague will confirm the refund."],
    sources: ["kb/subscriptions", "kb/refund-policy"],
    fields: () => ({ plan: "Premium (monthly)", renews_on: "2026-11-30", amount: "14.99", currency: "EUR" }),
    actions: () => [
      ["subscriptions.get", { customer_id: "$customer" }, "succeeded", "Premium monthly, renews 2026-11-30"],
      ["subscriptions.cancel", { at_period_end: true }, "pending", null],
    ],
    alts: ["refund_request", "billing_dispute"],
  },
  {
    intent: "change_address",
    summary: (o) => `Needs the delivery address for order ${o} changed; the parcel is already dispatched.`,
    customer: (o) => [`I moved last week, can you send ${o} to my new address?`, "It's 14 Harbour Street, flat 3."],
    bot: ["I'll try to redirect the parcel with the carrier.", "The carrier didn't respond. I'm passing this to a colleague."],
    sources: ["kb/address-changes"],
    fields: (o) => ({ order_id: o, new_address: "14 Harbour Street, flat 3", postcode: "BS1 4RN" }),
    actions: (o) => [
      ["orders.lookup", { order_id: o }, "succeeded", "dispatched 2026-11-22"],
      ["shipping.redirect", { order_id: o, address: { line1: "14 Harbour Street", line2: "flat 3", postcode: "BS1 4RN" } }, "failed", "carrier API timeout after 10 s"],
    ],
    alts: ["order_status"],
  },
  {
    intent: "card_lost",
    summary: () => "Reports the card ending 4821 lost at a train station; wants it blocked and a replacement sent.",
    customer: () => ["I lost my card at the station, please block it now!", "Yes the one ending 4821. Send a new one to my home address."],
    bot: ["I've frozen the card ending 4821 so it can't be used.", "Ordering a replacement needs identity checks, so a colleague will finish this."],
    sources: ["kb/lost-cards"],
    fields: () => ({ card_last4: "4821", frozen: "yes", delivery: "home address" }),
    actions: () => [
      ["cards.freeze", { card_last4: "4821" }, "succeeded", "frozen at 17:58"],
      ["cards.replace", { card_last4: "4821", delivery: "home" }, "pending", null],
    ],
    alts: ["card_stolen", "account_locked"],
  },
  {
    intent: "payment_failed",
    summary: () => "Payment declined twice at checkout; the customer says the card is valid and has funds.",
    customer: () => ["My payment keeps failing but the card is fine.", "I tried twice, both declined. I used it at the shop this morning."],
    bot: ["Let me check what the payment processor returned.", "The processor returned a generic decline. A colleague will look into it."],
    sources: ["kb/payment-declines"],
    fields: () => ({ attempts: "2", last_error: "do_not_honor", amount: "120.50", currency: "GBP" }),
    actions: () => [["payments.lookup", { attempts: 2 }, "succeeded", "2 declines: do_not_honor"]],
    alts: ["billing_dispute"],
  },
  {
    intent: "account_locked",
    summary: () => "Locked out after several password resets; the verification email never arrives.",
    customer: () => ["I can't get into my account.", "I reset the password three times and the email never comes. Checked spam."],
    bot: ["I'll resend the verification email.", "It seems the email bounced. I'm handing you to a colleague to verify you another way."],
    sources: ["kb/account-access"],
    fields: () => ({ email_status: "bounced", resets_today: "3" }),
    actions: () => [["auth.resend_verification", { channel: "email" }, "failed", "mailbox rejected the message (550)"]],
    alts: ["password_reset"],
  },
  {
    intent: "billing_dispute",
    summary: () => "Charged twice for the October invoice; wants the duplicate charge reversed.",
    customer: () => ["You charged me twice for October.", "Both charges are 49.00 on the 3rd. I want one back."],
    bot: ["I can see two charges of 49.00 on 3 October.", "Reversing a charge needs approval, so I'm escalating."],
    sources: ["kb/duplicate-charges"],
    fields: () => ({ invoice: "INV-2026-10-0042", amount: "49.00", currency: "USD", charges: "2" }),
    actions: () => [
      ["billing.invoices", { month: "2026-10" }, "succeeded", "2 charges of 49.00 on 2026-10-03"],
      ["billing.reverse_charge", { charge_id: "ch_3Nq", amount: "49.00" }, "denied", "reversals require an agent"],
    ],
    alts: ["refund_request"],
  },
];

const CHANNELS: Channel[] = ["web", "web", "web", "email", "email", "sms", "whatsapp", "in_app", "voice"];
const REASONS: EscalationReason[] = ["low_confidence", "customer_requested_human", "policy_refusal", "high_risk_action", "sentiment", "repeated_correction", "missing_fields", "tool_failure", "max_turns"];
const PRIORITIES: Priority[] = ["urgent", "high", "high", "normal", "normal", "normal", "low"];
const SENTIMENTS: [SentimentLabel, number][] = [["angry", -0.9], ["frustrated", -0.7], ["negative", -0.4], ["neutral", 0.0], ["positive", 0.5]];

function band(c: number): ConfidenceBand {
  return c >= 0.85 ? "high" : c >= 0.6 ? "medium" : "low";
}

type Stored = { seq: number; doc: Handoff; receivedMs: number; revision: number; source: string };

let seqCounter = 0;
const store: Stored[] = [];

function makeHandoff(now: number, ageSecs: number): Stored {
  const seq = ++seqCounter;
  const s = pick(SCRIPTS);
  const order = `A${(1000 + Math.floor(rnd() * 9000)).toString()}`;
  const channel = pick(CHANNELS);
  const anonymous = channel === "sms" || channel === "voice" ? rnd() < 0.7 : rnd() < 0.08;
  const name = anonymous ? null : `${pick(FIRST)} ${pick(LAST)}`;
  const [label, base] = pick(SENTIMENTS);
  const confidence = round2(Math.min(0.99, Math.max(0.12, rnd() * 0.95 + 0.05)));
  const escalatedMs = now - ageSecs * 1000;
  const at = (offsetSecs: number) => new Date(escalatedMs - offsetSecs * 1000).toISOString();
  const turns: Turn[] = [];
  const cust = s.customer(order);
  let t = 60 * (cust.length + s.bot.length);
  for (let i = 0; i < Math.max(cust.length, s.bot.length); i++) {
    if (cust[i]) turns.push({ role: "customer", text: cust[i]!, at: at((t -= 45)) });
    if (s.bot[i]) turns.push({ role: "bot", text: s.bot[i]!, at: at((t -= 20)), sources: i === 0 ? [s.sources[0]!] : s.sources });
  }
  if (rnd() < 0.2) turns.push({ role: "system", text: "Conversation handed to the human queue.", at: at(0) });
  const actions: AttemptedAction[] = s.actions(order).map(([tool, params, status, result], i) => ({
    tool,
    params,
    status,
    result,
    at: at(50 - i * 10),
  }));
  const doc: Handoff = {
    schema: "handoff/v1",
    handoff_id: `hf_${seq.toString(16).padStart(6, "0")}${Math.floor(rnd() * 0xffff).toString(16)}`,
    conversation_id: `conv_${80000 + seq}`,
    escalated_at: new Date(escalatedMs).toISOString(),
    channel,
    customer: {
      id: `cus_${1000 + Math.floor(rnd() * 90000)}`,
      name,
      email: name && channel !== "sms" ? `${name.split(" ")[0]!.toLowerCase()}@example.com` : null,
      tier: anonymous ? null : pick(TIERS),
      verified: !anonymous && rnd() < 0.7,
      language: pick(LANGS),
    },
    intent: {
      name: s.intent,
      confidence,
      alternatives: s.alts.map((a, i) => ({ name: a, confidence: round2(Math.max(0.01, (1 - confidence) * (0.7 - i * 0.3) * rnd() + 0.02)) })),
    },
    sentiment: { label, score: round2(Math.max(-1, Math.min(1, base + (rnd() - 0.5) * 0.2))) },
    reason: confidence < 0.6 ? "low_confidence" : pick(REASONS),
    priority: pick(PRIORITIES),
    summary: s.summary(order),
    collected_fields: s.fields(order),
    attempted_actions: actions,
    transcript: turns,
    bot: { name: "helpbot", version: pick(["2026.11.2", "2026.11.2", "2026.11.1"]) },
  };
  return { seq, doc, receivedMs: escalatedMs + 800, revision: rnd() < 0.1 ? 2 : 1, source: "demo" };
}

function shiftTimes(s: Stored, byMs: number) {
  const back = (iso: string) => new Date(Date.parse(iso) - byMs).toISOString();
  s.doc.escalated_at = back(s.doc.escalated_at);
  s.doc.transcript.forEach((t) => (t.at = back(t.at)));
  s.doc.attempted_actions.forEach((a) => (a.at = back(a.at)));
}

function seed(now: number, n: number) {
  for (let i = 0; i < n; i++) {
    // Waits spread around each priority's SLA, so every SLA state shows.
    const h = makeHandoff(now, 0);
    const sla = SLA[h.doc.priority];
    const age = Math.floor(Math.pow(rnd(), 1.6) * sla * 1.6) + 15;
    const ms = Date.parse(h.doc.escalated_at) - age * 1000;
    shiftTimes(h, age * 1000);
    h.receivedMs = ms + 800;
    store.push(h);
  }
  // A customer who typed markup: it must show as text.
  const x = store[2];
  if (x) {
    x.doc.transcript.splice(1, 0, {
      role: "customer",
      text: 'Is this <b>bold</b>? <script>alert("hi")</script> <img src=x onerror="alert(1)">',
      at: x.doc.transcript[0]!.at,
    });
    x.doc.summary = `Customer pasted markup <b>into</b> the chat. ${x.doc.summary}`;
  }
}

// ---------------------------------------------------------------- queue
function toRow(s: Stored): QueueRow {
  const d = s.doc;
  return {
    seq: s.seq,
    handoff_id: d.handoff_id,
    conversation_id: d.conversation_id,
    escalated_at: d.escalated_at,
    escalated_ms: Date.parse(d.escalated_at),
    priority: d.priority,
    sla_secs: SLA[d.priority],
    intent: d.intent.name,
    confidence: d.intent.confidence,
    band: band(d.intent.confidence),
    channel: d.channel,
    customer_id: d.customer.id,
    customer_name: d.customer.name,
    reason: d.reason,
    sentiment: d.sentiment.label,
    sentiment_score: d.sentiment.score,
    summary: d.summary,
    status: "open",
    action_count: d.attempted_actions.length,
    failed_action_count: d.attempted_actions.filter((a) => a.status === "failed" || a.status === "denied").length,
    turn_count: d.transcript.length,
    claimed_by: claimerName(d.handoff_id),
    claimed_by_id: claims.get(d.handoff_id)?.userId ?? null,
  };
}

function sortValue(r: QueueRow, key: SortKey): number | string {
  switch (key) {
    case "triage":
      return -RANK[r.priority] * 1e13 + r.escalated_ms;
    case "age":
      return r.escalated_ms;
    case "priority":
      return RANK[r.priority];
    case "confidence":
      return r.confidence;
    case "intent":
      return r.intent;
    case "channel":
      return r.channel;
    case "customer":
      return (r.customer_name ?? r.customer_id).toLowerCase();
    case "reason":
      return r.reason;
    case "sentiment":
      return r.sentiment_score;
  }
}

const SEARCH_CAP = 150;

function queuePage(q: QueueQuery): QueuePage {
  const f = q.filter;
  let rows = store.map(toRow);
  let capped = false;
  if (f.search) {
    const words = f.search.toLowerCase().split(/\s+/);
    const hay = new Map(
      store.map((s) => [s.doc.handoff_id, [s.doc.summary, s.doc.customer.name ?? "", s.doc.customer.id, ...s.doc.transcript.map((t) => t.text)].join(" ").toLowerCase()]),
    );
    rows = rows.filter((r) => words.every((w) => hay.get(r.handoff_id)!.includes(w)));
    if (rows.length > SEARCH_CAP) {
      capped = true;
      rows = rows.sort((a, b) => b.seq - a.seq).slice(0, SEARCH_CAP);
    }
  }
  const has = <T,>(list: T[], v: T) => list.length === 0 || list.includes(v);
  rows = rows.filter(
    (r) =>
      has(f.priorities, r.priority) &&
      has(f.channels, r.channel) &&
      has(f.reasons, r.reason) &&
      has(f.intents, r.intent) &&
      has(f.sentiments, r.sentiment) &&
      has(f.bands, r.band) &&
      (f.claim === "any" || (f.claim === "mine" ? r.claimed_by_id === me()?.user_id : r.claimed_by_id === null)),
  );
  const dir = q.sort.descending ? -1 : 1;
  rows.sort((a, b) => {
    const va = sortValue(a, q.sort.key);
    const vb = sortValue(b, q.sort.key);
    if (va < vb) return -dir;
    if (va > vb) return dir;
    return (a.seq - b.seq) * dir;
  });
  const start = q.cursor ? Number(q.cursor) : 0;
  const end = start + Math.min(500, Math.max(1, q.limit));
  return { rows: rows.slice(start, end), next_cursor: end < rows.length ? String(end) : null, search_capped: capped };
}

function facets(): QueueFacets {
  const count = (vals: string[]) => {
    const m = new Map<string, number>();
    vals.forEach((v) => m.set(v, (m.get(v) ?? 0) + 1));
    return [...m.entries()].map(([value, c]) => ({ value, count: c })).sort((a, b) => b.count - a.count);
  };
  return {
    total: store.length,
    quarantined: quarantine.length,
    priorities: count(store.map((s) => s.doc.priority)),
    intents: count(store.map((s) => s.doc.intent.name)),
  };
}

function detail(id: string): HandoffDetail {
  const s = store.find((x) => x.doc.handoff_id === id);
  if (!s) throw { kind: "not_found", message: `No escalation with id ${id}.` };
  const d = s.doc;
  return {
    seq: s.seq,
    handoff: d,
    band: band(d.intent.confidence),
    alternative_bands: d.intent.alternatives.map((a) => band(a.confidence)),
    escalated_ms: Date.parse(d.escalated_at),
    sla_secs: SLA[d.priority],
    status: "open",
    revision: s.revision,
    source: s.source,
    received_at: new Date(s.receivedMs).toISOString(),
    updated_at: new Date(s.receivedMs + (s.revision > 1 ? 90_000 : 0)).toISOString(),
    field_provenance: Object.fromEntries(Object.keys(d.collected_fields).map((k) => [k, PROVENANCE[k] ?? "inferred"])),
    claimed_by: claimerName(d.handoff_id),
    claimed_by_id: claims.get(d.handoff_id)?.userId ?? null,
  };
}

/** Where each demo field comes from: a system lookup, the customer, or the bot's guess. */
const PROVENANCE: Record<string, FieldProvenance> = {
  order_id: "verified",
  carrier: "verified",
  tracking: "verified",
  plan: "verified",
  renews_on: "verified",
  card_last4: "verified",
  frozen: "verified",
  attempts: "verified",
  last_error: "verified",
  email_status: "verified",
  invoice: "verified",
  charges: "verified",
  amount: "stated",
  photo_received: "stated",
  new_address: "stated",
  postcode: "stated",
  delivery: "stated",
  resets_today: "stated",
  currency: "inferred",
}

// ---------------------------------------------------------------- quarantine
const quarantine: QuarantineEntry[] = [];

function seedQuarantine(now: number) {
  const iso = (minsAgo: number) => new Date(now - minsAgo * 60_000).toISOString();
  const entries: Omit<QuarantineEntry, "id" | "raw_bytes">[] = [
    {
      received_at: iso(3),
      source: "import:/home/agent/exports/november.jsonl",
      line_no: 17,
      handoff_id: "hf_9a21c0",
      raw_text: '{"schema":"handoff/v1","handoff_id":"hf_9a21c0","channel":"fax","intent":{"name":"refund_request","confidence":1.7},"priority":"URGENT"}',
      raw_is_utf8: true,
      errors: [
        { path: "$.channel", message: 'must be one of web, email, sms, whatsapp, in_app, voice; got "fax"' },
        { path: "$.intent.confidence", message: "must be between 0 and 1; got 1.7" },
        { path: "$.priority", message: 'must be one of low, normal, high, urgent (case-sensitive); got "URGENT"' },
        { path: "$.customer", message: "is required" },
      ],
    },
    {
      received_at: iso(3),
      source: "import:/home/agent/exports/november.jsonl",
      line_no: 18,
      handoff_id: null,
      raw_text: '{"schema":"handoff/v1","handoff_id":"hf_9a21c1","summary":"Customer says',
      raw_is_utf8: true,
      errors: [{ path: "$", message: "not valid JSON: EOF while parsing a string at line 1 column 72" }],
    },
    {
      received_at: iso(41),
      source: "demo",
      line_no: null,
      handoff_id: "hf_77f310",
      raw_text: '{"schema":"handoff/v1","handoff_id":"hf_77f310","customer":{"id":"cus_1","name":"Jos\uFFFD"},"escalated_at":"yesterday"}',
      raw_is_utf8: false,
      errors: [
        { path: "$", message: "invalid UTF-8 at byte 79" },
        { path: "$.escalated_at", message: 'must be an RFC 3339 timestamp with an offset; got "yesterday"' },
      ],
    },
    {
      received_at: iso(185),
      source: "import:/home/agent/exports/october.jsonl",
      line_no: 4,
      handoff_id: null,
      raw_text: "   ",
      raw_is_utf8: true,
      errors: [{ path: "$", message: "whitespace-only line" }],
    },
  ];
  entries.forEach((e, i) => quarantine.push({ ...e, id: 40 - i * 3, raw_bytes: new TextEncoder().encode(e.raw_text).length }));
}

function listQuarantine(beforeId: number | null, limit: number): QuarantineEntry[] {
  return quarantine.filter((q) => beforeId === null || q.id < beforeId).slice(0, limit);
}


// ---------------------------------------------------------------- people
const DEMO_PASSWORD = "demo-desk-1";
const PASSWORD_MIN = 8;
type MockUser = UserSummary & { password: string };
const users: MockUser[] = [
  { id: 1, username: "ana", display_name: "Ana Agent", roles: ["agent"], active: true, password: DEMO_PASSWORD },
  { id: 2, username: "sam", display_name: "Sam Supervisor", roles: ["supervisor", "agent"], active: true, password: DEMO_PASSWORD },
  { id: 3, username: "lee", display_name: "Lee Team-Lead", roles: ["team_lead"], active: true, password: DEMO_PASSWORD },
  { id: 4, username: "ada", display_name: "Ada Admin", roles: ["admin"], active: true, password: DEMO_PASSWORD },
  { id: 5, username: "omar", display_name: "Omar Okafor", roles: ["agent"], active: true, password: DEMO_PASSWORD },
  { id: 6, username: "tia", display_name: "Tia Lindqvist", roles: ["team_lead", "agent"], active: true, password: DEMO_PASSWORD },
  { id: 7, username: "jo", display_name: "Jo Bauer", roles: ["agent"], active: false, password: DEMO_PASSWORD },
];
const DEMO_ACCOUNTS = ["ana", "sam", "lee", "ada"];

/** The mock's copy of desk-core's permission matrix (the Rust side is the one that counts). */
const GRANTS: Record<Role, Permission[]> = {
  agent: ["view_queue", "view_quarantine", "claim_handoff", "propose_tool_calls", "reply_to_customers", "view_audit"],
  supervisor: [
    "view_queue",
    "view_quarantine",
    "claim_handoff",
    "reassign_handoff",
    "import_handoffs",
    "view_analytics",
    "propose_tool_calls",
    "approve_tool_calls",
    "reply_to_customers",
    "view_audit",
  ],
  team_lead: ["view_queue", "view_quarantine", "rate_handoffs", "view_analytics", "export_data", "view_audit"],
  admin: ["view_queue", "view_quarantine", "import_handoffs", "view_analytics", "export_data", "manage_users", "change_policy", "view_audit", "configure_drafts"],
};
const STEP_UP_MS = 5 * 60_000;

/** `endsAt`: a "Switch user" session, for one approval decision and two minutes. */
type MockSession = { user: MockUser; steppedUpAt: number | null; endsAt: number | null };
let sessions: MockSession[] = [];
let needsFirstAdmin = false;
let availability: { available: boolean; since_ms: number | null } = { available: false, since_ms: null };
const skills = new Map<number, Skills>();
const failedSignIns = new Map<string, number[]>();

const actorOf = (u: MockUser): Actor => ({ user_id: u.id, username: u.username, display_name: u.display_name, roles: u.roles });
const me = (): Actor | undefined => {
  const s = sessions[sessions.length - 1];
  return s ? actorOf(s.user) : undefined;
};
function sessionState(): SessionState {
  sessions = sessions.filter((s) => s.endsAt === null || s.endsAt > Date.now());
  const cur = sessions[sessions.length - 1];
  const prev = sessions[sessions.length - 2];
  const info = (s: MockSession): SessionInfo => ({
    actor: actorOf(s.user),
    permissions: [...new Set(s.user.roles.flatMap((r) => GRANTS[r]))],
    stepped_up_until_ms: s.steppedUpAt === null ? null : s.steppedUpAt + STEP_UP_MS,
    switched: s.endsAt !== null,
    ends_at_ms: s.endsAt,
    locked: false,
  });
  return { current: cur ? info(cur) : null, previous: prev ? actorOf(prev.user) : null };
}
/** After an approval decision a "Switch user" session ends (as the core's `DeskSessions::decide`). */
function decided<T>(out: T): T {
  if (sessions[sessions.length - 1]?.endsAt != null) sessions.pop();
  return out;
}
function authorize(p: Permission, stepUp = false): MockSession {
  const s = sessions[sessions.length - 1];
  if (!s) throw { kind: "unauthenticated", message: "Sign in first." };
  if (!s.user.roles.some((r) => GRANTS[r].includes(p))) throw { kind: "forbidden", message: `Your role does not allow this (${p}).` };
  if (stepUp && (s.steppedUpAt === null || Date.now() - s.steppedUpAt > STEP_UP_MS)) {
    throw { kind: "step_up_required", message: "Confirm your password to do this." };
  }
  return s;
}
function signIn(username: string, password: string): MockUser {
  const name = username.trim();
  const now = Date.now();
  const recent = (failedSignIns.get(name) ?? []).filter((t) => now - t < 15 * 60_000);
  if (recent.length >= 5) {
    const wait = Math.ceil((recent[0]! + 15 * 60_000 - now) / 1000);
    throw { kind: "rate_limited", message: `Too many failed sign-ins for this user. Try again in ${wait} s.` };
  }
  const u = users.find((x) => x.username === name && x.active);
  if (!u || u.password !== password) {
    failedSignIns.set(name, [...recent, now]);
    throw { kind: "wrong_credentials", message: "Wrong username or password." };
  }
  failedSignIns.delete(name);
  return u;
}
function checkNewUser(nu: NewUser) {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nu.username)) throw { kind: "invalid_input", message: "Usernames are 1–64 letters, digits, '.', '_' or '-'." };
  if (nu.display_name.trim() === "" || nu.display_name.length > 128) throw { kind: "invalid_input", message: "Give a display name of at most 128 characters." };
  if (nu.password.length < PASSWORD_MIN) throw { kind: "invalid_input", message: `Passwords need at least ${PASSWORD_MIN} characters.` };
  if (nu.roles.length === 0) throw { kind: "invalid_input", message: "Give the user at least one role." };
  if (users.some((u) => u.username === nu.username)) throw { kind: "conflict", message: `The username ${nu.username} is taken.` };
}

// ---------------------------------------------------------------- claims
const claims = new Map<string, { userId: number; atMs: number }>();
function claimerName(handoffId: string): string | null {
  const c = claims.get(handoffId);
  return c ? (users.find((u) => u.id === c.userId)?.display_name ?? null) : null;
}
function seedClaims() {
  const agents = [2, 5, 5, 1, 6];
  store.forEach((s, i) => {
    // about a third claimed, more of the older ones
    if (i % 3 === 0 || (rnd() < 0.15 && s.doc.priority !== "urgent")) {
      const at = Date.parse(s.doc.escalated_at) + Math.floor(20_000 + rnd() * 400_000);
      claims.set(s.doc.handoff_id, { userId: pick(agents), atMs: Math.min(at, Date.now()) });
    }
  });
}
function claim(handoffId: string, release: boolean) {
  const s = authorize("claim_handoff");
  if (!store.some((x) => x.doc.handoff_id === handoffId)) throw { kind: "not_found", message: `No escalation with id ${handoffId}.` };
  const held = claims.get(handoffId);
  const mayReassign = s.user.roles.some((r) => GRANTS[r].includes("reassign_handoff"));
  if (release) {
    if (held && held.userId !== s.user.id && !mayReassign) throw { kind: "conflict", message: `Only ${claimerName(handoffId)} or a supervisor can release this claim.` };
    claims.delete(handoffId);
  } else {
    if (held && held.userId !== s.user.id && !mayReassign) throw { kind: "conflict", message: `${claimerName(handoffId)} has already claimed this escalation.` };
    claims.set(handoffId, { userId: s.user.id, atMs: Date.now() });
  }
  return null;
}

// ---------------------------------------------------------------- history, ratings and analytics
/** Older escalations (closed, so not in the queue) for the analytics. */
type Past = { id: string; seq: number; escalatedMs: number; reason: EscalationReason; intent: string; version: string; confidence: number; claimAfterSecs: number | null };
const history: Past[] = [];
const ratings: Rating[] = [];
let ratingSeq = 0;

function versionAt(ms: number, now: number): string {
  const days = (now - ms) / 86_400_000;
  return days > 26 ? "2026.10.4" : days > 9 ? "2026.11.1" : "2026.11.2";
}

function seedHistory(now: number) {
  let seq = 100_000;
  for (let day = 44; day >= 1; day--) {
    const weekend = new Date(now - day * 86_400_000).getUTCDay() % 6 === 0;
    const n = Math.floor((weekend ? 90 : 170) + rnd() * 60);
    for (let i = 0; i < n; i++) {
      const ms = now - day * 86_400_000 - Math.floor(rnd() * 86_400_000);
      const version = versionAt(ms, now);
      const s = pick(SCRIPTS);
      // newer bot versions hand over less on low confidence
      const confidence = round2(Math.min(0.99, Math.max(0.12, rnd() * 0.9 + (version === "2026.11.2" ? 0.1 : 0.04))));
      const reason: EscalationReason = confidence < 0.6 && rnd() < 0.7 ? "low_confidence" : pick(REASONS);
      history.push({
        id: `hist_${(seq++).toString(16)}`,
        seq,
        escalatedMs: ms,
        reason,
        intent: s.intent,
        version,
        confidence,
        claimAfterSecs: Math.floor(30 + Math.pow(rnd(), 2.2) * 2400),
      });
    }
  }
}

function makeRating(handoffId: string, rater: MockUser, intent: string, version: string, confidence: number, atMs: number): Rating {
  // the bot is over-confident at the top and under-confident at the bottom
  const correct = rnd() < 0.14 + 0.72 * confidence;
  const summary = rnd() < 0.72 ? "yes" : rnd() < 0.6 ? "partly" : "no";
  const complete = rnd() < 0.7;
  let overall = 2 + (correct ? 1 : 0) + (summary === "yes" ? 1 : summary === "no" ? -1 : 0) + (complete ? 1 : 0) + (rnd() < 0.3 ? -1 : 0);
  if (version === "2026.11.2" && rnd() < 0.3) overall += 1;
  overall = Math.max(1, Math.min(5, overall));
  const script = SCRIPTS.find((x) => x.intent === intent);
  const input: RatingInput = {
    summary_accurate: summary,
    intent_correct: correct,
    correct_intent: correct ? null : (script?.alts[0] ?? "other"),
    context_complete: complete,
    missing_fields: complete ? [] : [pick(["order_id", "amount", "delivery_date", "photo", "account_email"])],
    actions_reported: rnd() < 0.85,
    timing: rnd() < 0.7 ? "right" : rnd() < 0.6 ? "too_late" : "too_early",
    overall,
    comment: rnd() < 0.25 ? pick(["Asked for the order number twice.", "Summary missed the refund amount.", "Should have escalated after the first failed lookup.", "Good handover."]) : "",
  };
  const iso = new Date(atMs).toISOString();
  return { id: ++ratingSeq, handoff_id: handoffId, rater_id: rater.id, rater_name: rater.display_name, bot_name: "helpbot", bot_version: version, intent, confidence, input, revision: 1, created_at: iso, updated_at: iso };
}

function seedRatings() {
  const lee = users.find((u) => u.username === "lee")!;
  const tia = users.find((u) => u.username === "tia")!;
  history.forEach((h, i) => {
    if (i % 12 === 0) ratings.push(makeRating(h.id, i % 3 === 0 ? tia : lee, h.intent, h.version, h.confidence, h.escalatedMs + 3600_000));
  });
  // a few queue items rated already, some by both leads
  store.slice(3, 9).forEach((s, i) => {
    const d = s.doc;
    const at = Date.now() - (40 - i * 5) * 60_000;
    ratings.push(makeRating(d.handoff_id, tia, d.intent.name, d.bot.version, d.intent.confidence, at));
    if (i % 2 === 0) {
      const r = makeRating(d.handoff_id, lee, d.intent.name, d.bot.version, d.intent.confidence, at + 60_000);
      if (i === 0) {
        r.revision = 2;
        r.updated_at = new Date(Date.now() - 3 * 60_000).toISOString();
      }
      ratings.push(r);
    }
  });
}

function rate(handoffId: string, input: RatingInput): Rating {
  const s = authorize("rate_handoffs");
  const h = store.find((x) => x.doc.handoff_id === handoffId);
  if (!h) throw { kind: "not_found", message: `No escalation with id ${handoffId}.` };
  if (!(input.overall >= 1 && input.overall <= 5)) throw { kind: "invalid_input", message: "Overall must be 1 to 5." };
  if (!input.intent_correct && (input.correct_intent ?? "").trim() === "") throw { kind: "invalid_input", message: "Say which intent was right." };
  const now = new Date().toISOString();
  const old = ratings.find((r) => r.handoff_id === handoffId && r.rater_id === s.user.id);
  if (old) {
    old.input = input;
    old.revision += 1;
    old.updated_at = now;
    return { ...old };
  }
  const d = h.doc;
  const r: Rating = { id: ++ratingSeq, handoff_id: handoffId, rater_id: s.user.id, rater_name: s.user.display_name, bot_name: d.bot.name, bot_version: d.bot.version, intent: d.intent.name, confidence: d.intent.confidence, input, revision: 1, created_at: now, updated_at: now };
  ratings.push(r);
  return { ...r };
}

function nextUnrated(afterSeq: number | null): string | null {
  const s = authorize("rate_handoffs");
  const rated = new Set(ratings.filter((r) => r.rater_id === s.user.id).map((r) => r.handoff_id));
  const open = [...store].sort((a, b) => a.seq - b.seq).filter((x) => !rated.has(x.doc.handoff_id));
  return (open.find((x) => x.seq > (afterSeq ?? 0)) ?? open[0])?.doc.handoff_id ?? null;
}

/** Every escalation the analytics count: the closed ones and the queue. */
function allEscalations(): Past[] {
  return [
    ...history,
    ...store.map((s) => {
      const c = claims.get(s.doc.handoff_id);
      const ms = Date.parse(s.doc.escalated_at);
      return { id: s.doc.handoff_id, seq: s.seq, escalatedMs: ms, reason: s.doc.reason, intent: s.doc.intent.name, version: s.doc.bot.version, confidence: s.doc.intent.confidence, claimAfterSecs: c ? Math.max(0, (c.atMs - ms) / 1000) : null };
    }),
  ];
}

function inFilter(e: Past, f: AnalyticsFilter): boolean {
  return (
    (f.from_ms === null || e.escalatedMs >= f.from_ms) &&
    (f.to_ms === null || e.escalatedMs < f.to_ms) &&
    (f.intents.length === 0 || f.intents.includes(e.intent)) &&
    (f.bot_versions.length === 0 || f.bot_versions.includes(e.version))
  );
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const share = (xs: boolean[]) => (xs.length === 0 ? null : xs.filter(Boolean).length / xs.length);
const counts = (rs: Rating[]) => [1, 2, 3, 4, 5].map((k) => rs.filter((r) => r.input.overall === k).length);

function analytics(f: AnalyticsFilter): Analytics {
  authorize("view_analytics");
  const all = allEscalations();
  const esc = all.filter((e) => inFilter(e, f));
  const ids = new Map(esc.map((e) => [e.id, e]));
  const rs = ratings.filter((r) => ids.has(r.handoff_id));
  const dayReason = new Map<string, number>();
  esc.forEach((e) => {
    const k = `${new Date(e.escalatedMs).toISOString().slice(0, 10)}|${e.reason}`;
    dayReason.set(k, (dayReason.get(k) ?? 0) + 1);
  });
  const group = <K,>(xs: Past[], key: (e: Past) => K) => {
    const m = new Map<K, Past[]>();
    xs.forEach((e) => m.set(key(e), [...(m.get(key(e)) ?? []), e]));
    return m;
  };
  const byIntent = [...group(esc, (e) => e.intent).entries()]
    .map(([intent, es]) => {
      const r = rs.filter((x) => ids.get(x.handoff_id)!.intent === intent);
      return {
        intent,
        escalations: es.length,
        avg_confidence: mean(es.map((e) => e.confidence)) ?? 0,
        rated: r.length,
        avg_overall: mean(r.map((x) => x.input.overall)),
        intent_correct_share: share(r.map((x) => x.input.intent_correct)),
        summary_accurate_share: share(r.map((x) => x.input.summary_accurate === "yes")),
        overall_counts: counts(r),
      };
    })
    .sort((a, b) => b.escalations - a.escalations || a.intent.localeCompare(b.intent));
  const byVersion = [...group(esc, (e) => e.version).entries()]
    .map(([bot_version, es]) => {
      const r = rs.filter((x) => ids.get(x.handoff_id)!.version === bot_version);
      return { bot_version, escalations: es.length, rated: r.length, avg_overall: mean(r.map((x) => x.input.overall)), intent_correct_share: share(r.map((x) => x.input.intent_correct)), overall_counts: counts(r) };
    })
    .sort((a, b) => a.bot_version.localeCompare(b.bot_version));
  const bins: CalibrationBin[] = Array.from({ length: 10 }, (_, i) => {
    const lower = i / 10;
    const upper = (i + 1) / 10;
    const r = rs.filter((x) => x.confidence >= lower && (x.confidence < upper || (i === 9 && x.confidence <= 1)));
    return { lower, upper, rated: r.length, mean_confidence: mean(r.map((x) => x.confidence)), share_correct: share(r.map((x) => x.input.intent_correct)) };
  });
  const ece = rs.length === 0 ? null : bins.reduce((acc, b) => acc + (b.rated / rs.length) * Math.abs((b.share_correct ?? 0) - (b.mean_confidence ?? 0)), 0);
  const waits = esc.map((e) => e.claimAfterSecs).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const q = (p: number) => (waits.length === 0 ? null : waits[Math.min(waits.length - 1, Math.floor(p * waits.length))]!);
  return {
    escalations: esc.length,
    rated: rs.length,
    by_day_reason: [...dayReason.entries()].map(([k, count]) => ({ day: k.split("|")[0]!, reason: k.split("|")[1]!, count })).sort((a, b) => a.day.localeCompare(b.day) || a.reason.localeCompare(b.reason)),
    by_intent: byIntent,
    by_version: byVersion,
    calibration: { bins, ece, rated: rs.length },
    time_to_claim: { claimed: waits.length, p50_secs: q(0.5), p90_secs: q(0.9) },
    time_to_first_response: { claimed: Math.round(waits.length * 0.6), p50_secs: q(0.6), p90_secs: q(0.95) },
    tools: [
      { tool: "billing.refund", calls: 42, succeeded: 35, failed: 2, denied: 5, success_rate: 35 / 37, median_approval_secs: 190 },
      { tool: "orders.lookup", calls: 120, succeeded: 119, failed: 1, denied: 0, success_rate: 119 / 120, median_approval_secs: null },
    ],
    all_intents: [...new Set(all.map((e) => e.intent))].sort(),
    all_bot_versions: [...new Set(all.map((e) => e.version))].sort(),
  };
}

function exportBytes(table: ExportTable | "cases", f: AnalyticsFilter): number {
  authorize("export_data", true);
  const a = analytics(f);
  const rows: Record<ExportTable | "cases", number> = {
    by_intent: a.by_intent.length * 72 + 96,
    by_version: a.by_version.length * 60 + 80,
    by_day_reason: a.by_day_reason.length * 32 + 20,
    calibration: 10 * 48 + 60,
    ratings: a.rated * 190 + 140,
    cases: a.rated * 2350,
  };
  return rows[table];
}


// ---------------------------------------------------------------- approval gates and the audit log
/** How the demo backend answers: mostly fine, with a refusal and an outage to show. */
function demoOutcome(v: ToolCallView): Outcome {
  if (v.tool === "orders.lookup") {
    const id = String(v.params.order_id ?? "");
    return id.startsWith("missing")
      ? { succeeded: false, status: 404, detail: canonicalJson({ error: "not_found" }), retryable: false }
      : { succeeded: true, status: 200, detail: canonicalJson({ order_id: id, status: "delivered", total: "59.00" }), retryable: false };
  }
  if (v.tool === "billing.refund" && Number(v.amount ?? 0) > 500) {
    return {
      succeeded: false,
      status: 400,
      detail: canonicalJson({ error: "amount_exceeds_refundable_balance", message: "The amount is more than the order's refundable balance." }),
      retryable: false,
    };
  }
  if (v.tool === "accounts.change_address" && v.attempts <= 1) {
    return { succeeded: false, status: 503, detail: "503 Service Unavailable after 3 requests: {\"error\":\"unavailable\"}", retryable: true };
  }
  return { succeeded: true, status: 200, detail: canonicalJson({ id: `op_${v.id.slice(3, 13)}`, status: "succeeded", path: v.request_line.split(" ")[1]?.replace(/^https?:\/\/[^/]+/, "") }), retryable: false };
}

/** Seeding is done and the IPC mock is installed: changes are announced and executed. */
let gatesLive = false;

const gates = new GateSim({
  handoff: (id) => store.find((x) => x.doc.handoff_id === id)?.doc,
  outcome: demoOutcome,
  onChange: (v) => {
    if (gatesLive) emit("gates-changed", { call_id: v.id, handoff_id: v.handoff_id, state: v.state });
  },
  // the shell executes an approved call in the background
  onApproved: (id, actor) => {
    if (!gatesLive) return;
    setTimeout(() => {
      try {
        gates.startExecution(id, actor);
        setTimeout(() => gates.finishExecution(id), 900);
      } catch {
        // expired or changed meanwhile: the call says so
      }
    }, 600);
  },
});

function simActor(p: Permission): SimActor {
  const s = authorize(p);
  const u = s.user;
  return {
    user_id: u.id,
    username: u.username,
    display_name: u.display_name,
    mayApprove: u.roles.some((r) => GRANTS[r].includes("approve_tool_calls")),
    steppedUp: s.steppedUpAt !== null && Date.now() - s.steppedUpAt <= STEP_UP_MS,
  };
}

/** The escalation the `?open=calls` screenshots use: the first refund in triage order. */
let showcaseId: string | null = null;
/** Its pending refund (`?deny=1` has a supervisor deny it after 1.5 s). */
let showcaseRefundId: string | null = null;

/** A history of tool calls and audit events, as if the desk had been in use for an hour. */
function seedGates(now: number, brokenChain: boolean) {
  const person = (username: string): SimActor => {
    const u = users.find((x) => x.username === username)!;
    return { user_id: u.id, username: u.username, display_name: u.display_name, mayApprove: u.roles.some((r) => GRANTS[r].includes("approve_tool_calls")), steppedUp: true };
  };
  const [ana, sam, omar, tia] = [person("ana"), person("sam"), person("omar"), person("tia")];
  const byIntent = (intent: string, nth = 0) => store.filter((x) => x.doc.intent.name === intent)[nth]?.doc;
  const triage = queuePage({ filter: { search: null, priorities: [], channels: [], reasons: [], intents: ["refund_request"], sentiments: [], bands: [], claim: "any" }, sort: { key: "triage", descending: false }, cursor: null, limit: 1 }).rows[0];
  const show = triage ? store.find((x) => x.doc.handoff_id === triage.handoff_id)?.doc : undefined;
  showcaseId = show?.handoff_id ?? null;
  const steps: [number, () => void][] = [];
  const at = (minsAgo: number, fn: () => void) => steps.push([now - minsAgo * 60_000, fn]);
  const propose = (who: SimActor, h: Handoff | undefined, tool: string, params: Record<string, unknown>, extra: Partial<ProposeInput> = {}) =>
    h ? gates.propose(who, { handoff_id: h.handoff_id, tool, params, origin: "agent", fraud_suspected: false, ...extra }).id : null;
  const ids: Record<string, string | null> = {};
  const run = (key: string, fn: (id: string) => void) => () => {
    const id = ids[key];
    if (id) fn(id);
  };

  // people signing in and drafts being decided, between the tool calls
  for (const [mins, who] of [[95, sam], [92, ana], [90, omar], [70, tia]] as const) {
    at(mins, () => gates.audit("auth.signed_in", `user:${who.username}`, {}, logActor(who)));
  }
  at(88, () => gates.audit("auth.sign_in_failed", "user:jo", {}, "unauthenticated:jo"));
  // history: decided and expired requests
  const refundDone = byIntent("billing_dispute", 1);
  at(80, () => (ids.refundDone = propose(omar, refundDone, "billing.refund", { order_id: "A5150", amount: "75.00", currency: "USD", reason: "duplicate charge" })));
  at(76, run("refundDone", (id) => gates.approve(sam, id, gates.call(id).params_sha256)));
  at(76, run("refundDone", (id) => gates.execute(id, logActor(sam))));
  const closeLate = byIntent("account_locked");
  at(150, () => (ids.close = propose(ana, closeLate, "accounts.close", { customer_id: closeLate?.customer.id ?? "cus_1", reason: "customer asked to close the account" })));
  at(118, () => gates.expire());
  const cancelOrder = byIntent("order_status", 2);
  at(62, () => (ids.cancel = propose(tia, cancelOrder, "orders.cancel", { order_id: "A7781", reason: "late delivery" })));
  at(58, run("cancel", (id) => gates.deny(sam, id, "The order has already shipped: offer a return label instead.")));
  const bigRefund = byIntent("refund_request", 3);
  at(50, () => (ids.big = propose(omar, bigRefund, "billing.refund", { order_id: "A2290", amount: "640.00", currency: "EUR" })));
  at(47, run("big", (id) => gates.approve(sam, id, gates.call(id).params_sha256)));
  at(47, run("big", (id) => gates.execute(id, logActor(sam))));
  at(45, () => gates.audit("draft.approved", "dr_7f1c2a", { handoff_id: bigRefund?.handoff_id ?? "", engine: "embedded", reason: null, edit_distance: 0 }, logActor(omar)));
  at(45, () => gates.audit("reply.queued", "ob_7f1c2a", { handoff_id: bigRefund?.handoff_id ?? "", draft_id: "dr_7f1c2a", chars: 212 }, logActor(omar)));
  at(44.5, () => gates.audit("reply.sent", "ob_7f1c2a", { channel: "demo" }, "system"));
  at(33, () => gates.audit("draft.edited", "dr_a02b9e", { handoff_id: show?.handoff_id ?? "", engine: "llm", reason: null, edit_distance: 37 }, logActor(ana)));
  // the showcase conversation: a lookup that worked, an address change that failed, a refund waiting
  at(25, () => (ids.lookup = propose(ana, show, "orders.lookup", { order_id: show?.collected_fields.order_id ?? "A1000" })));
  at(25, run("lookup", (id) => gates.execute(id, logActor(ana))));
  at(18, () => (ids.address = propose(ana, show, "accounts.change_address", { customer_id: show?.customer.id ?? "cus_1", address: "Flat 2, 9 Mill Lane, Bristol BS1 5AA" })));
  at(17.5, run("address", (id) => gates.confirm(ana, id)));
  at(17.5, run("address", (id) => gates.execute(id, logActor(ana))));
  at(7, () => (ids.refund = propose(ana, show, "billing.refund", { order_id: show?.collected_fields.order_id ?? "A1000", amount: "59.00", currency: "USD", reason: "arrived damaged" })));
  // the supervisors' inbox
  const sub = byIntent("cancel_subscription");
  at(12, () => (ids.sub = propose(ana, sub, "subscriptions.cancel", { subscription_id: "sub_1Q7fK2", at_period_end: false }, { origin: "bot" })));
  at(4, run("sub", (id) => gates.escalate(ana, id)));
  const fraud = byIntent("payment_failed");
  at(9, () => (ids.fraud = propose(tia, fraud, "billing.refund", { order_id: "A6612", amount: "120.50", currency: "GBP" }, { fraud_suspected: true })));
  const large = byIntent("refund_request", 1);
  at(3, () => (ids.large = propose(omar, large, "billing.refund", { order_id: "A3017", amount: "740.00", currency: "USD", reason: "two items damaged in one parcel" })));
  const moved = byIntent("change_address");
  at(2, () => propose(omar, moved, "accounts.change_address", { customer_id: moved?.customer.id ?? "cus_2", address: "14 Harbour Street, flat 3" }));
  const dispute = byIntent("billing_dispute");
  at(1, () => propose(sam, dispute, "billing.refund", { order_id: "A4410", amount: "98.00", currency: "USD", reason: "charged twice" }));

  steps.sort((a, b) => a[0] - b[0]);
  for (const [t, fn] of steps) gates.at(t, fn);
  showcaseRefundId = ids.refund ?? null;
  if (brokenChain) gates.tamper(Math.max(1, gates.events.length - 9));
}

// ---------------------------------------------------------------- events and commands
type Internals = { invoke: (cmd: string, args: unknown) => Promise<unknown> };

function emit(event: string, payload: unknown) {
  const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
  void internals.invoke("plugin:event|emit", { event, payload });
}

function arrive(n: number) {
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = makeHandoff(now, 5 + Math.floor(rnd() * 40));
    store.push(s);
    ids.push(s.doc.handoff_id);
  }
  emit("queue-changed", { handoff_ids: ids, quarantined: 0 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function importFile(path: string): Promise<ImportReport> {
  if (path.includes("missing")) throw { kind: "invalid_input", message: `Could not open ${path}: No such file or directory (os error 2)` };
  const total = 3_482_117;
  for (let i = 1; i <= 8; i++) {
    await sleep(180);
    emit("import-progress", { lines_done: i * 312, bytes_done: Math.round((total * i) / 8), bytes_total: total });
  }
  const before = store.length;
  arrive(12);
  return {
    source: `import:${path}`,
    lines: 2496,
    accepted: store.length - before,
    updated: 3,
    unchanged: 2478,
    quarantined: 3,
    line_errors: [
      { line: 17, handoff_id: "hf_9a21c0", errors: [{ path: "$.channel", message: 'must be one of web, email, sms, whatsapp, in_app, voice; got "fax"' }, { path: "$.intent.confidence", message: "must be between 0 and 1; got 1.7" }] },
      { line: 18, handoff_id: null, errors: [{ path: "$", message: "not valid JSON: EOF while parsing a string at line 1 column 72" }] },
      { line: 2211, handoff_id: "hf_0c1d2e", errors: [{ path: "$.transcript", message: "has 1,204 turns; the limit is 1,000" }] },
    ],
    changed_ids: store.slice(before).map((s) => s.doc.handoff_id),
  };
}

/** Install the fixture back end; returns where the app should start. */
export function installMock(params: URLSearchParams): InitialState {
  rnd = mulberry32(20261123);
  const now = Date.now();
  const n = params.get("empty") === "1" ? 0 : Number(params.get("rows") ?? 420);
  seed(now, Number.isFinite(n) ? n : 420);
  seedQuarantine(now);
  seedClaims();
  seedHistory(now);
  if (params.get("rated") !== "0") seedRatings();
  seedGates(now, params.get("audit") === "broken");
  needsFirstAdmin = params.get("first") === "1";
  const who = users.find((u) => u.username === params.get("user"));
  if (who && !needsFirstAdmin) sessions = [{ user: who, steppedUpAt: params.get("stepped") === "1" ? Date.now() : null, endsAt: null }];
  const fail = params.get("fail");

  mockIPC(
    async (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      await sleep(40 + rnd() * 60); // a little latency, as over real IPC
      switch (cmd) {
        case "session_state":
          return sessionState();
        case "sign_in": {
          const u = signIn(String(a.username), String(a.password));
          const switched = Boolean(a.switchUser) && sessions.length > 0;
          const sess = { user: u, steppedUpAt: null, endsAt: switched ? Date.now() + 2 * 60_000 : null };
          if (switched) sessions = [...sessions.filter((s) => s.user.id !== u.id), sess];
          else sessions = [sess];
          return sessionState();
        }
        case "sign_out":
          sessions.pop();
          return sessionState();
        case "step_up": {
          const sess = sessions[sessions.length - 1];
          if (!sess) throw { kind: "unauthenticated", message: "Sign in first." };
          if (a.password !== sess.user.password) throw { kind: "wrong_credentials", message: "Wrong username or password." };
          sess.steppedUpAt = Date.now();
          return sessionState();
        }
        case "create_first_admin": {
          if (!needsFirstAdmin) throw { kind: "conflict", message: "This desk already has users: ask an admin for an account." };
          const nu = a.user as NewUser;
          users.length = 0;
          checkNewUser(nu);
          const u: MockUser = { id: 1, username: nu.username, display_name: nu.display_name, roles: ["admin"], active: true, password: nu.password };
          users.push(u);
          needsFirstAdmin = false;
          sessions = [{ user: u, steppedUpAt: null, endsAt: null }];
          return sessionState();
        }
        case "claim_handoff":
          return claim(String(a.handoffId), false);
        case "release_handoff":
          return claim(String(a.handoffId), true);
        case "rate_handoff":
          return rate(String(a.handoffId), a.input as RatingInput);
        case "handoff_ratings":
          authorize("view_analytics");
          return ratings.filter((r) => r.handoff_id === a.handoffId).map((r) => ({ ...r }));
        case "next_unrated":
          return nextUnrated((a.afterSeq as number | null) ?? null);
        case "analytics":
          return analytics(a.filter as AnalyticsFilter);
        case "export_csv":
          return exportBytes(a.table as ExportTable, a.filter as AnalyticsFilter);
        case "export_eval_cases":
          return exportBytes("cases", a.filter as AnalyticsFilter);
        case "list_users":
          authorize("manage_users");
          return users.map(({ password: _pw, ...u }) => u);
        case "create_user": {
          authorize("manage_users", true);
          const nu = a.user as NewUser;
          checkNewUser(nu);
          const u: MockUser = { id: users.length + 1, username: nu.username, display_name: nu.display_name, roles: nu.roles, active: true, password: nu.password };
          users.push(u);
          const { password: _pw, ...out } = u;
          return out;
        }
        case "update_user": {
          authorize("manage_users", true);
          const u = users.find((x) => x.id === a.userId);
          if (!u) throw { kind: "not_found", message: "No such user." };
          const roles = a.roles as Role[];
          const active = Boolean(a.active);
          if (roles.length === 0) throw { kind: "invalid_input", message: "Give the user at least one role." };
          const admins = users.filter((x) => x.active && x.roles.includes("admin"));
          if (u.active && u.roles.includes("admin") && !(active && roles.includes("admin")) && admins.length <= 1) {
            throw { kind: "conflict", message: "This is the last active admin: make someone else admin first." };
          }
          u.roles = roles;
          u.active = active;
          const { password: _pw, ...out } = u;
          return out;
        }
        case "plugin:dialog|save": {
          const opts = (a.options ?? {}) as { defaultPath?: string };
          return `/home/lee/Documents/${opts.defaultPath ?? "export.csv"}`;
        }
        case "queue_page":
          authorize("view_queue");
          if (fail === "queue") throw { kind: "internal", message: "database is locked (code 5): the store did not answer within 5 s" };
          return queuePage(a.query as QueueQuery);
        case "queue_facets":
          authorize("view_queue");
          return facets();
        case "get_handoff":
          authorize("view_queue");
          if (fail === "handoff") throw { kind: "not_found", message: `No escalation with id ${String(a.handoffId)}.` };
          return detail(String(a.handoffId));
        case "list_quarantine":
          return listQuarantine((a.beforeId as number | null) ?? null, Number(a.limit ?? 50));
        case "import_file":
          authorize("import_handoffs");
          return importFile(String(a.path));
        case "app_status":
          return {
            version: "0.1.0",
            database_path: "/home/agent/.local/share/handoff-desk/desk.sqlite3",
            log_dir: "/home/agent/.local/state/handoff-desk/logs",
            demo_source: true,
            bands: { medium: 0.6, high: 0.85 },
            sla: { urgent_secs: 120, high_secs: 600, normal_secs: 1800, low_secs: 7200 },
            needs_first_admin: needsFirstAdmin,
            demo_accounts: needsFirstAdmin
              ? []
              : DEMO_ACCOUNTS.map((name) => users.find((u) => u.username === name)!).map((u) => ({ username: u.username, display_name: u.display_name, roles: u.roles })),
            demo_password: needsFirstAdmin ? null : DEMO_PASSWORD,
            password_min: PASSWORD_MIN,
            http_source: null,
            server: null,
          };
        case "plugin:dialog|open":
          return "/home/agent/Downloads/handoffs-2026-11-23.jsonl";
        case "list_tools":
          authorize("view_queue");
          return gates.tools();
        case "tool_calls_for":
          authorize("view_queue");
          return gates.callsFor(String(a.handoffId));
        case "propose_tool_call":
          return gates.propose(simActor("propose_tool_calls"), a.input as ProposeInput);
        case "confirm_tool_call":
          return gates.confirm(simActor("propose_tool_calls"), String(a.callId));
        case "retry_tool_call":
          return gates.retry(simActor("propose_tool_calls"), String(a.callId));
        case "escalate_tool_call":
          return gates.escalate(simActor("propose_tool_calls"), String(a.callId));
        case "pending_approvals":
          authorize("approve_tool_calls");
          return gates.pending();
        case "approval_history":
          authorize("approve_tool_calls");
          return gates.history();
        case "approve_tool_call":
          return decided(gates.approve(simActor("approve_tool_calls"), String(a.callId), String(a.paramsSha256)));
        case "deny_tool_call":
          return decided(gates.deny(simActor("approve_tool_calls"), String(a.callId), String(a.reason)));
        case "session_activity":
          authorize("view_queue");
          return null;
        case "audit_list":
          authorize("view_audit");
          return gates.auditList(a.filter as AuditFilter, (a.beforeId as number | null) ?? null, Number(a.limit ?? 100));
        case "audit_verify":
          authorize("view_audit");
          await sleep(250); // Rust walks the whole chain
          return gates.verify();
        case "audit_export":
          authorize("export_data", true);
          return gates.events.length;
        case "my_availability":
          authorize("claim_handoff");
          return availability;
        case "set_availability":
          authorize("claim_handoff");
          availability = { available: Boolean(a.available), since_ms: Date.now() };
          return availability;
        case "team_board":
          authorize("reassign_handoff");
          return users
            .filter((u) => u.active && u.roles.some((r) => r === "agent" || r === "supervisor"))
            .map((u) => ({
              user_id: u.id,
              username: u.username,
              display_name: u.display_name,
              roles: u.roles,
              available: false,
              since_ms: null,
              holding: 0,
              held: [],
              skills: skills.get(u.id) ?? { intents: [], channels: [], languages: [] },
              offered: null,
            }));
        // A single desk routes nothing: offers come from a team server.
        case "my_offer":
          authorize("claim_handoff");
          return null;
        case "accept_offer":
        case "decline_offer":
          authorize("claim_handoff");
          throw { kind: "conflict", message: "Offers come from a team server; this desk has none." };
        case "set_skills": {
          authorize("reassign_handoff");
          const s = a.skills as Skills;
          skills.set(Number(a.userId), s);
          return s;
        }
        case "reassign":
          authorize("reassign_handoff");
          return null;
        default: {
          // Draft replies (shadow mode) live in their own module.
          const drafts = await import("./mock-drafts");
          if (drafts.isDraftsCommand(cmd)) return drafts.draftsMock(cmd, a, { authorize, detail, emit, params });
          throw { kind: "internal", message: `The mock back end has no command "${cmd}".` };
        }
      }
    },
    { shouldMockEvents: true },
  );

  const theme = params.get("theme");
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;

  const arrivals = Number(params.get("arrive") ?? 0);
  if (arrivals > 0) setTimeout(() => arrive(arrivals), 1500);
  if (params.get("live") !== "0") setInterval(() => arrive(1), 30_000);
  gatesLive = true;
  if (params.get("deny") === "1") {
    const sam = users.find((u) => u.username === "sam")!;
    setTimeout(() => {
      if (showcaseRefundId)
        gates.deny({ user_id: sam.id, username: sam.username, display_name: sam.display_name, mayApprove: true, steppedUp: true }, showcaseRefundId, "The photo shows a different item: ask the customer for a photo of this order first.");
    }, 1500);
  }
  setInterval(() => gates.expire(), 30_000);

  let openId = params.get("open");
  if (openId === "calls") {
    openId = showcaseId;
  } else if (openId === "first") {
    const first = queuePage({ filter: { search: null, priorities: [], channels: [], reasons: [], intents: [], sentiments: [], bands: [], claim: "any" }, sort: { key: "triage", descending: false }, cursor: null, limit: 1 }).rows[0];
    openId = first?.handoff_id ?? null;
  } else if (openId !== null && /^\d+$/.test(openId)) {
    openId = store[Number(openId)]?.doc.handoff_id ?? null;
  }
  const v = params.get("view");
  const view = v === "quarantine" || v === "analytics" || v === "admin" || v === "approvals" || v === "audit" ? v : "desk";
  const dialog = params.get("dialog");
  // for screenshots: bring a region (by its aria-label) into view once it has rendered
  const scrollTo = params.get("scroll");
  if (scrollTo) setTimeout(() => document.querySelector(`[aria-label="${CSS.escape(scrollTo)}"]`)?.scrollIntoView({ block: "start" }), 2500);
  const proposeTool = params.get("propose");
  return {
    openId,
    view,
    overlay: dialog === "import" || dialog === "help" || dialog === "switch-user" ? dialog : null,
    propose: proposeTool !== null && openId !== null ? { handoffId: openId, tool: proposeTool || undefined, origin: "agent" } : null,
  };
}
