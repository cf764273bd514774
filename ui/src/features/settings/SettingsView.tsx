import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import type { KbReport, LlmSettings, LlmStatus } from "../../bindings";
import { ErrorState } from "../../components/ErrorState";
import { call, toIpcError } from "../../ipc";
import { useSession } from "../../session/context";
import { StepUpCancelled, useStepUp } from "../../session/StepUp";
import { useAppStatus } from "../queue/hooks";
import { TeamServerCard } from "./TeamServerCard";
import "./settings.css";

export const llmStatusKey = ["llm-status"] as const;
const STEP_UP_REASON = "Changing how drafts are written needs your password again.";

/** The failure to show for a mutation (nothing when the user closed the password prompt). */
function failure(m: { isError: boolean; error: unknown }) {
  return m.isError && !(m.error instanceof StepUpCancelled) ? toIpcError(m.error) : null;
}

/**
 * Draft settings: the LLM engine (on/off, base URL, model, timeout), its API key (kept in the
 * OS keyring, never shown) and the knowledge-base index. Admins (`configure_drafts`) change
 * them, after confirming their password; everyone else sees the status read-only.
 */
export function SettingsView() {
  const { can } = useSession();
  const editable = can("configure_drafts");
  const status = useAppStatus();
  const team = status.data?.server != null;
  const q = useQuery({ queryKey: llmStatusKey, queryFn: () => call("llm_status", {}), staleTime: 0, refetchOnMount: "always", enabled: status.isSuccess && !team });

  let body;
  if (team)
    body = (
      <p className="muted small" data-testid="settings-drafts-on-server">
        Drafts are made on the team server, by its engines and from its knowledge base; its administrator configures them.
      </p>
    );
  else if (q.isPending) body = <p className="muted state">Loading the draft settings…</p>;
  else if (q.isError) body = <ErrorState title="Could not load the draft settings" error={q.error} onRetry={() => void q.refetch()} />;
  else
    body = (
      <>
        <EngineCard status={q.data} editable={editable} />
        <KeyCard status={q.data} editable={editable} />
        <KbCard editable={editable} />
      </>
    );

  return (
    <section className="page settings" data-testid="settings-view" aria-label="Settings">
      <header className="page__header">
        <h2>Settings</h2>
        <p className="muted small">
          Where this desk works, and how it drafts replies for agents to approve, edit or reject.
          {!team && " Without an LLM, the embedded engine drafts from the knowledge base on this machine."}
        </p>
        {!editable && !team && (
          <p className="settings__readonly" data-testid="settings-readonly">
            Read only: an admin changes the draft settings.
          </p>
        )}
      </header>
      <div className="page__body settings__body">
        <TeamServerCard />
        {body}
      </div>
    </section>
  );
}

function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <section className="settings__card" aria-labelledby={id} data-testid={testId}>
      <h3 id={id} className="settings__title">
        {title}
      </h3>
      {children}
    </section>
  );
}

