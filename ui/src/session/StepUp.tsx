import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { Modal } from "../components/Modal";
import { call, isKind, toIpcError } from "../ipc";
import { formatClock } from "../time";
import { applySession } from "./hooks";
import { useSession } from "./context";

/** The user closed the password prompt: the action was not done, and nothing went wrong. */
export class StepUpCancelled extends Error {
  constructor() {
    super("Cancelled");
    this.name = "StepUpCancelled";
  }
}

type Ask = (reason: string) => Promise<boolean>;
const StepUpContext = createContext<Ask | null>(null);

/** Hosts the "confirm your password" prompt that sensitive actions open on `step_up_required`. */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ reason: string; resolve: (ok: boolean) => void } | null>(null);
  const ask = useCallback<Ask>(
    (reason) =>
      new Promise<boolean>((resolve) => {
        setPending({ reason, resolve });
      }),
    [],
  );
  const finish = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  return (
    <StepUpContext.Provider value={ask}>
      {children}
      {pending && <StepUpDialog reason={pending.reason} onDone={finish} />}
    </StepUpContext.Provider>
  );
}

/**
 * `run(reason, fn)`: runs `fn`; when the Rust side answers `step_up_required`, asks for the
 * password (step_up) and runs `fn` once more. Rejects with `StepUpCancelled` when the user
 * closes the prompt. `askFirst`: the Rust side said beforehand that it will ask (e.g. a
 * `PendingApproval.needs_step_up`), so the prompt comes first and no refused call is made.
 */
export function useStepUp() {
  const ask = useContext(StepUpContext);
  if (!ask) throw new Error("useStepUp outside StepUpProvider");
  return useMemo(
    () => ({
      run: async <T,>(reason: string, fn: () => Promise<T>, opts?: { askFirst?: boolean }): Promise<T> => {
        if (opts?.askFirst && !(await ask(reason))) throw new StepUpCancelled();
        try {
          return await fn();
        } catch (e) {
          if (!isKind(e, "step_up_required")) throw e;
          if (!(await ask(reason))) throw new StepUpCancelled();
          return await fn();
        }
      },
    }),
    [ask],
  );
}

function StepUpDialog({ reason, onDone }: { reason: string; onDone: (ok: boolean) => void }) {
  const id = useId();
  const client = useQueryClient();
  const { actor } = useSession();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  return (
    <Modal title="Confirm your password" onClose={() => onDone(false)} className="modal--stepup">
      <form
        className="stepup"
        data-testid="stepup-dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          if (busy || password === "") return;
          setBusy(true);
          setError(null);
          try {
            const s = await call("step_up", { password });
            applySession(client, s);
            onDone(true);
          } catch (err) {
            setError(toIpcError(err).message);
            setPassword("");
            setBusy(false);
            input.current?.focus();
          }
        }}
      >
        <p>{reason}</p>
        <p className="muted small">
          Signed in as <strong>{actor.display_name}</strong> ({actor.username}). For a few minutes after this, such
          actions do not ask again.
        </p>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-pw`}>
            Password
          </label>
          <input
            id={`${id}-pw`}
            ref={input}
            className="input"
            type="password"
            autoComplete="current-password"
            data-autofocus=""
            data-testid="stepup-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="form-error" role="alert" data-testid="stepup-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => onDone(false)}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" data-testid="stepup-submit" disabled={busy || password === ""}>
            {busy ? "Checking…" : "Confirm and continue"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** "until 14:05", from the session's `stepped_up_until_ms`. */
export function steppedUpUntil(ms: number | null): string | null {
  return ms === null ? null : formatClock(ms);
}
