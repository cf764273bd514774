import { useQuery } from "@tanstack/react-query";
import { call } from "../../ipc";

export function useHandoff(handoffId: string | null) {
  return useQuery({
    queryKey: ["handoff", handoffId],
    queryFn: () => call("get_handoff", { handoffId: handoffId ?? "" }),
    enabled: handoffId !== null,
    retry: (n, err) => n < 2 && (err as { kind?: string }).kind !== "not_found",
  });
}
