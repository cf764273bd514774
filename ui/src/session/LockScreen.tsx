import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import type { AppStatus, SessionInfo } from "../bindings";
import { call, toIpcError } from "../ipc";
import { applySession, useSignOut } from "./hooks";
import { GateFoot } from "./SignInScreen";

/**
 * The whole window while the session is idle-locked: nothing of the desk shows until the
 * signed-in person enters their password (a step-up, which unlocks), or signs out so that
 * someone else can sign in.
 */
export function LockScreen({ info, status }: { info: SessionInfo; status: AppStatus | undefined }) {
  const id = useId();
  const client = useQueryClient();
  const signOut = useSignOut();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const { actor } = info;
  return (
    <div className="gate">
      <main className="gate__card" aria-labelledby={`${id}-title`} data-testid="lock-screen">
        <h1 className="gate__app">Handoff Desk</h1>
        <h2 id={`${id}-title`} className="gate__title">
          Desk locked
        </h2>
        <p className="muted small">
          <strong>{actor.display_name}</strong> ({actor.username}) was away for a while, so the desk locked. Nothing was signed out and
          nothing is lost: enter the password to go on.
        </p>
        <form
          className="signin"
          onSubmit={async (e) => {
            e.preventDefault();
            if (busy || password === "") return;
            setBusy(true);
            setError(null);
            try {
              applySession(client, await call("step_up", { password }));
            } catch (err) {
              setError(toIpcError(err).message);
              setPassword("");
              setBusy(false);
              input.current?.focus();
            }
          }}
        >
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
              autoFocus
              data-testid="unlock-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {error && (
            <p className="form-error" role="alert" data-testid="unlock-error">
              {error}
            </p>
          )}
          <div className="form-actions">
            <button type="button" className="button" data-testid="lock-sign-out" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
              Sign out
            </button>
            <button type="submit" className="button button--primary" data-testid="unlock-submit" disabled={busy || password === ""}>
              {busy ? "Checking…" : "Unlock"}
            </button>
          </div>
        </form>
      </main>
      <GateFoot status={status} />
    </div>
  );
}
