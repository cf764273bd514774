import { toIpcError } from "../ipc";

const KIND_HINT = {
  not_found: "It may have been removed. Pick another item or refresh.",
  invalid_input: "Check what was entered and try again.",
  internal: "Try again. If it keeps failing, the app's log has the details (its folder is in the status line's tooltip).",
} as const;

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
