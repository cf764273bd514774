// The one door to the Rust side. Nothing else imports @tauri-apps/api/core or /event, or the
// generated `Commands`/`Events` maps: every call and every event goes through `call` and `on`.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { Commands, Events, IpcError, IpcErrorKind } from "./bindings";

// Every kind the Rust side sends; the type makes the compiler reject a missing one.
const KINDS: Record<IpcErrorKind, true> = {
  not_found: true,
  invalid_input: true,
  internal: true,
  unauthenticated: true,
  locked: true,
  forbidden: true,
  step_up_required: true,
  wrong_credentials: true,
  rate_limited: true,
  conflict: true,
  offline: true,
};

/**
 * Whether a failed query is worth asking again: only when the back end itself failed. A
 * missing item, a refused permission or an ended session will not change by retrying.
 */
export function retryable(failureCount: number, err: unknown, times = 1): boolean {
  return failureCount < times && toIpcError(err).kind === "internal";
}

/** Whether `e` is an IPC failure of the given kind. */
export function isKind(e: unknown, kind: IpcErrorKind): boolean {
  return toIpcError(e).kind === kind;
}

/** A failed command, shaped like the Rust side's `IpcError` (and an `Error`, for stack traces). */
export class IpcFailure extends Error implements IpcError {
  readonly kind: IpcErrorKind;
  constructor(kind: IpcErrorKind, message: string) {
    super(message);
    this.name = "IpcFailure";
    this.kind = kind;
  }
}

/** Turn whatever a rejected `invoke` produced into an `IpcError`-shaped value. */
export function toIpcError(raw: unknown): IpcFailure {
  if (raw instanceof IpcFailure) return raw;
  if (typeof raw === "object" && raw !== null) {
    const o = raw as { kind?: unknown; message?: unknown };
    const message = typeof o.message === "string" && o.message !== "" ? o.message : safeString(raw);
    const kind = typeof o.kind === "string" && Object.hasOwn(KINDS, o.kind) ? (o.kind as IpcErrorKind) : "internal";
    return new IpcFailure(kind, message);
  }
  if (typeof raw === "string" && raw !== "") return new IpcFailure("internal", raw);
  return new IpcFailure("internal", "The app's back end did not answer.");
}

function safeString(raw: unknown): string {
  try {
    const s = JSON.stringify(raw);
    if (s && s !== "{}") return s;
  } catch {
    // fall through
  }
  return String(raw);
}

/** Invoke a command with typed arguments and result; rejects with an `IpcFailure`. */
export async function call<K extends keyof Commands>(
  cmd: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  try {
    return await invoke<Commands[K]["result"]>(cmd, args as Record<string, unknown>);
  } catch (raw) {
    throw toIpcError(raw);
  }
}

/**
 * Listen to an event. Returns a synchronous unsubscribe that also works when called before
 * the listener is registered (React effects clean up synchronously).
 */
export function on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): () => void {
  let stopped = false;
  let unlisten: (() => void) | null = null;
  listen<Events[K]>(event, (e) => {
    if (!stopped) handler(e.payload);
  })
    .then((fn) => {
      if (stopped) fn();
      else unlisten = fn;
    })
    .catch((raw: unknown) => {
      console.warn(`could not listen to ${event}`, toIpcError(raw).message);
    });
  return () => {
    stopped = true;
    unlisten?.();
    unlisten = null;
  };
}

/**
 * A channel the Rust side streams values over while a command runs (e.g. a draft's tokens):
 * pass it as the command's argument; `onMessage` gets each value in order.
 */
export function channel<T>(onMessage: (value: T) => void): Channel<T> {
  return new Channel<T>(onMessage);
}
