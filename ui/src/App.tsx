import { useIsFetching } from "@tanstack/react-query";
import { Suspense, lazy, useCallback, useEffect, useRef, useState } from "react";
import type { AppStatus, QueueFilter, QueueSort, SessionInfo } from "./bindings";
import { ErrorState } from "./components/ErrorState";
import { ShortcutHelp } from "./components/ShortcutHelp";
import { UsersView } from "./features/admin/UsersView";
import { SettingsView } from "./features/settings";
import { ApprovalsView } from "./features/approvals/ApprovalsView";
import { TeamView } from "./features/team/team";
import { AuditView, ChainBadge } from "./features/audit/AuditView";
import { useClaim } from "./features/claims/hooks";
import { ContextPane } from "./features/conversation/ContextPane";
import { ConversationPane } from "./features/conversation/ConversationPane";
import { useHandoff } from "./features/conversation/hooks";
import { CallNotices } from "./features/gates/CallNotices";
import { useCallNotices, useGatesEvents } from "./features/gates/hooks";
import type { ProposeSeed } from "./features/gates/ProposeForm";
import { ImportDialog } from "./features/import/ImportDialog";
import { QuarantineView } from "./features/quarantine/QuarantineView";
import { useAppStatus, useFacets, useQueueEvents } from "./features/queue/hooks";
import { DEFAULT_SORT, emptyFilter } from "./features/queue/query";
import { QueuePane, type QueuePaneHandle } from "./features/queue/QueuePane";
import { useNextUnrated } from "./features/rating/hooks";
import { RatingPane } from "./features/rating/RatingPane";
import { toIpcError } from "./ipc";
import { SessionProvider, useSession } from "./session/context";
import { FirstAdminScreen } from "./session/FirstAdminScreen";
import { useFollowSession, useReportActivity, useSessionEnd, useSessionState, useSignOut } from "./session/hooks";
import { LockScreen } from "./session/LockScreen";
import { SignInScreen } from "./session/SignInScreen";
import { StepUpProvider } from "./session/StepUp";
import { SwitchUserDialog } from "./session/SwitchUserDialog";
import { OfflineBanner, useServerLink } from "./shell/ServerLink";
import { StatusLine } from "./shell/StatusLine";
import { TopBar } from "./shell/TopBar";
import { fieldKind } from "./shortcuts";
import { OfferCard } from "./features/team/offer";

export type View = "desk" | "quarantine" | "analytics" | "admin" | "approvals" | "audit" | "settings" | "team";
export type Overlay = "help" | "import" | "switch-user" | null;

/** Where the app starts (the mock build uses it to show a given screen). */
export type InitialState = { openId?: string | null; view?: View; overlay?: Overlay; propose?: ProposeSeed | null };

// Charts are a large library: loaded the first time someone opens the analytics.
const AnalyticsView = lazy(() => import("./features/analytics/AnalyticsView").then((m) => ({ default: m.AnalyticsView })));

/** How long after `g` the second key of a `g x` shortcut is awaited. */
const CHORD_MS = 1200;
/** How long a passing notice (e.g. "nothing left to rate") stays. */
const FLASH_MS = 5000;


/** Who is signed in decides what shows: first-admin setup, the sign-in screen, or the desk. */
export function App({ initial }: { initial?: InitialState }) {
  const status = useAppStatus();
  const session = useSessionState();
  useFollowSession();

  if (session.isPending || status.isPending) {
    return (
      <div className="gate" aria-busy="true">
        <p className="muted">Starting…</p>
      </div>
    );
  }
  if (session.isError) {
    return (
      <div className="gate">
        <ErrorState title="The desk’s back end did not answer" error={session.error} onRetry={() => void session.refetch()} />
      </div>
    );
  }
  if (status.data?.needs_first_admin) return <FirstAdminScreen status={status.data} />;
  const s = session.data;
  if (!s.current) return <SignInScreen status={status.data} />;
  if (s.current.locked) return <LockScreen info={s.current} status={status.data} />;
  return (
    <SessionProvider info={s.current} previous={s.previous}>
      <SessionClock info={s.current} />
      <StepUpProvider>
        <Workspace initial={initial} status={status.data} />
      </StepUpProvider>
    </SessionProvider>
  );
}

/** Reports activity for the idle lock, and notices when a "Switch user" session runs out. */
function SessionClock({ info }: { info: SessionInfo }) {
  useReportActivity(info);
  useSessionEnd(info);
  return null;
}

