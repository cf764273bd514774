// A small programmable back end for tests, on top of mockIPC.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { HandoffDetail, QuarantineEntry, QueueQuery, QueueRow } from "../bindings";
import { detail, facets } from "./fixtures";

export type Call = { cmd: string; args: Record<string, unknown> };

export type Backend = {
  calls: Call[];
  rows: QueueRow[];
  quarantine: QuarantineEntry[];
  fail: Partial<Record<string, { kind: string; message: string }>>;
  details: Map<string, HandoffDetail>;
  queueQueries: () => QueueQuery[];
};

export function installBackend(initialRows: QueueRow[], pageSize?: number): Backend {
  const b: Backend = {
    calls: [],
    rows: initialRows,
    quarantine: [],
    fail: {},
    details: new Map(),
    queueQueries: () => b.calls.filter((c) => c.cmd === "queue_page").map((c) => c.args.query as QueueQuery),
  };
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      if (!cmd.startsWith("plugin:")) b.calls.push({ cmd, args });
      const failure = b.fail[cmd];
      if (failure) return Promise.reject(failure);
      switch (cmd) {
        case "queue_page": {
          const q = args.query as QueueQuery;
          const start = q.cursor ? Number(q.cursor) : 0;
          const size = Math.min(pageSize ?? q.limit, q.limit);
          const slice = b.rows.slice(start, start + size);
          const next = start + size < b.rows.length ? String(start + size) : null;
          return { rows: slice, next_cursor: next, search_capped: false };
        }
        case "queue_facets":
          return facets(b.rows.length, b.quarantine.length);
        case "get_handoff": {
          const id = String(args.handoffId);
          return b.details.get(id) ?? detail(id);
        }
        case "list_quarantine":
          return b.quarantine;
        case "app_status":
          return {
            version: "0.1.0",
            database_path: "/tmp/desk.sqlite3",
            log_dir: "/tmp/logs",
            demo_source: false,
            bands: { medium: 0.6, high: 0.85 },
            sla: { urgent_secs: 120, high_secs: 600, normal_secs: 1800, low_secs: 7200 },
          };
        default:
          return Promise.reject({ kind: "internal", message: `no mock for ${cmd}` });
      }
    },
    { shouldMockEvents: true },
  );
  return b;
}
