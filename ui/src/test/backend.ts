// A small programmable back end for tests, on top of mockIPC.
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  Availability,
  Actor,
  Analytics,
  AppStatus,
  AuditFilter,
  AuditVerification,
  HandoffDetail,
  Permission,
  ProposeInput,
  QuarantineEntry,
  QueueQuery,
  QueueRow,
  Rating,
  RatingInput,
  RoutingOffer,
  SessionState,
  UserSummary,
} from "../bindings";
import { GateSim, type SimActor } from "../dev/gates-sim";
import { DEMO_PASSWORD, USERS, analytics, appStatus, detail, facets, sessionOf } from "./fixtures";

export type Call = { cmd: string; args: Record<string, unknown> };
type Failure = { kind: string; message: string };

export type Backend = {
  calls: Call[];
  rows: QueueRow[];
  quarantine: QuarantineEntry[];
  /** Every call of a command rejects with this. */
  fail: Partial<Record<string, Failure>>;
  /** The next call of a command rejects with this (then it works again). */
  failOnce: Partial<Record<string, Failure>>;
  details: Map<string, HandoffDetail>;
  /** Signed-in users, the current one last (switch user pushes, sign out pops). */
  stack: Actor[];
  status: AppStatus;
  ratings: Rating[];
  analytics: Analytics;
  users: UserSummary[];
  /** Answers of `next_unrated`, in order (null = nothing left). */
  nextUnrated: (string | null)[];
  /**
   * Tool calls and the audit log, as desk-core decides them for the demo policy (four eyes,
   * step-up above 500.00). Executions do not run by themselves: `gates.execute(id, actor)`.
   */
  gates: GateSim;
  /** What `audit_verify` answers instead of verifying `gates`' chain (e.g. a broken chain). */
  auditVerify: AuditVerification | null;
  /** The current user has confirmed their password (`step_up`). */
  steppedUp: boolean;
  /** The session is idle-locked: commands answer `locked` until a step-up (or sign-out). */
  locked: boolean;
  /** Replace a command's answer altogether. */
  handle: Partial<Record<string, (args: Record<string, unknown>) => unknown>>;
  /** The signed-in agent's availability (away until set). */
  availability: Availability;
  /** The escalation offered to the signed-in agent (team mode), if any. */
  offer: RoutingOffer | null;
  queueQueries: () => QueueQuery[];
  argsOf: (cmd: string) => Record<string, unknown>[];
};

export type BackendOptions = {
  pageSize?: number;
  /** Who is signed in at the start: a demo username, or null for nobody. Default: sam. */
  user?: keyof typeof USERS | null;
};

