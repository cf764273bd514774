import { useEffect, useRef } from "react";

/** How long after `g` a key belongs to the app's `g x` chords (as in App.tsx), not to the draft. */
const CHORD_MS = 1200;

export type DraftKey = "a" | "e" | "r" | "Escape";

const KEYS: readonly DraftKey[] = ["a", "e", "r", "Escape"];

/** Where a key press belongs to a field (typing, picking an option) rather than to shortcuts. */
export function inField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName === "INPUT") {
    const type = (t as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
  }
  return false;
}

/**
 * The draft pane's one-key decisions: `a` approve, `e` edit, `r` reject. Listens on the window
 * while the pane shows a draft that can be decided; off while focus is in a text field or a
 * select, while a modal dialog is open, with a modifier, and for the key after `g` (a chord).
 * A handled key is `preventDefault`-ed, so App's own shortcuts leave it alone.
 */
export function useDraftKeys(handlers: Partial<Record<DraftKey, () => void>>, enabled: boolean) {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    let gAt = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (inField(e.target)) return;
      if (e.key === "g") {
        gAt = Date.now();
        return;
      }
      const chord = Date.now() - gAt < CHORD_MS;
      gAt = 0;
      if (chord || e.repeat) return;
      if (!(KEYS as readonly string[]).includes(e.key)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const run = latest.current[e.key as DraftKey];
      if (!run) return;
      e.preventDefault();
      run();
    };
    // Capture phase: the draft's keys are decided before App's own shortcuts see them (App
    // leaves a key alone once it is preventDefault-ed), whatever order the listeners were added in.
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [enabled]);
}
