import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call } from "../../ipc";
import { queueKeys } from "../queue/hooks";

export type ClaimAction = { handoffId: string; release?: boolean };

/** Claim (or release) an escalation; the queue and the conversation refetch either way. */
export function useClaim() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ handoffId, release }: ClaimAction) =>
      release ? call("release_handoff", { handoffId }) : call("claim_handoff", { handoffId }),
    onSettled: (_data, _err, v) => {
      void client.invalidateQueries({ queryKey: ["handoff", v.handoffId] });
      void client.invalidateQueries({ queryKey: queueKeys.all });
    },
  });
}
