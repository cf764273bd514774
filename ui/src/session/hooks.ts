import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { NewUser, SessionState } from "../bindings";
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
    void client.resetQueries({ predicate: (q) => !USER_INDEPENDENT.has(q.queryKey[0]) });
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

/**
 * Any command that answers `unauthenticated` means nobody is signed in any more (the session
 * ended on the Rust side): show the sign-in screen.
 */
export function useSignInWhenUnauthenticated() {
  const client = useQueryClient();
  useEffect(() => {
    const check = (err: unknown) => {
      if (isKind(err, "unauthenticated") && client.getQueryData<SessionState>(sessionKey)?.current) {
        client.setQueryData(sessionKey, SIGNED_OUT);
      }
    };
    const offQueries = client.getQueryCache().subscribe((e) => {
      if (e.type === "updated" && e.action.type === "error") check(e.action.error);
    });
    const offMutations = client.getMutationCache().subscribe((e) => {
      if (e.type === "updated" && e.action.type === "error") check(e.action.error);
    });
    return () => {
      offQueries();
      offMutations();
    };
  }, [client]);
}
