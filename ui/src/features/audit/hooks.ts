import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { AuditFilter } from "../../bindings";
import { call } from "../../ipc";

export const AUDIT_PAGE = 100;

export const auditKeys = {
  list: (f: AuditFilter) => ["audit", "list", f] as const,
  verify: ["audit", "verify"] as const,
};

/** Newest first, in keyset pages: "Load older" asks for the events before the last one shown. */
export function useAuditList(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filter),
    queryFn: ({ pageParam }) => call("audit_list", { filter, beforeId: pageParam, limit: AUDIT_PAGE }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => (last.length < AUDIT_PAGE ? undefined : (last[last.length - 1]?.id ?? undefined)),
    placeholderData: keepPreviousData,
  });
}

/** How long a verification is shown before the status line checks the chain again. */
const VERIFY_EVERY_MS = 5 * 60_000;

/** Rust walks the whole chain: shared by the audit view and the status line. */
export function useAuditVerify(enabled = true) {
  return useQuery({
    queryKey: auditKeys.verify,
    queryFn: () => call("audit_verify", {}),
    enabled,
    staleTime: 60_000,
    refetchInterval: enabled ? VERIFY_EVERY_MS : false,
  });
}
