import { useQuery } from "@tanstack/react-query";
import { call, retryable } from "../../ipc";

export function useHandoff(handoffId: string | null) {
  return useQuery({
    queryKey: ["handoff", handoffId],
    queryFn: () => call("get_handoff", { handoffId: handoffId ?? "" }),
    enabled: handoffId !== null,
    retry: (n, err) => retryable(n, err, 2),
  });
}
