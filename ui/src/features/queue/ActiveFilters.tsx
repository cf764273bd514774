import type { QueueFilter } from "../../bindings";
import { BAND_WORD, CHANNEL_LABEL, PRIORITY_LABEL, REASON_LABEL, SENTIMENT_LABEL } from "../../labels";
import { FILTER_FACETS, activeFilterCount, emptyFilter, type FilterFacet } from "./query";

const FACET_NAME: Record<FilterFacet, string> = {
  priorities: "Priority",
  channels: "Channel",
  reasons: "Reason",
  intents: "Intent",
  sentiments: "Sentiment",
  bands: "Confidence",
};

function valueLabel(facet: FilterFacet, v: string): string {
  switch (facet) {
    case "priorities":
      return PRIORITY_LABEL[v as keyof typeof PRIORITY_LABEL] ?? v;
    case "channels":
      return CHANNEL_LABEL[v as keyof typeof CHANNEL_LABEL] ?? v;
    case "reasons":
      return REASON_LABEL[v as keyof typeof REASON_LABEL] ?? v;
    case "sentiments":
      return SENTIMENT_LABEL[v as keyof typeof SENTIMENT_LABEL] ?? v;
    case "bands":
      return BAND_WORD[v as keyof typeof BAND_WORD] ?? v;
    case "intents":
      return v;
  }
}

/** One removable chip per active filter value. */
export function ActiveFilters({ filter, onChange }: { filter: QueueFilter; onChange: (f: QueueFilter) => void }) {
  if (activeFilterCount(filter) === 0) return null;
  return (
    <div className="chips" aria-label="Active filters">
      {FILTER_FACETS.flatMap((facet) =>
        (filter[facet] as string[]).map((v) => (
          <button
            key={`${facet}:${v}`}
            type="button"
            className="chip chip--removable"
            aria-label={`Remove filter ${FACET_NAME[facet]} ${valueLabel(facet, v)}`}
            onClick={() => onChange({ ...filter, [facet]: (filter[facet] as string[]).filter((x) => x !== v) })}
          >
            <span className="chip__facet">{FACET_NAME[facet]}</span> {valueLabel(facet, v)}
            <span aria-hidden="true"> ×</span>
          </button>
        )),
      )}
      <button
        type="button"
        className="link-button"
        onClick={() => onChange({ ...emptyFilter(), search: filter.search, claim: filter.claim })}
      >
        Clear all
      </button>
    </div>
  );
}