function Workspace({ initial, status }: { initial?: InitialState; status: AppStatus | undefined }) {
  const { can } = useSession();
  const [filter, setFilter] = useState<QueueFilter>(emptyFilter);
  const [sort, setSort] = useState<QueueSort>(DEFAULT_SORT);
  const [selectedId, setSelectedId] = useState<string | null>(initial?.openId ?? null);
  const [openId, setOpenId] = useState<string | null>(initial?.openId ?? null);
  const [wantedView, setView] = useState<View>(initial?.view ?? "desk");
  const [overlay, setOverlay] = useState<Overlay>(initial?.overlay ?? null);
  const [flash, setFlash] = useState<string | null>(null);
  const [propose, setPropose] = useState<ProposeSeed | null>(initial?.propose ?? null);
  const queue = useRef<QueuePaneHandle>(null);
  const chordAt = useRef(0);

  // A screen this user may not open (e.g. after a switch of user) falls back to the desk.
  const permitted = (v: View) =>
    v === "desk" ||
    can(
      (
        {
          quarantine: "view_quarantine",
          analytics: "view_analytics",
          admin: "manage_users",
          approvals: "approve_tool_calls",
          team: "reassign_handoff",
          audit: "view_audit",
          settings: "view_queue",
        } as const
      )[v],
    );
  const view: View = permitted(wantedView) ? wantedView : "desk";
  const showOverlay: Overlay = overlay === "import" && !can("import_handoffs") ? null : overlay;

  const facets = useFacets();
  const detail = useHandoff(openId);
  const { fresh, markSeen, markAllSeen, lastEventAt } = useQueueEvents(openId);
  const fetchingQueue = useIsFetching({ queryKey: ["queue"] }) > 0;
  const claim = useClaim();
  const nextUnrated = useNextUnrated();
  const signOut = useSignOut();
  useGatesEvents();
  const callNotices = useCallNotices(openId);

  useEffect(() => {
    if (flash === null) return;
    const t = setTimeout(() => setFlash(null), FLASH_MS);
    return () => clearTimeout(t);
  }, [flash]);

  const open = useCallback(
    (id: string) => {
      setSelectedId(id);
      setOpenId(id);
      markSeen(id);
    },
    [markSeen],
  );

  const goQuarantine = useCallback(() => {
    setOverlay(null);
    setView("quarantine");
  }, []);
  const goDesk = useCallback(() => setView("desk"), []);

  /** From the approvals inbox or history: the conversation a request belongs to. */
  const openConversation = useCallback(
    (id: string) => {
      setView("desk");
      open(id);
    },
    [open],
  );

  const proposeOnOpen = useCallback(() => {
    if (openId === null || !can("propose_tool_calls")) return;
    setPropose({ handoffId: openId, origin: "agent" });
  }, [openId, can]);

  const claimOpen = useCallback(() => {
    if (openId === null || !can("claim_handoff")) return;
    claim.mutate({ handoffId: openId });
  }, [openId, can, claim]);

  const goNextUnrated = useCallback(() => {
    if (!can("rate_handoffs") || nextUnrated.isPending) return;
    const after = openId !== null && detail.data?.handoff.handoff_id === openId ? detail.data.seq : null;
    nextUnrated.mutate(after, {
      onSuccess: (id) => {
        if (id === null) {
          setFlash("Nothing left to rate: you have rated every handoff.");
        } else {
          setView("desk");
          open(id);
        }
      },
      onError: (e) => setFlash(`Could not find the next unrated handoff: ${toIpcError(e).message}`),
    });
  }, [can, nextUnrated, openId, detail.data, open]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      // a dialog (ours or the step-up prompt) handles its own keys
      if (showOverlay !== null || document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const field = fieldKind(e.target);
      if (field === "text") return; // the field handles Esc itself
      if (field === "select") {
        // letters and arrows pick options; only the keys a select has no use for are ours
        if (e.key === "Escape") (e.target as HTMLElement).blur();
        if (e.key !== "/" && e.key !== "?") return;
      }
      const onControl = e.target instanceof HTMLElement && e.target.closest("button, a, summary") !== null;

      if (Date.now() - chordAt.current < CHORD_MS) {
        chordAt.current = 0;
        const target: View | null =
          (
            { q: "quarantine", d: "desk", a: "analytics", u: "admin", p: "approvals", l: "audit", s: "settings", t: "team" } as Partial<Record<string, View>>
          )[e.key] ?? null;
        if (target !== null) {
          e.preventDefault();
          if (permitted(target)) {
            setOverlay(null);
            setView(target);
          }
          return;
        }
      }

      switch (e.key) {
        case "j":
        case "ArrowDown":
          if (view !== "desk") return;
          e.preventDefault();
          queue.current?.move(1);
          break;
        case "k":
        case "ArrowUp":
          if (view !== "desk") return;
          e.preventDefault();
          queue.current?.move(-1);
          break;
        case "Enter": {
          if (view !== "desk" || onControl) return;
          const id = queue.current?.selected();
          if (id) {
            e.preventDefault();
            open(id);
          }
          break;
        }
        case "/":
          e.preventDefault();
          if (view !== "desk") setView("desk");
          // after a possible view switch has rendered the search box
          setTimeout(() => queue.current?.focusSearch(), 0);
          break;
        case "?":
          e.preventDefault();
          setOverlay("help");
          break;
        case "i":
          if (!can("import_handoffs")) return;
          e.preventDefault();
          setOverlay("import");
          break;
        case "n":
          if (view !== "desk") return;
          e.preventDefault();
          queue.current?.jumpToNew();
          break;
        case "c":
          if (view !== "desk" || !can("claim_handoff")) return;
          e.preventDefault();
          claimOpen();
          break;
        case "u":
          if (!can("rate_handoffs")) return;
          e.preventDefault();
          goNextUnrated();
          break;
        case "p":
          if (view !== "desk" || openId === null || !can("propose_tool_calls")) return;
          e.preventDefault();
          proposeOnOpen();
          break;
        case "g":
          chordAt.current = Date.now();
          break;
        case "Escape":
          if (view !== "desk") {
            e.preventDefault();
            goDesk();
          }
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [showOverlay, view, open, goQuarantine, goDesk, can, claimOpen, goNextUnrated, openId, proposeOnOpen]);

  const rating = can("rate_handoffs");
  const link = useServerLink(status);
  const claimForOpen = claim.variables?.handoffId === openId;

  return (
    <div className="app">
      <TopBar
        facets={facets.data}
        view={view}
        onView={(v) => {
          setOverlay(null);
          setView(v);
        }}
        onQuarantine={() => (view === "quarantine" ? goDesk() : goQuarantine())}
        onImport={() => setOverlay("import")}
        onHelp={() => setOverlay("help")}
        onSwitchUser={() => setOverlay("switch-user")}
        onSignOut={() => signOut.mutate()}
        signingOut={signOut.isPending}
      />
      <OfflineBanner link={link} />
      <main className="app__main">
        {view === "quarantine" ? (
          <QuarantineView onBack={goDesk} total={facets.data?.quarantined} />
        ) : view === "analytics" ? (
          <Suspense fallback={<p className="muted state">Loading the analytics…</p>}>
            <AnalyticsView />
          </Suspense>
        ) : view === "admin" ? (
          <UsersView />
        ) : view === "approvals" ? (
          <ApprovalsView onOpenConversation={openConversation} />
        ) : view === "audit" ? (
          <AuditView />
        ) : view === "settings" ? (
          <SettingsView />
        ) : view === "team" ? (
          <TeamView />
        ) : (
          <div className={`desk${rating ? " desk--rating" : ""}`}>
            <QueuePane
              ref={queue}
              filter={filter}
              sort={sort}
              onFilterChange={setFilter}
              onSortChange={setSort}
              selectedId={selectedId}
              openId={openId}
              onSelect={setSelectedId}
              onOpen={open}
              fresh={fresh}
              onMarkAllSeen={markAllSeen}
            />
            <ConversationPane
              key={openId ?? "none"}
              openId={openId}
              detail={detail.data}
              isPending={detail.isPending}
              error={detail.isError && !detail.data ? detail.error : null}
              onRetry={() => void detail.refetch()}
              claim={{
                onClaim: claimOpen,
                onRelease: () => openId !== null && claim.mutate({ handoffId: openId, release: true }),
                pending: claim.isPending && claimForOpen,
                error: claimForOpen && claim.isError ? claim.error : null,
              }}
            />
            <ContextPane
              detail={openId !== null ? detail.data : undefined}
              propose={propose?.handoffId === openId ? propose : null}
              onPropose={setPropose}
            />
            {rating && (
              <RatingPane
                openId={openId}
                detail={openId !== null && detail.data?.handoff.handoff_id === openId ? detail.data : undefined}
                intents={(facets.data?.intents ?? []).map((i) => i.value)}
                onNextUnrated={goNextUnrated}
                findingNext={nextUnrated.isPending}
              />
            )}
          </div>
        )}
      </main>
      {can("claim_handoff") && <OfferCard onOpen={openConversation} />}
      <StatusLine
        status={status}
        link={link}
        lastEventAt={lastEventAt}
        fetching={fetchingQueue}
        offline={facets.isError || (link !== null && !link.online)}
        audit={can("view_audit") ? <ChainBadge onOpen={() => setView("audit")} /> : null}
      />
      <CallNotices notices={callNotices.notices} onDismiss={callNotices.dismiss} />
      {flash !== null && (
        <div className="toast" role="status" data-testid="flash">
          {flash}
          <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => setFlash(null)}>
            ×
          </button>
        </div>
      )}
      {signOut.isError && (
        <div className="toast toast--error" role="alert">
          Could not sign out: {toIpcError(signOut.error).message}
          <button type="button" className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => signOut.reset()}>
            ×
          </button>
        </div>
      )}
      {showOverlay === "help" && <ShortcutHelp onClose={() => setOverlay(null)} />}
      {showOverlay === "import" && <ImportDialog onClose={() => setOverlay(null)} onOpenQuarantine={goQuarantine} />}
      {showOverlay === "switch-user" && <SwitchUserDialog status={status} onClose={() => setOverlay(null)} />}
    </div>
  );
}
