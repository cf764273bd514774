import { useCallback, useImperativeHandle, useMemo, useRef, useState, type Ref } from "react";
import type { ClaimFilter, QueueFilter, QueueSort } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { ActiveFilters } from "./ActiveFilters";
import { FilterPanel } from "./FilterPanel";
import { useFacets, useQueue } from "./hooks";
import { useSession } from "../../session/context";
import { activeFilterCount, emptyFilter, isNarrowed } from "./query";
import { QueueList, type QueueListHandle } from "./QueueList";
import { ROW_HEIGHT } from "./QueueRowView";
import { SearchBox, type SearchBoxHandle } from "./SearchBox";
import { SortMenu } from "./SortMenu";

export type QueuePaneHandle = {
  /** Move the selection by `delta` rows (j = +1, k = -1). */
  move: (delta: number) => void;
  /** The selected row's id, if it is in the list. */
  selected: () => string | null;
  focusSearch: () => void;
  focusList: () => void;
  /** Select and reveal the first row that arrived since the user last looked. */
  jumpToNew: () => boolean;
};

type Props = {
  filter: QueueFilter;
  sort: QueueSort;
  onFilterChange: (f: QueueFilter) => void;
  onSortChange: (s: QueueSort) => void;
  selectedId: string | null;
  openId: string | null;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  fresh: ReadonlySet<string>;
  onMarkAllSeen: () => void;
  ref?: Ref<QueuePaneHandle>;
};

