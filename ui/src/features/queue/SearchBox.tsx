import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { normaliseSearch } from "./query";

export const SEARCH_DEBOUNCE_MS = 200;

export type SearchBoxHandle = { focus: () => void };

/** Search words, sent ~200 ms after the last keystroke. Esc leaves the box; ↓ goes to the list. */
export function SearchBox({
  value,
  onSearch,
  onLeave,
  ref,
}: {
  value: string | null;
  onSearch: (search: string | null) => void;
  onLeave: () => void;
  ref?: Ref<SearchBoxHandle>;
}) {
  const [text, setText] = useState(value ?? "");
  const input = useRef<HTMLInputElement>(null);
  useImperativeHandle(ref, () => ({
    focus: () => {
      input.current?.focus();
      input.current?.select();
    },
  }));

  // Follow outside changes (e.g. "Clear all") without fighting the user's typing.
  const sent = useRef(value);
  useEffect(() => {
    if (value !== sent.current) {
      sent.current = value;
      setText(value ?? "");
    }
  }, [value]);

  useEffect(() => {
    const next = normaliseSearch(text);
    if (next === sent.current) return;
    const t = setTimeout(() => {
      sent.current = next;
      onSearch(next);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, onSearch]);

  return (
    <div className="search">
      <span className="search__icon" aria-hidden="true">
        ⌕
      </span>
      <input
        ref={input}
        type="search"
        className="search__input"
        data-testid="search-input"
        aria-label="Search escalations"
        placeholder="Search escalations"
        title="Words in the summary, transcript or customer"
        value={text}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            input.current?.blur();
            onLeave();
          } else if (e.key === "ArrowDown" || e.key === "Enter") {
            e.preventDefault();
            const next = normaliseSearch(text);
            if (next !== sent.current) {
              sent.current = next;
              onSearch(next);
            }
            onLeave();
          }
        }}
      />
      <kbd className="search__hint" aria-hidden="true">
        /
      </kbd>
    </div>
  );
}
