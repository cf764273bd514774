import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { NewUser, Role, UserSummary } from "../../bindings";
import { ErrorState } from "../../components/ErrorState";
import { call, toIpcError } from "../../ipc";
import { USER_ROLES, USER_ROLE_LABEL } from "../../labels";
import { useSession } from "../../session/context";
import { StepUpCancelled, useStepUp } from "../../session/StepUp";
import { useAppStatus } from "../queue/hooks";

const usersKey = ["users"] as const;
const STEP_UP_REASON = "Managing users needs your password again.";

/** Admins: every user with roles and active flag; create users, change roles, deactivate. */
export function UsersView() {
  const q = useQuery({ queryKey: usersKey, queryFn: () => call("list_users", {}) });
  let body;
  if (q.isPending) body = <p className="muted state">Loading the users…</p>;
  else if (q.isError) body = <ErrorState title="Could not load the users" error={q.error} onRetry={() => void q.refetch()} />;
  else
    body = (
      <table className="table users__table">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Display name</th>
            {USER_ROLES.map((r) => (
              <th scope="col" key={r} className="center">
                {USER_ROLE_LABEL[r]}
              </th>
            ))}
            <th scope="col" className="center">
              Active
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((u) => (
            <UserRow key={`${u.id}:${u.roles.join()}:${u.active}`} user={u} />
          ))}
        </tbody>
      </table>
    );
  return (
    <section className="users" data-testid="users-view" aria-label="Users">
      <header className="users__header">
        <h2>Users</h2>
        <p className="muted small">
          Roles decide what each person may do; the desk asks for your password again before changing anything here.
        </p>
      </header>
      <div className="users__body">
        <NewUserForm />
        <section className="users__list" aria-label="All users">
          {body}
        </section>
      </div>
    </section>
  );
}

function UserRow({ user }: { user: UserSummary }) {
  const client = useQueryClient();
  const stepUp = useStepUp();
  const { actor } = useSession();
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [active, setActive] = useState(user.active);
  const save = useMutation({
    mutationFn: () => stepUp.run(STEP_UP_REASON, () => call("update_user", { userId: user.id, roles, active })),
    onSuccess: (u) => client.setQueryData<UserSummary[]>(usersKey, (old) => old?.map((x) => (x.id === u.id ? u : x))),
  });
  const changed = active !== user.active || roles.length !== user.roles.length || roles.some((r) => !user.roles.includes(r));
  const error = save.isError && !(save.error instanceof StepUpCancelled) ? toIpcError(save.error) : null;
  const me = user.id === actor.user_id;
  return (
    <>
      <tr className={`user-row${user.active ? "" : " user-row--inactive"}${changed ? " user-row--changed" : ""}`} data-testid="user-row" data-username={user.username}>
        <th scope="row" className="mono">
          {user.username}
          {me && <span className="muted"> (you)</span>}
        </th>
        <td>
          {user.display_name}
          {!user.active && <span className="badge badge--inactive">inactive</span>}
        </td>
        {USER_ROLES.map((r) => (
          <td key={r} className="center">
            <input
              type="checkbox"
              aria-label={`${user.username}: ${USER_ROLE_LABEL[r]}`}
              data-testid={`user-role-${r}`}
              checked={roles.includes(r)}
              onChange={() => setRoles((rs) => (rs.includes(r) ? rs.filter((x) => x !== r) : USER_ROLES.filter((x) => x === r || rs.includes(x))))}
            />
          </td>
        ))}
        <td className="center">
          <input type="checkbox" aria-label={`${user.username}: active`} data-testid="user-active" checked={active} onChange={() => setActive((a) => !a)} />
        </td>
        <td className="users__actions">
          {changed && (
            <>
              <button type="button" className="button button--small button--primary" data-testid="user-save" disabled={save.isPending} onClick={() => save.mutate()}>
                {save.isPending ? "Saving…" : "Save"}
              </button>
              <button
                type="button"
                className="button button--small button--quiet"
                onClick={() => {
                  setRoles(user.roles);
                  setActive(user.active);
                  save.reset();
                }}
              >
                Undo
              </button>
            </>
          )}
        </td>
      </tr>
      {error && (
        <tr className="user-row__error">
          <td colSpan={USER_ROLES.length + 4}>
            <p className="form-error small" role="alert" data-testid="user-error">
              ⚠ {error.message}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}

const EMPTY_USER: NewUser = { username: "", display_name: "", password: "", roles: ["agent"] };

function NewUserForm() {
  const id = useId();
  const client = useQueryClient();
  const stepUp = useStepUp();
  const [u, setU] = useState<NewUser>(EMPTY_USER);
  const passwordMin = useAppStatus().data?.password_min;
  const create = useMutation({
    mutationFn: (user: NewUser) => stepUp.run(STEP_UP_REASON, () => call("create_user", { user })),
    onSuccess: (created) => {
      client.setQueryData<UserSummary[]>(usersKey, (old) => [...(old ?? []), created]);
      setU(EMPTY_USER);
    },
  });
  const error = create.isError && !(create.error instanceof StepUpCancelled) ? toIpcError(create.error) : null;
  return (
    <form
      className="new-user"
      data-testid="new-user-form"
      aria-label="New user"
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) create.mutate({ ...u, username: u.username.trim(), display_name: u.display_name.trim() });
      }}
    >
      <h3 className="ctx__label">New user</h3>
      <div className="new-user__fields">
        <div className="field">
          <label className="field__label" htmlFor={`${id}-u`}>
            Username
          </label>
          <input id={`${id}-u`} className="input mono" data-testid="new-user-username" autoComplete="off" spellCheck={false} value={u.username} onChange={(e) => setU({ ...u, username: e.target.value })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-d`}>
            Display name
          </label>
          <input id={`${id}-d`} className="input" data-testid="new-user-display-name" autoComplete="off" value={u.display_name} onChange={(e) => setU({ ...u, display_name: e.target.value })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-p`}>
            Password{passwordMin !== undefined && <span className="muted"> (at least {passwordMin} characters)</span>}
          </label>
          <input id={`${id}-p`} className="input" type="password" data-testid="new-user-password" autoComplete="new-password" value={u.password} onChange={(e) => setU({ ...u, password: e.target.value })} />
        </div>
        <fieldset className="field new-user__roles">
          <legend className="field__label">Roles</legend>
          {USER_ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                data-testid={`new-user-role-${r}`}
                checked={u.roles.includes(r)}
                onChange={() =>
                  setU({ ...u, roles: u.roles.includes(r) ? u.roles.filter((x) => x !== r) : USER_ROLES.filter((x) => x === r || u.roles.includes(x)) })
                }
              />
              <span>{USER_ROLE_LABEL[r]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button button--primary new-user__submit" data-testid="new-user-submit" disabled={create.isPending || u.username.trim() === ""}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
      </div>
      {error && (
        <p className="form-error small" role="alert" data-testid="new-user-error">
          ⚠ {error.message}
        </p>
      )}
      {create.isSuccess && (
        <p className="small ok-text" role="status" data-testid="new-user-created">
          ✓ Created {create.data.display_name} ({create.data.username}).
        </p>
      )}
    </form>
  );
}
