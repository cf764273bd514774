import {
  keepPreviousData,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { QueueFilter, QueueRow, QueueSort } from "../../bindings";
import { call, on } from "../../ipc";
import { buildQuery } from "./query";

export const queueKeys = {
  all: ["queue"] as const,
  list: (filter: QueueFilter, sort: QueueSort) => ["queue", "list", filter, sort] as const,
  facets: ["queue", "facets"] as const,
};

/** The queue as an infinite list of keyset pages; the next page is fetched as the user scrolls. */
export function useQueue(filter: QueueFilter, sort: QueueSort) {
  const q = useInfiniteQuery({
    queryKey: queueKeys.list(filter, sort),
    queryFn: ({ pageParam }) =>
      call("queue_page", { query: buildQuery(filter, sort, pageParam) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const rows = useMemo<QueueRow[]>(() => q.data?.pages.flatMap((p) => p.rows) ?? [], [q.data]);
  const searchCapped = q.data?.pages[0]?.search_capped ?? false;
  return { ...q, rows, searchCapped };
}

export function useFacets() {
  return useQuery({
    queryKey: queueKeys.facets,
    queryFn: () => call("queue_facets", {}),
  });
}

export function useAppStatus() {
  return useQuery({
    queryKey: ["app-status"],
    queryFn: () => call("app_status", {}),
    staleTime: Infinity,
    // An HTTP bot source's health changes on its own: look again every 15 s while there is one.
    refetchInterval: (q) => (q.state.data?.http_source ? 15_000 : false),
  });
}

/** How long to gather a burst of `queue-changed` events before refetching once. */
const COALESCE_MS = 250;
/** Arrivals remembered as "new" at most (the oldest are forgotten first). */
const FRESH_MAX = 5000;

/**
 * Refetch on `queue-changed`, at most once per burst, and never on top of a refetch that is
 * still running (a long scrolled list refetches page by page). Returns the ids that arrived or
 * changed since the user last looked, with ways to mark them seen.
 */
export function useQueueEvents(openId: string | null) {
  const client = useQueryClient();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());
  const [lastEventAt, setLastEventAt] = useState<number | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let quarantineDirty = false;
    const flush = () => {
      timer = null;
      if (client.isFetching({ queryKey: queueKeys.all }) > 0) {
        timer = setTimeout(flush, COALESCE_MS * 2);
        return;
      }
      void client.invalidateQueries({ queryKey: queueKeys.all });
      if (quarantineDirty) {
        quarantineDirty = false;
        void client.invalidateQueries({ queryKey: ["quarantine"] });
      }
    };
    const off = on("queue-changed", (p) => {
      setLastEventAt(Date.now());
      if (p.quarantined > 0) quarantineDirty = true;
      if (p.handoff_ids.length > 0) {
        setFresh((prev) => {
          const next = new Set(prev);
          p.handoff_ids.forEach((id) => {
            next.delete(id);
            next.add(id);
          });
          if (next.size > FRESH_MAX) {
            const drop = next.size - FRESH_MAX;
            let i = 0;
            for (const id of next) {
              if (i++ >= drop) break;
              next.delete(id);
            }
          }
          return next;
        });
        p.handoff_ids.forEach((id) => void client.invalidateQueries({ queryKey: ["handoff", id] }));
      }
      if (timer === null) timer = setTimeout(flush, COALESCE_MS);
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [client]);

  // The open conversation is being looked at: it is not "new".
  useEffect(() => {
    if (openId !== null && fresh.has(openId)) {
      setFresh((prev) => {
        const next = new Set(prev);
        next.delete(openId);
        return next;
      });
    }
  }, [openId, fresh]);

  const markSeen = useCallback((id: string) => {
    setFresh((prev) => {
      if (!prev.has(id)) return prev;
      const next = new Set(prev);
      next.delete(id);
      return next;
    });
  }, []);
  const markAllSeen = useCallback(() => setFresh(new Set()), []);

  return { fresh, markSeen, markAllSeen, lastEventAt };
}

/** After an import or anything else that changed the store wholesale. */
export function invalidateEverything(client: QueryClient) {
  void client.invalidateQueries({ queryKey: queueKeys.all });
  void client.invalidateQueries({ queryKey: ["quarantine"] });
  void client.invalidateQueries({ queryKey: ["handoff"] });
}
