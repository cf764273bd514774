import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Availability, Channel, HeldEscalation, Skills, TeamMember } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { call, on, toIpcError } from "../../ipc";
import { CHANNEL_LABEL, CHANNELS, rolesLabel } from "../../labels";
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

/** "refund_request, order_status" → the list; blanks dropped. */
function listOf(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

function skillsLabel(s: Skills): string {
  const part = (items: string[], any: string) => (items.length === 0 ? any : items.join(", "));
  return [
    part(s.intents, "any intent"),
    part(
      s.channels.map((c) => CHANNEL_LABEL[c]),
      "any channel",
    ),
    part(s.languages, "any language"),
  ].join(" · ");
}

/** A supervisor edits what one person takes: intents, channels, languages (empty means any). */
function SkillsForm({ member, onDone }: { member: TeamMember; onDone: () => void }) {
  const client = useQueryClient();
  const [intents, setIntents] = useState(member.skills.intents.join(", "));
  const [channels, setChannels] = useState<Channel[]>(member.skills.channels);
  const [languages, setLanguages] = useState(member.skills.languages.join(", "));
  const save = useMutation({
    mutationFn: () => call("set_skills", { userId: member.user_id, skills: { intents: listOf(intents), channels, languages: listOf(languages) } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: teamKey });
      onDone();
    },
  });
  return (
    <form
      className="team__skills-form"
      data-testid="skills-form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onDone();
        }
      }}
    >
      <label htmlFor={`intents-${member.user_id}`}>Intents</label>
      <input
        id={`intents-${member.user_id}`}
        type="text"
        data-testid="skills-intents"
        value={intents}
        placeholder="e.g. refund_request, order_status — empty: any"
        onChange={(e) => setIntents(e.target.value)}
        autoFocus
      />
      <span>Channels</span>
      <div className="team__channels">
        {CHANNELS.map((c) => (
          <label key={c}>
            <input
              type="checkbox"
              checked={channels.includes(c)}
              onChange={(e) => setChannels(e.target.checked ? [...channels, c] : channels.filter((x) => x !== c))}
            />{" "}
            {CHANNEL_LABEL[c]}
          </label>
        ))}
        <span className="muted">none ticked: any</span>
      </div>
      <label htmlFor={`languages-${member.user_id}`}>Languages</label>
      <input
        id={`languages-${member.user_id}`}
        type="text"
        data-testid="skills-languages"
        value={languages}
        placeholder="e.g. en, es — es takes es-MX; empty: any"
        onChange={(e) => setLanguages(e.target.value)}
      />
      {save.isError && (
        <p className="offer__problem team__skills-actions" role="alert">
          {toIpcError(save.error).message}
        </p>
      )}
      <div className="team__skills-actions">
        <button type="submit" className="button button--primary button--small" data-testid="skills-save" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save skills"}
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One escalation someone holds, with "Reassign to ▾" listing everyone else on the board. */
function HeldRow({ held, team }: { held: HeldEscalation; team: TeamMember[] }) {
  const client = useQueryClient();
  const move = useMutation({
    mutationFn: (userId: number) => call("reassign", { handoffId: held.handoff_id, userId }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: teamKey });
      void client.invalidateQueries({ queryKey: ["queue"] });
    },
  });
  const others = team.filter((m) => m.user_id !== held.user_id);
  return (
    <li data-testid="held" data-handoff-id={held.handoff_id}>
      <span className="team__customer">{held.customer}</span>
      <span className="muted">
        {held.intent} · {held.priority} · since {formatClock(held.claimed_at_ms)}
      </span>
      <select
        aria-label={`Reassign ${held.customer}'s escalation to`}
        data-testid="reassign"
        value=""
        disabled={move.isPending || others.length === 0}
        onChange={(e) => e.target.value !== "" && move.mutate(Number(e.target.value))}
      >
        <option value="">{move.isPending ? "Reassigning…" : "Reassign to…"}</option>
        {others.map((m) => (
          <option key={m.user_id} value={m.user_id}>
            {m.display_name}
            {m.available ? "" : " (away)"} · holds {m.holding}
          </option>
        ))}
      </select>
      {move.isError && (
        <span className="offer__problem" role="alert">
          {toIpcError(move.error).message}
        </span>
      )}
    </li>
  );
}

/** Supervisors: who is available, since when, what each holds (reassign from here), and their skills. */
export function TeamView() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: teamKey, queryFn: () => call("team_board", {}), refetchInterval: 15_000 });
  const [editing, setEditing] = useState<number | null>(null);
  // Claims move the counts, offers and availability the statuses: read the board again.
  useEffect(() => on("queue-changed", () => void client.invalidateQueries({ queryKey: teamKey })), [client]);
  useEffect(() => on("routing-changed", () => void client.invalidateQueries({ queryKey: teamKey })), [client]);
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
    const team = q.data;
    const available = team.filter((m) => m.available).length;
    body = (
      <>
        <p className="small muted" data-testid="team-summary">
          {available} of {team.length} available · {team.reduce((n, m) => n + m.holding, 0)} escalations held · {team.filter((m) => m.offered !== null).length}{" "}
          offers open
        </p>
        <table className="team__table">
          <thead>
            <tr>
              <th scope="col" className="team__col-person">
                Person
              </th>
              <th scope="col" className="team__col-status">
                Status
              </th>
              <th scope="col">Holding</th>
              <th scope="col" className="team__col-takes">
                Takes
              </th>
            </tr>
          </thead>
          <tbody>
            {team.map((m) => (
              <tr key={m.user_id} data-testid="team-member" data-username={m.username} data-available={String(m.available)} data-holding={m.holding}>
                <td>
                  <span className="team__name">{m.display_name}</span> <span className="muted small">{rolesLabel(m.roles)}</span>
                </td>
                <td>
                  <span className={`availability__dot${m.available ? " is-available" : ""}`} aria-hidden="true" /> {m.available ? "Available" : "Away"}
                  {m.since_ms !== null && <span className="muted small"> since {formatClock(m.since_ms)}</span>}
                  {m.offered !== null && (
                    <div className="muted small" data-testid="offered">
                      offered {m.offered}
                    </div>
                  )}
                </td>
                <td>
                  <span className="num">{m.holding}</span>
                  {m.held.length > 0 && (
                    <ul className="team__held">
                      {m.held.map((h) => (
                        <HeldRow key={h.handoff_id} held={h} team={team} />
                      ))}
                    </ul>
                  )}
                </td>
                <td className="team__skills">
                  {editing === m.user_id ? (
                    <SkillsForm member={m} onDone={() => setEditing(null)} />
                  ) : (
                    <>
                      <span data-testid="skills">{skillsLabel(m.skills)}</span>{" "}
                      <button type="button" className="link-button" data-testid="skills-edit" onClick={() => setEditing(m.user_id)}>
                        Edit
                      </button>
                    </>
                  )}
                </td>
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
        <p className="muted small">
          Who takes escalations now, what each holds, and what each takes. The server offers each waiting escalation to an available agent whose skills match, most
          urgent first; reassign from here.
        </p>
      </header>
      <div className="page__body">{body}</div>
    </section>
  );
}
