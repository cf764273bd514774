import { useId, useRef, useState } from "react";
import type { DemoAccount } from "../bindings";
import { toIpcError } from "../ipc";
import { rolesLabel } from "../labels";
import { useSignIn } from "./hooks";

/**
 * Username and password. `switchUser` signs the new user in on top of the current one (the
 * desk goes back to the current user when the new one signs out).
 */
export function SignInForm({
  switchUser,
  demoAccounts,
  demoPassword,
  onSignedIn,
  autoFocus = true,
}: {
  switchUser: boolean;
  demoAccounts: DemoAccount[];
  demoPassword: string | null;
  onSignedIn?: () => void;
  autoFocus?: boolean;
}) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submitRef = useRef<HTMLButtonElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const signIn = useSignIn();
  const error = signIn.isError ? toIpcError(signIn.error) : null;

  return (
    <form
      className="signin__form"
      aria-label={switchUser ? "Sign in as another user" : "Sign in"}
      onSubmit={(e) => {
        e.preventDefault();
        if (signIn.isPending) return;
        signIn.mutate(
          { username: username.trim(), password, switchUser },
          {
            onSuccess: () => onSignedIn?.(),
            onError: () => {
              setPassword("");
              passwordRef.current?.focus();
            },
          },
        );
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor={`${id}-user`}>
          Username
        </label>
        <input
          id={`${id}-user`}
          className="input"
          data-testid="signin-username"
          data-autofocus={autoFocus ? "" : undefined}
          autoFocus={autoFocus}
          autoComplete="username"
          spellCheck={false}
          autoCapitalize="off"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${id}-pw`}>
          Password
        </label>
        <input
          id={`${id}-pw`}
          ref={passwordRef}
          className="input"
          type="password"
          data-testid="signin-password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="signin-error" data-kind={error.kind}>
          {error.message}
          {error.kind === "rate_limited" && <span className="form-error__hint"> Other users can still sign in.</span>}
        </p>
      )}
      <button
        ref={submitRef}
        type="submit"
        className="button button--primary signin__submit"
        data-testid="signin-submit"
        disabled={signIn.isPending || username.trim() === "" || password === ""}
      >
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </button>

      {demoAccounts.length > 0 && (
        <section className="demo-accounts" aria-label="Demo accounts">
          <h3 className="ctx__label">Demo accounts</h3>
          <p className="muted small">
            A demo database. Click an account to fill it in
            {demoPassword !== null && (
              <>
                {" "}
                (password <span className="mono">{demoPassword}</span>)
              </>
            )}
            .
          </p>
          <ul className="demo-accounts__list">
            {demoAccounts.map((a) => (
              <li key={a.username}>
                <button
                  type="button"
                  className="demo-account"
                  data-testid="demo-account"
                  data-username={a.username}
                  aria-pressed={username === a.username}
                  onClick={() => {
                    setUsername(a.username);
                    if (demoPassword !== null) setPassword(demoPassword);
                    signIn.reset();
                    // the form is complete: Enter signs in
                    setTimeout(() => (demoPassword !== null ? submitRef.current : passwordRef.current)?.focus(), 0);
                  }}
                >
                  <span className="demo-account__name">{a.display_name}</span>
                  <span className="demo-account__meta">
                    <span className="mono">{a.username}</span> · {rolesLabel(a.roles)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </form>
  );
}
