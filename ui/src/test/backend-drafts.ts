// Draft commands for the test back end (test/backend.ts): `installDrafts(b)` adds handlers to
// `b.handle` for draft_for (tokens streamed over the real Channel), drafts_of, decide_draft,
// outbox_of, draft_metrics, llm_status, save_llm_settings, set_llm_api_key and kb_reindex, and
// grants the draft permissions the Rust matrix gives (reply_to_customers to agents and
// supervisors, configure_drafts to admins; configure_drafts needs a fresh step-up, kept in
// `b.steppedUp`). It answers the session commands too, so those permissions stay after a
// step-up, a switch of user or a sign-out.
import type {
  Actor,
  DraftDecision,
  DraftIntentMetrics,
  DraftView,
  KbReport,
  LlmStatus,
  OutboxEntry,
  Passage,
  Permission,
  Role,
  SessionState,
} from "../bindings";
import { warningsOf } from "../dev/mock-drafts";
import type { Backend } from "./backend";
import { DEMO_PASSWORD, USERS, sessionOf } from "./fixtures";

type Failure = { kind: string; message: string };

const EXTRA: Record<Role, Permission[]> = {
  agent: ["reply_to_customers"],
  supervisor: ["reply_to_customers"],
  team_lead: [],
  admin: ["configure_drafts"],
};

export function passage(over: Partial<Passage> = {}): Passage {
  return {
    article_id: "policies/refunds",
    title: "Refunds",
    heading: "Damaged items",
    text: "A damaged or defective item can be refunded without returning it when the customer sends a photo of the damage.",
    coverage: 0.62,
    topical: true,
    ...over,
  };
}

export function draftView(handoffId: string, over: Partial<DraftView> = {}): DraftView {
  const flags = over.flags ?? [];
  return {
    id: `dr_${handoffId}`,
    handoff_id: handoffId,
    turn_index: 0,
    engine: "embedded",
    model: null,
    text: "Hi Ada,\n\nI'm sorry your order arrived damaged. I can refund it without a return.",
    is_note: false,
    sources: [passage(), passage({ article_id: "product_defect/refund_initiate", title: "Initiate a refund", heading: "Steps", coverage: 0.41, text: "Check the order, then issue the refund." })],
    confidence: 0.78,
    flags: [],
    state: "ready",
    latency_ms: 840,
    engine_error: null,
    created_at_ms: Date.now() - 20_000,
    decided_by: null,
    reject_reason: null,
    reject_note: null,
    sent_text: null,
    ...over,
    warnings: warningsOf(flags),
  };
}

export function metricsRow(intent: string, over: Partial<DraftIntentMetrics> = {}): DraftIntentMetrics {
  return {
    intent,
    drafts: 20,
    decided: 16,
    approved: 9,
    edited: 4,
    rejected: 3,
    acceptance_rate: 9 / 16,
    edit_rate: 4 / 16,
    median_edit_distance: 37,
    median_decision_secs: 48,
    ...over,
  };
}

export type DraftsBackend = {
  /** Every draft by id (decisions change them here). */
  drafts: Map<string, DraftView>;
  /** What the next `draft_for` of a handoff answers (`null`: the customer said nothing). */
  next: Map<string, DraftView | null>;
  /** Tokens `draft_for` streams before answering; default: the draft's text in words. */
  tokens: Map<string, string[]>;
  /** When set, `draft_for` waits for it after streaming (to look at the streaming state). */
  hold: Promise<void> | null;
  outbox: OutboxEntry[];
  metrics: DraftIntentMetrics[];
  llm: LlmStatus;
  /** The key "in the keyring" (tests check it never reaches the screen). */
  apiKey: string | null;
  kb: KbReport;
  /** Calls of `draft_for`, by handoff id. */
  draftCalls: () => string[];
};

