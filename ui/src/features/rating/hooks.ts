import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Rating, RatingInput } from "../../bindings";
import { call } from "../../ipc";

export const ratingsKey = (handoffId: string) => ["ratings", handoffId] as const;

/** Every rating of one handoff (the user's own and other team leads'). */
export function useRatings(handoffId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ratingsKey(handoffId ?? ""),
    queryFn: () => call("handoff_ratings", { handoffId: handoffId ?? "" }),
    enabled: enabled && handoffId !== null,
    staleTime: 0,
  });
}

export function useRate(handoffId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RatingInput) => call("rate_handoff", { handoffId, input }),
    onSuccess: (saved) => {
      client.setQueryData<Rating[]>(ratingsKey(handoffId), (old) => {
        const rest = (old ?? []).filter((r) => r.id !== saved.id);
        return [...rest, saved].sort((a, b) => a.id - b.id);
      });
      void client.invalidateQueries({ queryKey: ["analytics"] });
    },
  });
}

/** The next handoff this user has not rated, after the one open (wraps around on the Rust side). */
export function useNextUnrated() {
  return useMutation({
    mutationFn: (afterSeq: number | null) => call("next_unrated", { afterSeq }),
  });
}
