import type { QueueFacets } from "../bindings";
import { usePendingApprovals } from "../features/gates/hooks";
import { initials, rolesLabel } from "../labels";
import { useSession } from "../session/context";
import type { View } from "../App";
import { AvailabilityToggle } from "../features/team/team";
import { useEffect, useState } from "react";

type Props = {
  facets: QueueFacets | undefined;
  view: View;
  onView: (v: View) => void;
  onQuarantine: () => void;
  onImport: () => void;
  onHelp: () => void;
  onSwitchUser: () => void;
  onSignOut: () => void;
  signingOut: boolean;
};

/** App name, the screens this user may open, the counts that matter, and who is signed in. */
export function TopBar({ facets, view, onView, onQuarantine, onImport, onHelp, onSwitchUser, onSignOut, signingOut }: Props) {
  const { actor, previous, can, info } = useSession();
  const total = facets?.total;
  const quarantined = facets?.quarantined ?? 0;
  const approver = can("approve_tool_calls");
  const pending = usePendingApprovals(approver).data;
  const overdue = pending?.filter((p) => p.overdue || p.call.escalated_at_ms !== null).length ?? 0;
  const tabs: { view: View; label: string; testId: string; keys: string; show: boolean; count?: number }[] = [
    { view: "desk", label: "Desk", testId: "nav-desk", keys: "g d", show: can("view_queue") },
    { view: "approvals", label: "Approvals", testId: "nav-approvals", keys: "g p", show: approver, count: pending?.length },
    { view: "team", label: "Team", testId: "nav-team", keys: "g t", show: can("reassign_handoff") },
    { view: "analytics", label: "Analytics", testId: "nav-analytics", keys: "g a", show: can("view_analytics") },
    { view: "audit", label: "Audit", testId: "nav-audit", keys: "g l", show: can("view_audit") },
    { view: "admin", label: "Users", testId: "nav-admin", keys: "g u", show: can("manage_users") },
    { view: "settings", label: "Settings", testId: "nav-settings", keys: "g s", show: can("view_queue") },
  ];
  return (
    <header className="topbar">
      <h1 className="topbar__name">Handoff Desk</h1>
      <nav className="topbar__nav" aria-label="Screens">
        {tabs
          .filter((t) => t.show)
          .map((t) => (
            <button
              key={t.view}
              type="button"
              className="tab"
              data-testid={t.testId}
              aria-current={view === t.view ? "page" : undefined}
              title={
                t.count !== undefined
                  ? `${t.label}: ${t.count} waiting${overdue > 0 ? `, ${overdue} overdue or escalated` : ""} (${t.keys})`
                  : `${t.label} (${t.keys})`
              }
              data-count={t.count}
              onClick={() => onView(t.view)}
            >
              {t.label}
              {t.count !== undefined && (
                <span className={`count-badge${t.count > 0 ? " has-items" : ""}${overdue > 0 ? " is-overdue" : ""}`} data-testid={`${t.testId}-count`}>
                  {t.count.toLocaleString()}
                  {overdue > 0 && <span className="visually-hidden">, {overdue} overdue or escalated</span>}
                </span>
              )}
            </button>
          ))}
      </nav>
      <span className="topbar__count">
        <span data-testid="total-count" data-count={total ?? ""}>
          {total === undefined ? "…" : total.toLocaleString()}
        </span>{" "}
        {total === 1 ? "escalation" : "escalations"}
      </span>
      <span className="topbar__spacer" />
      {can("claim_handoff") && <AvailabilityToggle />}
      {can("view_quarantine") && (
        <button
          type="button"
          className={`button button--small topbar__quarantine${quarantined > 0 ? " has-items" : ""}`}
          data-testid="nav-quarantine"
          data-count={quarantined}
          aria-pressed={view === "quarantine"}
          title="Documents that failed validation (g q)"
          onClick={onQuarantine}
        >
          Quarantine <span className="count-badge">{quarantined.toLocaleString()}</span>
        </button>
      )}
      {can("import_handoffs") && (
        <button type="button" className="button button--small" data-testid="open-import" onClick={onImport} title="Import a file (i)">
          Import…
        </button>
      )}
      <button
        type="button"
        className="button button--small button--icon"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        data-testid="open-help"
        onClick={onHelp}
      >
        ?
      </button>
      <div className="user" role="group" aria-label="Signed-in user">
        <span className="user__who" data-testid="current-user" title={`${actor.display_name} (${actor.username}) · ${rolesLabel(actor.roles)}`}>
          <span className="avatar avatar--me" aria-hidden="true">
            {initials(actor.display_name)}
          </span>
          <span className="user__text">
            <span className="user__name">{actor.display_name}</span>
            <span className="user__roles">{rolesLabel(actor.roles)}</span>
          </span>
        </span>
        {info.switched && previous && info.ends_at_ms !== null && <SwitchedFor owner={previous.display_name} endsAt={info.ends_at_ms} />}
        {!previous && (
          <button type="button" className="button button--small button--quiet" data-testid="switch-user" onClick={onSwitchUser} title="Another user signs in on this desk; signing out hands it back">
            Switch user…
          </button>
        )}
        <button
          type="button"
          className="button button--small button--quiet"
          data-testid="sign-out"
          onClick={onSignOut}
          disabled={signingOut}
          title={previous ? `Sign out and give the desk back to ${previous.display_name}` : "Sign out"}
        >
          {previous ? "Hand back" : "Sign out"}
        </button>
      </div>
    </header>
  );
}

/** On someone else's desk with "Switch user": whose desk it is, and how long this lasts. */
function SwitchedFor({ owner, endsAt }: { owner: string; endsAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const left = Math.max(0, Math.ceil((endsAt - now) / 1000));
  const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  return (
    <span
      className="switched"
      data-testid="switched-session"
      title={`You are on ${owner}’s desk for one approval decision. After it, when you hand back, or when the time runs out, the desk goes back to ${owner}.`}
    >
      On {owner}’s desk · <span className="mono">{clock}</span>
    </span>
  );
}