/** A promise and its resolver. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type Internals = { runCallback: (id: number, data: unknown) => void };

/** Sends a message over a Channel argument as the Rust side does (mockIPC hands the Channel itself). */
export function channelSender(arg: unknown): (index: number, message: string) => void {
  const id = typeof arg === "object" && arg !== null ? (arg as { id: number }).id : Number(String(arg).replace("__CHANNEL__:", ""));
  const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
  return (index, message) => internals.runCallback(id, { index, message });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

export function installDrafts(b: Backend): DraftsBackend {
  const d: DraftsBackend = {
    drafts: new Map(),
    next: new Map(),
    tokens: new Map(),
    hold: null,
    outbox: [],
    metrics: [metricsRow("refund_request"), metricsRow("order_status", { drafts: 12, decided: 10, approved: 8, edited: 1, rejected: 1, acceptance_rate: 0.8, edit_rate: 0.1, median_edit_distance: 12, median_decision_secs: 95 })],
    llm: { settings: { base_url: "https://api.openai.com/v1", model: "gpt-4o-mini", timeout_secs: 20 }, enabled: false, has_api_key: false, keyring_error: null },
    apiKey: null,
    kb: { articles: 65, passages: 412, changed: true, errors: [] },
    draftCalls: () => b.argsOf("draft_for").map((a) => String(a.handoffId)),
  };
  const me = (): Actor => {
    const u = b.stack[b.stack.length - 1];
    if (!u) throw { kind: "unauthenticated", message: "Sign in first." } satisfies Failure;
    return u;
  };
  const perms = (a: Actor): Permission[] => [...new Set([...sessionOf(a).permissions, ...a.roles.flatMap((r) => EXTRA[r])])];
  const state = (): SessionState => {
    const cur = b.stack[b.stack.length - 1];
    const prev = b.stack[b.stack.length - 2];
    return {
      current: cur ? { ...sessionOf(cur), permissions: perms(cur), stepped_up_until_ms: b.steppedUp ? Date.now() + 300_000 : null } : null,
      previous: prev ?? null,
    };
  };
  const need = (p: Permission, stepUp = false) => {
    if (!perms(me()).includes(p)) throw { kind: "forbidden", message: `Your role does not allow this (${p}).` } satisfies Failure;
    if (stepUp && !b.steppedUp) throw { kind: "step_up_required", message: "Confirm your password to do this." } satisfies Failure;
  };
  const wrap =
    <A>(fn: (args: A) => unknown) =>
    async (args: Record<string, unknown>) => {
      try {
        return await fn(args as A);
      } catch (e) {
        return Promise.reject(e);
      }
    };

  // Session answers carry the draft permissions too (test/backend.ts's do not).
  b.handle.session_state = () => state();
  b.handle.step_up = (args) => {
    if (args.password !== DEMO_PASSWORD) return Promise.reject({ kind: "wrong_credentials", message: "Wrong username or password." });
    b.steppedUp = true;
    return state();
  };
  b.handle.sign_in = (args) => {
    const u = USERS[String(args.username)];
    if (!u || args.password !== DEMO_PASSWORD) return Promise.reject({ kind: "wrong_credentials", message: "Wrong username or password." });
    if (args.switchUser) b.stack.push(u);
    else b.stack = [u];
    b.steppedUp = false;
    return state();
  };
  b.handle.sign_out = () => {
    b.stack.pop();
    b.steppedUp = false;
    return state();
  };

  b.handle.draft_for = wrap(async (args: { handoffId: string; onToken: unknown }) => {
    need("reply_to_customers");
    const id = args.handoffId;
    const existing = [...d.drafts.values()].filter((x) => x.handoff_id === id && x.state !== "stale").at(-1);
    const planned = d.next.has(id) ? d.next.get(id)! : undefined;
    if (planned === undefined && existing) return existing;
    const draft = planned === undefined ? draftView(id) : planned;
    if (draft === null) return null;
    d.next.delete(id);
    const send = channelSender(args.onToken);
    const words = d.tokens.get(id) ?? draft.text.split(/(?<= )/);
    for (let i = 0; i < words.length; i++) {
      send(i, words[i]!);
      await tick();
    }
    if (d.hold) await d.hold;
    // older ready drafts of this escalation go stale, as on the Rust side
    for (const [k, v] of d.drafts) if (v.handoff_id === id && v.state === "ready" && v.id !== draft.id) d.drafts.set(k, { ...v, state: "stale" });
    d.drafts.set(draft.id, draft);
    return draft;
  });

  b.handle.drafts_of = (args) => [...d.drafts.values()].filter((x) => x.handoff_id === args.handoffId).reverse();

  b.handle.decide_draft = wrap((args: { draftId: string; decision: DraftDecision }) => {
    need("reply_to_customers");
    const cur = d.drafts.get(args.draftId);
    if (!cur) throw { kind: "not_found", message: `No draft ${args.draftId}.` };
    if (cur.state === "stale") throw { kind: "conflict", message: "The customer wrote again since this draft was made: a fresh draft answers the new message." };
    if (cur.state !== "ready") throw { kind: "conflict", message: `This draft was already ${cur.state}.` };
    const who = me().display_name;
    const dec = args.decision;
    let next: DraftView;
    if (dec.kind === "approve") {
      if (cur.is_note) throw { kind: "invalid_input", message: "This is a note to you, not a reply: edit it into a reply or write your own." };
      next = { ...cur, state: "approved", decided_by: who, sent_text: cur.text };
    } else if (dec.kind === "edit") {
      if (dec.text.trim() === "") throw { kind: "invalid_input", message: "The reply is empty." };
      next = { ...cur, state: "edited", decided_by: who, sent_text: dec.text.trim() };
    } else {
      if (dec.reason === "other" && (dec.note ?? "").trim() === "") throw { kind: "invalid_input", message: "Say why the draft was rejected." };
      next = { ...cur, state: "rejected", decided_by: who, reject_reason: dec.reason, reject_note: dec.note?.trim() || null, sent_text: dec.own_reply };
    }
    d.drafts.set(cur.id, next);
    if (next.sent_text) {
      d.outbox.push({ id: `ob_${d.outbox.length + 1}`, handoff_id: cur.handoff_id, draft_id: cur.id, author: who, text: next.sent_text, sent: false, created_at_ms: Date.now(), sent_at_ms: null, last_error: null });
    }
    return next;
  });

  b.handle.outbox_of = (args) => d.outbox.filter((o) => o.handoff_id === args.handoffId);
  b.handle.draft_metrics = wrap(() => {
    need("view_analytics");
    return d.metrics;
  });
  b.handle.llm_status = () => ({ ...d.llm, has_api_key: d.apiKey !== null });
  b.handle.save_llm_settings = wrap((args: { settings: LlmStatus["settings"]; enabled: boolean }) => {
    need("configure_drafts", true);
    if (!/^https?:\/\//.test(args.settings.base_url)) throw { kind: "invalid_input", message: "The base URL must start with http:// or https://." };
    d.llm = { ...d.llm, settings: args.settings, enabled: args.enabled };
    return { ...d.llm, has_api_key: d.apiKey !== null };
  });
  b.handle.set_llm_api_key = wrap((args: { apiKey: string }) => {
    need("configure_drafts", true);
    d.apiKey = args.apiKey.trim() === "" ? null : args.apiKey.trim();
    return { ...d.llm, has_api_key: d.apiKey !== null };
  });
  b.handle.kb_reindex = wrap(() => {
    need("configure_drafts", true);
    return d.kb;
  });
  return d;
}

/** Marks an outbox entry sent, as the delivery loop does. */
export function markSent(d: DraftsBackend, id: string) {
  d.outbox = d.outbox.map((o) => (o.id === id ? { ...o, sent: true, sent_at_ms: Date.now() } : o));
}
