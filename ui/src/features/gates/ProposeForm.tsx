import { useEffect, useId, useRef, useState } from "react";
import type { HandoffDetail, Origin, ParamSpec, ToolCallView, ToolSpec } from "../../bindings";
import { toIpcError } from "../../ipc";
import { PROVENANCE_LABEL } from "../../labels";
import { paramErrors } from "./json";
import { usePropose, useTools } from "./hooks";

/** What the form starts from: empty, or a bot's attempted action to fix and forward. */
export type ProposeSeed = { handoffId: string; tool?: string; params?: Record<string, unknown>; origin: Origin };

type Value = string | boolean;
type Source = { from: "bot" | "field" | "customer"; hint: string };

/** One value per parameter, taken from the seed, then the collected fields, then the customer. */
function prefill(spec: ToolSpec, detail: HandoffDetail, seed: ProposeSeed | null) {
  const h = detail.handoff;
  const values: Record<string, Value> = {};
  const sources: Record<string, Source> = {};
  for (const p of spec.params) {
    const fromSeed = seed?.tool === spec.name ? seed.params?.[p.name] : undefined;
    const field = h.collected_fields[p.name];
    if (fromSeed !== undefined) {
      values[p.name] = p.type === "boolean" ? fromSeed === true : typeof fromSeed === "string" ? fromSeed : JSON.stringify(fromSeed);
      sources[p.name] = { from: "bot", hint: "prefilled from the bot" };
    } else if (field !== undefined && (p.type !== "enum" || (p.values ?? []).includes(field))) {
      values[p.name] = p.type === "boolean" ? ["true", "yes"].includes(field.toLowerCase()) : field;
      const prov = detail.field_provenance[p.name];
      sources[p.name] = { from: "field", hint: `prefilled · ${prov ? PROVENANCE_LABEL[prov].word : "source unknown"}` };
    } else if (p.name === "customer_id") {
      values[p.name] = h.customer.id;
      sources[p.name] = { from: "customer", hint: "prefilled · this customer" };
    } else {
      values[p.name] = p.type === "boolean" ? false : "";
    }
  }
  return { values, sources };
}

/** The parameters exactly as the form sends them: empty optional text is left out. */
function buildParams(spec: ToolSpec, values: Record<string, Value>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of spec.params) {
    const v = values[p.name];
    if (p.type === "boolean") {
      out[p.name] = v === true;
    } else {
      const s = typeof v === "string" ? v.trim() : "";
      if (s !== "") out[p.name] = s;
    }
  }
  return out;
}

/**
 * Propose a tool call on the open escalation: the tool, one input per parameter of its schema
 * (prefilled from what the bot collected), and whether fraud is suspected. Rust validates the
 * parameters and its policy decides what happens next.
 */