export function installBackend(initialRows: QueueRow[], pageSizeOrOptions?: number | BackendOptions): Backend {
  const opts: BackendOptions = typeof pageSizeOrOptions === "number" ? { pageSize: pageSizeOrOptions } : (pageSizeOrOptions ?? {});
  const start = opts.user === undefined ? "sam" : opts.user;
  const b: Backend = {
    calls: [],
    rows: initialRows,
    quarantine: [],
    fail: {},
    failOnce: {},
    details: new Map(),
    stack: start === null ? [] : [USERS[start]!],
    status: appStatus(),
    ratings: [],
    analytics: analytics(42),
    users: Object.values(USERS).map((u) => ({ id: u.user_id, username: u.username, display_name: u.display_name, roles: u.roles, active: true })),
    nextUnrated: [],
    gates: new GateSim({ handoff: (id) => (b.details.get(id) ?? detail(id)).handoff }),
    auditVerify: null,
    steppedUp: false,
    locked: false,
    handle: {},
    availability: { available: false, since_ms: null },
    offer: null,
    queueQueries: () => b.calls.filter((c) => c.cmd === "queue_page").map((c) => c.args.query as QueueQuery),
    argsOf: (cmd) => b.calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
  const state = (): SessionState => {
    const cur = b.stack[b.stack.length - 1];
    const prev = b.stack[b.stack.length - 2];
    return {
      current: cur
        ? {
            ...sessionOf(cur),
            stepped_up_until_ms: b.steppedUp ? Date.now() + 300_000 : null,
            locked: b.locked,
            // a "Switch user" session on top of the owner's: two minutes at most
            switched: prev !== undefined,
            ends_at_ms: prev !== undefined ? Date.now() + 120_000 : null,
          }
        : null,
      previous: prev ?? null,
    };
  };
  const me = () => b.stack[b.stack.length - 1];
  /** The signed-in user, if the permission matrix grants them `p` (as desk-core checks). */
  const need = (p: Permission): Actor => {
    const u = me();
    if (!u) throw { kind: "unauthenticated", message: "Sign in first." };
    if (b.locked) throw { kind: "locked", message: "The desk locked after 15 minutes without activity. Enter your password to go on." };
    if (!sessionOf(u).permissions.includes(p)) throw { kind: "forbidden", message: `Your role does not allow this (${p}).` };
    return u;
  };
  const simActor = (p: Permission): SimActor => {
    const u = need(p);
    return { ...u, mayApprove: sessionOf(u).permissions.includes("approve_tool_calls"), steppedUp: b.steppedUp };
  };
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      if (!cmd.startsWith("plugin:")) b.calls.push({ cmd, args });
      const once = b.failOnce[cmd];
      if (once) {
        delete b.failOnce[cmd];
        return Promise.reject(once);
      }
      const failure = b.fail[cmd];
      if (failure) return Promise.reject(failure);
      const custom = b.handle[cmd];
      if (custom) return custom(args);
      try {
        return answer(cmd, args);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    { shouldMockEvents: true },
  );

  function answer(cmd: string, args: Record<string, unknown>): unknown {
    switch (cmd) {
      case "app_status":
        return b.status;
      case "session_state":
        return state();
      case "sign_in": {
        const u = USERS[String(args.username)];
        if (!u || args.password !== DEMO_PASSWORD) return Promise.reject({ kind: "wrong_credentials", message: "Wrong username or password." });
        if (args.switchUser) b.stack.push(u);
        else b.stack = [u];
        return state();
      }
      case "sign_out":
        b.stack.pop();
        b.steppedUp = false;
        b.locked = false;
        return state();
      case "step_up":
        if (args.password !== DEMO_PASSWORD) return Promise.reject({ kind: "wrong_credentials", message: "Wrong username or password." });
        b.steppedUp = true;
        b.locked = false;
        return state();
      case "queue_page": {
        const q = args.query as QueueQuery;
        const start = q.cursor ? Number(q.cursor) : 0;
        const size = Math.min(opts.pageSize ?? q.limit, q.limit);
        const slice = b.rows.slice(start, start + size);
        const next = start + size < b.rows.length ? String(start + size) : null;
        return { rows: slice, next_cursor: next, search_capped: false };
      }
      case "queue_facets":
        return facets(b.rows.length, b.quarantine.length);
      case "get_handoff": {
        const id = String(args.handoffId);
        const d = b.details.get(id) ?? detail(id);
        const seq = b.rows.find((r) => r.handoff_id === id)?.seq;
        return seq !== undefined && !b.details.has(id) ? { ...d, seq } : d;
      }
      case "list_quarantine":
        return b.quarantine;
      case "claim_handoff": {
        const id = String(args.handoffId);
        const d = b.details.get(id) ?? detail(id);
        b.details.set(id, { ...d, claimed_by: me()!.display_name, claimed_by_id: me()!.user_id });
        return null;
      }
      case "release_handoff": {
        const id = String(args.handoffId);
        const d = b.details.get(id) ?? detail(id);
        b.details.set(id, { ...d, claimed_by: null, claimed_by_id: null });
        return null;
      }
      case "handoff_ratings":
        return b.ratings.filter((r) => r.handoff_id === args.handoffId);
      case "rate_handoff": {
        const u = me()!;
        const id = String(args.handoffId);
        const input = args.input as RatingInput;
        const old = b.ratings.find((r) => r.handoff_id === id && r.rater_id === u.user_id);
        const now = new Date().toISOString();
        const saved: Rating = old
          ? { ...old, input, revision: old.revision + 1, updated_at: now }
          : {
              id: b.ratings.length + 1,
              handoff_id: id,
              rater_id: u.user_id,
              rater_name: u.display_name,
              bot_name: "helpbot",
              bot_version: "2026.11.2",
              intent: "refund_request",
              confidence: 0.62,
              input,
              revision: 1,
              created_at: now,
              updated_at: now,
            };
        b.ratings = [...b.ratings.filter((r) => r !== old), saved];
        return saved;
      }
      case "next_unrated":
        return b.nextUnrated.length > 0 ? b.nextUnrated.shift()! : null;
      case "analytics":
        return b.analytics;
      case "export_csv":
        return 2048;
      case "export_eval_cases":
        return 123456;
      case "list_users":
        return b.users;
      case "create_user": {
        const nu = args.user as { username: string; display_name: string; roles: UserSummary["roles"] };
        const u: UserSummary = { id: b.users.length + 1, username: nu.username, display_name: nu.display_name, roles: nu.roles, active: true };
        b.users = [...b.users, u];
        return u;
      }
      case "update_user": {
        const u = b.users.find((x) => x.id === args.userId)!;
        const next = { ...u, roles: args.roles as UserSummary["roles"], active: Boolean(args.active) };
        b.users = b.users.map((x) => (x.id === u.id ? next : x));
        return next;
      }
      case "plugin:dialog|save":
        return "/home/lee/exports/chosen.csv";
      // ---------------------------------------------------------------- gates and audit
      case "list_tools":
        need("view_queue");
        return b.gates.tools();
      case "tool_calls_for":
        need("view_queue");
        return b.gates.callsFor(String(args.handoffId));
      case "propose_tool_call":
        return b.gates.propose(simActor("propose_tool_calls"), args.input as ProposeInput);
      case "confirm_tool_call":
        return b.gates.confirm(simActor("propose_tool_calls"), String(args.callId));
      case "retry_tool_call":
        return b.gates.retry(simActor("propose_tool_calls"), String(args.callId));
      case "escalate_tool_call":
        return b.gates.escalate(simActor("propose_tool_calls"), String(args.callId));
      case "pending_approvals":
        need("approve_tool_calls");
        return b.gates.pending();
      case "approval_history":
        need("approve_tool_calls");
        return b.gates.history();
      case "approve_tool_call":
        return b.gates.approve(simActor("approve_tool_calls"), String(args.callId), String(args.paramsSha256));
      case "deny_tool_call":
        return b.gates.deny(simActor("approve_tool_calls"), String(args.callId), String(args.reason));
      case "audit_list":
        need("view_audit");
        return b.gates.auditList(args.filter as AuditFilter, (args.beforeId as number | null) ?? null, Number(args.limit));
      case "audit_verify":
        need("view_audit");
        return b.auditVerify ?? b.gates.verify();
      case "audit_export":
        need("export_data");
        if (!b.steppedUp) throw { kind: "step_up_required", message: "Confirm your password to do this." };
        return b.gates.events.length;
      case "my_availability":
        need("claim_handoff");
        return b.availability;
      case "set_availability":
        need("claim_handoff");
        b.availability = { available: Boolean(args.available), since_ms: Date.now() };
        return b.availability;
      case "my_offer":
        need("claim_handoff");
        return b.offer;
      case "accept_offer":
      case "decline_offer": {
        need("claim_handoff");
        const o = b.offer;
        if (o === null || o.id !== args.offerId) throw { kind: "conflict", message: "The offer ran out; it goes to someone else." };
        b.offer = null;
        return cmd === "accept_offer" ? o.handoff_id : null;
      }
      case "set_skills":
        need("reassign_handoff");
        return args.skills;
      case "reassign":
        need("reassign_handoff");
        return null;
      default:
        return Promise.reject({ kind: "internal", message: `no mock for ${cmd}` });
    }
  }
  return b;
}