function EngineCard({ status, editable }: { status: LlmStatus; editable: boolean }) {
  const id = useId();
  const client = useQueryClient();
  const stepUp = useStepUp();
  const [enabled, setEnabled] = useState(status.enabled);
  const [baseUrl, setBaseUrl] = useState(status.settings.base_url);
  const [model, setModel] = useState(status.settings.model);
  const [timeout, setTimeoutSecs] = useState(String(status.settings.timeout_secs));
  const [saved, setSaved] = useState(false);

  const settings: LlmSettings = { base_url: baseUrl.trim(), model: model.trim(), timeout_secs: Number(timeout) };
  const save = useMutation({
    mutationFn: () => stepUp.run(STEP_UP_REASON, () => call("save_llm_settings", { settings, enabled })),
    onSuccess: (s) => {
      client.setQueryData(llmStatusKey, s);
      // the form shows what the Rust side kept
      setEnabled(s.enabled);
      setBaseUrl(s.settings.base_url);
      setModel(s.settings.model);
      setTimeoutSecs(String(s.settings.timeout_secs));
      setSaved(true);
    },
  });
  const changed =
    enabled !== status.enabled ||
    settings.base_url !== status.settings.base_url ||
    settings.model !== status.settings.model ||
    settings.timeout_secs !== status.settings.timeout_secs;
  const timeoutOk = /^\d+$/.test(timeout.trim()) && Number(timeout) > 0;
  const error = failure(save);
  const edit = (f: () => void) => {
    f();
    setSaved(false);
    save.reset();
  };

  return (
    <Card title="Draft engine" testId="settings-engine">
      <p className="settings__status" data-testid="llm-engine-status">
        {status.enabled ? (
          <>
            Drafts come from the LLM <span className="mono">{status.settings.model}</span> at <span className="mono">{status.settings.base_url}</span>; the
            embedded engine answers whenever it fails or times out.
          </>
        ) : (
          <>Drafts come from the embedded engine (knowledge-base passages and reply templates). Nothing leaves this machine.</>
        )}
      </p>
      <form
        className="settings__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (editable && changed && timeoutOk && !save.isPending) save.mutate();
        }}
      >
        <label className="check settings__check">
          <input type="checkbox" data-testid="llm-enabled" checked={enabled} disabled={!editable} onChange={(e) => edit(() => setEnabled(e.target.checked))} />
          Draft with an LLM (an OpenAI-compatible API)
        </label>
        <div className="settings__grid">
          <label className="field__label" htmlFor={`${id}-url`}>
            Base URL
          </label>
          <div>
            <input
              id={`${id}-url`}
              className="input settings__input"
              data-testid="llm-base-url"
              type="url"
              spellCheck={false}
              value={baseUrl}
              readOnly={!editable}
              onChange={(e) => edit(() => setBaseUrl(e.target.value))}
            />
            <p className="settings__hint">
              e.g. <span className="mono">https://api.openai.com/v1</span>, or <span className="mono">http://localhost:11434/v1</span> for Ollama. Customer
              messages are sent there (card and ID numbers masked).
            </p>
          </div>
          <label className="field__label" htmlFor={`${id}-model`}>
            Model
          </label>
          <input
            id={`${id}-model`}
            className="input settings__input"
            data-testid="llm-model"
            spellCheck={false}
            value={model}
            readOnly={!editable}
            onChange={(e) => edit(() => setModel(e.target.value))}
          />
          <label className="field__label" htmlFor={`${id}-timeout`}>
            Timeout
          </label>
          <div className="settings__inline">
            <input
              id={`${id}-timeout`}
              className="input settings__input settings__input--short"
              data-testid="llm-timeout"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={timeout}
              readOnly={!editable}
              aria-invalid={!timeoutOk}
              onChange={(e) => edit(() => setTimeoutSecs(e.target.value))}
            />
            <span className="muted small">seconds; after that the embedded engine drafts instead</span>
          </div>
        </div>
        {editable && (
          <div className="settings__actions">
            <button type="submit" className="button button--primary" data-testid="llm-save" disabled={!changed || !timeoutOk || save.isPending}>
              {save.isPending ? "Saving…" : "Save engine settings"}
            </button>
            {changed && !save.isPending && (
              <button
                type="button"
                className="button button--quiet"
                onClick={() =>
                  edit(() => {
                    setEnabled(status.enabled);
                    setBaseUrl(status.settings.base_url);
                    setModel(status.settings.model);
                    setTimeoutSecs(String(status.settings.timeout_secs));
                  })
                }
              >
                Undo changes
              </button>
            )}
            {saved && !changed && (
              <span className="ok-text small" role="status" data-testid="llm-saved">
                ✓ Saved
              </span>
            )}
          </div>
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="llm-error">
            {error.message}
          </p>
        )}
      </form>
    </Card>
  );
}

