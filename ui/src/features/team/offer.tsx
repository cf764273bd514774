import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { RoutingOffer } from "../../bindings";
import { PriorityBadge } from "../../components/PriorityBadge";
import { call, on, toIpcError } from "../../ipc";
import { CHANNEL_LABEL } from "../../labels";
import { fieldKind } from "../../shortcuts";
import { teamKey } from "./team";

export const offerKey = ["my-offer"] as const;

/** Seconds left until `atMs`, ticking every second while shown. */
function useSecondsLeft(atMs: number | null): number | null {
  // Each tick re-renders; the time is read at render, so a new offer never shows a stale count.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (atMs === null) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [atMs]);
  return atMs === null ? null : Math.max(0, Math.ceil((atMs - Date.now()) / 1000));
}

/**
 * The escalation the team server offers to this agent: who, what, how urgent, and how long is
 * left to take it. Accept (y) claims it and opens it; Decline (x) sends it to someone else. It
 * is read again when the server says an offer changed, and every 10 s in case an event is late.
 */
export function OfferCard({ onOpen }: { onOpen: (handoffId: string) => void }) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: offerKey, queryFn: () => call("my_offer", {}), refetchInterval: 10_000 });
  useEffect(() => on("routing-changed", () => void client.invalidateQueries({ queryKey: offerKey })), [client]);
  const [problem, setProblem] = useState<string | null>(null);
  const offer: RoutingOffer | null = q.data ?? null;
  const left = useSecondsLeft(offer?.expires_ms ?? null);
  const done = () => {
    void client.invalidateQueries({ queryKey: offerKey });
    void client.invalidateQueries({ queryKey: teamKey });
    void client.invalidateQueries({ queryKey: ["queue"] });
  };
  const accept = useMutation({
    mutationFn: (id: number) => call("accept_offer", { offerId: id }),
    onSuccess: (handoffId) => {
      setProblem(null);
      client.setQueryData(offerKey, null);
      done();
      onOpen(handoffId);
    },
    onError: (e) => {
      setProblem(toIpcError(e).message);
      done();
    },
  });
  const decline = useMutation({
    mutationFn: (id: number) => call("decline_offer", { offerId: id }),
    onSuccess: () => {
      setProblem(null);
      client.setQueryData(offerKey, null);
      done();
    },
    onError: (e) => {
      setProblem(toIpcError(e).message);
      done();
    },
  });
  const busy = accept.isPending || decline.isPending;

  useEffect(() => {
    if (offer === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || fieldKind(e.target) !== null) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      if (e.key !== "y" && e.key !== "x") return;
      e.preventDefault();
      if (busy) return;
      if (e.key === "y") accept.mutate(offer.id);
      else decline.mutate(offer.id);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [offer, busy, accept, decline]);

  if (offer === null) {
    return problem === null ? null : (
      <div className="offer offer--gone" role="status" data-testid="offer-problem">
        <span>{problem}</span>
        <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => setProblem(null)}>
          ×
        </button>
      </div>
    );
  }
  const expired = left === 0;
  return (
    <section className={`offer offer--${offer.priority}`} role="alertdialog" aria-label="Escalation offered to you" data-testid="offer-card" data-offer-id={offer.id} data-handoff-id={offer.handoff_id}>
      <header className="offer__head">
        <span className="offer__title">Offered to you</span>
        <PriorityBadge priority={offer.priority} />
        <span className={`offer__left${left !== null && left <= 15 ? " is-short" : ""}`} data-testid="offer-left" title="Time left to accept before it goes to someone else">
          {expired ? "time is up" : `${left} s left`}
        </span>
      </header>
      <p className="offer__who">
        <strong>{offer.customer_name ?? "Customer"}</strong> <span className="muted">· {offer.intent} · {CHANNEL_LABEL[offer.channel]}</span>
      </p>
      <p className="offer__summary">{offer.summary}</p>
      {problem !== null && (
        <p className="offer__problem" role="alert">
          {problem}
        </p>
      )}
      <div className="offer__actions">
        <button type="button" className="button button--primary" data-testid="offer-accept" disabled={busy || expired} onClick={() => accept.mutate(offer.id)}>
          Accept <kbd>y</kbd>
        </button>
        <button type="button" className="button" data-testid="offer-decline" disabled={busy || expired} onClick={() => decline.mutate(offer.id)}>
          Decline <kbd>x</kbd>
        </button>
      </div>
    </section>
  );
}
