import { useInfiniteQuery } from "@tanstack/react-query";
import { call } from "../../ipc";

export const QUARANTINE_PAGE = 50;

/** Quarantined documents, newest first, paged by id. */
export function useQuarantine() {
  return useInfiniteQuery({
    queryKey: ["quarantine"],
    queryFn: ({ pageParam }) => call("list_quarantine", { beforeId: pageParam, limit: QUARANTINE_PAGE }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => {
      const tail = last[last.length - 1];
      return last.length >= QUARANTINE_PAGE && tail ? tail.id : undefined;
    },
  });
}