export function ProposeForm({
  detail,
  seed,
  onClose,
  onProposed,
}: {
  detail: HandoffDetail;
  seed: ProposeSeed | null;
  onClose: () => void;
  onProposed: (v: ToolCallView) => void;
}) {
  const id = useId();
  const tools = useTools();
  const propose = usePropose();
  const [toolName, setToolName] = useState(seed?.tool ?? "");
  const [values, setValues] = useState<Record<string, Value>>({});
  const [sources, setSources] = useState<Record<string, Source>>({});
  const [fraud, setFraud] = useState(false);
  const toolSelect = useRef<HTMLSelectElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const spec = tools.data?.find((t) => t.name === toolName);

  // a new tool: its parameters, prefilled
  useEffect(() => {
    if (!spec) return;
    const p = prefill(spec, detail, seed);
    setValues(p.values);
    setSources(p.sources);
    propose.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [spec, detail.handoff.handoff_id]);

  useEffect(() => {
    form.current?.scrollIntoView?.({ block: "nearest" });
    if (seed?.tool === undefined) toolSelect.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const error = propose.isError ? toIpcError(propose.error) : null;
  const fieldErrors = error?.kind === "invalid_input" ? paramErrors(error.message) : {};
  const currency = typeof values.currency === "string" && values.currency !== "" ? values.currency : (detail.handoff.collected_fields.currency ?? "");

  const submit = () => {
    if (!spec || propose.isPending) return;
    propose.mutate(
      {
        handoff_id: detail.handoff.handoff_id,
        tool: spec.name,
        params: buildParams(spec, values),
        origin: seed?.origin ?? "agent",
        fraud_suspected: fraud,
      },
      { onSuccess: onProposed },
    );
  };

  return (
    <form
      ref={form}
      className="propose"
      data-testid="propose-form"
      aria-label="Propose an action"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="propose__head">
        <h4 className="propose__title">Propose an action</h4>
        <button type="button" className="icon-button icon-button--small" aria-label="Close the form (Esc)" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </div>
      {seed?.origin === "bot" && <p className="small muted">Forwarded from the bot’s attempted action: check the values before you propose it.</p>}
      <div className="field">
        <label className="field__label" htmlFor={`${id}-tool`}>
          Tool <span className="req">required</span>
        </label>
        {tools.isError ? (
          <p className="form-error" role="alert">
            Could not load the tools: {toIpcError(tools.error).message}
          </p>
        ) : (
          <select
            id={`${id}-tool`}
            ref={toolSelect}
            className="propose__tool"
            data-testid="propose-tool"
            value={toolName}
            aria-busy={tools.isPending || undefined}
            onChange={(e) => setToolName(e.target.value)}
          >
            <option value="">{tools.isPending ? "Loading the tools…" : "Choose a tool…"}</option>
            {tools.data?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.title} — {t.name}
              </option>
            ))}
          </select>
        )}
        {spec && (
          <p className="propose__request mono" title="Method and address (Rust fills in the parameters)">
            {spec.method} {spec.url.replace("{base}", "…")} · risk {spec.risk}
          </p>
        )}
      </div>
      {spec?.params.map((p) => (
        <ParamInput
          key={`${spec.name}.${p.name}`}
          id={`${id}-${p.name}`}
          spec={p}
          value={values[p.name] ?? (p.type === "boolean" ? false : "")}
          source={sources[p.name]}
          currency={currency}
          error={fieldErrors[p.name]}
          onChange={(v) => {
            setValues((old) => ({ ...old, [p.name]: v }));
            setSources((old) => {
              const { [p.name]: _dropped, ...rest } = old;
              return rest;
            });
          }}
        />
      ))}
      {spec && (
        <label className="check propose__fraud">
          <input type="checkbox" data-testid="propose-fraud" checked={fraud} onChange={(e) => setFraud(e.target.checked)} />
          <span>Suspected fraud on this conversation</span>
        </label>
      )}
      {error && (
        <p className="form-error propose__error" role="alert" data-testid="propose-error" data-kind={error.kind}>
          <span aria-hidden="true">⚠ </span>
          {error.message}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button button--small" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button--small button--primary" data-testid="propose-submit" disabled={!spec || propose.isPending}>
          {propose.isPending ? "Proposing…" : "Propose"}
        </button>
      </div>
      <p className="small muted">The desk’s policy decides whether it runs now, after you confirm, or after a supervisor approves.</p>
    </form>
  );
}

function ParamInput({
  id,
  spec,
  value,
  source,
  currency,
  error,
  onChange,
}: {
  id: string;
  spec: ParamSpec;
  value: Value;
  source: Source | undefined;
  currency: string;
  error: string | undefined;
  onChange: (v: Value) => void;
}) {
  const testId = `param-${spec.name}`;
  const errId = `${id}-err`;
  const limits = [
    spec.max_len !== null ? `at most ${spec.max_len} characters` : null,
    spec.min !== null ? `at least ${spec.min}` : null,
    spec.max !== null ? `at most ${spec.max}` : null,
  ].filter(Boolean);
  const common = {
    id,
    title: limits.length > 0 ? `${spec.name}: ${limits.join(", ")}` : undefined,
    "data-testid": testId,
    "aria-invalid": error !== undefined ? true : undefined,
    "aria-required": spec.required || undefined,
    "aria-describedby": error !== undefined ? errId : undefined,
  };
  if (spec.type === "boolean") {
    return (
      <div className="field propose__param">
        <label className="check">
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span className="mono">{spec.name}</span>
          {spec.required && <span className="req">required</span>}
        </label>
        {source && <span className="propose__source">{source.hint}</span>}
        {error && (
          <span className="form-error small" id={errId}>
            {error}
          </span>
        )}
      </div>
    );
  }
  const text = typeof value === "string" ? value : "";
  return (
    <div className="field propose__param">
      <label className="field__label" htmlFor={id}>
        <span className="mono">{spec.name}</span> {spec.required ? <span className="req">required</span> : <span className="muted">optional</span>}
        {source && <span className="propose__source"> · {source.hint}</span>}
      </label>
      {spec.type === "enum" ? (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose…</option>
          {(spec.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      ) : spec.type === "money" ? (
        <span className="propose__money">
          <input {...common} className="input input--small mono" inputMode="decimal" autoComplete="off" spellCheck={false} placeholder="59.00" value={text} onChange={(e) => onChange(e.target.value)} />
          <span className="propose__currency mono" title="Currency of this amount">
            {currency || "—"}
          </span>
        </span>
      ) : (
        <input {...common} className="input input--small" autoComplete="off" spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)} />
      )}
      {error && (
        <span className="form-error small" id={errId}>
          {spec.name} {error}
        </span>
      )}
    </div>
  );
}
