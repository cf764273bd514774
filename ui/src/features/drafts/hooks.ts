import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { DraftDecision, DraftView } from "../../bindings";
import { call, channel, on, retryable } from "../../ipc";

export const draftKeys = {
  /** The draft for one customer message (`turn`); `round` goes up when a fresh one is wanted. */
  draft: (handoffId: string, turn: number, round: number) => ["draft", handoffId, turn, round] as const,
  /** The text streamed so far for that draft (tokens as they arrive). */
  stream: (handoffId: string, turn: number, round: number) => ["draft-stream", handoffId, turn, round] as const,
  list: (handoffId: string) => ["drafts-of", handoffId] as const,
  outbox: (handoffId: string) => ["outbox", handoffId] as const,
  metrics: ["draft-metrics"] as const,
};

/**
 * `draft_for`: the draft answering the customer's latest message (an existing one, or a new one
 * whose tokens stream into `useDraftStream` while it is written). Asked once per message and
 * round: React Query keeps a second caller (or a remount) from starting a second draft.
 */
export function useDraftFor(handoffId: string, turn: number, round: number) {
  const client = useQueryClient();
  return useQuery({
    queryKey: draftKeys.draft(handoffId, turn, round),
    queryFn: () => {
      const key = draftKeys.stream(handoffId, turn, round);
      client.setQueryData<string>(key, "");
      const onToken = channel<string>((t) => {
        if (typeof t === "string") client.setQueryData<string>(key, (s) => (s ?? "") + t);
      });
      return call("draft_for", { handoffId, onToken });
    },
    staleTime: Infinity,
    gcTime: 10 * 60_000,
    retry: false,
    refetchOnMount: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

/** The text streamed so far for a draft being written ("" before the first token). */
export function useDraftStream(handoffId: string, turn: number, round: number): string {
  const q = useQuery<string>({
    queryKey: draftKeys.stream(handoffId, turn, round),
    queryFn: skipToken,
    staleTime: Infinity,
  });
  return q.data ?? "";
}

/** Every draft of the escalation (newest first): how a decision made elsewhere is noticed. */
export function useDraftsOf(handoffId: string) {
  return useQuery({
    queryKey: draftKeys.list(handoffId),
    queryFn: () => call("drafts_of", { handoffId }),
    staleTime: 0,
    refetchOnMount: "always",
    retry: (n, err) => retryable(n, err),
  });
}

/** Sent and queued replies of an escalation, kept fresh by `drafts-changed`. */
export function useOutbox(handoffId: string) {
  const client = useQueryClient();
  useEffect(
    () =>
      on("drafts-changed", (p) => {
        if (p.handoff_id !== handoffId) return;
        void client.invalidateQueries({ queryKey: draftKeys.outbox(handoffId) });
        void client.invalidateQueries({ queryKey: draftKeys.list(handoffId) });
      }),
    [client, handoffId],
  );
  return useQuery({
    queryKey: draftKeys.outbox(handoffId),
    queryFn: () => call("outbox_of", { handoffId }),
    staleTime: 0,
    retry: (n, err) => retryable(n, err),
  });
}

/** `decide_draft`; the answer replaces the draft on screen, and the outbox is fetched again. */
export function useDecideDraft(handoffId: string, turn: number, round: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { draftId: string; decision: DraftDecision }) => call("decide_draft", v),
    onSuccess: (d) => {
      client.setQueryData<DraftView | null>(draftKeys.draft(handoffId, turn, round), (old) => (old && old.id === d.id ? d : old));
      void client.invalidateQueries({ queryKey: draftKeys.outbox(handoffId) });
      void client.invalidateQueries({ queryKey: draftKeys.list(handoffId) });
      void client.invalidateQueries({ queryKey: draftKeys.metrics });
    },
    onError: () => {
      // e.g. `conflict`: someone decided it first, or the customer wrote again; see which
      void client.invalidateQueries({ queryKey: draftKeys.list(handoffId) });
    },
  });
}

/** Draft acceptance per intent, for the analytics (always fetched afresh when shown). */
export function useDraftMetrics(enabled = true) {
  return useQuery({
    queryKey: draftKeys.metrics,
    queryFn: () => call("draft_metrics", {}),
    staleTime: 0,
    refetchOnMount: "always",
    enabled,
  });
}
