import type { QueueFacets } from "../bindings";

type Props = {
  facets: QueueFacets | undefined;
  view: "desk" | "quarantine";
  onQuarantine: () => void;
  onImport: () => void;
  onHelp: () => void;
};

/** App name, the counts that matter, and the few global actions. */
export function TopBar({ facets, view, onQuarantine, onImport, onHelp }: Props) {
  const total = facets?.total;
  const quarantined = facets?.quarantined ?? 0;
  return (
    <header className="topbar">
      <h1 className="topbar__name">Handoff Desk</h1>
      <span className="topbar__count">
        <span data-testid="total-count" data-count={total ?? ""}>
          {total === undefined ? "…" : total.toLocaleString()}
        </span>{" "}
        {total === 1 ? "escalation" : "escalations"}
      </span>
      <span className="topbar__spacer" />
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
      <button type="button" className="button button--small" data-testid="open-import" onClick={onImport} title="Import a file (i)">
        Import…
      </button>
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
    </header>
  );
}
