import { useIsFetching } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { QueueFilter, QueueSort } from "./bindings";
import { ShortcutHelp } from "./components/ShortcutHelp";
import { ContextPane } from "./features/conversation/ContextPane";
import { ConversationPane } from "./features/conversation/ConversationPane";
import { useHandoff } from "./features/conversation/hooks";
import { ImportDialog } from "./features/import/ImportDialog";
import { QuarantineView } from "./features/quarantine/QuarantineView";
import { useAppStatus, useFacets, useQueueEvents } from "./features/queue/hooks";
import { DEFAULT_SORT, emptyFilter } from "./features/queue/query";
import { QueuePane, type QueuePaneHandle } from "./features/queue/QueuePane";
import { StatusLine } from "./shell/StatusLine";
import { TopBar } from "./shell/TopBar";

export type View = "desk" | "quarantine";
export type Overlay = "help" | "import" | null;

/** Where the app starts (the mock build uses it to show a given screen). */
export type InitialState = { openId?: string | null; view?: View; overlay?: Overlay };

/** How long after `g` the second key of a `g x` shortcut is awaited. */
const CHORD_MS = 1200;

/** Where a key press belongs to a field rather than to the app's shortcuts. */
function fieldKind(t: EventTarget | null): "text" | "select" | null {
  if (!(t instanceof HTMLElement)) return null;
  if (t.isContentEditable || t.tagName === "TEXTAREA") return "text";
  if (t.tagName === "SELECT") return "select";
  if (t.tagName === "INPUT") {
    const type = (t as HTMLInputElement).type;
    return ["checkbox", "radio", "button", "submit", "reset"].includes(type) ? null : "text";
  }
  return null;
}

export function App({ initial }: { initial?: InitialState }) {
  const [filter, setFilter] = useState<QueueFilter>(emptyFilter);
  const [sort, setSort] = useState<QueueSort>(DEFAULT_SORT);
  const [selectedId, setSelectedId] = useState<string | null>(initial?.openId ?? null);
  const [openId, setOpenId] = useState<string | null>(initial?.openId ?? null);
  const [view, setView] = useState<View>(initial?.view ?? "desk");
  const [overlay, setOverlay] = useState<Overlay>(initial?.overlay ?? null);
  const queue = useRef<QueuePaneHandle>(null);
  const chordAt = useRef(0);

  const facets = useFacets();
  const status = useAppStatus();
  const detail = useHandoff(openId);
  const { fresh, markSeen, markAllSeen, lastEventAt } = useQueueEvents(openId);
  const fetchingQueue = useIsFetching({ queryKey: ["queue"] }) > 0;

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

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (overlay !== null) return; // the dialog handles its own keys
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
        if (e.key === "q") {
          e.preventDefault();
          goQuarantine();
          return;
        }
        if (e.key === "d") {
          e.preventDefault();
          goDesk();
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
          e.preventDefault();
          setOverlay("import");
          break;
        case "n":
          if (view !== "desk") return;
          e.preventDefault();
          queue.current?.jumpToNew();
          break;
        case "g":
          chordAt.current = Date.now();
          break;
        case "Escape":
          if (view === "quarantine") {
            e.preventDefault();
            goDesk();
          }
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [overlay, view, open, goQuarantine, goDesk]);

  return (
    <div className="app">
      <TopBar
        facets={facets.data}
        view={view}
        onQuarantine={() => (view === "quarantine" ? goDesk() : goQuarantine())}
        onImport={() => setOverlay("import")}
        onHelp={() => setOverlay("help")}
      />
      <main className="app__main">
        {view === "quarantine" ? (
          <QuarantineView onBack={goDesk} total={facets.data?.quarantined} />
        ) : (
          <div className="desk">
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
            />
            <ContextPane detail={openId !== null ? detail.data : undefined} />
          </div>
        )}
      </main>
      <StatusLine status={status.data} lastEventAt={lastEventAt} fetching={fetchingQueue} offline={facets.isError} />
      {overlay === "help" && <ShortcutHelp onClose={() => setOverlay(null)} />}
      {overlay === "import" && <ImportDialog onClose={() => setOverlay(null)} onOpenQuarantine={goQuarantine} />}
    </div>
  );
}
