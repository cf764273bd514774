import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { NewUser, SessionInfo, SessionState } from "../bindings";
import { call, isKind } from "../ipc";

export const sessionKey = ["session"] as const;
export const appStatusKey = ["app-status"] as const;

/** Queries that do not depend on who is signed in. */
const USER_INDEPENDENT = new Set<unknown>([sessionKey[0], appStatusKey[0]]);

export const SIGNED_OUT: SessionState = { current: null, previous: null };

export function useSessionState() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: () => call("session_state", {}),
    staleTime: Infinity,
  });
}

/**
 * Store a new session state. When the user changed, every cached answer was fetched for
 * someone else: reset them all (the ones on screen refetch at once, as the new user).
 */
export function applySession(client: QueryClient, next: SessionState) {
  const before = client.getQueryData<SessionState>(sessionKey);
  client.setQueryData(sessionKey, next);
  if (before?.current?.actor.user_id !== next.current?.actor.user_id) {
    const userDependent = { predicate: (q: { queryKey: readonly unknown[] }) => !USER_INDEPENDENT.has(q.queryKey[0]) };
    // Nobody at the desk: nothing to ask again. Drop the answers once the sign-in screen has
    // replaced the views that held them (dropping them now would make those views refetch).
    if (next.current === null) window.setTimeout(() => client.removeQueries(userDependent), 0);
    else void client.resetQueries(userDependent);
  }
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { username: string; password: string; switchUser: boolean }) => call("sign_in", v),
    onSuccess: (s) => applySession(client, s),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call("sign_out", {}),
    onSuccess: (s) => applySession(client, s),
  });
}

export function useCreateFirstAdmin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ user, setupCode }: { user: NewUser; setupCode: string | null }) => call("create_first_admin", { user, setupCode }),
    onSuccess: (s) => {
      applySession(client, s);
      void client.invalidateQueries({ queryKey: appStatusKey });
    },
  });
}

/** Asks the Rust side who is at the desk now, and shows that. */
export async function refreshSession(client: QueryClient) {
  try {
    applySession(client, await call("session_state", {}));
  } catch {
    // The next query that fails says why; nothing to add here.
  }
}

/**
 * The session can change under the window: a command answers `unauthenticated` (it ended: the
 * desk is signed out, or back with its owner after a "Switch user") or `locked` (idle for too
 * long), or a switched session made its one decision. Ask the Rust side who is at the desk.
 */
export function useFollowSession() {
  const client = useQueryClient();
  useEffect(() => {
    const check = (err: unknown) => {
      if ((isKind(err, "unauthenticated") || isKind(err, "locked")) && client.getQueryData<SessionState>(sessionKey)?.current) {
        void refreshSession(client);
      }
    };
    const offQueries = client.getQueryCache().subscribe((e) => {
      if (e.type === "updated" && e.action.type === "error") check(e.action.error);
    });
    const offMutations = client.getMutationCache().subscribe((e) => {
      if (e.type !== "updated") return;
      if (e.action.type === "error") check(e.action.error);
      // A "Switch user" session ends after its decision: the desk may be back with its owner.
      if (e.action.type === "success" && client.getQueryData<SessionState>(sessionKey)?.current?.switched) void refreshSession(client);
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [client]);
}

/** How often, at most, the window tells the Rust side that someone is working at the desk. */
export const ACTIVITY_EVERY_MS = 60_000;

/**
 * Keys, clicks and scrolling are someone at the desk: report it (at most once a minute), so
 * the idle lock counts from the last real activity, not from the window's own refreshes.
 */
export function useReportActivity(info: SessionInfo) {
  const client = useQueryClient();
  const locked = info.locked;
  useEffect(() => {
    if (locked) return;
    let last = 0;
    const onInput = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      call("session_activity", {}).catch((err: unknown) => {
        if (isKind(err, "locked") || isKind(err, "unauthenticated")) void refreshSession(client);
      });
    };
    const events = ["keydown", "pointerdown", "wheel"] as const;
    for (const ev of events) window.addEventListener(ev, onInput, { passive: true, capture: true });
    return () => {
      for (const ev of events) window.removeEventListener(ev, onInput, { capture: true });
    };
  }, [client, locked]);
}

/** A session with an end of its own ("Switch user": two minutes): show who is at the desk when it comes. */
export function useSessionEnd(info: SessionInfo) {
  const client = useQueryClient();
  const end = info.switched ? info.ends_at_ms : null;
  useEffect(() => {
    if (end === null) return;
    const t = window.setTimeout(() => void refreshSession(client), Math.max(0, end - Date.now()) + 250);
    return () => window.clearTimeout(t);
  }, [client, end]);
}
