import type { IpcErrorKind } from "../bindings";
import { toIpcError } from "../ipc";

/** What to do about each kind of failure (the message itself comes from the Rust side). */
export const KIND_HINT: Record<IpcErrorKind, string> = {
  not_found: "It may have been removed. Pick another item or refresh.",
  invalid_input: "Check what was entered and try again.",
  internal: "Try again. If it keeps failing, the app's log has the details (its folder is in the status line's tooltip).",
  unauthenticated: "Sign in again to go on.",
  locked: "The desk is locked: enter your password to go on.",
  forbidden: "Your role does not allow this. Ask a team lead or an admin if you need it.",
  step_up_required: "Confirm your password, then try again.",
  wrong_credentials: "Check the username and password.",
  rate_limited: "Wait as long as the message says, then try again.",
  conflict: "Someone else changed it first. Refresh to see the current state.",
  offline: "The team server cannot be reached: what you see is what this desk last read. Try again when it is back.",
};

/** What went wrong and what to do about it, with a Retry when one makes sense. */
export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: unknown;
  onRetry?: () => void;
}) {
  const e = toIpcError(error);
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">
        <span aria-hidden="true">⚠ </span>
        {title}
      </p>
      <p className="state__message">{e.message}</p>
      <p className="state__hint">{KIND_HINT[e.kind]}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