function KeyCard({ status, editable }: { status: LlmStatus; editable: boolean }) {
  const id = useId();
  const client = useQueryClient();
  const stepUp = useStepUp();
  const [key, setKey] = useState("");
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: (apiKey: string) => stepUp.run(STEP_UP_REASON, () => call("set_llm_api_key", { apiKey })),
    onSuccess: (s, apiKey) => {
      client.setQueryData(llmStatusKey, s);
      setKey("");
      setConfirmRemove(false);
      setDone(apiKey === "" ? "✓ Key removed" : "✓ Key stored");
    },
  });
  const error = failure(set);
  return (
    <Card title="API key" testId="settings-key">
      <p className="settings__status" data-testid="llm-key-status">
        {status.has_api_key ? "✓ A key is stored in the OS keyring." : "No key is stored."}
        <span className="muted"> The key is never shown again, here or anywhere else.</span>
      </p>
      {status.keyring_error && (
        <p className="settings__warning" role="alert" data-testid="llm-keyring-error">
          ⚠ The OS keyring could not be read: {status.keyring_error}
        </p>
      )}
      {editable && (
        <form
          className="settings__inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (key.trim() !== "" && !set.isPending) set.mutate(key);
          }}
        >
          <label className="visually-hidden" htmlFor={`${id}-key`}>
            {status.has_api_key ? "New API key" : "API key"}
          </label>
          <input
            id={`${id}-key`}
            className="input settings__input"
            data-testid="llm-api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={status.has_api_key ? "Paste a new key to replace the stored one" : "Paste the API key"}
            value={key}
            onChange={(e) => {
              setKey(e.target.value);
              setDone(null);
              set.reset();
            }}
          />
          <button type="submit" className="button" data-testid="llm-key-save" disabled={key.trim() === "" || set.isPending}>
            {set.isPending && set.variables !== "" ? "Storing…" : status.has_api_key ? "Replace key" : "Store key"}
          </button>
          {status.has_api_key &&
            (confirmRemove ? (
              <span className="settings__confirm">
                <span className="small">Remove it? Drafts fall back to the embedded engine.</span>
                <button type="button" className="button button--danger" data-testid="llm-key-remove-confirm" disabled={set.isPending} onClick={() => set.mutate("")}>
                  {set.isPending && set.variables === "" ? "Removing…" : "Remove"}
                </button>
                <button type="button" className="button button--quiet" onClick={() => setConfirmRemove(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button
                type="button"
                className="button button--quiet"
                data-testid="llm-key-remove"
                onClick={() => {
                  setDone(null);
                  setConfirmRemove(true);
                }}
              >
                Remove key
              </button>
            ))}
          {done && (
            <span className="ok-text small" role="status" data-testid="llm-key-done">
              {done}
            </span>
          )}
        </form>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="llm-key-error">
          {error.message}
        </p>
      )}
    </Card>
  );
}

function KbCard({ editable }: { editable: boolean }) {
  const stepUp = useStepUp();
  const reindex = useMutation({
    mutationFn: (): Promise<KbReport> => stepUp.run(STEP_UP_REASON, () => call("kb_reindex", {})),
  });
  const error = failure(reindex);
  const r = reindex.data;
  return (
    <Card title="Knowledge base" testId="settings-kb">
      <p className="settings__status">
        Drafts quote and cite the Markdown articles in the desk’s <span className="mono">kb</span> folder. After editing, adding or removing articles,
        reindex so drafts use them.
      </p>
      {editable && (
        <div className="settings__actions">
          <button type="button" className="button" data-testid="kb-reindex" disabled={reindex.isPending} onClick={() => reindex.mutate()}>
            {reindex.isPending ? "Reindexing…" : "Reindex knowledge base"}
          </button>
        </div>
      )}
      {r && (
        <div className="settings__report" role="status" data-testid="kb-report">
          <p>
            ✓ {r.articles.toLocaleString()} articles, {r.passages.toLocaleString()} passages indexed ·{" "}
            {r.changed ? "the index changed" : "nothing had changed"}
          </p>
          {r.errors.length > 0 && (
            <>
              <p className="settings__warning">
                ⚠ {r.errors.length === 1 ? "One file was" : `${r.errors.length} files were`} left out:
              </p>
              <ul className="settings__errors">
                {r.errors.map((e, i) => (
                  <li key={i} data-testid="kb-error">
                    {e}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="kb-reindex-error">
          {error.message}
        </p>
      )}
    </Card>
  );
}
