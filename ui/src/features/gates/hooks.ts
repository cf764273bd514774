import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { CallState, ProposeInput, ToolCallView } from "../../bindings";
import { call, on, retryable } from "../../ipc";
import { useSession } from "../../session/context";

export const gateKeys = {
  tools: ["tools"] as const,
  allCalls: ["tool-calls"] as const,
  calls: (handoffId: string) => ["tool-calls", handoffId] as const,
  approvals: ["approvals"] as const,
  pending: ["approvals", "pending"] as const,
  history: ["approvals", "history"] as const,
};

/** The tool catalogue (it changes only with a new tools.toml, i.e. a restart). */
export function useTools(enabled = true) {
  return useQuery({
    queryKey: gateKeys.tools,
    queryFn: () => call("list_tools", {}),
    staleTime: Infinity,
    enabled,
    retry: (n, e) => retryable(n, e, 2),
  });
}

/** Every tool call made from the desk on one escalation, oldest first. */
export function useToolCalls(handoffId: string | null) {
  return useQuery({
    queryKey: gateKeys.calls(handoffId ?? ""),
    queryFn: () => call("tool_calls_for", { handoffId: handoffId ?? "" }),
    enabled: handoffId !== null,
  });
}

/** How often the inbox asks again (waiting times and `overdue` are computed by Rust). */
const PENDING_REFRESH_MS = 30_000;

export function usePendingApprovals(enabled: boolean) {
  return useQuery({
    queryKey: gateKeys.pending,
    queryFn: () => call("pending_approvals", {}),
    enabled,
    refetchInterval: enabled ? PENDING_REFRESH_MS : false,
  });
}

export function useApprovalHistory(enabled: boolean) {
  return useQuery({
    queryKey: gateKeys.history,
    queryFn: () => call("approval_history", {}),
    enabled,
  });
}

/** Put a call Rust answered with into the cached list of its escalation at once. */
export function storeCall(client: QueryClient, v: ToolCallView) {
  client.setQueryData<ToolCallView[]>(gateKeys.calls(v.handoff_id), (old) => {
    if (!old) return old;
    const i = old.findIndex((c) => c.id === v.id);
    return i === -1 ? [...old, v] : old.map((c) => (c.id === v.id ? v : c));
  });
  void client.invalidateQueries({ queryKey: gateKeys.calls(v.handoff_id) });
  void client.invalidateQueries({ queryKey: gateKeys.approvals });
  void client.invalidateQueries({ queryKey: ["audit", "list"] });
  void client.invalidateQueries({ queryKey: ["audit", "verify"], refetchType: "none" });
}

export function usePropose() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ProposeInput) => call("propose_tool_call", { input }),
    onSuccess: (v) => storeCall(client, v),
  });
}

/** Confirm, retry or escalate one call: each answers with the call as it is now. */
export function useCallAction(kind: "confirm" | "retry" | "escalate") {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (callId: string) =>
      kind === "confirm"
        ? call("confirm_tool_call", { callId })
        : kind === "retry"
          ? call("retry_tool_call", { callId })
          : call("escalate_tool_call", { callId }),
    onSuccess: (v) => storeCall(client, v),
  });
}

/**
 * Refresh what the gates show when Rust says a call changed (`gates-changed`) or escalations
 * changed (`queue-changed`: summaries and waiting times in the inbox).
 */
export function useGatesEvents() {
  const client = useQueryClient();
  useEffect(() => {
    const offGates = on("gates-changed", (e) => {
      void client.invalidateQueries({ queryKey: gateKeys.calls(e.handoff_id) });
      void client.invalidateQueries({ queryKey: gateKeys.approvals });
      void client.invalidateQueries({ queryKey: ["audit", "list"] });
      // walking the whole chain is not free: verified again when someone looks (or asks)
      void client.invalidateQueries({ queryKey: ["audit", "verify"], refetchType: "none" });
    });
    const offQueue = on("queue-changed", () => {
      void client.invalidateQueries({ queryKey: gateKeys.allCalls });
      void client.invalidateQueries({ queryKey: gateKeys.approvals });
    });
    return () => {
      offGates();
      offQueue();
    };
  }, [client]);
}

export type CallNotice = { key: string; callId: string; state: CallState; tone: "ok" | "bad"; text: string };

const NOTIFY: readonly CallState[] = ["denied", "succeeded", "failed", "expired"];

/**
 * A notice when a call of the open conversation is denied, expires, succeeds or fails (each
 * state of each call once), with Rust's reason or outcome.
 */
export function useCallNotices(openId: string | null) {
  const client = useQueryClient();
  const { actor } = useSession();
  const [notices, setNotices] = useState<CallNotice[]>([]);
  const seen = useRef(new Set<string>());
  const openRef = useRef(openId);
  useEffect(() => {
    openRef.current = openId;
  }, [openId]);

  useEffect(() => {
    return on("gates-changed", (e) => {
      if (e.handoff_id !== openRef.current || !NOTIFY.includes(e.state)) return;
      const key = `${e.call_id}:${e.state}`;
      if (seen.current.has(key)) return;
      seen.current.add(key);
      void client
        .fetchQuery({ queryKey: gateKeys.calls(e.handoff_id), queryFn: () => call("tool_calls_for", { handoffId: e.handoff_id }), staleTime: 0 })
        .then((calls) => {
          const c = calls.find((x) => x.id === e.call_id);
          if (!c) return;
          // the supervisor who denied it from this desk knows already
          if (e.state === "denied" && c.decided_by === actor.display_name && c.requested_by_id !== actor.user_id) return;
          setNotices((old) => [...old.filter((n) => n.callId !== c.id), noticeFor(key, c, e.state)]);
        })
        .catch(() => undefined);
    });
  }, [client, actor]);

  const dismiss = useCallback((key: string) => setNotices((old) => old.filter((n) => n.key !== key)), []);
  return { notices, dismiss };
}

function noticeFor(key: string, c: ToolCallView, state: CallState): CallNotice {
  const what = c.amount !== null ? `${c.tool_title} of ${c.amount}${c.currency ? ` ${c.currency}` : ""}` : c.tool_title;
  const http = c.http_status !== null ? ` (HTTP ${c.http_status})` : "";
  switch (state) {
    case "denied":
      return {
        key,
        callId: c.id,
        state,
        tone: "bad",
        text:
          c.decided_by !== null
            ? `${what} was denied by ${c.decided_by}: ${c.decision_reason ?? "no reason given"}`
            : `${what} was denied by the policy: ${c.rule_reason}`,
      };
    case "expired":
      return { key, callId: c.id, state, tone: "bad", text: `${what} expired before it was decided. Propose it again if it is still needed.` };
    case "failed":
      return {
        key,
        callId: c.id,
        state,
        tone: "bad",
        text: `${what} failed${http}: ${c.outcome ?? "no answer"}.${c.retryable ? " You can retry it from the ledger." : ""}`,
      };
    default:
      return { key, callId: c.id, state, tone: "ok", text: `${what} succeeded${http}.` };
  }
}
