import { useEffect, useRef } from "react";
import type { FacetCount, QueueFilter } from "../../bindings";
import {
  BANDS,
  BAND_WORD,
  CHANNELS,
  CHANNEL_LABEL,
  PRIORITIES,
  PRIORITY_LABEL,
  REASONS,
  REASON_LABEL,
  SENTIMENTS,
  SENTIMENT_LABEL,
} from "../../labels";
import { toggleValue, type FilterFacet } from "./query";

type Group = { facet: FilterFacet; title: string; options: { value: string; label: string; count?: number }[] };

function groups(intents: FacetCount[], priorityCounts: FacetCount[]): Group[] {
  const pc = new Map(priorityCounts.map((c) => [c.value, c.count]));
  return [
    {
      facet: "priorities",
      title: "Priority",
      options: PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABEL[p], count: pc.get(p) })),
    },
    { facet: "bands", title: "Confidence", options: BANDS.map((b) => ({ value: b, label: BAND_WORD[b] })) },
    { facet: "channels", title: "Channel", options: CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] })) },
    { facet: "sentiments", title: "Sentiment", options: SENTIMENTS.map((s) => ({ value: s, label: SENTIMENT_LABEL[s] })) },
    { facet: "reasons", title: "Reason", options: REASONS.map((r) => ({ value: r, label: REASON_LABEL[r] })) },
    {
      facet: "intents",
      title: "Intent",
      options: intents.map((i) => ({ value: i.value, label: i.value, count: i.count })),
    },
  ];
}

/** Checkbox groups for every filter; an empty group means "any". */
export function FilterPanel({
  filter,
  intents,
  priorityCounts,
  onChange,
  onClose,
}: {
  filter: QueueFilter;
  intents: FacetCount[];
  priorityCounts: FacetCount[];
  onChange: (f: QueueFilter) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("input")?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (ref.current && !ref.current.contains(t) && !(t instanceof Element && t.closest("[data-filter-toggle]"))) {
        onClose();
      }
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [onClose]);

  return (
    <div
      ref={ref}
      className="filters"
      role="group"
      aria-label="Filters"
      data-testid="filter-panel"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      {groups(intents, priorityCounts).map((g) => (
        <fieldset key={g.facet} className={`filters__group filters__group--${g.facet}`}>
          <legend>{g.title}</legend>
          {g.options.length === 0 && <p className="muted small">None yet</p>}
          {g.options.map((o) => {
            const list = filter[g.facet] as string[];
            const checked = list.includes(o.value);
            return (
              <label key={o.value} className="check">
                <input
                  type="checkbox"
                  checked={checked}
                  onChange={() => onChange({ ...filter, [g.facet]: toggleValue(list, o.value) })}
                />
                <span className="check__label">{o.label}</span>
                {o.count !== undefined && <span className="check__count">{o.count.toLocaleString()}</span>}
              </label>
            );
          })}
        </fieldset>
      ))}
      <div className="filters__footer">
        <button type="button" className="button" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
