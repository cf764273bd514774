import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, type Ref } from "react";
import type { QueueRow } from "../../bindings";
import { QueueRowView, ROW_HEIGHT } from "./QueueRowView";

export type QueueListHandle = {
  /** Scroll so that row `index` is visible (no scroll when it already is). */
  reveal: (index: number) => void;
  focus: () => void;
};

type Props = {
  rows: QueueRow[];
  /** Rows shown while the first page of a new filter loads: do not anchor on them. */
  placeholder: boolean;
  /** Changes when the filter or sort changes: the list goes back to the top. */
  resetKey: string;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  nextPageError: boolean;
  fetchNextPage: () => void;
  selectedId: string | null;
  openId: string | null;
  fresh: ReadonlySet<string>;
  /** The signed-in user, to tell their claims from others'. */
  meId: number;
  onRowClick: (id: string) => void;
  ref?: Ref<QueueListHandle>;
};

/** How close to the end of the loaded rows (in rows) the next page is asked for. */
const PREFETCH_ROWS = 60;

/**
 * The virtualised queue. Only the rows in view (plus a margin) are in the DOM, so 100,000 rows
 * scroll like 100. When rows arrive above the one under the cursor, the scroll position is
 * moved by the same amount so that row stays where the user's eyes are.
 */
export function QueueList({
  rows,
  placeholder,
  resetKey,
  hasNextPage,
  isFetchingNextPage,
  nextPageError,
  fetchNextPage,
  selectedId,
  openId,
  fresh,
  meId,
  onRowClick,
  ref,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = rows.length + (hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.handoff_id ?? `more-${i}`,
  });

  const indexById = useMemo(() => {
    const m = new Map<string, number>();
    rows.forEach((r, i) => m.set(r.handoff_id, i));
    return m;
  }, [rows]);

  useImperativeHandle(
    ref,
    () => ({
      reveal: (index: number) => {
        const el = scrollRef.current;
        if (!el) return;
        const top = index * ROW_HEIGHT;
        const bottom = top + ROW_HEIGHT;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
      },
      focus: () => scrollRef.current?.focus(),
    }),
    [],
  );

  // --- keep the row under the cursor in place when rows are inserted above it -------------
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const captureAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el || placeholder) {
      anchor.current = null;
      return;
    }
    const st = el.scrollTop;
    let idx = selectedId !== null ? indexById.get(selectedId) : undefined;
    if (idx === undefined || idx * ROW_HEIGHT + ROW_HEIGHT <= st || idx * ROW_HEIGHT >= st + el.clientHeight) {
      idx = Math.min(Math.floor(st / ROW_HEIGHT), rows.length - 1);
    }
    const row = idx >= 0 ? rows[idx] : undefined;
    anchor.current = row ? { id: row.handoff_id, offset: idx * ROW_HEIGHT - st } : null;
  }, [indexById, rows, selectedId, placeholder]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    const a = anchor.current;
    if (el && a && !placeholder) {
      const idx = indexById.get(a.id);
      if (idx !== undefined) {
        const want = Math.max(0, idx * ROW_HEIGHT - a.offset);
        if (Math.abs(want - el.scrollTop) >= 1) el.scrollTop = want;
      }
    }
    captureAnchor();
    // Only when the rows themselves change: selection moves re-anchor through captureAnchor.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows]);

  useEffect(() => {
    captureAnchor();
  }, [captureAnchor]);

  const shownKey = useRef(resetKey);
  useLayoutEffect(() => {
    if (shownKey.current === resetKey) return;
    shownKey.current = resetKey;
    anchor.current = null;
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);

  // --- fetch the next page before the user reaches the end ---------------------------------
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !nextPageError && lastIndex >= rows.length - PREFETCH_ROWS) {
      fetchNextPage();
    }
  }, [hasNextPage, isFetchingNextPage, nextPageError, lastIndex, rows.length, fetchNextPage]);

  return (
    <div
      ref={scrollRef}
      className={`qlist${placeholder ? " qlist--stale" : ""}`}
      data-testid="queue-list"
      role="listbox"
      aria-label="Escalations"
      aria-activedescendant={selectedId !== null && indexById.has(selectedId) ? `queue-row-${selectedId}` : undefined}
      aria-busy={placeholder || isFetchingNextPage}
      tabIndex={0}
      onScroll={captureAnchor}
    >
      <div className="qlist__inner" role="presentation" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) {
            return (
              <div
                key={item.key}
                className="qrow qrow--more"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                aria-hidden={!nextPageError}
              >
                {nextPageError ? (
                  <span>
                    Could not load more.{" "}
                    <button type="button" className="link-button" onClick={fetchNextPage}>
                      Retry
                    </button>
                  </span>
                ) : (
                  <span className="muted">Loading more…</span>
                )}
              </div>
            );
          }
          return (
            <QueueRowView
              key={item.key}
              row={row}
              index={item.index}
              top={item.start}
              selected={row.handoff_id === selectedId}
              open={row.handoff_id === openId}
              isNew={fresh.has(row.handoff_id)}
              mine={row.claimed_by_id !== null && row.claimed_by_id === meId}
              onClick={onRowClick}
            />
          );
        })}
      </div>
    </div>
  );
}