export function QueuePane({
  filter,
  sort,
  onFilterChange,
  onSortChange,
  selectedId,
  openId,
  onSelect,
  onOpen,
  fresh,
  onMarkAllSeen,
  ref,
}: Props) {
  const q = useQueue(filter, sort);
  const { actor, can } = useSession();
  const facets = useFacets();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const list = useRef<QueueListHandle>(null);
  const search = useRef<SearchBoxHandle>(null);
  const lastIndex = useRef(0);
  const { rows } = q;

  const indexById = useMemo(() => {
    const m = new Map<string, number>();
    rows.forEach((r, i) => m.set(r.handoff_id, i));
    return m;
  }, [rows]);

  const selectIndex = useCallback(
    (i: number) => {
      const row = rows[i];
      if (!row) return;
      lastIndex.current = i;
      onSelect(row.handoff_id);
      list.current?.reveal(i);
    },
    [rows, onSelect],
  );

  const newIds = useMemo(() => rows.filter((r) => fresh.has(r.handoff_id)), [rows, fresh]);

  useImperativeHandle(
    ref,
    () => ({
      move: (delta) => {
        if (rows.length === 0) return;
        const cur = selectedId !== null ? indexById.get(selectedId) : undefined;
        let next: number;
        if (cur === undefined) {
          // Nothing selected yet, or the selected row left the list: start where the user was.
          next = selectedId === null ? 0 : Math.min(lastIndex.current, rows.length - 1);
        } else {
          next = Math.min(rows.length - 1, Math.max(0, cur + delta));
        }
        selectIndex(next);
        if (next >= rows.length - 5 && q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
      },
      selected: () => (selectedId !== null && indexById.has(selectedId) ? selectedId : null),
      focusSearch: () => search.current?.focus(),
      focusList: () => list.current?.focus(),
      jumpToNew: () => {
        const first = newIds[0];
        if (!first) return false;
        const i = indexById.get(first.handoff_id);
        if (i !== undefined) selectIndex(i);
        return true;
      },
    }),
    [rows, selectedId, indexById, selectIndex, q, newIds],
  );

  const onRowClick = useCallback(
    (id: string) => {
      const i = indexById.get(id);
      if (i !== undefined) lastIndex.current = i;
      onSelect(id);
      onOpen(id);
    },
    [indexById, onSelect, onOpen],
  );

  const onSearch = useCallback((s: string | null) => onFilterChange({ ...filter, search: s }), [filter, onFilterChange]);
  const nFilters = activeFilterCount(filter);
  const narrowed = isNarrowed(filter);
  const fetchNext = useCallback(() => void q.fetchNextPage(), [q]);
  const resetKey = useMemo(() => JSON.stringify([filter, sort]), [filter, sort]);

  let body;
  if (q.isPending) {
    body = <QueueSkeleton />;
  } else if (q.isError && rows.length === 0) {
    body = (
      <ErrorState title="Could not load the queue" error={q.error} onRetry={() => void q.refetch()} />
    );
  } else if (rows.length === 0) {
    body = narrowed ? (
      <EmptyState title="No escalations match" testId="queue-empty">
        <p>
          {filter.claim === "mine" && nFilters === 0 && filter.search === null
            ? "You have not claimed any escalation. Claim one with c."
            : filter.claim === "unclaimed" && nFilters === 0 && filter.search === null
              ? "Every escalation has been claimed."
              : `Nothing in the queue matches these filters${filter.search !== null ? " and search words" : ""}.`}
        </p>
        <button type="button" className="button" onClick={() => onFilterChange(emptyFilter())}>
          Clear filters and search
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="No escalations waiting" testId="queue-empty">
        <p>When the bot hands a conversation over, it appears here.</p>
        <p className="muted">You can also import a JSON Lines file (press i).</p>
      </EmptyState>
    );
  } else {
    body = (
      <QueueList
        ref={list}
        rows={rows}
        placeholder={q.isPlaceholderData}
        resetKey={resetKey}
        hasNextPage={q.hasNextPage}
        isFetchingNextPage={q.isFetchingNextPage}
        nextPageError={q.isFetchNextPageError}
        fetchNextPage={fetchNext}
        selectedId={selectedId}
        openId={openId}
        fresh={fresh}
        meId={actor.user_id}
        onRowClick={onRowClick}
      />
    );
  }

  return (
    <section className="pane pane--queue" aria-label="Queue">
      <div className="queue__toolbar">
        <div className="queue__search-row">
          <SearchBox ref={search} value={filter.search} onSearch={onSearch} onLeave={() => list.current?.focus()} />
          {/* only people who claim work by claims */}
          {can("claim_handoff") && <ClaimSwitch value={filter.claim} onChange={(claim) => onFilterChange({ ...filter, claim })} />}
        </div>
        <div className="queue__controls">
          <button
            type="button"
            className={`button button--small${nFilters > 0 ? " button--active" : ""}`}
            aria-expanded={filtersOpen}
            data-filter-toggle=""
            data-testid="filters-toggle"
            onClick={() => setFiltersOpen((o) => !o)}
          >
            Filters{nFilters > 0 ? ` · ${nFilters}` : ""} <span aria-hidden="true">▾</span>
          </button>
          <SortMenu sort={sort} onChange={onSortChange} />
        </div>
        {filtersOpen && (
          <FilterPanel
            filter={filter}
            intents={facets.data?.intents ?? []}
            priorityCounts={facets.data?.priorities ?? []}
            onChange={onFilterChange}
            onClose={() => setFiltersOpen(false)}
          />
        )}
        <ActiveFilters filter={filter} onChange={onFilterChange} />
      </div>
      {(q.searchCapped || (q.isError && rows.length > 0) || newIds.length > 0) && (
        <div className="queue__notices">
          {q.searchCapped && (
            <p className="notice" data-testid="search-capped">
              Many matches: showing newest matches. Add words to narrow the search.
            </p>
          )}
          {q.isError && rows.length > 0 && (
            <p className="notice notice--error" role="alert">
              Could not refresh the queue.{" "}
              <button type="button" className="link-button" onClick={() => void q.refetch()}>
                Retry
              </button>
            </p>
          )}
          {newIds.length > 0 && (
            <div className="new-pill" data-testid="new-pill">
              <button
                type="button"
                className="new-pill__jump"
                onClick={() => {
                  const first = newIds[0];
                  const i = first ? indexById.get(first.handoff_id) : undefined;
                  if (i !== undefined) selectIndex(i);
                }}
              >
                <span className="new-pill__dot" aria-hidden="true" /> {newIds.length} new
              </button>
              <button type="button" className="new-pill__clear" aria-label="Mark all as seen" title="Mark all as seen" onClick={onMarkAllSeen}>
                ×
              </button>
            </div>
          )}
        </div>
      )}
      <div className="queue__body">{body}</div>
    </section>
  );
}

function QueueSkeleton() {
  return (
    <div className="qlist qlist--skeleton" aria-busy="true" aria-label="Loading the queue">
      {Array.from({ length: 9 }, (_, i) => (
        <div key={i} className="qrow qrow--skeleton" style={{ height: ROW_HEIGHT }}>
          <span className="skeleton skeleton--short" />
          <span className="skeleton" />
          <span className="skeleton skeleton--mid" />
        </div>
      ))}
    </div>
  );
}

const CLAIM_OPTIONS: { value: ClaimFilter; label: string; hint: string }[] = [
  { value: "any", label: "Any", hint: "Claimed or not" },
  { value: "mine", label: "Mine", hint: "Escalations you have claimed" },
  { value: "unclaimed", label: "Unclaimed", hint: "Nobody has claimed them yet" },
];

/** Any / Mine / Unclaimed: who has claimed the escalations listed. */
function ClaimSwitch({ value, onChange }: { value: ClaimFilter; onChange: (v: ClaimFilter) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Claimed by" data-testid="claim-filter">
      {CLAIM_OPTIONS.map((o) => (
        <button
          key={o.value}
          type="button"
          className="segmented__item"
          aria-pressed={value === o.value}
          data-testid={`claim-filter-${o.value}`}
          title={o.hint}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
