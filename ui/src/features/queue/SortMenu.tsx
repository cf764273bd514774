import type { QueueSort, SortKey } from "../../bindings";
import { SORT_KEYS, SORT_LABEL } from "../../labels";

/** Sort key and direction, each direction named for what it means for that key. */
export function SortMenu({ sort, onChange }: { sort: QueueSort; onChange: (s: QueueSort) => void }) {
  const label = SORT_LABEL[sort.key];
  return (
    <div className="sort">
      <label className="sort__field">
        <span className="visually-hidden">Sort by</span>
        <select
          data-testid="sort-key"
          aria-label="Sort by"
          value={sort.key}
          onChange={(e) => onChange({ key: e.target.value as SortKey, descending: false })}
        >
          {SORT_KEYS.map((k) => (
            <option key={k} value={k}>
              {SORT_LABEL[k].name}
            </option>
          ))}
        </select>
      </label>
      <label className="sort__field">
        <span className="visually-hidden">Order</span>
        <select
          data-testid="sort-direction"
          aria-label="Order"
          value={sort.descending ? "desc" : "asc"}
          onChange={(e) => onChange({ key: sort.key, descending: e.target.value === "desc" })}
        >
          <option value="asc">{label.asc}</option>
          <option value="desc">{label.desc}</option>
        </select>
      </label>
    </div>
  );
}
