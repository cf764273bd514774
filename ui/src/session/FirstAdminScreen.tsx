import { useId, useState } from "react";
import type { AppStatus } from "../bindings";
import { toIpcError } from "../ipc";
import { useCreateFirstAdmin } from "./hooks";
import { GateFoot } from "./SignInScreen";

/** A new, real database has no users: the first person creates the admin account. */
export function FirstAdminScreen({ status }: { status: AppStatus | undefined }) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [code, setCode] = useState("");
  const server = status?.server ?? null;
  const create = useCreateFirstAdmin();
  const mismatch = repeat !== "" && repeat !== password;
  const error = create.isError ? toIpcError(create.error) : null;

  return (
    <div className="gate">
      <main className="gate__card" aria-labelledby="first-admin-title">
        <h1 className="gate__app">Handoff Desk</h1>
        <h2 id="first-admin-title" className="gate__title">
          Create the first admin account
        </h2>
        <p className="muted small">
          {server
            ? `The team server ${server.url} has no users yet. Enter the setup code it printed when it started. The admin creates everyone else's accounts from the Users screen.`
            : "This database has no users yet. The admin creates everyone else's accounts from the Users screen."}
        </p>
        <form
          className="signin__form"
          data-testid="first-admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (mismatch || create.isPending) return;
            create.mutate({
              user: { username: username.trim(), display_name: displayName.trim(), password, roles: ["admin"] },
              setupCode: server ? code.trim() : null,
            });
          }}
        >
          {server && (
            <div className="field">
              <label className="field__label" htmlFor={`${id}-c`}>
                Setup code
              </label>
              <input id={`${id}-c`} className="input" autoFocus autoComplete="off" spellCheck={false} placeholder="xxxx-xxxx-xxxx-xxxx" value={code} onChange={(e) => setCode(e.target.value)} data-testid="first-admin-code" />
            </div>
          )}
          <div className="field">
            <label className="field__label" htmlFor={`${id}-u`}>
              Username
            </label>
            <input id={`${id}-u`} className="input" autoFocus={!server} autoComplete="username" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} data-testid="first-admin-username" />
          </div>
          <div className="field">
            <label className="field__label" htmlFor={`${id}-d`}>
              Display name
            </label>
            <input id={`${id}-d`} className="input" autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-testid="first-admin-display-name" />
          </div>
          <div className="field">
            <label className="field__label" htmlFor={`${id}-p`}>
              Password{status && <span className="muted"> (at least {status.password_min} characters)</span>}
            </label>
            <input id={`${id}-p`} className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="first-admin-password" />
          </div>
          <div className="field">
            <label className="field__label" htmlFor={`${id}-r`}>
              Password again
            </label>
            <input
              id={`${id}-r`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={repeat}
              aria-invalid={mismatch}
              onChange={(e) => setRepeat(e.target.value)}
              data-testid="first-admin-repeat"
            />
            {mismatch && <p className="form-error small">The two passwords differ.</p>}
          </div>
          {error && (
            <p className="form-error" role="alert" data-testid="first-admin-error">
              {error.message}
            </p>
          )}
          <button
            type="submit"
            className="button button--primary signin__submit"
            disabled={create.isPending || (server !== null && code.trim() === "") || username.trim() === "" || password === "" || repeat !== password}
            data-testid="first-admin-submit"
          >
            {create.isPending ? "Creating…" : "Create the admin account and sign in"}
          </button>
        </form>
      </main>
      <GateFoot status={status} />
    </div>
  );
}
