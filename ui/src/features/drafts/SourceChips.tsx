import { useEffect, useId, useLayoutEffect, useRef, useState, type CSSProperties } from "react";
import type { Passage } from "../../bindings";

/** "Refunds › Damaged items", or just the title when the heading repeats it. */
export function passageLabel(p: Passage): string {
  const h = p.heading.trim();
  return h === "" || h === p.title.trim() ? p.title : `${p.title} › ${h}`;
}

const POPOVER_WIDTH = 440;
const MARGIN = 8;
const GAP = 6;

/**
 * The knowledge-base passages a draft relied on, as chips; a click opens the passage's text in
 * a popover (Esc, a click outside or × closes it). Every text is rendered as text.
 */
export function SourceChips({ sources }: { sources: Passage[] }) {
  const [open, setOpen] = useState<number | null>(null);
  const chips = useRef<(HTMLButtonElement | null)[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const popId = useId();
  const [pos, setPos] = useState<CSSProperties>({ visibility: "hidden" });

  const close = (refocus: boolean) => {
    const i = open;
    setOpen(null);
    if (refocus && i !== null) chips.current[i]?.focus();
  };

  // Placed beside its chip (above it when there is more room above: the draft area sits at the
  // bottom of the window), in fixed coordinates so no scrolling box clips it.
  useLayoutEffect(() => {
    if (open === null) return;
    const chip = chips.current[open];
    const el = box.current;
    if (!chip || !el) return;
    const r = chip.getBoundingClientRect();
    const vw = window.innerWidth || document.documentElement.clientWidth;
    const vh = window.innerHeight || document.documentElement.clientHeight;
    const width = Math.min(POPOVER_WIDTH, vw - 2 * MARGIN);
    const left = Math.max(MARGIN, Math.min(r.left, vw - width - MARGIN));
    const above = r.top > vh - r.bottom;
    setPos(
      above
        ? { left, width, bottom: vh - r.top + GAP, maxHeight: Math.max(120, r.top - GAP - MARGIN) }
        : { left, width, top: r.bottom + GAP, maxHeight: Math.max(120, vh - r.bottom - GAP - MARGIN) },
    );
  }, [open]);

  useEffect(() => {
    if (open === null) return;
    box.current?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (box.current?.contains(t) || chips.current.some((c) => c?.contains(t))) return;
      setOpen(null);
    };
    // The chip moved away under it: close rather than float over the wrong place.
    const onScroll = (e: Event) => {
      if (e.target instanceof Node && box.current?.contains(e.target)) return;
      setOpen(null);
    };
    const onResize = () => setOpen(null);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("scroll", onScroll, true);
    window.addEventListener("resize", onResize);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("scroll", onScroll, true);
      window.removeEventListener("resize", onResize);
    };
  }, [open]);

  if (sources.length === 0) return null;
  const p = open !== null ? sources[open] : undefined;
  return (
    <div className="draft__sources">
      <span className="draft__label">Sources</span>
      <ul className="draft__chips" aria-label="Sources">
        {sources.map((s, i) => (
          <li key={`${s.article_id}#${i}`}>
            <button
              type="button"
              ref={(el) => {
                chips.current[i] = el;
              }}
              className="chip chip--source draft__source"
              data-testid="draft-source"
              data-article-id={s.article_id}
              aria-expanded={open === i}
              aria-controls={open === i ? popId : undefined}
              title={`${s.article_id}: show the passage`}
              onClick={() => {
                setPos({ visibility: "hidden" });
                setOpen(open === i ? null : i);
              }}
            >
              {passageLabel(s)}
            </button>
          </li>
        ))}
      </ul>
      {p && (
        <div
          ref={box}
          id={popId}
          className="draft__popover"
          role="dialog"
          aria-label={`Source: ${passageLabel(p)}`}
          tabIndex={-1}
          data-testid="source-popover"
          style={pos}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              e.preventDefault();
              close(true);
            }
          }}
        >
          <header className="draft__popover-head">
            <div>
              <p className="draft__popover-title">{p.title}</p>
              {p.heading.trim() !== "" && p.heading.trim() !== p.title.trim() && <p className="draft__popover-heading">{p.heading}</p>}
            </div>
            <button type="button" className="icon-button icon-button--small" aria-label="Close the source" onClick={() => close(true)}>
              ×
            </button>
          </header>
          <p className="draft__popover-text" data-testid="source-text">
            {p.text}
          </p>
          <p className="draft__popover-meta">
            <span className="mono">{p.article_id}</span>
            <span title="Share of the customer's words found in this passage">matches {Math.round(p.coverage * 100)}% of the message</span>
          </p>
        </div>
      )}
    </div>
  );
}
