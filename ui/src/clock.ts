// One shared ticking clock, so hundreds of "6 min" labels re-render together, once per tick.
import { useSyncExternalStore } from "react";

const TICK_MS = 15_000;
let now = Date.now();
const subscribers = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(cb: () => void): () => void {
  subscribers.add(cb);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      subscribers.forEach((s) => s());
    }, TICK_MS);
  }
  return () => {
    subscribers.delete(cb);
    if (subscribers.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

function snapshot(): number {
  return now;
}

/** Milliseconds since the epoch, refreshed every 15 s. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
