// The queue's filter and sort as the user set them, and the QueueQuery sent for each page.
import type { QueueFilter, QueueQuery, QueueSort } from "../../bindings";

/** Rows per page: enough to fill several screens, small enough to answer in a few ms. */
export const PAGE_SIZE = 200;

export const DEFAULT_SORT: QueueSort = { key: "triage", descending: false };

export function emptyFilter(): QueueFilter {
  return { search: null, priorities: [], channels: [], reasons: [], intents: [], sentiments: [], bands: [], claim: "any" };
}

/** The list-valued parts of a filter (everything but the search words). */
export type FilterFacet = "priorities" | "channels" | "reasons" | "intents" | "sentiments" | "bands";

export const FILTER_FACETS: readonly FilterFacet[] = [
  "priorities",
  "channels",
  "reasons",
  "sentiments",
  "bands",
  "intents",
];

/** The queue is narrowed by anything (facets, claim or search words). */
export function isNarrowed(f: QueueFilter): boolean {
  return activeFilterCount(f) > 0 || f.claim !== "any" || f.search !== null;
}

/** Normalise the typed search text: trimmed, inner runs of space collapsed, null when blank. */
export function normaliseSearch(text: string): string | null {
  const t = text.trim().replace(/\s+/g, " ");
  return t === "" ? null : t;
}

export function toggleValue<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function activeFilterCount(f: QueueFilter): number {
  return FILTER_FACETS.reduce((n, k) => n + f[k].length, 0);
}

export function buildQuery(filter: QueueFilter, sort: QueueSort, cursor: string | null): QueueQuery {
  return {
    filter: {
      search: normaliseSearch(filter.search ?? ""),
      priorities: [...filter.priorities],
      channels: [...filter.channels],
      reasons: [...filter.reasons],
      intents: [...filter.intents],
      sentiments: [...filter.sentiments],
      bands: [...filter.bands],
      claim: filter.claim,
    },
    sort: { ...sort },
    cursor,
    limit: PAGE_SIZE,
  };
}
