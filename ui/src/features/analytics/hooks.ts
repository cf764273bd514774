import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { AnalyticsFilter } from "../../bindings";
import { call } from "../../ipc";

/** Always fetched afresh when the view opens: ratings may have been added since. */
export function useAnalytics(filter: AnalyticsFilter) {
  return useQuery({
    queryKey: ["analytics", filter],
    queryFn: () => call("analytics", { filter }),
    placeholderData: keepPreviousData,
    staleTime: 0,
    refetchOnMount: "always",
  });
}
