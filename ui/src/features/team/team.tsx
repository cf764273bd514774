import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { Availability } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { call, on, toIpcError } from "../../ipc";
import { rolesLabel } from "../../labels";
import { formatClock } from "../../time";
import "./team.css";

export const availabilityKey = ["availability"] as const;
export const teamKey = ["team-board"] as const;

/** The agent's "available / away" switch in the top bar: one click, and it says which it is. */
export function AvailabilityToggle() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: availabilityKey, queryFn: () => call("my_availability", {}) });
  const set = useMutation({
    mutationFn: (available: boolean) => call("set_availability", { available }),
    onSuccess: (a: Availability) => {
      client.setQueryData(availabilityKey, a);
      void client.invalidateQueries({ queryKey: teamKey });
    },
  });
  const available = q.data?.available ?? false;
  const error = set.isError ? toIpcError(set.error).message : null;
  return (
    <button
      type="button"
      className={`button button--small availability${available ? " is-available" : ""}`}
      data-testid="availability-toggle"
      data-available={q.data ? String(available) : undefined}
      aria-pressed={available}
      disabled={q.isPending || set.isPending}
      title={
        error ??
        (available
          ? `Available for escalations${q.data?.since_ms ? ` since ${formatClock(q.data.since_ms)}` : ""}: click to go away`
          : "Away: click when you take escalations again")
      }
      onClick={() => set.mutate(!available)}
    >
      <span className="availability__dot" aria-hidden="true" />
      {available ? "Available" : "Away"}
      {error && <span className="visually-hidden">: {error}</span>}
    </button>
  );
}

/** Supervisors: who is available, since when, and how many escalations each holds. */
export function TeamView() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: teamKey, queryFn: () => call("team_board", {}), refetchInterval: 15_000 });
  // Claims move the counts: read the board again when the queue changes.
  useEffect(() => on("queue-changed", () => void client.invalidateQueries({ queryKey: teamKey })), [client]);
  let body;
  if (q.isPending) body = <p className="muted state">Loading the team…</p>;
  else if (q.isError) body = <ErrorState title="Could not load the team" error={q.error} onRetry={() => void q.refetch()} />;
  else if (q.data.length === 0)
    body = (
      <EmptyState title="Nobody takes escalations yet" testId="team-empty">
        An admin gives people the agent or supervisor role on the Users screen.
      </EmptyState>
    );
  else {
    const available = q.data.filter((m) => m.available).length;
    body = (
      <>
        <p className="small muted" data-testid="team-summary">
          {available} of {q.data.length} available · {q.data.reduce((n, m) => n + m.holding, 0)} escalations held
        </p>
        <table className="team__table">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Holding
              </th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((m) => (
              <tr key={m.user_id} data-testid="team-member" data-username={m.username} data-available={String(m.available)} data-holding={m.holding}>
                <td>
                  <span className="team__name">{m.display_name}</span> <span className="muted small">{rolesLabel(m.roles)}</span>
                </td>
                <td>
                  <span className={`availability__dot${m.available ? " is-available" : ""}`} aria-hidden="true" /> {m.available ? "Available" : "Away"}
                  {m.since_ms !== null && <span className="muted small"> since {formatClock(m.since_ms)}</span>}
                </td>
                <td className="num">{m.holding}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <section className="page team" data-testid="team-view" aria-label="Team">
      <header className="page__header">
        <h2>Team</h2>
        <p className="muted small">Who takes escalations now, and how many each holds. Take one over from the conversation's claim.</p>
      </header>
      <div className="page__body">{body}</div>
    </section>
  );
}
