import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import type { TeamServerSetting } from "../../bindings";
import { ErrorState } from "../../components/ErrorState";
import { call, toIpcError } from "../../ipc";

export const teamServerKey = ["team-server"] as const;

/**
 * Settings → Team server: the desk works on its own database, or as a client of a team's
 * `desk-server`. Saving checks that the server answers, then the desk restarts on it.
 */
export function TeamServerCard() {
  const q = useQuery({ queryKey: teamServerKey, queryFn: () => call("team_server", {}), staleTime: 0 });
  if (q.isPending) return <p className="muted state">Loading the team server setting…</p>;
  if (q.isError) return <ErrorState title="Could not load the team server setting" error={q.error} onRetry={() => void q.refetch()} />;
  return <TeamServerForm setting={q.data} />;
}

function TeamServerForm({ setting }: { setting: TeamServerSetting }) {
  const id = useId();
  const [url, setUrl] = useState(setting.url ?? "");
  const [ca, setCa] = useState(setting.ca_path ?? "");
  const [restarting, setRestarting] = useState<string | null>(null);
  useEffect(() => {
    setUrl(setting.url ?? "");
    setCa(setting.ca_path ?? "");
  }, [setting.url, setting.ca_path]);
  const save = useMutation({
    mutationFn: (next: { url: string | null; caPath: string | null }) => call("set_team_server", next),
    onSuccess: (s) => setRestarting(s.url ?? "this desk's own database"),
  });
  const error = save.isError ? toIpcError(save.error) : null;
  const locked = setting.from_env || restarting !== null;
  const changed = url.trim() !== (setting.url ?? "") || ca.trim() !== (setting.ca_path ?? "");

  return (
    <section className="settings__card" aria-labelledby={`${id}-title`} data-testid="settings-team-server">
      <h3 id={`${id}-title`} className="settings__title">
        Team server
      </h3>
      <p className="settings__status" data-testid="team-server-status">
        {setting.connected ? (
          <>
            This desk works on the team server <span className="mono">{setting.connected}</span>: the queue, sign-in, approvals and the audit log
            are the server's.
          </>
        ) : (
          <>This desk works on its own database. Connect it to your team's server to share one queue with everyone.</>
        )}
      </p>
      {setting.from_env && (
        <p className="settings__readonly" data-testid="team-server-env">
          Set by <span className="mono">HANDOFF_DESK_SERVER_URL</span>; change it there.
        </p>
      )}
      <form
        className="settings__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!locked && changed && url.trim() !== "" && !save.isPending) save.mutate({ url: url.trim(), caPath: ca.trim() || null });
        }}
      >
        <div className="settings__grid">
          <label className="field__label" htmlFor={`${id}-url`}>
            Server URL
          </label>
          <div>
            <input
              id={`${id}-url`}
              className="input settings__input"
              data-testid="team-server-url"
              type="url"
              spellCheck={false}
              placeholder="https://desk.example.com"
              value={url}
              readOnly={locked}
              onChange={(e) => {
                setUrl(e.target.value);
                save.reset();
              }}
            />
            <p className="settings__hint">The address <span className="mono">scripts/server.sh</span> printed. https:// (plain http:// only on this machine).</p>
          </div>
          <label className="field__label" htmlFor={`${id}-ca`}>
            Certificate
          </label>
          <div>
            <input
              id={`${id}-ca`}
              className="input settings__input"
              data-testid="team-server-ca"
              spellCheck={false}
              placeholder="(optional) /path/to/cert.pem"
              value={ca}
              readOnly={locked}
              onChange={(e) => {
                setCa(e.target.value);
                save.reset();
              }}
            />
            <p className="settings__hint">For a server with its own self-signed certificate: the server's <span className="mono">tls/cert.pem</span>.</p>
          </div>
        </div>
        {error && (
          <p className="form-error" role="alert" data-testid="team-server-error">
            {error.message}
          </p>
        )}
        {restarting !== null && (
          <p className="ok-text small" role="status" data-testid="team-server-restarting">
            Saved. The desk restarts on {restarting}…
          </p>
        )}
        {!locked && (
          <div className="settings__actions">
            <button type="submit" className="button button--primary" data-testid="team-server-save" disabled={!changed || url.trim() === "" || save.isPending}>
              {save.isPending ? "Checking the server…" : "Connect and restart"}
            </button>
            {setting.url !== null && (
              <button
                type="button"
                className="button button--quiet"
                data-testid="team-server-disconnect"
                disabled={save.isPending}
                onClick={() => save.mutate({ url: null, caPath: null })}
              >
                Work on this desk's own database
              </button>
            )}
          </div>
        )}
      </form>
    </section>
  );
}
